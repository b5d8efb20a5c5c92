/**
 * What an item event at a gate means for stock, for the serial and for
 * store security. Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';

export type GateDirection = 'IN' | 'OUT';

/**
 * Where a serialised item is as far as StockClub knows: read in at its
 * location, sold at a till there, or read leaving it.
 */
export type SerialState = 'IN_STOCK' | 'SOLD' | 'LEFT';
/** A serial's state before an event; UNSEEN: no gate read nor sale of it yet. */
export type SerialStateBefore = SerialState | 'UNSEEN';

export const serialStateAfter = (direction: GateDirection): SerialState => (direction === 'IN' ? 'IN_STOCK' : 'LEFT');

export const movementTypeOf = (direction: GateDirection) => (direction === 'IN' ? 'RFID_IN' as const : 'RFID_OUT' as const);

/**
 * The movement id of an item event: the same for every attempt to book it
 * (retried invocations, a replayed message), so it is booked once. An
 * event is its gate, direction, EPC and the time of its first read.
 */
export const itemEventMovementId = (event: { locationId: string; gateId: string; direction: GateDirection; epc: string; startedAt: string }): string =>
  `rfid-${createHash('sha256').update([event.locationId, event.gateId, event.direction, event.epc, event.startedAt].join('|')).digest('hex').slice(0, 40)}`;

/**
 * An exit gate is any gate read in direction OUT at a STORE: goods leave a
 * store through its doors to customers. Warehouse docks ship stock out as a
 * matter of course, so their OUT reads raise nothing.
 */
export const isExitGate = (locationType: string, direction: GateDirection): boolean => locationType === 'STORE' && direction === 'OUT';

/** A serial as it was before an event: its state and the location it was last read at. */
export interface SerialBefore {
  readonly state: SerialStateBefore;
  readonly locationId?: string;
}

/**
 * Whether an item event changes stock. Not when the books already show it:
 * a sold item leaving was taken off by its SALE, and an item read again in
 * the state it is already in at this location (re-read after the window,
 * parked near the gate) was counted the first time. A stale event (a later
 * one reached the serial first) is booked: it happened, only its view of
 * the serial is out of date.
 */
export const movesStock = (direction: GateDirection, locationId: string, before: SerialBefore | 'STALE'): boolean => {
  if (before === 'STALE') return true;
  if (direction === 'OUT' && before.state === 'SOLD') return false;
  return !(before.locationId === locationId && before.state === serialStateAfter(direction));
};

/** An item leaving through an exit gate must have been sold first. */
export const raisesAlarm = (exitGate: boolean, stateBefore: SerialStateBefore): boolean => exitGate && stateBefore !== 'SOLD';

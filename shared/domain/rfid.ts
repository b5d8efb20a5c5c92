/**
 * What an item event at a gate means for stock, for the serial and for
 * store security. Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import { derivedId } from './ids.ts';

export type GateDirection = 'IN' | 'OUT';

/**
 * Where a serialised item is as far as StockClub knows: read in at its
 * location, sold at a till there, or read leaving it. A sold item stays sold
 * until a RETURN resets it: read leaving it is LEFT_SOLD, read coming back
 * in (a customer walking back in with it) it is SOLD again. Gate reads never
 * turn a sold item into stock.
 */
export type SerialState = 'IN_STOCK' | 'SOLD' | 'LEFT' | 'LEFT_SOLD';
/** A serial's state before an event; UNSEEN: no gate read nor sale of it yet. */
export type SerialStateBefore = SerialState | 'UNSEEN';

/** The states of a sold item (a return resets either to IN_STOCK). */
export const soldStates = ['SOLD', 'LEFT_SOLD'] as const satisfies readonly SerialState[];

export const isSold = (state: string | undefined): boolean => (soldStates as readonly string[]).includes(state ?? '');

/** The serial's state after a gate read: a sold item stays sold whichever way it goes. */
export const serialStateAfter = (direction: GateDirection, before: SerialStateBefore = 'UNSEEN'): SerialState =>
  isSold(before) ? (direction === 'IN' ? 'SOLD' : 'LEFT_SOLD') : direction === 'IN' ? 'IN_STOCK' : 'LEFT';

export const movementTypeOf = (direction: GateDirection) => (direction === 'IN' ? ('RFID_IN' as const) : ('RFID_OUT' as const));

/**
 * The movement id of an item event: the same for every attempt to book it
 * (retried invocations, a replayed message), so it is booked once, and
 * derived, so no till can book it first. An event is its gate, direction,
 * EPC and the time of its first read (a 160-bit hash of them).
 */
export const itemEventMovementId = (event: { locationId: string; gateId: string; direction: GateDirection; epc: string; startedAt: string }): string =>
  derivedId(
    'rfid',
    createHash('sha256').update([event.locationId, event.gateId, event.direction, event.epc, event.startedAt].join('|')).digest('hex').slice(0, 40),
  );

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
 * Whether an item event changes stock, decided with the serial's current
 * state (before the event, or, for a stale event, as a later event or a sale
 * left it). Not when the books already show it:
 * - a sold item (SOLD or LEFT_SOLD), either way: its SALE took it off the
 *   books; only a RETURN puts it back, never a gate read;
 * - an item read again in the state it is already in at this location
 *   (re-read after the window, parked near the gate, read by a second gate,
 *   or a stale read after a later one of the same direction).
 */
export const movesStock = (direction: GateDirection, locationId: string, current: SerialBefore): boolean => {
  if (isSold(current.state)) return false;
  return !(current.locationId === locationId && current.state === serialStateAfter(direction, current.state));
};

/** An item leaving through an exit gate must have been sold first (and stays sold after it left). */
export const raisesAlarm = (exitGate: boolean, stateBefore: SerialStateBefore): boolean => exitGate && !isSold(stateBefore);

/**
 * What an item event at a gate means for stock, for the serial and for
 * store security. Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import { judgeSighting, type OpenWindow, type Sighting, type SightingVerdict } from './dedupe.ts';
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

/** A serial a sale names, as read before the sale is booked (undefined: no gate read nor sale of it yet). */
export interface SaleSerial {
  readonly state?: string;
  readonly locationId?: string;
  readonly saleId?: string;
}

/**
 * What a sale's EPC means for stock, from its serial as read:
 * - `CONFIRM`: read OUT of the sale's location and not sold (`LEFT` there):
 *   the gate read already took the unit off the books (a till posting late),
 *   so the sale confirms it and takes nothing for it; the serial becomes
 *   `LEFT_SOLD`;
 * - `SOLD_ELSEWHERE`: another sale sold it (a tag scanned twice, a cloned
 *   tag): the sale is refused;
 * - `TAKE`: any other state (in stock, never seen, left another location,
 *   already this sale's): the sale takes the unit from stock and the serial
 *   becomes `SOLD`.
 */
export const saleSerialVerdict = (serial: SaleSerial | undefined, sale: { saleId: string; locationId: string }): 'CONFIRM' | 'SOLD_ELSEWHERE' | 'TAKE' => {
  if (isSold(serial?.state)) return serial?.saleId === sale.saleId ? 'TAKE' : 'SOLD_ELSEWHERE';
  return serial?.state === 'LEFT' && serial.locationId === sale.locationId ? 'CONFIRM' : 'TAKE';
};

/**
 * Units per SKU a sale confirms instead of taking them from stock: its EPCs
 * whose serial a gate already read out of the sale's location unsold. Never
 * more than the SKU's quantity on the sale (`qty`, all its lines).
 */
export const confirmedBySerials = (
  tags: readonly { sku: string; serial: SaleSerial | undefined }[],
  sale: { saleId: string; locationId: string; qty: ReadonlyMap<string, number> },
): Map<string, number> => {
  const confirmed = new Map<string, number>();
  for (const tag of tags) {
    if (saleSerialVerdict(tag.serial, sale) !== 'CONFIRM') continue;
    confirmed.set(tag.sku, Math.min((confirmed.get(tag.sku) ?? 0) + 1, sale.qty.get(tag.sku) ?? 0));
  }
  return new Map([...confirmed].filter(([, n]) => n > 0));
};

/**
 * What identifies a gate message: its gate, direction, `readAt` and reads
 * (40 hex). The same message again (a retried invocation, a replay) has the
 * same key; two messages of one gate with the same `readAt` differ by their
 * reads.
 */
export const gateMessageKey = (message: {
  locationId: string;
  gateId: string;
  direction: GateDirection;
  readAt: string;
  reads: readonly { epc: string; at?: string }[];
}): string => {
  const reads = createHash('sha256');
  for (const read of message.reads) reads.update(`${read.epc}@${read.at ?? ''};`);
  return createHash('sha256')
    .update([message.locationId, message.gateId, message.direction, message.readAt, reads.digest('hex')].join('|'))
    .digest('hex')
    .slice(0, 40);
};

/**
 * One gate message's movement for one SKU: every item event of the SKU the
 * message books goes into it (one line of qty N). The same message again
 * derives the same id, so it is booked once.
 */
export const messageMovementId = (messageKey: string, sku: string): string =>
  derivedId('rfid', createHash('sha256').update(`${messageKey}|${sku}`).digest('hex').slice(0, 40));

/**
 * One gate's dedupe window, kept on the serial item it dedupes (so claiming
 * the window and moving the serial is one conditional write): the event's
 * direction, first and last read, and what the event found (its movement
 * id, the serial's state and place before it, whether a later event or a
 * sale had got there first), so a retried or replayed message completes its
 * booking exactly as the first attempt decided it.
 */
export interface GateWindow extends OpenWindow {
  readonly eventId?: string;
  /** The message that opened the event (gateMessageKey): only that message again completes its booking. */
  readonly messageKey?: string;
  readonly stateBefore?: SerialStateBefore;
  readonly locationBefore?: string;
  readonly stale?: boolean;
}

/** The attribute of the serial item holding one gate's window. */
export const windowAttribute = (locationId: string, gateId: string): string => `window:${locationId}/${gateId}`;

/** Stored as a string: a condition compares it whole. */
export const encodeWindow = (window: GateWindow): string =>
  JSON.stringify({
    direction: window.direction,
    startedAt: window.startedAt,
    lastSeenAt: window.lastSeenAt,
    eventId: window.eventId,
    messageKey: window.messageKey,
    stateBefore: window.stateBefore,
    locationBefore: window.locationBefore,
    stale: window.stale,
  });

export const decodeWindow = (stored: unknown): GateWindow | undefined => {
  if (typeof stored !== 'string') return undefined;
  try {
    const parsed = JSON.parse(stored) as GateWindow;
    return typeof parsed.startedAt === 'string' && typeof parsed.lastSeenAt === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
};

/** A serial item as read before a message's events: what the plan depends on (and what its write is conditioned on). */
export interface SerialRecord {
  readonly state?: string;
  readonly locationId?: string;
  readonly lastSeenAt?: string;
  readonly soldAt?: string;
  readonly lastEventId?: string;
  readonly previousState?: string;
  readonly previousLocationId?: string;
  /** This gate's window. */
  readonly window?: GateWindow;
}

/** An item event of the message: a new one, or one an earlier attempt at the same message opened (SAME_EVENT). */
export interface PlannedEvent {
  readonly sighting: Sighting;
  readonly movementId: string;
  /** The serial before the event, or, for a stale event, as the later event or the sale left it. */
  readonly current: SerialBefore;
  /** A later event, or a sale after this read, got to the serial first: the serial was not moved. */
  readonly stale: boolean;
}

/** The serial fields an event sets (only when it is not stale). */
export interface SerialAfter {
  readonly state: SerialState;
  readonly locationId: string;
  readonly lastSeenAt: string;
  readonly lastEventId: string;
  readonly previousState: SerialStateBefore;
  readonly previousLocationId: string;
  readonly epc: string;
}

export interface SerialPlan {
  /** One per sighting, in the sightings' order. */
  readonly verdicts: SightingVerdict[];
  readonly events: PlannedEvent[];
  /** The one write the message makes to the serial item; undefined: none (duplicates in a fresh window, a replay). */
  readonly write?: { readonly window: GateWindow; readonly serial?: SerialAfter };
}

/**
 * The rules of docs/rfid.md for one serial's sightings in one message (time
 * order), as one plan: which are new events, which the same event again,
 * which duplicates; what each event found; and the single write (window and
 * serial together) that records it. The db layer writes it conditioned on
 * the record being unchanged since it was read, and plans again with what it
 * finds if not, so of two messages racing for one tag exactly one opens the
 * event. Pure.
 */
export const planSerialSightings = (
  record: SerialRecord | undefined,
  sightings: readonly Sighting[],
  gate: { locationId: string; gateId: string; direction: GateDirection },
  windowSeconds: number,
  messageKey: string,
): SerialPlan => {
  let serial: SerialRecord = record ?? {};
  let window = record?.window;
  let windowChanged = false;
  let moved: SerialAfter | undefined;
  const verdicts: SightingVerdict[] = [];
  const events: PlannedEvent[] = [];
  const stretchBy = (windowSeconds * 1000) / 4;
  for (const sighting of sightings) {
    let verdict = judgeSighting(window, sighting, windowSeconds, gate.direction);
    // Another message with a read at the same instant opened this event: this one only saw it again.
    if (verdict === 'SAME_EVENT' && window?.messageKey !== undefined && window.messageKey !== messageKey) verdict = 'DUPLICATE';
    verdicts.push(verdict);
    const movementId = itemEventMovementId({ ...gate, epc: sighting.epc, startedAt: sighting.firstAt });
    if (verdict === 'NEW_EVENT') {
      const current: SerialBefore = { state: (serial.state as SerialStateBefore | undefined) ?? 'UNSEEN', locationId: serial.locationId };
      const fresh =
        (serial.lastSeenAt === undefined || serial.lastSeenAt < sighting.firstAt) && (serial.soldAt === undefined || serial.soldAt < sighting.firstAt);
      if (fresh) {
        moved = {
          state: serialStateAfter(gate.direction, current.state),
          locationId: gate.locationId,
          lastSeenAt: sighting.firstAt,
          lastEventId: movementId,
          previousState: current.state,
          previousLocationId: current.locationId ?? '',
          epc: sighting.epc,
        };
        serial = { ...serial, ...moved };
      }
      window = {
        direction: gate.direction,
        startedAt: sighting.firstAt,
        lastSeenAt: sighting.lastAt,
        eventId: movementId,
        messageKey,
        stateBefore: current.state,
        ...(current.locationId !== undefined ? { locationBefore: current.locationId } : {}),
        stale: !fresh,
      };
      windowChanged = true;
      events.push({ sighting, movementId, current, stale: !fresh });
      continue;
    }
    if (verdict === 'SAME_EVENT') {
      // The window remembers what the event found; a window without it (written before it was kept) falls back on the serial.
      const remembered = window?.eventId === movementId && window.stateBefore !== undefined;
      const ownMove = serial.lastEventId === movementId;
      const current: SerialBefore = remembered
        ? { state: window!.stateBefore!, locationId: window!.locationBefore }
        : ownMove
          ? { state: (serial.previousState as SerialStateBefore | undefined) ?? 'UNSEEN', locationId: serial.previousLocationId || undefined }
          : { state: (serial.state as SerialStateBefore | undefined) ?? 'UNSEEN', locationId: serial.locationId };
      events.push({ sighting, movementId, current, stale: remembered ? window!.stale === true : !ownMove });
    }
    // Keep the window open while the tag is still being read, but only when it lags a quarter window: a burst costs no extra write.
    if (window && sighting.lastAt > window.lastSeenAt && Date.parse(sighting.lastAt) - Date.parse(window.lastSeenAt) >= stretchBy) {
      window = { ...window, lastSeenAt: sighting.lastAt };
      windowChanged = true;
    }
  }
  return { verdicts, events, ...(windowChanged && window ? { write: { window, ...(moved ? { serial: moved } : {}) } } : {}) };
};

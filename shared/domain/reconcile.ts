/**
 * Each unit counts once: a document (receipt, PO receipt, transfer
 * receipt, sale) and a gate read of the same physical units must not both
 * move stock. Per location, direction and SKU, units one side booked wait
 * for the other side to confirm them; whichever arrives first books, the
 * other confirms, only the excess books. Units nobody confirmed within the
 * window stay as the discrepancy (a gate saw more than the documents, or a
 * document named units no gate saw). Pure: no I/O, no clock.
 */
import type { MovementType } from './movements.ts';
import { dayMillis, hourMillis } from './time.ts';

/** Who booked units first: a document, or a gate. */
export type Side = 'DOCUMENT' | 'GATE';
export type Direction = 'IN' | 'OUT';

/** Units one booking (its movement id) put on the books and no one has confirmed yet. */
export interface Bucket {
  readonly ref: string;
  readonly at: string;
  readonly qty: number;
}

export interface Reconciliation {
  /** Document units no gate has read (yet). */
  readonly documents: readonly Bucket[];
  /** Gate-read units no document has named (yet). */
  readonly gateReads: readonly Bucket[];
  readonly version: number;
}

export const emptyReconciliation: Reconciliation = { documents: [], gateReads: [], version: 0 };

/** Default time a document and a gate read of the same units may lie apart; per location it is configurable. */
export const defaultWindowHours = 24;
/** Unconfirmed units stay visible this long, then leave the list (the ledger keeps them). */
export const discrepancyRetentionMillis = 30 * dayMillis;

export const windowMillis = (hours: number | undefined): number => (hours ?? defaultWindowHours) * hourMillis;

const within = (a: string, b: string, window: number): boolean => Math.abs(Date.parse(a) - Date.parse(b)) <= window;

/**
 * Buckets kept per side. A gate books item by item: reads of one pass
 * (within a minute of the bucket's first) join one bucket, and the oldest
 * beyond this many leave the list, so the item stays far below DynamoDB's
 * 400 KB.
 */
export const maxBuckets = 200;
const joinWithinMillis = 60_000;

const withUnits = (buckets: readonly Bucket[], added: Bucket): Bucket[] => {
  if (added.qty <= 0) return [...buckets];
  const last = buckets.at(-1);
  if (last && Math.abs(Date.parse(added.at) - Date.parse(last.at)) <= joinWithinMillis)
    return [...buckets.slice(0, -1), { ...last, qty: last.qty + added.qty }];
  return [...buckets, added];
};

export interface Matched {
  /** Units the other side had already booked: this booking confirms them and books nothing for them. */
  readonly confirmed: number;
  /** Units this booking puts on the books (and waits for the other side to confirm). */
  readonly booked: number;
  /** Of the `settled` units, those the other side's units named (the rest had none to take). */
  readonly settled: number;
  readonly next: Reconciliation;
}

/** Takes up to `wanted` units from `buckets` within the window of `at`, oldest first. */
const takeOldest = (buckets: readonly Bucket[], wanted: number, at: string, window: number): { taken: number; remaining: Bucket[] } => {
  let left = wanted;
  const remaining: Bucket[] = [];
  for (const bucket of [...buckets].sort((a, b) => a.at.localeCompare(b.at))) {
    if (left > 0 && within(bucket.at, at, window)) {
      const taken = Math.min(bucket.qty, left);
      left -= taken;
      if (bucket.qty > taken) remaining.push({ ...bucket, qty: bucket.qty - taken });
    } else remaining.push(bucket);
  }
  return { taken: wanted - left, remaining };
};

/**
 * One booking of `qty` units by `side` at time `at`: it first confirms what
 * the other side booked within the window (oldest first), and books the
 * rest as its own, waiting for confirmation. Buckets older than the
 * retention are dropped.
 *
 * `settled`: units of the booking already matched some other way (a sale's
 * EPCs whose serials an exit gate read out unsold): they take the other
 * side's units first, so no later booking confirms against them again, but
 * never wait as the booking's own (the other side already saw them).
 */
export const matchUnits = (current: Reconciliation, side: Side, qty: number, ref: string, at: string, window: number, settled = 0): Matched => {
  const [own, other] = side === 'DOCUMENT' ? [current.documents, current.gateReads] : [current.gateReads, current.documents];
  const settling = takeOldest(other, settled, at, window);
  const matching = takeOldest(settling.remaining, qty, at, window);
  const confirmed = matching.taken;
  const wanted = qty - confirmed;
  const keep = (b: Bucket) => Date.parse(at) - Date.parse(b.at) <= discrepancyRetentionMillis;
  const ownAfter = withUnits(own, { ref, at, qty: wanted }).filter(keep).slice(-maxBuckets);
  const otherAfter = matching.remaining.filter(keep);
  return {
    confirmed,
    booked: wanted,
    settled: settling.taken,
    next: {
      documents: side === 'DOCUMENT' ? ownAfter : otherAfter,
      gateReads: side === 'DOCUMENT' ? otherAfter : ownAfter,
      version: current.version + 1,
    },
  };
};

/** A bucket as a store manager sees it: still waiting (inside the window), or a discrepancy (the window has passed). */
export const bucketStatus = (bucket: Bucket, now: string, window: number): 'WAITING' | 'DISCREPANCY' =>
  Date.parse(now) - Date.parse(bucket.at) > window ? 'DISCREPANCY' : 'WAITING';

/** Which side of which reconciliation a movement type books on; undefined for types no gate sees. */
export const reconcileSideOf = (type: MovementType): { side: Side; direction: Direction } | undefined => {
  switch (type) {
    case 'RECEIPT':
      return { side: 'DOCUMENT', direction: 'IN' };
    case 'SALE':
      return { side: 'DOCUMENT', direction: 'OUT' };
    case 'RFID_IN':
      return { side: 'GATE', direction: 'IN' };
    case 'RFID_OUT':
      return { side: 'GATE', direction: 'OUT' };
    default:
      return undefined;
  }
};

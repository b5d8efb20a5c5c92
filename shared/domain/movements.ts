/**
 * Turning a movement request into stock level changes and ledger entries.
 * Pure: no I/O, no clock, no SDK. The db layer executes the plan as one
 * DynamoDB transaction, with each decrease guarded by a condition in the
 * write itself.
 */
import { Conflict, ValidationFailed } from './errors.ts';
import { transactionItemLimit } from './limits.ts';

export type MovementType = 'RECEIPT' | 'SALE' | 'RETURN' | 'TRANSFER' | 'ADJUSTMENT' | 'COUNT' | 'RESERVE' | 'RELEASE' | 'RFID_IN' | 'RFID_OUT';
export type LedgerType = Exclude<MovementType, 'TRANSFER'> | 'TRANSFER_OUT' | 'TRANSFER_IN';
export type AdjustmentReason = 'DAMAGED' | 'LOST' | 'STOLEN' | 'EXPIRED' | 'FOUND';

export interface Line {
  readonly sku: string;
  readonly qty: number;
}

export interface MovementInput {
  readonly movementId: string;
  readonly type: MovementType;
  readonly locationId: string;
  readonly toLocationId?: string;
  readonly reason?: AdjustmentReason;
  readonly lines: readonly Line[];
}

/** One (SKU, location) level change and the ledger entry that records it. */
export interface LevelChange {
  readonly sku: string;
  readonly locationId: string;
  readonly ledgerType: LedgerType;
  readonly onHandDelta: number;
  readonly reservedDelta: number;
  /**
   * How far `available` drops. The write is conditioned on
   * `available >= availableDrop`, so stock is never sold twice.
   */
  readonly availableDrop: number;
  /** For COUNT: the level version the variance was computed from. */
  readonly expectedVersion?: number;
  /** For COUNT: what was counted, kept on the ledger entry. */
  readonly counted?: number;
  /** Units on order that this change adds (a purchase order) or settles (its receipt, its cancellation). */
  readonly incomingDelta?: number;
}

/** Current state of a level, as read before a COUNT. */
export interface LevelSnapshot {
  readonly onHand: number;
  readonly reserved: number;
  readonly version: number;
}

/**
 * Lines naming the same SKU (a bundle, or a till that does not merge lines)
 * are summed, so each is checked against the total and each level appears
 * once in the transaction (DynamoDB refuses two operations on one item).
 */
export const mergeLines = (lines: readonly Line[]): Line[] => {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.qty);
  return [...totals].map(([sku, qty]) => ({ sku, qty }));
};

const decreasing = (ledgerType: LedgerType, sku: string, locationId: string, qty: number): LevelChange => ({
  sku,
  locationId,
  ledgerType,
  onHandDelta: -qty,
  reservedDelta: 0,
  availableDrop: qty,
});

const increasing = (ledgerType: LedgerType, sku: string, locationId: string, qty: number): LevelChange => ({
  sku,
  locationId,
  ledgerType,
  onHandDelta: qty,
  reservedDelta: 0,
  availableDrop: 0,
});

/**
 * The level changes of a movement. COUNT needs the levels it recounts
 * (`counts`), read just before, so the variance can be booked as a delta;
 * the write then insists the level is still at that version.
 */
export const planMovement = (movement: MovementInput, counts: ReadonlyMap<string, LevelSnapshot | undefined> = new Map()): LevelChange[] => {
  const { type, locationId } = movement;
  const lines = mergeLines(movement.lines);
  switch (type) {
    case 'RECEIPT':
    case 'RETURN':
    case 'RFID_IN':
      return lines.map((l) => increasing(type, l.sku, locationId, l.qty));
    case 'SALE':
    case 'RFID_OUT':
      return lines.map((l) => decreasing(type, l.sku, locationId, l.qty));
    case 'ADJUSTMENT':
      if (!movement.reason) throw new ValidationFailed('An adjustment needs a reason', [{ path: 'body.reason', message: 'required' }]);
      return lines.map((l) => (movement.reason === 'FOUND' ? increasing(type, l.sku, locationId, l.qty) : decreasing(type, l.sku, locationId, l.qty)));
    case 'TRANSFER': {
      const to = movement.toLocationId;
      if (!to) throw new ValidationFailed('A transfer needs toLocationId', [{ path: 'body.toLocationId', message: 'required' }]);
      if (to === locationId) {
        throw new ValidationFailed('A transfer must go to another location', [{ path: 'body.toLocationId', message: 'must differ from locationId' }]);
      }
      return lines.flatMap((l) => [decreasing('TRANSFER_OUT', l.sku, locationId, l.qty), increasing('TRANSFER_IN', l.sku, to, l.qty)]);
    }
    case 'RESERVE':
      return lines.map((l) => ({ sku: l.sku, locationId, ledgerType: type, onHandDelta: 0, reservedDelta: l.qty, availableDrop: l.qty }));
    case 'RELEASE':
      return lines.map((l) => ({ sku: l.sku, locationId, ledgerType: type, onHandDelta: 0, reservedDelta: -l.qty, availableDrop: -l.qty }));
    case 'COUNT':
      return lines.map((l) => {
        const level = counts.get(l.sku);
        const onHand = level?.onHand ?? 0;
        const reserved = level?.reserved ?? 0;
        if (l.qty < reserved) {
          throw new Conflict(`Counted ${l.qty} of ${l.sku} but ${reserved} are reserved: release holds before counting below them`, {
            sku: l.sku,
            counted: l.qty,
            reserved,
          });
        }
        const delta = l.qty - onHand;
        return {
          sku: l.sku,
          locationId,
          ledgerType: type,
          onHandDelta: delta,
          reservedDelta: 0,
          availableDrop: Math.max(0, -delta),
          expectedVersion: level?.version ?? 0,
          counted: l.qty,
        };
      });
  }
};

/**
 * Items one movement writes: its own record, a level update and a ledger
 * entry per change, and the hold it creates or closes. Past DynamoDB's limit
 * the request is refused whole rather than split, because a split would no
 * longer be all-or-nothing.
 */
export const assertFitsOneTransaction = (changes: readonly LevelChange[], extraItems: number): void => {
  const items = 1 + extraItems + changes.length * 2;
  if (items > transactionItemLimit) {
    const perSku = changes.length && changes.length > new Set(changes.map((c) => c.sku)).size ? 4 : 2;
    const maxSkus = Math.floor((transactionItemLimit - 1 - extraItems) / perSku);
    throw new ValidationFailed(`One movement can change at most ${maxSkus} distinct SKUs; split the request`, [
      { path: 'body.lines', message: `at most ${maxSkus} distinct SKUs for this movement type` },
    ]);
  }
};

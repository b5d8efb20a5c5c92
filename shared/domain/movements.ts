/**
 * Turning a movement request into stock level changes and ledger entries.
 * Pure: no I/O, no clock, no SDK. The db layer executes the plan as one
 * DynamoDB transaction, with each decrease guarded by a condition in the
 * write itself.
 */
import { Conflict, ValidationFailed } from './errors.ts';
import type { ShardPlan } from './level-shards.ts';
import { transactionItemLimit } from './limits.ts';
import { dayMillis, minuteMillis } from './time.ts';

export type MovementType =
  | 'RECEIPT'
  | 'SALE'
  | 'RETURN'
  | 'TRANSFER'
  | 'ADJUSTMENT'
  | 'COUNT'
  | 'RESERVE'
  | 'RELEASE'
  | 'RFID_IN'
  | 'RFID_OUT'
  | 'STATE_CHANGE';
export type LedgerType = Exclude<MovementType, 'TRANSFER'> | 'TRANSFER_OUT' | 'TRANSFER_IN';
export type AdjustmentReason = 'DAMAGED' | 'LOST' | 'STOLEN' | 'EXPIRED' | 'FOUND';
/** Why a movement happened: an adjustment's reason, or ALLOCATION on the RESERVE/RELEASE that sets units aside for members. */
export type MovementReason = AdjustmentReason | 'ALLOCATION';

/**
 * Where a unit inside `onHand` stands. Only AVAILABLE units can be sold,
 * reserved or transferred; the others are on the shelf but not for sale.
 */
export type StockState = 'AVAILABLE' | 'DAMAGED' | 'QUALITY_CONTROL' | 'SAFETY_STOCK';
export type HeldState = Exclude<StockState, 'AVAILABLE'>;
/** The level field that counts each unavailable state. */
export const heldFields = { DAMAGED: 'damaged', QUALITY_CONTROL: 'qualityControl', SAFETY_STOCK: 'safetyStock' } as const;
export type HeldField = (typeof heldFields)[HeldState];
export const heldFieldNames = Object.values(heldFields);
export const heldStates = Object.keys(heldFields) as HeldState[];

export interface Line {
  readonly sku: string;
  readonly qty: number;
  /** STATE_CHANGE, and the state an ADJUSTMENT write-off takes from (default AVAILABLE). */
  readonly from?: StockState;
  /** STATE_CHANGE, and the state a RECEIPT lands in (default AVAILABLE). */
  readonly to?: StockState;
}

export interface MovementInput {
  readonly movementId: string;
  readonly type: MovementType;
  readonly locationId: string;
  readonly toLocationId?: string;
  readonly reason?: MovementReason;
  /** TRANSFER: the units travel (in transit) and are received later at the destination. */
  readonly ship?: boolean;
  readonly lines: readonly Line[];
}

/** One (SKU, location) level change and the ledger entry that records it. */
export interface LevelChange {
  readonly sku: string;
  readonly locationId: string;
  readonly ledgerType: LedgerType;
  readonly onHandDelta: number;
  readonly reservedDelta: number;
  /** Units entering (+) or leaving (-) the unavailable states; absent when none move. */
  readonly held?: Readonly<Partial<Record<HeldField, number>>>;
  /**
   * How far `available` drops. The write is conditioned on
   * `available >= availableDrop`, so stock is never sold twice. An offline
   * sale has none: the goods are already gone.
   */
  readonly availableDrop: number;
  /** For COUNT: the level version the variance was computed from. */
  readonly expectedVersion?: number;
  /** For COUNT: what was counted, kept on the ledger entry. */
  readonly counted?: number;
  /** Units on order that this change adds (a purchase order) or settles (its receipt, its cancellation). */
  readonly incomingDelta?: number;
  /** Units shipped to this location and not yet received: they raise `incoming` and book no ledger entry. */
  readonly inTransit?: boolean;
  /** Units the other side of a reconciliation (a gate read, or a document) had already booked: confirmed here, not moved again. */
  readonly confirmed?: number;
  /** The later COUNT that already saw this change's effect: the ledger keeps it, the level does not move. */
  readonly absorbedBy?: string;
  /** STATE_CHANGE (and state-aware lines): the states the units moved between, kept on the ledger entry. */
  readonly from?: StockState;
  readonly to?: StockState;
  /**
   * A hot SKU's sale line: the level shard it takes from (0 is the level
   * item), and the ledger shard its entry is written to (docs/hot-skus.md).
   */
  readonly shard?: number;
  /** The line found its shard short: what it takes from each shard instead, and the refills it makes on the way. */
  readonly shardPlan?: ShardPlan;
}

/** How `available` moves with a change: onHand = available + reserved + the unavailable states. */
export const availableDeltaOf = (change: Pick<LevelChange, 'onHandDelta' | 'reservedDelta' | 'held'>): number =>
  change.onHandDelta - change.reservedDelta - Object.values(change.held ?? {}).reduce((sum, d) => sum + (d ?? 0), 0);

/** Current state of a level, as read before a COUNT. */
export interface LevelSnapshot {
  readonly onHand: number;
  readonly reserved: number;
  readonly version: number;
  readonly damaged?: number;
  readonly qualityControl?: number;
  readonly safetyStock?: number;
}

/**
 * Lines naming the same SKU (a bundle, or a till that does not merge lines)
 * are summed, so each is checked against the total and each level appears
 * once in the transaction (DynamoDB refuses two operations on one item).
 * Lines that move units between different states stay apart here and are
 * combined per SKU by planMovement.
 */
export const mergeLines = (lines: readonly Line[]): Line[] => {
  const totals = new Map<string, Line>();
  for (const line of lines) {
    const key = `${line.sku}#${line.from ?? ''}#${line.to ?? ''}`;
    const seen = totals.get(key);
    totals.set(key, { ...line, qty: (seen?.qty ?? 0) + line.qty });
  }
  return [...totals.values()];
};

/** The SKUs of some lines, once each. */
export const skusOf = (lines: readonly Line[]): string[] => [...new Set(lines.map((l) => l.sku))];

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

const heldOf = (state: StockState | undefined): HeldField | undefined => (state && state !== 'AVAILABLE' ? heldFields[state] : undefined);

/** Units moved out of `from` into `to`, both inside onHand. */
const stateChange = (ledgerType: LedgerType, line: Line, locationId: string, onHandDelta: number): LevelChange => {
  const held: Partial<Record<HeldField, number>> = {};
  const leaving = heldOf(line.from);
  const entering = heldOf(line.to);
  if (leaving) held[leaving] = -line.qty;
  if (entering) held[entering] = (held[entering] ?? 0) + line.qty;
  const change = { sku: line.sku, locationId, ledgerType, onHandDelta, reservedDelta: 0, held, from: line.from, to: line.to };
  return { ...change, availableDrop: Math.max(0, -availableDeltaOf(change)) };
};

const stateField = (path: string, message: string) => new ValidationFailed(message, [{ path, message }]);

/**
 * Several changes to one level (lines of one SKU moving between different
 * states) become one: the deltas add up, and each state is checked against
 * its net drop.
 */
const combinePerLevel = (changes: readonly LevelChange[]): LevelChange[] => {
  const byLevel = new Map<string, LevelChange[]>();
  for (const change of changes) {
    const key = `${change.sku}#${change.locationId}#${change.ledgerType}`;
    byLevel.set(key, [...(byLevel.get(key) ?? []), change]);
  }
  return [...byLevel.values()].map((group) => {
    if (group.length === 1) return group[0]!;
    const held: Partial<Record<HeldField, number>> = {};
    for (const c of group) for (const [field, delta] of Object.entries(c.held ?? {})) held[field as HeldField] = (held[field as HeldField] ?? 0) + (delta ?? 0);
    const first = group[0]!;
    const combined = {
      sku: first.sku,
      locationId: first.locationId,
      ledgerType: first.ledgerType,
      onHandDelta: group.reduce((sum, c) => sum + c.onHandDelta, 0),
      reservedDelta: group.reduce((sum, c) => sum + c.reservedDelta, 0),
      held,
    };
    return { ...combined, availableDrop: Math.max(0, -availableDeltaOf(combined)) };
  });
};

export interface PlanContext {
  /** COUNT: the levels it recounts, read just before. */
  readonly counts?: ReadonlyMap<string, LevelSnapshot | undefined>;
  /** COUNT dated in the past: the net onHand change of entries that happened after it, per SKU (they stay on top of the count). */
  readonly laterOnHand?: ReadonlyMap<string, number>;
  /** A sale made while the till was offline: never refused for stock. */
  readonly offline?: boolean;
}

/**
 * The level changes of a movement. COUNT needs the levels it recounts
 * (`counts`), read just before, so the variance can be booked as a delta;
 * the write then insists the level is still at that version.
 */
export const planMovement = (movement: MovementInput, context: PlanContext = {}): LevelChange[] => {
  const { type, locationId } = movement;
  const lines = mergeLines(movement.lines);
  switch (type) {
    case 'RECEIPT':
      return combinePerLevel(
        lines.map((l) => (heldOf(l.to) ? stateChange(type, { ...l, from: undefined }, locationId, l.qty) : increasing(type, l.sku, locationId, l.qty))),
      );
    case 'RETURN':
    case 'RFID_IN':
      return lines.map((l) => increasing(type, l.sku, locationId, l.qty));
    case 'SALE':
      return lines.map((l) =>
        context.offline ? { ...decreasing(type, l.sku, locationId, l.qty), availableDrop: 0 } : decreasing(type, l.sku, locationId, l.qty),
      );
    case 'RFID_OUT':
      return lines.map((l) => decreasing(type, l.sku, locationId, l.qty));
    case 'ADJUSTMENT': {
      const reason = movement.reason;
      if (!reason) throw new ValidationFailed('An adjustment needs a reason', [{ path: 'body.reason', message: 'required' }]);
      if (reason === 'FOUND') return lines.map((l) => increasing(type, l.sku, locationId, l.qty));
      // A write-off takes from the state the units are in: damaged goods leave `damaged`, not the shelf's available units.
      return combinePerLevel(
        lines.map((l) => (heldOf(l.from) ? stateChange(type, { ...l, to: undefined }, locationId, -l.qty) : decreasing(type, l.sku, locationId, l.qty))),
      );
    }
    case 'STATE_CHANGE':
      return combinePerLevel(
        lines.map((l) => {
          if (!l.from || !l.to) throw stateField('body.lines', 'a state change line needs from and to');
          if (l.from === l.to) throw stateField('body.lines.to', 'must differ from from');
          return stateChange(type, l, locationId, 0);
        }),
      );
    case 'TRANSFER': {
      const to = movement.toLocationId;
      if (!to) throw new ValidationFailed('A transfer needs toLocationId', [{ path: 'body.toLocationId', message: 'required' }]);
      if (to === locationId) {
        throw new ValidationFailed('A transfer must go to another location', [{ path: 'body.toLocationId', message: 'must differ from locationId' }]);
      }
      return lines.flatMap((l) => [
        decreasing('TRANSFER_OUT', l.sku, locationId, l.qty),
        movement.ship
          ? {
              sku: l.sku,
              locationId: to,
              ledgerType: 'TRANSFER_IN' as const,
              onHandDelta: 0,
              reservedDelta: 0,
              availableDrop: 0,
              incomingDelta: l.qty,
              inTransit: true,
            }
          : increasing('TRANSFER_IN', l.sku, to, l.qty),
      ]);
    }
    case 'RESERVE':
      return lines.map((l) => ({ sku: l.sku, locationId, ledgerType: type, onHandDelta: 0, reservedDelta: l.qty, availableDrop: l.qty }));
    case 'RELEASE':
      return lines.map((l) => ({ sku: l.sku, locationId, ledgerType: type, onHandDelta: 0, reservedDelta: -l.qty, availableDrop: -l.qty }));
    case 'COUNT':
      return lines.map((l) => {
        const level = context.counts?.get(l.sku);
        const onHand = level?.onHand ?? 0;
        // Units a count cannot take from: held for customers or in an unavailable state.
        const setAside = (level?.reserved ?? 0) + heldFieldNames.reduce((sum, f) => sum + (level?.[f] ?? 0), 0);
        // A count dated in the past sets onHand as of then; what happened since stays on top.
        const target = l.qty + (context.laterOnHand?.get(l.sku) ?? 0);
        if (target < setAside) {
          throw new Conflict(
            `Counted ${l.qty} of ${l.sku} but ${setAside} are reserved or not available: release holds or change their state before counting below them`,
            {
              sku: l.sku,
              counted: l.qty,
              reserved: setAside,
            },
          );
        }
        const delta = target - onHand;
        return {
          sku: l.sku,
          locationId,
          ledgerType: type,
          onHandDelta: delta,
          reservedDelta: 0,
          // Redundant with the version condition and the check above, and kept as the stock rule's own guard.
          availableDrop: Math.max(0, -delta),
          expectedVersion: level?.version ?? 0,
          counted: l.qty,
        };
      });
  }
};

/** Changes that set or move `onHand`, which a later-dated COUNT supersedes. */
export const countSees = (change: LevelChange): boolean => !change.inTransit && (change.onHandDelta !== 0 || change.ledgerType === 'COUNT');

/**
 * A change that happened at or before the latest count of its level was
 * already seen by that count: it is kept in the ledger and leaves the level
 * alone.
 */
export const absorbInto = (
  changes: readonly LevelChange[],
  occurredAt: string,
  lastCounts: ReadonlyMap<string, { at: string; movementId: string } | undefined>,
): LevelChange[] =>
  changes.map((change) => {
    const count = lastCounts.get(`${change.sku}#${change.locationId}`);
    if (!count || !countSees(change) || Date.parse(count.at) < Date.parse(occurredAt)) return change;
    return { ...change, absorbedBy: count.movementId, availableDrop: 0, expectedVersion: undefined };
  });

/**
 * A booking whose units the other side already booked (a gate read before
 * the receipt, a receipt before the gate read) moves only the rest: the
 * confirmed units come off each change at `locationId`, from available
 * units first, then quality control.
 */
export const withoutConfirmed = (changes: readonly LevelChange[], confirmed: ReadonlyMap<string, number>, locationId: string): LevelChange[] => {
  const left = new Map(confirmed);
  return changes.map((change) => {
    const n = Math.min(left.get(change.sku) ?? 0, Math.abs(change.onHandDelta));
    if (change.locationId !== locationId || n === 0 || change.inTransit) return change;
    left.set(change.sku, (left.get(change.sku) ?? 0) - n);
    if (change.onHandDelta < 0) return { ...change, onHandDelta: change.onHandDelta + n, availableDrop: Math.max(0, change.availableDrop - n), confirmed: n };
    const qualityControl = change.held?.qualityControl ?? 0;
    const fromQualityControl = Math.max(0, n - (change.onHandDelta - qualityControl));
    return {
      ...change,
      onHandDelta: change.onHandDelta - n,
      ...(fromQualityControl > 0 ? { held: { ...change.held, qualityControl: qualityControl - fromQualityControl } } : {}),
      confirmed: n,
    };
  });
};

/** Past this age on arrival a sale was made while its till was offline. */
export const offlineAfterMillis = 5 * minuteMillis;
/** How far ahead of the server a till's clock may be; later times are booked as now. */
export const occurredAtSkewMillis = 2 * minuteMillis;
/** How old a late booking may be. */
export const occurredAtMaxAgeMillis = 30 * dayMillis;

/** When a change happened, as booked: the request's time, never later than its arrival. */
export const occurredAtOf = (requested: string | undefined, now: string): string =>
  requested && Date.parse(requested) < Date.parse(now) ? new Date(requested).toISOString() : now;

/** A time a till may claim: not in the future beyond clock skew, not older than the limit. */
export const assertOccurredAt = (requested: string | undefined, now: string, path: string): void => {
  if (requested === undefined) return;
  const at = Date.parse(requested);
  const arrival = Date.parse(now);
  if (at > arrival + occurredAtSkewMillis) throw stateField(path, 'must not be in the future (2 minutes of clock skew allowed)');
  if (at < arrival - occurredAtMaxAgeMillis) throw stateField(path, 'must be within the last 30 days');
};

/** A sale made this long before it arrived happened offline. */
export const isOfflineSale = (occurredAt: string, now: string): boolean => Date.parse(now) - Date.parse(occurredAt) > offlineAfterMillis;

/**
 * Items one movement writes: its own record, a level update and a ledger
 * entry per change, and the hold it creates or closes. Past DynamoDB's limit
 * the request is refused whole rather than split, because a split would no
 * longer be all-or-nothing.
 */
export const assertFitsOneTransaction = (changes: readonly LevelChange[], extraItems: number, itemsPerChange = 2): void => {
  const items = 1 + extraItems + changes.length * itemsPerChange;
  if (items > transactionItemLimit) {
    const perSku = (changes.length && changes.length > new Set(changes.map((c) => c.sku)).size ? 2 : 1) * itemsPerChange;
    const maxSkus = Math.floor((transactionItemLimit - 1 - extraItems) / perSku);
    throw new ValidationFailed(`One movement can change at most ${maxSkus} distinct SKUs; split the request`, [
      { path: 'body.lines', message: `at most ${maxSkus} distinct SKUs for this movement type` },
    ]);
  }
};

/**
 * Hot SKUs: one stock level split over shard items so a flash sale is not
 * capped by one item's write rate (docs/hot-skus.md). Shard 0 is the level
 * item itself; shards 1..n-1 hold only available units moved out of it.
 * The level is always the sum. Pure: which shard a sale goes to, how a sale
 * that finds its shard short takes from the others, how units are spread.
 */
import { createHash } from 'node:crypto';

/** Most shards a SKU may be declared with: a sale's fallback writes every one in one transaction. */
export const maxHotShards = 8;

/** Ledger partitions a product's (or a location's) entries were ever written in: readers merge them. */
export const ledgerShardsOf = (item: Record<string, unknown> | undefined): number => Math.max(1, Number(item?.ledgerShards ?? 1));

/** What a shard (or the level item, shard 0) holds for selling. */
export interface ShardState {
  readonly shard: number;
  readonly available: number;
}

/**
 * The shard a sale line goes to: spread evenly and the same on every retry of
 * the same sale, so a replayed request meets the same item.
 */
export const shardFor = (movementId: string, sku: string, shards: number): number =>
  shards <= 1 ? 0 : createHash('sha256').update(`${movementId}|${sku}`).digest().readUInt32BE(0) % shards;

/**
 * Units to move between shard items (+ in, - out) with the units a sale
 * takes from each; every take and every move out is conditioned on what the
 * item holds when it is written, never on a version, so concurrent sales
 * that fall back do not fail each other while the units last.
 */
export interface ShardPlan {
  /** Per shard: units the sale takes there. */
  readonly takes: ReadonlyMap<number, number>;
  /** Per shard: units moved into (+) or out of (-) it, besides the take. */
  readonly moves: ReadonlyMap<number, number>;
  /** Shards the level is spread over after this write. */
  readonly shards: number;
}

/** Even split of `units` over `shards` items: the first ones get the remainder. */
export const evenSplit = (units: number, shards: number): number[] =>
  Array.from({ length: shards }, (_, k) => Math.floor(units / shards) + (k < units % shards ? 1 : 0));

/**
 * A sale of `qty` that found its shard short: takes from the fullest items
 * first, then refills the empty shards from the level item's surplus (where
 * receipts, returns and transfers land), so the next sales find units where
 * they go. Undefined when the shards together hold less than `qty`: the sale
 * is out of stock, and the shortage is the sum.
 */
export const planShortShardSale = (qty: number, states: readonly ShardState[], shards: number): ShardPlan | undefined => {
  // What the level item owes (an offline sale) is owed by the level: the shards' units do not cover it twice.
  const total = states.reduce((sum, s) => sum + s.available, 0);
  if (total < qty) return undefined;
  const left = new Map(states.map((s) => [s.shard, Math.max(0, s.available)]));
  const takes = new Map<number, number>();
  let wanted = qty;
  for (const state of [...states].sort((a, b) => b.available - a.available || a.shard - b.shard)) {
    if (wanted === 0) break;
    const take = Math.min(wanted, left.get(state.shard) ?? 0);
    if (take === 0) continue;
    takes.set(state.shard, take);
    left.set(state.shard, (left.get(state.shard) ?? 0) - take);
    wanted -= take;
  }
  return { takes, moves: refill(left, shards), shards };
};

/** Moves from the level item to shards 1..n-1, each brought up towards an even share of what the level holds, as far as the item's surplus goes. */
const refill = (left: ReadonlyMap<number, number>, shards: number): Map<number, number> => {
  const moves = new Map<number, number>();
  if (shards <= 1) return moves;
  const shares = evenSplit(
    Array.from({ length: shards }, (_, k) => left.get(k) ?? 0).reduce((a, b) => a + b, 0),
    shards,
  );
  let spare = Math.max(0, (left.get(0) ?? 0) - shares[0]!);
  let moved = 0;
  for (let k = 1; k < shards && spare > 0; k++) {
    const give = Math.min(spare, Math.max(0, shares[k]! - (left.get(k) ?? 0)));
    if (give === 0) continue;
    moves.set(k, give);
    moved += give;
    spare -= give;
  }
  if (moved > 0) moves.set(0, -moved);
  return moves;
};

/**
 * Setting a level to `shards` items (1 merges back): the level's available
 * units, net of what the level item owes (an offline sale booked past the
 * shelf), go to an even split over the new shards, the level item taking
 * the remainder; the shards are emptied when nothing is left, so a debt is
 * never sold again from a shard. Items past the new count are emptied.
 * Returns the move per shard (+ in, - out); the sum never changes.
 */
export const planSpread = (states: readonly ShardState[], shards: number): Map<number, number> => {
  const total = states.reduce((sum, s) => sum + s.available, 0);
  const target = total > 0 ? evenSplit(total, shards) : [total, ...Array.from({ length: shards - 1 }, () => 0)];
  const moves = new Map<number, number>();
  for (const state of states) {
    const want = state.shard < shards ? target[state.shard]! : 0;
    if (want !== state.available) moves.set(state.shard, want - state.available);
  }
  for (let k = 0; k < shards; k++) if (!states.some((s) => s.shard === k) && target[k]! !== 0) moves.set(k, target[k]!);
  return moves;
};

/** The fields a shard holds, summed into its level everywhere a level is read. */
export const shardedFields = ['onHand', 'available', 'inventoryPosition'] as const;

/** A level item with its shards added in (shard items carry available units only). */
export const foldShards = <T extends Record<string, unknown>>(level: T, shards: readonly Record<string, unknown>[]): T => {
  const folded: Record<string, unknown> = { ...level };
  for (const field of shardedFields) folded[field] = Number(level[field] ?? 0) + shards.reduce((sum, s) => sum + Number(s[field] ?? 0), 0);
  return folded as T;
};

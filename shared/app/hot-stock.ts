/**
 * Selling a hot SKU (docs/hot-skus.md): a product declared with `hotShards`
 * n > 1 has each location's level spread over n items, and each sale line
 * goes to one of them, so one SKU at one location is not capped by one
 * item's write rate. The stock movement and the checkout both book through
 * here: route the sale lines, and when a line's shard was short, plan it
 * over all the shards (or say it is out of stock: the sum did not cover it).
 */
import { type Shortage, TemporarilyUnavailable } from '../domain/errors.ts';
import { logger } from '../observability.ts';
import { planShortShardSale, shardFor } from '../domain/level-shards.ts';
import type { LevelChange } from '../domain/movements.ts';
import { readShardStates, shardsOf, spreadLevel } from '../db/level-shards.ts';
import { levelsAcrossChain } from '../db/replenishment.ts';
import { forgetLevels, levelStates } from '../db/stock.ts';
import type { TransactionCancelled } from '../db/transact.ts';

/** Spreads every level of a SKU over `shards` items (1: merges them back), one location at a time. */
export const spreadLevels = async (sku: string, shards: number, now: string): Promise<void> => {
  for (const level of await levelsAcrossChain(sku, true)) {
    if (shards <= 1 && shardsOf(level) <= 1) continue;
    await spreadLevel(sku, String(level.locationId), shards, now);
    forgetLevels([{ sku, locationId: String(level.locationId) }]);
  }
};

/** Shards a product is declared with (1: not hot). */
export const hotShardsOf = (product: Record<string, unknown> | undefined): number => Math.max(1, Number(product?.hotShards ?? 1));

/**
 * A line that takes available units for a sale, the only kind a shard
 * serves. An offline sale takes none and a sale dated in the past is
 * conditioned on the counts booked since: both go to the level item.
 */
const isHotSale = (change: LevelChange, products: ReadonlyMap<string, Record<string, unknown>>): boolean =>
  change.ledgerType === 'SALE' && change.availableDrop > 0 && change.absorbedBy === undefined && hotShardsOf(products.get(change.sku)) > 1;

/** An offline sale of a hot SKU: booked on the level item, it may leave it owing units the shards still offer. */
const isOfflineHotSale = (change: LevelChange, products: ReadonlyMap<string, Record<string, unknown>>): boolean =>
  change.ledgerType === 'SALE' &&
  change.availableDrop === 0 &&
  change.onHandDelta < 0 &&
  change.absorbedBy === undefined &&
  hotShardsOf(products.get(change.sku)) > 1;

/**
 * After a booking: a spread level whose item an offline sale took below
 * zero is spread again, net of that debt, so the shards stop offering units
 * the till already sold. Best effort: the sale is booked either way, and the
 * next spread (a count, a merge, a fallback) settles it too.
 */
export const settleOfflineHotSales = async (
  changes: readonly LevelChange[],
  products: ReadonlyMap<string, Record<string, unknown>>,
  now: string,
): Promise<void> => {
  for (const change of changes.filter((c) => isOfflineHotSale(c, products))) {
    const { level } = await readShardStates(change.sku, change.locationId, 1);
    if (!level || shardsOf(level) <= 1 || Number(level.available ?? 0) >= 0) continue;
    try {
      await spreadLevel(change.sku, change.locationId, shardsOf(level), now);
    } catch (error) {
      if (!(error instanceof TemporarilyUnavailable)) throw error;
      logger.warn('An offline sale left a spread level owing units; the next spread settles it', { sku: change.sku, locationId: change.locationId });
    }
    forgetLevels([change]);
  }
};

const pairKey = (c: { sku: string; locationId: string }) => `${c.sku}#${c.locationId}`;

/**
 * Each hot sale line with the shard it goes to: the level's own spread
 * (the level item says how many), the first sale at a location spreading it.
 * `fallen` holds lines an earlier attempt found short, planned over every
 * shard: they keep that plan.
 */
export const routeHotSales = async (
  changes: readonly LevelChange[],
  products: ReadonlyMap<string, Record<string, unknown>>,
  movementId: string,
  now: string,
  fallen: ReadonlyMap<string, LevelChange> = new Map(),
  datedInPast = false,
): Promise<LevelChange[]> => {
  if (datedInPast) return [...changes];
  const hot = changes.filter((c) => isHotSale(c, products));
  if (hot.length === 0) return [...changes];
  let known = await levelStates(hot);
  const unspread = hot.filter((c) => known.get(pairKey(c)) && shardsOf(known.get(pairKey(c))) <= 1 && !fallen.has(pairKey(c)));
  if (unspread.length > 0) {
    for (const c of unspread) await spreadLevel(c.sku, c.locationId, hotShardsOf(products.get(c.sku)), now, { onlyIfUnspread: true });
    forgetLevels(unspread);
    known = await levelStates(hot);
  }
  return changes.map((change) => {
    if (!isHotSale(change, products)) return change;
    const plan = fallen.get(pairKey(change));
    if (plan) return { ...change, shard: plan.shard, shardPlan: plan.shardPlan };
    const level = known.get(pairKey(change));
    // No level yet: the level item's own condition says it is out of stock.
    if (!level) return change;
    const shards = Math.min(hotShardsOf(products.get(change.sku)), shardsOf(level));
    return { ...change, shard: shardFor(movementId, change.sku, shards) };
  });
};

/**
 * After a transaction a shard refused: every routed line planned over all
 * of its level's shards, read as they are now (`fallen`, for routeHotSales),
 * or the lines the shards together cannot cover (out of stock, with the sum
 * available). Undefined when no shard refused it.
 */
export const replanShortHotSales = async (
  error: TransactionCancelled,
  changes: readonly LevelChange[],
  products: ReadonlyMap<string, Record<string, unknown>>,
): Promise<{ fallen: Map<string, LevelChange>; shortages: Shortage[] } | undefined> => {
  if (!error.failedAtLabel('shards')) return undefined;
  const fallen = new Map<string, LevelChange>();
  const shortages: Shortage[] = [];
  for (const change of changes.filter((c) => c.shard !== undefined)) {
    const { level, states } = await readShardStates(change.sku, change.locationId, hotShardsOf(products.get(change.sku)));
    // Refill only within the level's own spread: a new count is set by spreading (PATCH hotShards), which marks the ledger first.
    const plan = planShortShardSale(change.availableDrop, states, shardsOf(level));
    if (plan) fallen.set(pairKey(change), { ...change, shardPlan: plan });
    else {
      const available = Math.max(
        0,
        states.reduce((sum, s) => sum + s.available, 0),
      );
      shortages.push({ sku: change.sku, locationId: change.locationId, requested: change.availableDrop, available });
    }
  }
  return { fallen, shortages };
};

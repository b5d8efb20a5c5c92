/**
 * A hot SKU's level shards (docs/hot-skus.md): the items, the writes a sale
 * makes on them, and the level read as their sum. The level item (shard 0)
 * keeps everything a level has and marks how many shards it is spread over
 * (`shards`); shard items 1..n-1 hold available units only, so `onHand`,
 * `available` and `inventoryPosition` are the sums and every other field is
 * the level item's.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { foldShards, planSpread, type ShardPlan, type ShardState } from '../domain/level-shards.ts';
import type { LevelChange } from '../domain/movements.ts';
import { batchGetInventory } from './catalog.ts';
import { documentClient, tableName } from './client.ts';
import { entities, inventoryKeys } from './keys.ts';
import { TemporarilyUnavailable } from '../domain/errors.ts';
import { backOff, type TransactItem, TransactionCancelled, transactWrite } from './transact.ts';

const inventory = () => tableName(tables.inventory);

/** Shards a level item says it is spread over (1: not spread). */
export const shardsOf = (level: Record<string, unknown> | null | undefined): number => Math.max(1, Number(level?.shards ?? 1));

const isShard = (item: Record<string, unknown>): boolean => item.entity === entities.levelShard;

/** The keys of a level's shards 1..shards-1. */
const shardKeys = (sku: string, locationId: string, shards: number) =>
  Array.from({ length: Math.max(0, shards - 1) }, (_, i) => inventoryKeys.levelShard(sku, locationId, i + 1));

/** Level items with their shards summed in (one BatchGet for the ones spread); shard items are left out. */
export const withShards = async (levels: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> => {
  const spread = levels.filter((l) => !isShard(l) && shardsOf(l) > 1);
  if (spread.length === 0) return levels.filter((l) => !isShard(l));
  const shards = await batchGetInventory(spread.flatMap((l) => shardKeys(String(l.sku), String(l.locationId), shardsOf(l))));
  return foldPartition([...levels, ...shards]);
};

/**
 * Items of a SKU's partition (levels and shards together, as one query
 * returns them) folded into one level per location: the shards a level
 * item counts, summed in.
 */
export const foldPartition = (items: readonly Record<string, unknown>[]): Record<string, unknown>[] => {
  const shardsAt = new Map<string, Record<string, unknown>[]>();
  for (const item of items.filter(isShard)) {
    const key = `${String(item.sku)}#${String(item.locationId)}`;
    shardsAt.set(key, [...(shardsAt.get(key) ?? []), item]);
  }
  return items
    .filter((i) => !isShard(i))
    .map((level) => {
      const counted = shardsOf(level);
      const shards = (shardsAt.get(`${String(level.sku)}#${String(level.locationId)}`) ?? []).filter((s) => Number(s.shard) < counted);
      return shards.length > 0 ? foldShards(level, shards) : level;
    });
};

/**
 * A level as it stands, from a stream image of its item or of one of its
 * shards: a spread level is read again with its shards summed in, its
 * version the sum of theirs (every write adds 1 to one of them, so it only
 * grows; see spreadLevel for the merge). Anything else is the image itself.
 */
export const wholeLevel = async (image: Record<string, unknown>): Promise<Record<string, unknown> | undefined> => {
  if (!isShard(image) && shardsOf(image) <= 1) return image;
  const { level, shards, items, shardVersions } = await readShardStates(String(image.sku), String(image.locationId), 1);
  if (!level) return undefined;
  if (shards <= 1) return level;
  return { ...foldShards(level, items), version: Number(level.version ?? 0) + shardVersions };
};

/** What every item of a level holds for selling, read consistently: the level item and shards 1..n-1 of the larger of its count and `atLeast`. */
export const readShardStates = async (
  sku: string,
  locationId: string,
  atLeast: number,
): Promise<{
  level?: Record<string, unknown>;
  items: Record<string, unknown>[];
  states: ShardState[];
  shards: number;
  shardVersions: number;
  versions: Map<number, number>;
}> => {
  const [level] = await batchGetInventory([inventoryKeys.level(sku, locationId)]);
  const shards = Math.max(shardsOf(level), atLeast);
  const items = shards > 1 ? await batchGetInventory(shardKeys(sku, locationId, shards)) : [];
  return {
    level,
    items,
    shards,
    shardVersions: items.reduce((sum, i) => sum + Number(i.version ?? 0), 0),
    versions: new Map([[0, Number(level?.version ?? 0)], ...items.map((i) => [Number(i.shard), Number(i.version ?? 0)] as [number, number])]),
    states: [{ shard: 0, available: Number(level?.available ?? 0) }, ...items.map((i) => ({ shard: Number(i.shard), available: Number(i.available ?? 0) }))],
  };
};

interface Cause {
  type: string;
  movementId: string;
}

/**
 * What every item's side of moving units shares: `delta` available (and so
 * on-hand) units in or out, conditioned on holding `atLeast`, a new
 * version, and the movement that caused it for the live feed.
 */
const unitsMove = (delta: number, atLeast: number, now: string, cause: Cause | undefined, versionStep = 1, version?: number) => ({
  condition:
    version !== undefined ? (version === 0 ? 'attribute_not_exists(#version)' : '#version = :version') : atLeast > 0 ? '#available >= :atLeast' : undefined,
  sets: ['#updatedAt = :now', ...(cause ? ['#lastMovementType = :type', '#lastMovementId = :movementId'] : [])],
  adds: 'ADD #onHand :delta, #available :delta, #position :delta, #version :step',
  names: {
    '#updatedAt': 'updatedAt',
    '#onHand': 'onHand',
    '#available': 'available',
    '#position': 'inventoryPosition',
    '#version': 'version',
    ...(cause ? { '#lastMovementType': 'lastMovementType', '#lastMovementId': 'lastMovementId' } : {}),
  },
  values: {
    ':now': now,
    ':delta': delta,
    ':step': versionStep,
    ...(version === undefined && atLeast > 0 ? { ':atLeast': atLeast } : {}),
    ...(version ? { ':version': version } : {}),
    ...(cause ? { ':type': cause.type, ':movementId': cause.movementId } : {}),
  },
});

/**
 * One shard item's write (created by its first): `delta` available units in
 * (+) or out (-), conditioned on holding `atLeast`, or on being at `version`
 * (0: not there yet) when a spread must move exactly what it read.
 */
const shardUpdate = (
  sku: string,
  locationId: string,
  shard: number,
  delta: number,
  atLeast: number,
  now: string,
  cause?: Cause,
  version?: number,
): TransactItem => {
  const move = unitsMove(delta, atLeast, now, cause, 1, version);
  return {
    Update: {
      TableName: inventory(),
      Key: inventoryKeys.levelShard(sku, locationId, shard),
      UpdateExpression: `SET ${['#entity = :entity', '#sku = :sku', '#locationId = :locationId', '#shard = :shard', ...move.sets].join(', ')} ${move.adds}`,
      ...(move.condition ? { ConditionExpression: move.condition } : {}),
      ExpressionAttributeNames: { ...move.names, '#entity': 'entity', '#sku': 'sku', '#locationId': 'locationId', '#shard': 'shard' },
      ExpressionAttributeValues: { ...move.values, ':entity': entities.levelShard, ':sku': sku, ':locationId': locationId, ':shard': shard },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
};

/** The level item's side of moving units to or from its shards: they stay on hand at the location, only their item changes. */
const levelItemMove = (
  sku: string,
  locationId: string,
  delta: number,
  atLeast: number,
  shards: number,
  now: string,
  cause?: Cause,
  versionStep = 1,
  version?: number,
): TransactItem => {
  const move = unitsMove(delta, atLeast, now, cause, versionStep, version);
  return {
    Update: {
      TableName: inventory(),
      Key: inventoryKeys.level(sku, locationId),
      UpdateExpression: `SET ${[...move.sets, ...(shards > 1 ? ['#shards = :shards'] : [])].join(', ')} ${move.adds}${shards > 1 ? '' : ' REMOVE #shards'}`,
      ConditionExpression: move.condition ?? 'attribute_exists(pk)',
      ExpressionAttributeNames: { ...move.names, '#shards': 'shards' },
      ExpressionAttributeValues: { ...move.values, ...(shards > 1 ? { ':shards': shards } : {}) },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
};

/**
 * The level writes of a sale line routed to shard `change.shard` (k >= 1; k
 * = 0 is the level item, written by levelUpdate): the take on its shard,
 * or, once it fell short, the plan's takes and refills on every item.
 */
export const shardWrites = (change: LevelChange, movementId: string, now: string): TransactItem[] => {
  const cause = { type: change.ledgerType, movementId };
  const plan: ShardPlan | undefined = change.shardPlan;
  if (!plan) return [shardUpdate(change.sku, change.locationId, change.shard ?? 0, -change.availableDrop, change.availableDrop, now, cause)];
  const touched = [...new Set([...plan.takes.keys(), ...plan.moves.keys()])].sort((a, b) => a - b);
  return touched.map((shard) => {
    const take = plan.takes.get(shard) ?? 0;
    const move = plan.moves.get(shard) ?? 0;
    const atLeast = take + Math.max(0, -move);
    return shard === 0
      ? levelItemMove(change.sku, change.locationId, move - take, atLeast, plan.shards, now, cause)
      : shardUpdate(change.sku, change.locationId, shard, move - take, atLeast, now, cause);
  });
};

/**
 * Marks the location's ledger as written in `shards` partitions before any
 * entry goes there (its readers merge that many); never lowered, since old
 * entries stay where they were written.
 */
const markLocationLedger = async (locationId: string, shards: number): Promise<void> => {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: inventory(),
        Key: inventoryKeys.location(locationId),
        UpdateExpression: 'SET #ledgerShards = :shards',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#ledgerShards) OR #ledgerShards < :shards)',
        ExpressionAttributeNames: { '#ledgerShards': 'ledgerShards' },
        ExpressionAttributeValues: { ':shards': shards },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

/**
 * Spreads a level's available units evenly over `shards` items, or merges
 * them back into the level item (`shards` 1): one transaction, each unit
 * moved out conditioned on still being there, so sales running meanwhile
 * never oversell (a move that meets a sale fails, and the spread is tried
 * again from what is there). Returns false when there is no level.
 */
export const spreadLevel = async (
  sku: string,
  locationId: string,
  shards: number,
  now: string,
  options: { onlyIfUnspread?: boolean; attempts?: number } = {},
): Promise<boolean> => {
  if (shards > 1) await markLocationLedger(locationId, shards);
  for (let attempt = 1; ; attempt++) {
    const { level, states, shardVersions, versions } = await readShardStates(sku, locationId, shards);
    if (!level) return false;
    // A first hot sale spreads a level; many at once find another one did it first.
    if (options.onlyIfUnspread && shardsOf(level) > 1) return true;
    const moves = planSpread(states, shards);
    // Merged back, the level item's version passes the sum the live feed showed (wholeLevel), so no change looks older than the last one.
    const versionStep = shards > 1 ? 1 : 1 + shardVersions;
    // Each item at the version read: a sale or a refill meanwhile makes it read again, so exactly what was read moves (never a unit left behind).
    const items = [
      levelItemMove(sku, locationId, moves.get(0) ?? 0, 0, shards, now, undefined, versionStep, versions.get(0)),
      ...[...moves]
        .filter(([shard]) => shard > 0)
        .map(([shard, move]) => shardUpdate(sku, locationId, shard, move, 0, now, undefined, versions.get(shard) ?? 0)),
    ];
    try {
      await transactWrite(items);
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (attempt >= (options.attempts ?? spreadAttempts))
        throw new TemporarilyUnavailable(`The level of ${sku} at ${locationId} kept changing while spreading it; try again`);
      await backOff(attempt);
    }
  }
};

/** A spread meets sales moving its items: read again this many times, with jittered backoff. */
const spreadAttempts = 12;

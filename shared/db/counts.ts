/**
 * Counts raised by events, per location: an offline sale that took
 * `available` below zero, a count that found a large variance. A COUNT of
 * that SKU there completes the task (or, finding a large variance, raises
 * the recount), in the count's own transaction. Scheduled counts by ABC
 * class are not stored: shared/app/counts.ts derives them from the levels'
 * last counts. Blind: a task never carries the expected quantity.
 */
import { withShards } from './level-shards.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { queryAll, tableName, documentClient } from './client.ts';
import { type CountReason, isLargeVariance, recountAfterDays } from '../domain/counts.ts';
import type { LevelChange } from '../domain/movements.ts';
import { addDays } from '../domain/time.ts';
import { entities, inventoryKeys } from './keys.ts';
import type { TransactItem } from './transact.ts';

const inventory = () => tableName(tables.inventory);

export interface CountDue {
  sku: string;
  locationId: string;
  dueAt: string;
  reason: CountReason;
  raisedAt: string;
}

/** Raises a count of a SKU at a location, due now; a task already open stays as it is (the earliest reason and time win). */
export const raiseCountDue = async (task: CountDue): Promise<boolean> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: inventory(),
        Item: { ...inventoryKeys.countDue(task.locationId, task.sku), entity: entities.countDue, ...task },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
};

const taskPut = (task: CountDue): TransactItem => ({
  Put: { TableName: inventory(), Item: { ...inventoryKeys.countDue(task.locationId, task.sku), entity: entities.countDue, ...task } },
});

/**
 * Transaction items of a COUNT's changes at a location: each closes its
 * SKU's task there (a SKU without one is unaffected), or, when the count
 * found far from what the books said, replaces it with a recount a week on.
 */
export const completeCounts = (locationId: string, changes: readonly LevelChange[], now: string): TransactItem[] =>
  changes
    .filter((c) => c.locationId === locationId && c.counted !== undefined && !c.absorbedBy)
    .map((c) =>
      isLargeVariance(c.counted! - c.onHandDelta, c.counted!)
        ? taskPut({ sku: c.sku, locationId, dueAt: addDays(now, recountAfterDays), reason: 'LARGE_VARIANCE', raisedAt: now })
        : { Delete: { TableName: inventory(), Key: inventoryKeys.countDue(locationId, c.sku) } },
    );

export interface CountedLevel {
  sku: string;
  onHand: number;
  lastCountAt?: string;
}

/** Every level at a location with what scheduling a count needs: onHand (a hot SKU's shards summed in) and the last count. */
export const levelsForCounting = async (locationId: string): Promise<CountedLevel[]> =>
  (
    await withShards(
      await queryAll({
        TableName: inventory(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': inventoryKeys.levelsOfLocation(locationId) },
        ProjectionExpression: 'sku, locationId, onHand, lastCountAt, shards',
      }),
    )
  ).map((i) => ({ sku: i.sku as string, onHand: Number(i.onHand ?? 0), lastCountAt: i.lastCountAt as string | undefined }));

/** A location's open count tasks. */
export const countsDueAt = async (locationId: string): Promise<CountDue[]> => {
  const items = await queryAll({
    TableName: inventory(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': inventoryKeys.countsDueAt(locationId) },
  });
  return items.map((i) => ({
    sku: i.sku as string,
    locationId: i.locationId as string,
    dueAt: i.dueAt as string,
    reason: i.reason as CountReason,
    raisedAt: i.raisedAt as string,
  }));
};

/**
 * Counts due: per location, the SKUs whose stock figure should be checked
 * by counting. An event (an offline sale that took `available` below zero)
 * raises one; a COUNT of that SKU there completes it, in the count's own
 * transaction. Blind: a task never carries the expected quantity.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { queryAll, tableName, documentClient } from './client.ts';
import { entities, inventoryKeys } from './keys.ts';
import type { TransactItem } from './transact.ts';

const inventory = () => tableName(tables.inventory);

export type CountReason = 'NEGATIVE_AVAILABLE';

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

/** Transaction items that close the count tasks of these SKUs (a SKU without one is unaffected). */
export const completeCounts = (locationId: string, skus: readonly string[]): TransactItem[] =>
  [...new Set(skus)].map((sku) => ({ Delete: { TableName: inventory(), Key: inventoryKeys.countDue(locationId, sku) } }));

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

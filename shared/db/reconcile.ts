/**
 * Reconciliation items: per location, direction and SKU, the document and
 * gate units that wait for the other side (rules in
 * shared/domain/reconcile.ts). Each is written in the transaction of the
 * booking that changed it, conditioned on the version it was read at, so
 * two bookings never confirm the same units.
 */
import { tables } from '../../infra/tables.ts';
import type { Bucket, Direction, Reconciliation } from '../domain/reconcile.ts';
import { emptyReconciliation } from '../domain/reconcile.ts';
import { batchGetInventory } from './catalog.ts';
import { queryAll, tableName } from './client.ts';
import { entities, inventoryKeys } from './keys.ts';
import type { TransactItem } from './transact.ts';

const inventory = () => tableName(tables.inventory);

const reconciliationOf = (item: Record<string, unknown> | undefined): Reconciliation =>
  item
    ? { documents: (item.documents as Bucket[]) ?? [], gateReads: (item.gateReads as Bucket[]) ?? [], version: Number(item.version ?? 0) }
    : emptyReconciliation;

/** The reconciliations of these SKUs at a location in one direction (empty where there is none yet). */
export const readReconciliations = async (locationId: string, direction: Direction, skus: readonly string[]): Promise<Map<string, Reconciliation>> => {
  const found = await batchGetInventory(skus.map((sku) => inventoryKeys.reconciliation(locationId, direction, sku)));
  const bySku = new Map(found.map((i) => [i.sku as string, i]));
  return new Map(skus.map((sku) => [sku, reconciliationOf(bySku.get(sku))]));
};

/** Writes a reconciliation as planned from the version read; the transaction fails if another booking changed it meanwhile. */
export const reconciliationPut = (locationId: string, direction: Direction, sku: string, next: Reconciliation, now: string): TransactItem => ({
  Put: {
    TableName: inventory(),
    Item: {
      ...inventoryKeys.reconciliation(locationId, direction, sku),
      entity: entities.reconciliation,
      locationId,
      direction,
      sku,
      documents: next.documents,
      gateReads: next.gateReads,
      version: next.version,
      updatedAt: now,
    },
    ...(next.version === 1
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : {
          ConditionExpression: '#version = :read',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':read': next.version - 1 },
        }),
  },
});

export interface StoredReconciliation extends Reconciliation {
  sku: string;
  direction: Direction;
}

/** Every reconciliation at a location. */
export const reconciliationsAt = async (locationId: string): Promise<StoredReconciliation[]> => {
  const items = await queryAll({
    TableName: inventory(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': inventoryKeys.reconciliationsAt(locationId) },
  });
  return items.map((i) => ({ ...reconciliationOf(i), sku: i.sku as string, direction: i.direction as Direction }));
};

/**
 * Back-in-stock alerts: a member asks to be told when a SKU is available
 * again at a location; the first time it is (the stream sees available go
 * from 0 or less to more), every active subscriber is told once, in waves by
 * tier (later waves are SCHEDULED, indexed by the time they are due), and
 * the subscription is closed. This is their repository; the use-cases are in
 * shared/app/stock-alerts.ts.
 */
import { withShards } from './level-shards.ts';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetItems, getInventoryItem } from './catalog.ts';
import { documentClient } from './client.ts';
import { entities, inventoryKeys, memberKeys } from './keys.ts';
import type { DeliveryStatus } from './messages.ts';
import { membersTable } from './members.ts';
import type { StockAlert } from '../schemas/members.ts';

export const memberExists = async (memberId: string): Promise<boolean> =>
  (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.profile(memberId) }))).Item !== undefined;

/** Writes the subscription; asking twice while waiting (or scheduled in a wave) keeps the first one (and its place), which is returned. */
export const putStockAlert = async (alert: StockAlert): Promise<StockAlert> => {
  const { memberId, sku, locationId } = alert;
  try {
    await documentClient.send(
      new PutCommand({
        TableName: membersTable(),
        Item: {
          ...memberKeys.stockAlert(memberId, sku, locationId),
          ...memberKeys.stockAlertIndex(sku, locationId, memberId),
          entity: entities.stockAlert,
          ...alert,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR (#status <> :active AND #status <> :scheduled)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': 'ACTIVE', ':scheduled': 'SCHEDULED' },
      }),
    );
    return alert;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    const existing = (
      await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.stockAlert(memberId, sku, locationId), ConsistentRead: true }))
    ).Item!;
    return { memberId, sku, locationId, status: existing.status, subscribedAt: existing.subscribedAt, ...(existing.dueAt ? { dueAt: existing.dueAt } : {}) };
  }
};

/** Active subscriptions to a SKU at a location made by `restockedAt`. */
export const waitingAlerts = async (sku: string, locationId: string, restockedAt: string): Promise<StockAlert[]> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: membersTable(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      FilterExpression: '#status = :active AND subscribedAt <= :restockedAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': memberKeys.stockAlertsFor(sku, locationId), ':active': 'ACTIVE', ':restockedAt': restockedAt },
    }),
  );
  return (output.Items ?? []) as unknown as StockAlert[];
};

/** What an alert message names and ranks by: the product, the location and the subscribers' profiles. */
export const alertContext = async (sku: string, locationId: string, alerts: readonly StockAlert[]) => {
  const [product, location, found] = await Promise.all([
    getInventoryItem(inventoryKeys.product(sku)),
    getInventoryItem(inventoryKeys.location(locationId)),
    batchGetItems(
      membersTable(),
      alerts.map((a) => memberKeys.profile(a.memberId)),
    ),
  ]);
  return { product, location, profiles: new Map(found.map((item) => [item.memberId as string, item])) };
};

/** An update of a subscription only if it is still the one that was read (its status, and its due time when scheduled); false when it is not. */
const updateIfUnchanged = async (alert: StockAlert, update: string, values: Record<string, unknown>): Promise<boolean> => {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: membersTable(),
        Key: memberKeys.stockAlert(alert.memberId, alert.sku, alert.locationId),
        UpdateExpression: update,
        ConditionExpression: `#status = :was AND subscribedAt = :since${alert.status === 'SCHEDULED' ? ' AND dueAt = :due' : ''}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':was': alert.status,
          ':since': alert.subscribedAt,
          ...(alert.status === 'SCHEDULED' ? { ':due': alert.dueAt } : {}),
          ...values,
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
};

/** Closes a subscription once told (back on its SKU's index, off the wave index), only if it is still the one that was read. */
export const markNotified = async (alert: StockAlert, status: DeliveryStatus, now: string): Promise<void> => {
  const index = memberKeys.stockAlertIndex(alert.sku, alert.locationId, alert.memberId);
  await updateIfUnchanged(alert, 'SET #status = :notified, notifiedAt = :now, messageStatus = :delivery, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk', {
    ':notified': 'NOTIFIED',
    ':now': now,
    ':delivery': status,
    ':gsi1pk': index.gsi1pk,
    ':gsi1sk': index.gsi1sk,
  });
};

/** Puts a waiting subscription in a later wave: SCHEDULED, due at `dueAt`, on the wave index. False when it changed since it was read. */
export const scheduleAlert = (alert: StockAlert, dueAt: string, restockedAt: string): Promise<boolean> => {
  const index = memberKeys.stockAlertWave({ ...alert, dueAt });
  return updateIfUnchanged(alert, 'SET #status = :scheduled, dueAt = :dueAt, restockedAt = :restockedAt, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk', {
    ':scheduled': 'SCHEDULED',
    ':dueAt': dueAt,
    ':restockedAt': restockedAt,
    ':gsi1pk': index.gsi1pk,
    ':gsi1sk': index.gsi1sk,
  });
};

/** A scheduled subscription whose stock was gone when its wave came: waiting again, with its place (`subscribedAt`) kept. */
export const reopenAlert = (alert: StockAlert): Promise<boolean> => {
  const index = memberKeys.stockAlertIndex(alert.sku, alert.locationId, alert.memberId);
  return updateIfUnchanged(alert, 'SET #status = :active, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk REMOVE dueAt, restockedAt', {
    ':active': 'ACTIVE',
    ':gsi1pk': index.gsi1pk,
    ':gsi1sk': index.gsi1sk,
  });
};

/** Scheduled subscriptions due by `now` on a day (gsi1, one partition per day), earliest wave first, then who asked first. */
export const dueWaves = async (day: string, now: string, limit = 100): Promise<StockAlert[]> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: membersTable(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
      ExpressionAttributeValues: { ':pk': memberKeys.stockAlertWavesOn(day), ':now': `${now}~` },
      Limit: limit,
    }),
  );
  return (output.Items ?? []).map(({ memberId, sku, locationId, status, subscribedAt, dueAt }) => ({
    memberId,
    sku,
    locationId,
    status,
    subscribedAt,
    dueAt,
  })) as StockAlert[];
};

/** Whether the SKU is available at the location now (a later wave is told only then). */
export const availableNow = async (sku: string, locationId: string): Promise<boolean> => {
  const level = await getInventoryItem(inventoryKeys.level(sku, locationId));
  // A hot SKU's level is its item and its shards together.
  const [whole] = level ? await withShards([level]) : [];
  return Number(whole?.available ?? 0) > 0;
};

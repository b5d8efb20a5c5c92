/**
 * Back-in-stock alerts: a member asks to be told when a SKU is available
 * again at a location; the first time it is (the stream sees available go
 * from 0 or less to more), every active subscriber is told once, higher
 * tiers first, and the subscription is closed. This is their repository;
 * the use-cases are in shared/app/stock-alerts.ts.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetItems, getInventoryItem } from './catalog.ts';
import { documentClient } from './client.ts';
import { entities, inventoryKeys, memberKeys } from './keys.ts';
import type { DeliveryStatus } from './messages.ts';
import { membersTable } from './members.ts';
import type { StockAlert } from '../schemas/members.ts';

export const memberExists = async (memberId: string): Promise<boolean> =>
  (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.profile(memberId) }))).Item !== undefined;

/** Writes the subscription; asking twice while waiting keeps the first one (and its place), which is returned. */
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
        ConditionExpression: 'attribute_not_exists(pk) OR #status <> :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': 'ACTIVE' },
      }),
    );
    return alert;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    const existing = (
      await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.stockAlert(memberId, sku, locationId), ConsistentRead: true }))
    ).Item!;
    return { memberId, sku, locationId, status: existing.status, subscribedAt: existing.subscribedAt };
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

/** Closes a subscription once told, only if it is still the one that was read. */
export const markNotified = async (alert: StockAlert, status: DeliveryStatus, now: string): Promise<void> => {
  await documentClient
    .send(
      new UpdateCommand({
        TableName: membersTable(),
        Key: memberKeys.stockAlert(alert.memberId, alert.sku, alert.locationId),
        UpdateExpression: 'SET #status = :notified, notifiedAt = :now, messageStatus = :delivery',
        ConditionExpression: '#status = :active AND subscribedAt = :since',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':notified': 'NOTIFIED', ':active': 'ACTIVE', ':since': alert.subscribedAt, ':now': now, ':delivery': status },
      }),
    )
    .catch((error: Error) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
};

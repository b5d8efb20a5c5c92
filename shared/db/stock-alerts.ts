/**
 * Back-in-stock alerts: a member asks to be told when a SKU is available
 * again at a location; the first time it is (the stream sees available go
 * from 0 or less to more), every active subscriber is told once, higher
 * tiers first, and the subscription is closed.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFound } from '../domain/errors.ts';
import { assertMemberAccess, type Principal } from '../domain/principal.ts';
import { effectiveTier, tierRank } from '../domain/tiers.ts';
import { batchGetItems, getInventoryItem } from './catalog.ts';
import { documentClient } from './client.ts';
import { entities, inventoryKeys, memberKeys } from './keys.ts';
import { deliver, type DeliveryStatus } from './messages.ts';
import { membersTable } from './members.ts';
import { loadReferences } from './stock.ts';

export interface StockAlert {
  memberId: string;
  sku: string;
  locationId: string;
  status: 'ACTIVE' | 'NOTIFIED';
  subscribedAt: string;
  notifiedAt?: string;
}

/** Subscribes (or subscribes again after being told): one subscription per member, SKU and location. */
export const subscribeStockAlert = async (
  memberId: string,
  sku: string,
  locationId: string,
  principal: Principal,
  now = new Date().toISOString(),
): Promise<StockAlert> => {
  assertMemberAccess(principal, memberId);
  const profile = (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.profile(memberId) }))).Item;
  if (!profile) throw new NotFound(`Member ${memberId} not found`);
  await loadReferences([sku], [locationId]);
  const alert: StockAlert = { memberId, sku, locationId, status: 'ACTIVE', subscribedAt: now };
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
        // Asking twice while waiting keeps the first subscription (and its place).
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

/**
 * The SKU became available again at the location at `restockedAt`: tell each
 * subscriber who was waiting then, strictly one after the other, higher
 * effective tiers first (then who asked first). Someone who subscribed after
 * it is told on the next restock: a stream record handled late must not
 * tell them about stock that may be gone again. The message's send key is
 * the subscription, so a redelivered stream record tells nobody twice; a
 * subscription once told is closed, so a later restock is silent.
 */
export const notifyBackInStock = async (
  sku: string,
  locationId: string,
  restockedAt: string,
  now = new Date().toISOString(),
): Promise<Record<DeliveryStatus, number>> => {
  const counts = { SENT: 0, DEFERRED: 0, SKIPPED: 0, FAILED: 0, DUPLICATE: 0 };
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
  const alerts = (output.Items ?? []) as unknown as StockAlert[];
  if (alerts.length === 0) return counts;
  const [product, location, found] = await Promise.all([
    getInventoryItem(inventoryKeys.product(sku)),
    getInventoryItem(inventoryKeys.location(locationId)),
    batchGetItems(
      membersTable(),
      alerts.map((a) => memberKeys.profile(a.memberId)),
    ),
  ]);
  const profiles = new Map(found.map((item) => [item.memberId as string, item]));
  const rank = (alert: StockAlert) => {
    const profile = profiles.get(alert.memberId);
    return profile ? tierRank(effectiveTier(profile as never, now)) : -1;
  };
  const ordered = [...alerts].sort((a, b) => rank(b) - rank(a) || a.subscribedAt.localeCompare(b.subscribedAt));
  for (const alert of ordered) {
    if (!profiles.has(alert.memberId)) continue;
    const delivery = await deliver(
      alert.memberId,
      {
        source: `stock-alert-${sku}-${locationId}-${alert.subscribedAt}`,
        kind: 'transactional',
        template: 'BACK_IN_STOCK',
        vars: { productName: (product?.name as string | undefined) ?? sku, locationName: (location?.name as string | undefined) ?? locationId },
        channels: ['sms', 'email'],
      },
      now,
    );
    counts[delivery.status]++;
    await documentClient
      .send(
        new UpdateCommand({
          TableName: membersTable(),
          Key: memberKeys.stockAlert(alert.memberId, sku, locationId),
          UpdateExpression: 'SET #status = :notified, notifiedAt = :now, messageStatus = :delivery',
          ConditionExpression: '#status = :active AND subscribedAt = :since',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':notified': 'NOTIFIED', ':active': 'ACTIVE', ':since': alert.subscribedAt, ':now': now, ':delivery': delivery.status },
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }
  return counts;
};

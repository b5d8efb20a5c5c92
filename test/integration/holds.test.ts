import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../infra/tables.ts';
import { lambdaContext } from '../../infra/local/gateway.ts';
import { releaseExpiredHolds } from '../../functions/jobs/release-expired-holds.ts';
import { expiredHolds } from '../../functions/streams/expired-holds.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { inventoryKeys } from '../../shared/db/keys.ts';
import { getHold } from '../../shared/db/stock.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
const store = uniqueId('HS');

const levelOf = async (sku: string) =>
  (await api.call('GET', `/stock/${sku}`, { token: admin })).body.levels.find((l: { locationId: string }) => l.locationId === store);

const holdStock = async (sku: string, qty: number, expiresInMs: number) => {
  const answer = await api.call('POST', '/movements', {
    token: admin,
    body: { movementId: uniqueId('hold'), type: 'RESERVE', locationId: store, expiresAt: new Date(Date.now() + expiresInMs).toISOString(), lines: [{ sku, qty }] },
  });
  expect(answer.status).toBe(201);
  return answer.body.movementId as string;
};

const newStockedProduct = async (qty: number) => {
  const sku = uniqueId('hs');
  expect((await api.call('POST', '/products', { token: admin, body: { sku, name: sku, unitCost: 1, price: 2, currency: 'EUR' } })).status).toBe(201);
  const receipt = await api.call('POST', '/movements', {
    token: admin, body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty }] },
  });
  expect(receipt.status).toBe(201);
  return sku;
};

const ledgerTypes = async (sku: string) =>
  (await api.call('GET', `/movements?sku=${sku}&locationId=${store}`, { token: admin })).body.items.map((e: { type: string; by: string }) => `${e.type}:${e.by}`);

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin', subject: 'hq-clerk' });
  const answer = await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: 'Holds', type: 'STORE', timeZone: 'UTC' } });
  expect(answer.status).toBe(201);
});

afterAll(async () => {
  await api.close();
});

describe('holds that lapse', () => {
  it('are released by the sweep job once, however often it runs', async () => {
    const sku = await newStockedProduct(6);
    const lapsing = await holdStock(sku, 2, 1_000);
    await holdStock(sku, 3, 3_600_000);
    expect(await levelOf(sku)).toMatchObject({ reserved: 5, available: 1 });

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const [first, second] = await Promise.all([
      releaseExpiredHolds({} as never, lambdaContext('releaseExpiredHolds')),
      releaseExpiredHolds({} as never, lambdaContext('releaseExpiredHolds')),
    ]);
    expect(first.expired + second.expired).toBeGreaterThanOrEqual(1);
    expect(await levelOf(sku)).toMatchObject({ onHand: 6, reserved: 3, available: 3 });
    expect((await getHold(lapsing)).status).toBe('EXPIRED');
    expect((await ledgerTypes(sku)).filter((t: string) => t.startsWith('RELEASE'))).toEqual(['RELEASE:system:hold-expiry']);

    await releaseExpiredHolds({} as never, lambdaContext('releaseExpiredHolds'));
    expect(await levelOf(sku)).toMatchObject({ reserved: 3, available: 3 });
  });

  it('are released by the stream consumer when TTL removed them first, and only once', async () => {
    const sku = await newStockedProduct(4);
    const reservationId = await holdStock(sku, 4, 3_600_000);
    // What DynamoDB's TTL does: delete the item; the stream then carries its old image.
    const deleted = await documentClient.send(
      new DeleteCommand({ TableName: tableName(tables.inventory), Key: inventoryKeys.reservation(reservationId), ReturnValues: 'ALL_OLD' }),
    );
    const event = {
      Records: [{
        eventID: '1', eventName: 'REMOVE', eventSource: 'aws:dynamodb', eventVersion: '1.1', awsRegion: 'local',
        userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
        dynamodb: { SequenceNumber: '100', OldImage: marshall(deleted.Attributes ?? {}) as never, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }],
    } as DynamoDBStreamEvent;

    const first = await expiredHolds(event, lambdaContext('expiredHolds'));
    const retried = await expiredHolds(event, lambdaContext('expiredHolds'));
    expect(first.batchItemFailures).toEqual([]);
    expect(retried.batchItemFailures).toEqual([]);
    expect(await levelOf(sku)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    expect((await getHold(reservationId)).status).toBe('EXPIRED');
    expect((await ledgerTypes(sku)).filter((t: string) => t.startsWith('RELEASE'))).toHaveLength(1);
  });
});

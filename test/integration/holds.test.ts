import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../infra/tables.ts';
import { lambdaContext } from '../../infra/local/gateway.ts';
import { releaseExpiredHolds } from '../../functions/jobs/release-expired-holds.ts';
import { expiredHolds } from '../../functions/streams/expired-holds.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { entities, inventoryKeys } from '../../shared/db/keys.ts';
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
    body: {
      movementId: uniqueId('hold'),
      type: 'RESERVE',
      locationId: store,
      expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
      lines: [{ sku, qty }],
    },
  });
  expect(answer.status).toBe(201);
  return answer.body.movementId as string;
};

const newStockedProduct = async (qty: number) => {
  const sku = uniqueId('hs');
  expect((await api.call('POST', '/products', { token: admin, body: { sku, name: sku, unitCost: 1, price: 2, currency: 'EUR' } })).status).toBe(201);
  const receipt = await api.call('POST', '/movements', {
    token: admin,
    body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty }] },
  });
  expect(receipt.status).toBe(201);
  return sku;
};

const ledgerTypes = async (sku: string) =>
  (await api.call('GET', `/movements?sku=${sku}&locationId=${store}`, { token: admin })).body.items.map(
    (e: { type: string; by: string }) => `${e.type}:${e.by}`,
  );

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
    expect((await getHold(store, lapsing)).status).toBe('EXPIRED');
    expect((await ledgerTypes(sku)).filter((t: string) => t.startsWith('RELEASE'))).toEqual(['RELEASE:system:hold-expiry']);

    await releaseExpiredHolds({} as never, lambdaContext('releaseExpiredHolds'));
    expect(await levelOf(sku)).toMatchObject({ reserved: 3, available: 3 });
  });

  it('are released by the stream consumer when TTL removed them first, and only once', async () => {
    const sku = await newStockedProduct(4);
    const reservationId = await holdStock(sku, 4, 3_600_000);
    // What DynamoDB's TTL does: delete the item; the stream then carries its old image.
    const deleted = await documentClient.send(
      new DeleteCommand({ TableName: tableName(tables.inventory), Key: inventoryKeys.reservation(store, reservationId), ReturnValues: 'ALL_OLD' }),
    );
    const event = {
      Records: [
        {
          eventID: '1',
          eventName: 'REMOVE',
          eventSource: 'aws:dynamodb',
          eventVersion: '1.1',
          awsRegion: 'local',
          userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
          dynamodb: { SequenceNumber: '100', OldImage: marshall(deleted.Attributes ?? {}) as never, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        },
      ],
    } as DynamoDBStreamEvent;

    const first = await expiredHolds(event, lambdaContext('expiredHolds'));
    const retried = await expiredHolds(event, lambdaContext('expiredHolds'));
    expect(first.batchItemFailures).toEqual([]);
    expect(retried.batchItemFailures).toEqual([]);
    expect(await levelOf(sku)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    expect((await getHold(store, reservationId)).status).toBe('EXPIRED');
    expect((await ledgerTypes(sku)).filter((t: string) => t.startsWith('RELEASE'))).toHaveLength(1);
  });
});

describe('the expiry sweep against squatted, colliding and poisoned holds', () => {
  const sweep = () => releaseExpiredHolds({} as never, lambdaContext('releaseExpiredHolds'));

  const reserve = async (sku: string, movementId: string, locationId = store) => {
    const answer = await api.call('POST', '/movements', {
      token: admin,
      body: { movementId, type: 'RESERVE', locationId, expiresAt: new Date(Date.now() + 1_000).toISOString(), lines: [{ sku, qty: 1 }] },
    });
    expect(answer.status).toBe(201);
  };

  it('releases a hold whose expiry id a client tried to book first', async () => {
    const sku = await newStockedProduct(3);
    const squat = uniqueId('squat');
    await reserve(sku, squat);
    // Any movement under the id the old sweep derived (`expire-{id}`) is just a movement now.
    const squatter = await api.call('POST', '/movements', {
      token: admin,
      body: { movementId: `expire-${squat}`, type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 1 }] },
    });
    expect(squatter.status).toBe(201);
    // And the derived id itself is not a client id.
    const derived = await api.call('POST', '/movements', {
      token: admin,
      body: { movementId: `expire:${squat}`, type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 1 }] },
    });
    expect(derived.status).toBe(400);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const run = await sweep();
    expect(run.failed).toBe(0);
    expect((await getHold(store, squat)).status).toBe('EXPIRED');
    expect(await levelOf(sku)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
  });

  it('releases two holds whose 64-character ids share their first 57 characters', async () => {
    const sku = await newStockedProduct(2);
    const stem = uniqueId('collide').padEnd(57, 'x');
    const [first, second] = [`${stem}-first1`, `${stem}-secnd2`];
    expect(first).toHaveLength(64);
    await reserve(sku, first);
    await reserve(sku, second);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await sweep();
    expect((await getHold(store, first)).status).toBe('EXPIRED');
    expect((await getHold(store, second)).status).toBe('EXPIRED');
    expect(await levelOf(sku)).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
  });

  it('records a hold it cannot release and still releases the others on time', async () => {
    // A poisoned hold, older than the rest: it names a SKU that does not exist, so its release always fails.
    const poisonId = uniqueId('poison');
    const lapsedAt = new Date(Date.now() - 60_000).toISOString();
    const poison = {
      ...inventoryKeys.reservation(store, poisonId),
      ...inventoryKeys.activeReservation(lapsedAt, store, poisonId),
      entity: entities.reservation,
      reservationId: poisonId,
      locationId: store,
      lines: [{ sku: uniqueId('no-such-sku'), qty: 1 }],
      status: 'ACTIVE',
      holdUntil: lapsedAt,
      createdAt: lapsedAt,
      by: 'test',
    };
    await documentClient.send(new PutCommand({ TableName: tableName(tables.inventory), Item: poison }));
    try {
      const otherStore = uniqueId('HS2');
      expect(
        (await api.call('POST', '/locations', { token: admin, body: { locationId: otherStore, name: 'Other', type: 'STORE', timeZone: 'UTC' } })).status,
      ).toBe(201);
      const sku = uniqueId('hs');
      expect((await api.call('POST', '/products', { token: admin, body: { sku, name: sku, unitCost: 1, price: 2, currency: 'EUR' } })).status).toBe(201);
      expect(
        (
          await api.call('POST', '/movements', {
            token: admin,
            body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId: otherStore, lines: [{ sku, qty: 1 }] },
          })
        ).status,
      ).toBe(201);
      const unrelated = uniqueId('hold');
      await reserve(sku, unrelated, otherStore);

      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const run = await sweep();
      expect(run.failed).toBeGreaterThanOrEqual(1);
      expect((await getHold(otherStore, unrelated)).status).toBe('EXPIRED');
      expect((await getHold(store, poisonId)).status).toBe('ACTIVE');
    } finally {
      await documentClient.send(new DeleteCommand({ TableName: tableName(tables.inventory), Key: inventoryKeys.reservation(store, poisonId) }));
    }
  });
});

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../infra/tables.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { inventoryKeys } from '../../shared/db/keys.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

/**
 * The stock write at the engine's pace (issue 19 part 1): the movement's own
 * conditional put is the replay check, the answer is stored in the booking's
 * transaction, and the levels after it are computed from the levels this
 * container knows, which the write proves by their versions. These tests
 * move levels behind the container's back, the way another container does.
 */
let api: Api;
let admin: string;
const store = uniqueId('WP-S');

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  expect((await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: 'Write path', type: 'STORE', timeZone: 'UTC' } })).status).toBe(
    201,
  );
});

afterAll(async () => {
  await api.close();
});

const product = async (qty: number) => {
  const sku = uniqueId('wp');
  expect((await api.call('POST', '/products', { token: admin, body: { sku, name: sku, unitCost: 100, price: 200, currency: 'EUR' } })).status).toBe(201);
  if (qty > 0) {
    const receipt = await api.call('POST', '/movements', {
      token: admin,
      body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty }] },
    });
    expect(receipt.status).toBe(201);
  }
  return sku;
};

const sell = (sku: string, qty: number, movementId = uniqueId('sale')) =>
  api.call('POST', '/movements', { token: admin, body: { movementId, type: 'SALE', locationId: store, lines: [{ sku, qty }] } });

const levelNow = async (sku: string) => {
  const answer = await api.call('GET', `/stock/${sku}`, { token: admin });
  return (answer.body.levels as { locationId: string }[]).find((l) => l.locationId === store);
};

/** Another container sells `qty` units: the level moves (and its version) without this container seeing it. */
const sellElsewhere = (sku: string, qty: number) =>
  documentClient.send(
    new UpdateCommand({
      TableName: tableName(tables.inventory),
      Key: inventoryKeys.level(sku, store),
      UpdateExpression: 'ADD onHand :minus, available :minus, inventoryPosition :minus, version :one',
      ConditionExpression: 'available >= :qty',
      ExpressionAttributeValues: { ':minus': -qty, ':qty': qty, ':one': 1 },
    }),
  );

describe('the stock write path', () => {
  it('answers with the levels as they are after the write, also when another writer moved them since', async () => {
    const sku = await product(10);
    const first = await sell(sku, 1);
    expect(first.status).toBe(201);
    expect(first.body.levels[0]).toEqual(await levelNow(sku));

    await sellElsewhere(sku, 3);
    const second = await sell(sku, 2);
    expect(second.status).toBe(201);
    expect(second.body.levels[0]).toMatchObject({ onHand: 4, available: 4 });
    expect(second.body.levels[0]).toEqual(await levelNow(sku));
  });

  it('never sells what another writer took meanwhile: 409 with the shortage as it is', async () => {
    const sku = await product(5);
    expect((await sell(sku, 1)).status).toBe(201);
    // This container still believes 4 are there; another one sold them all.
    await sellElsewhere(sku, 4);
    const refused = await sell(sku, 1);
    expect(refused.status).toBe(409);
    expect(refused.body.shortages).toEqual([{ sku, locationId: store, requested: 1, available: 0 }]);
    expect(await levelNow(sku)).toMatchObject({ onHand: 0, available: 0 });
  });

  it('books N identical concurrent requests once; every one gets the first answer', async () => {
    const sku = await product(50);
    const movementId = uniqueId('dup');
    const answers = await Promise.all(Array.from({ length: 12 }, () => sell(sku, 2, movementId)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    for (const answer of answers) expect(answer.body).toEqual(answers[0]!.body);
    expect(answers[0]!.body.levels[0]).toMatchObject({ onHand: 48, available: 48 });
    expect(await levelNow(sku)).toMatchObject({ onHand: 48, available: 48 });
  });

  it('sells exactly the units there are under concurrent distinct sales', async () => {
    const sku = await product(20);
    const answers = await Promise.all(Array.from({ length: 30 }, () => sell(sku, 1)));
    const sold = answers.filter((a) => a.status === 201);
    expect(sold).toHaveLength(20);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(10);
    for (const answer of sold) expect(answer.body.levels[0].available).toBeGreaterThanOrEqual(0);
    expect(await levelNow(sku)).toMatchObject({ onHand: 0, available: 0 });
  });

  it('replays a refused-now request with its first answer, and refuses another body under the id with 422', async () => {
    const sku = await product(3);
    const movementId = uniqueId('sale');
    const first = await sell(sku, 3, movementId);
    expect(first.status).toBe(201);
    // Nothing is left: the same request again is still the first answer, not a 409.
    const again = await sell(sku, 3, movementId);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await sell(sku, 2, movementId);
    expect(other.status).toBe(422);
  });
});

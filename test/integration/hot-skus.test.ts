import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../infra/tables.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { inventoryKeys } from '../../shared/db/keys.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

/**
 * Hot SKUs (issue 19 part 4, docs/hot-skus.md): a product declared with
 * `hotShards` has each level spread over that many items, sales go to one
 * each and fall back to the others, and every read shows the sum.
 */
let api: Api;
let admin: string;
const store = uniqueId('HOT-S');
const other = uniqueId('HOT-T');

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  for (const locationId of [store, other]) {
    const created = await api.call('POST', '/locations', { token: admin, body: { locationId, name: locationId, type: 'STORE', timeZone: 'UTC' } });
    expect(created.status).toBe(201);
  }
});

afterAll(async () => {
  await api.close();
});

const move = (body: Record<string, unknown>) =>
  api.call('POST', '/movements', { token: admin, body: { movementId: uniqueId('mv'), locationId: store, ...body } });

const product = async (qty: number, extra: Record<string, unknown> = {}) => {
  const sku = uniqueId('hot');
  const created = await api.call('POST', '/products', { token: admin, body: { sku, name: sku, unitCost: 100, price: 200, currency: 'EUR', ...extra } });
  expect(created.status).toBe(201);
  if (qty > 0) expect((await move({ type: 'RECEIPT', lines: [{ sku, qty }] })).status).toBe(201);
  return sku;
};

const declareHot = async (sku: string, hotShards: number) => {
  const etag = (await api.call('GET', `/products/${sku}`, { token: admin })).headers.get('etag')!;
  const patched = await api.call('PATCH', `/products/${sku}`, { token: admin, body: { hotShards }, headers: { 'if-match': etag } });
  expect(patched.status).toBe(200);
  return patched.body;
};

const sell = (sku: string, qty: number, movementId = uniqueId('sale')) => move({ movementId, type: 'SALE', lines: [{ sku, qty }] });

const levelNow = async (sku: string, locationId = store) => {
  const answer = await api.call('GET', `/stock/${sku}`, { token: admin });
  expect(answer.status).toBe(200);
  return (answer.body.levels as { locationId: string; onHand: number; available: number }[]).find((l) => l.locationId === locationId);
};

/** The stored items of a level: the level item and its shards, as DynamoDB holds them. */
const itemsOf = async (sku: string, locationId = store) => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: tableName(tables.inventory),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :at)',
      ExpressionAttributeValues: { ':pk': inventoryKeys.levelsOfSku(sku), ':at': inventoryKeys.level(sku, locationId).sk },
      ConsistentRead: true,
    }),
  );
  return (output.Items ?? []).filter((i) => i.locationId === locationId);
};

/** Every ledger entry of a SKU, page by page (`limit` small, so the merged cursor is followed). */
const ledgerOf = async (query: string, limit = 7) => {
  const entries: { movementId: string; type: string; onHandDelta: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.call('GET', `/movements?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    entries.push(...page.body.items);
    cursor = page.body.cursor;
  } while (cursor);
  return entries;
};

describe('a hot SKU', () => {
  it('is spread over its shards when declared, and read as the sum everywhere', async () => {
    const sku = await product(102);
    const declared = await declareHot(sku, 4);
    expect(declared).toMatchObject({ hotShards: 4, ledgerShards: 4 });

    const items = await itemsOf(sku);
    expect(items.map((i) => Number(i.available)).sort()).toEqual([25, 25, 26, 26]);
    expect(items.find((i) => i.entity === 'STOCK_LEVEL')).toMatchObject({ shards: 4 });
    expect(await levelNow(sku)).toMatchObject({ onHand: 102, available: 102 });

    const page = await api.call('GET', `/locations/${store}/stock?limit=100`, { token: admin });
    expect((page.body.items as { sku: string }[]).filter((l) => l.sku === sku)).toEqual([expect.objectContaining({ onHand: 102, available: 102 })]);
    const availability = await api.call('GET', `/products/${sku}/availability`, { token: admin });
    expect((availability.body.stores as { locationId: string }[]).find((s) => s.locationId === store)).toMatchObject({ available: 102 });
  });

  it('sells exactly its units to many concurrent buyers, over every shard, with one ledger entry per sale', async () => {
    const sku = await product(60, { hotShards: 4 });
    const answers = await Promise.all(Array.from({ length: 150 }, () => sell(sku, 1)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(60);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(90);
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.body.shortages).toEqual([{ sku, locationId: store, requested: 1, available: 0 }]);

    expect(await levelNow(sku)).toMatchObject({ onHand: 0, available: 0 });
    const items = await itemsOf(sku);
    expect(items.length).toBe(4);
    expect(items.every((i) => Number(i.available) === 0 && Number(i.onHand) === 0)).toBe(true);

    // The ledger was written in several partitions; every reader merges them, each entry once.
    const sales = (await ledgerOf(`sku=${sku}`)).filter((e) => e.type === 'SALE');
    expect(sales).toHaveLength(60);
    expect(new Set(sales.map((e) => e.movementId)).size).toBe(60);
    expect((await ledgerOf(`sku=${sku}&locationId=${store}&order=occurredAt`, 11)).filter((e) => e.type === 'SALE')).toHaveLength(60);
    const atStore = (await ledgerOf(`locationId=${store}`, 13)).filter((e) => e.type === 'SALE' && sales.some((s) => s.movementId === e.movementId));
    expect(atStore).toHaveLength(60);
    const partitions = new Set<string>();
    for (let shard = 0; shard < 4; shard++) {
      const output = await documentClient.send(
        new QueryCommand({
          TableName: tableName(tables.inventory),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': inventoryKeys.ledgerOfSkuAtLocation(sku, store, shard) },
        }),
      );
      if ((output.Items ?? []).some((i) => i.type === 'SALE')) partitions.add(String(shard));
    }
    expect(partitions.size).toBeGreaterThan(1);
  });

  it('takes a sale its shard cannot cover from the other shards, and refuses only what the sum cannot cover', async () => {
    const sku = await product(20, { hotShards: 4 });
    await sell(sku, 1);
    // 19 left over four items: no one item holds 18.
    const big = await sell(sku, 18);
    expect(big.status).toBe(201);
    expect(big.body.levels[0]).toMatchObject({ onHand: 1, available: 1 });
    const tooMany = await sell(sku, 2);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.shortages).toEqual([{ sku, locationId: store, requested: 2, available: 1 }]);
    expect(await levelNow(sku)).toMatchObject({ onHand: 1, available: 1 });
  });

  it('answers a replayed hot sale with its first answer and books it once', async () => {
    const sku = await product(40, { hotShards: 3 });
    const movementId = uniqueId('sale');
    const first = await sell(sku, 2, movementId);
    expect(first.status).toBe(201);
    const again = await sell(sku, 2, movementId);
    expect([200, 201]).toContain(again.status);
    expect(again.body).toEqual(first.body);
    expect(await levelNow(sku)).toMatchObject({ onHand: 38 });
  });

  it('refills its shards from a receipt as sales meet them empty', async () => {
    const sku = await product(8, { hotShards: 4 });
    for (let i = 0; i < 8; i++) expect((await sell(sku, 1)).status).toBe(201);
    const receipt = await move({ type: 'RECEIPT', lines: [{ sku, qty: 40 }] });
    expect(receipt.status).toBe(201);
    // Its answer is the whole level, not the level item alone.
    expect(receipt.body.levels[0]).toMatchObject({ onHand: 40, available: 40 });
    // The receipt lands on the level item; the first sale that finds its shard empty spreads it.
    for (let i = 0; i < 6; i++) expect((await sell(sku, 1)).status).toBe(201);
    const items = await itemsOf(sku);
    expect(items.filter((i) => Number(i.available) > 0).length).toBeGreaterThan(1);
    expect(items.reduce((sum, i) => sum + Number(i.available), 0)).toBe(34);
    expect(await levelNow(sku)).toMatchObject({ onHand: 34, available: 34 });
  });

  it('lets a transfer, a hold or a write-off take more than the level item holds: the shards are merged back first', async () => {
    const sku = await product(40, { hotShards: 4 });
    expect((await sell(sku, 1)).status).toBe(201);
    const transfer = await move({ type: 'TRANSFER', toLocationId: other, lines: [{ sku, qty: 30 }] });
    expect(transfer.status).toBe(201);
    expect(await levelNow(sku)).toMatchObject({ onHand: 9, available: 9 });
    expect(await levelNow(sku, other)).toMatchObject({ onHand: 30, available: 30 });
    const tooMuch = await move({ type: 'ADJUSTMENT', reason: 'DAMAGED', lines: [{ sku, qty: 10 }] });
    expect(tooMuch.status).toBe(409);
    expect(await levelNow(sku)).toMatchObject({ onHand: 9, available: 9 });
  });

  it('takes an offline sale booked past the shelf out of what the shards offer', async () => {
    const sku = await product(10, { hotShards: 4 });
    expect((await sell(sku, 1)).status).toBe(201);
    // A till that was offline for hours sold 6 of the 9: booked on the level item, which goes below zero.
    const offline = await move({ type: 'SALE', occurredAt: new Date(Date.now() - 3 * 3_600_000).toISOString(), lines: [{ sku, qty: 6 }] });
    expect(offline.status).toBe(201);
    expect(await levelNow(sku)).toMatchObject({ onHand: 3, available: 3 });
    // The shards no longer offer the units the till sold: 3 are left, not 8.
    const refused = await sell(sku, 4);
    expect(refused.status).toBe(409);
    expect(refused.body.shortages).toEqual([{ sku, locationId: store, requested: 4, available: 3 }]);
    expect((await sell(sku, 3)).status).toBe(201);
    expect((await sell(sku, 1)).status).toBe(409);
    expect(await levelNow(sku)).toMatchObject({ onHand: 0, available: 0 });
  });

  it('books a sale dated a few minutes back on the level as a whole, conditioned on the counts since', async () => {
    const sku = await product(12, { hotShards: 4 });
    expect((await sell(sku, 1)).status).toBe(201);
    const late = await move({ type: 'SALE', occurredAt: new Date(Date.now() - 60_000).toISOString(), lines: [{ sku, qty: 9 }] });
    expect(late.status).toBe(201);
    expect(await levelNow(sku)).toMatchObject({ onHand: 2, available: 2 });
  });

  it('counts a spread level as a whole: the count merges it back and sets what was counted', async () => {
    const sku = await product(40, { hotShards: 4 });
    expect((await sell(sku, 3)).status).toBe(201);
    const count = await move({ type: 'COUNT', lines: [{ sku, qty: 35 }] });
    expect(count.status).toBe(201);
    expect(count.body.levels[0]).toMatchObject({ onHand: 35, available: 35 });
    expect(await levelNow(sku)).toMatchObject({ onHand: 35, available: 35 });
    // Sales spread it again afterwards.
    expect((await sell(sku, 1)).status).toBe(201);
    expect(await levelNow(sku)).toMatchObject({ onHand: 34, available: 34 });
  });

  it('merges back when the product is set to one shard, keeping every unit and the ledger readable', async () => {
    const sku = await product(50, { hotShards: 4 });
    for (let i = 0; i < 5; i++) expect((await sell(sku, 2)).status).toBe(201);
    const merged = await declareHot(sku, 1);
    expect(merged).toMatchObject({ hotShards: 1, ledgerShards: 4 });
    const items = await itemsOf(sku);
    const level = items.find((i) => i.entity === 'STOCK_LEVEL')!;
    expect(level.shards).toBeUndefined();
    expect(level).toMatchObject({ onHand: 40, available: 40 });
    expect(items.filter((i) => i.entity !== 'STOCK_LEVEL').every((i) => Number(i.available) === 0)).toBe(true);
    expect((await sell(sku, 40)).status).toBe(201);
    expect((await ledgerOf(`sku=${sku}`, 3)).filter((e) => e.type === 'SALE')).toHaveLength(6);
  });

  it('sells exactly its units through the member checkout under concurrency', async () => {
    const sku = await product(30, { hotShards: 4 });
    const answers = await Promise.all(
      Array.from({ length: 80 }, () =>
        api.call('POST', '/sales', { token: admin, body: { saleId: uniqueId('hs'), locationId: store, lines: [{ sku, qty: 1, unitPrice: 200 }] } }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(30);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(50);
    expect(await levelNow(sku)).toMatchObject({ onHand: 0, available: 0 });
  });

  it('refuses a shard count out of range with a problem, writing nothing', async () => {
    const sku = await product(5);
    const etag = (await api.call('GET', `/products/${sku}`, { token: admin })).headers.get('etag')!;
    const refused = await api.call('PATCH', `/products/${sku}`, { token: admin, body: { hotShards: 9 }, headers: { 'if-match': etag } });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((await itemsOf(sku)).length).toBe(1);
  });
});

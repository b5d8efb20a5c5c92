import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { purchaseHistory } from '../../functions/streams/purchase-history.ts';
import { streamConsumers } from '../../infra/streams.ts';
import { tables } from '../../infra/tables.ts';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { lambdaContext } from '../../infra/local/gateway.ts';
import { startStreamPoller } from '../../infra/local/stream-poller.ts';
import { getInventoryItem } from '../../shared/db/catalog.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { memberKeys, recommendationKeys, salesKeys } from '../../shared/db/keys.ts';
import { maxPairedSkus, skusPerChunk } from '../../shared/db/recommendations.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
let till: string;
const store = uniqueId('RS');
const otherStore = uniqueId('RT');
const month = () => new Date().toISOString().slice(0, 7);

const createProduct = async (sku: string) => {
  const answer = await api.call('POST', '/products', { token: admin, body: { sku, name: `Product ${sku}`, unitCost: 500, price: 1000, currency: 'EUR' } });
  expect(answer.status).toBe(201);
};

const receive = async (sku: string, qty: number, locationId = store) => {
  const answer = await api.call('POST', '/movements', {
    token: admin,
    body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId, lines: [{ sku, qty }] },
  });
  expect(answer.status).toBe(201);
};

const products = async (count: number, stockAt: string[] = [store]) => {
  const skus = Array.from({ length: count }, () => uniqueId('rp'));
  for (const sku of skus) {
    await createProduct(sku);
    for (const locationId of stockAt) await receive(sku, 1000, locationId);
  }
  return skus;
};

const register = async () => {
  const answer = await api.call('POST', '/members', {
    token: till,
    headers: { 'idempotency-key': uniqueId('reg') },
    body: { name: 'Shopper', email: `${uniqueId('shop')}@example.com` },
  });
  expect(answer.status).toBe(201);
  return answer.body.memberId as string;
};

/** Checkout, then the stored sale item as the stream would carry it. */
const sell = async (memberId: string, lines: { sku: string; qty: number }[], locationId = store): Promise<Record<string, unknown>> => {
  const saleId = uniqueId('sale');
  const answer = await api.call('POST', '/sales', {
    token: till,
    body: { saleId, locationId, memberId, lines: lines.map((l) => ({ ...l, unitPrice: 1000 })) },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return (await getInventoryItem(salesKeys.sale(saleId)))!;
};

const streamEvent = (...sales: Record<string, unknown>[]): DynamoDBStreamEvent => ({
  Records: sales.map((sale, i) => ({
    eventID: String(i),
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      NewImage: marshall(sale, { removeUndefinedValues: true }) as never,
      Keys: marshall({ pk: sale.pk, sk: sale.sk }) as never,
      SequenceNumber: String(i),
    },
  })),
});

const count = async (...sales: Record<string, unknown>[]) => {
  const response = await purchaseHistory(streamEvent(...sales), lambdaContext('purchaseHistory'));
  expect(response.batchItemFailures).toEqual([]);
};

const recommendations = async (memberId: string, as = admin, limit = 50) =>
  api.call('GET', `/members/${memberId}/recommendations?limit=${limit}`, { token: as });

const buyer = async (sku: string, memberId: string) =>
  (await documentClient.send(new GetCommand({ TableName: tableName(tables.members), Key: memberKeys.buyer(sku, memberId), ConsistentRead: true }))).Item;

const boughtWith = async (sku: string) => getInventoryItem(recommendationKeys.boughtWith(sku, month()));

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  till = await token({ role: 'store', locations: [store, otherStore] });
  for (const [locationId, name] of [
    [store, 'Usual store'],
    [otherStore, 'Other store'],
  ]) {
    expect((await api.call('POST', '/locations', { token: admin, body: { locationId, name, type: 'STORE', timeZone: 'Europe/Berlin' } })).status).toBe(201);
  }
});

afterAll(async () => {
  await api.close();
});

describe('purchase history', () => {
  it("recommends what others bought with the member's purchases, in stock where they usually shop, never what they bought", async () => {
    const [tent, pegs, mat, lamp] = await products(4, [store, otherStore]);
    // The lantern is stocked only at the other store.
    const [lantern] = await products(1, [otherStore]);
    const camper = await register();
    const shopper = await register();
    await count(
      await sell(camper, [
        { sku: tent!, qty: 1 },
        { sku: pegs!, qty: 2 },
        { sku: mat!, qty: 1 },
      ]),
      await sell(camper, [
        { sku: tent!, qty: 1 },
        { sku: pegs!, qty: 1 },
      ]),
      await sell(
        camper,
        [
          { sku: tent!, qty: 1 },
          { sku: lantern!, qty: 1 },
        ],
        otherStore,
      ),
    );
    // The shopper buys at the usual store twice, last at the other one (where the lantern is in stock).
    await count(
      await sell(shopper, [{ sku: tent!, qty: 1 }]),
      await sell(shopper, [{ sku: lamp!, qty: 1 }]),
      await sell(shopper, [{ sku: mat!, qty: 1 }], otherStore),
    );

    const answer = await recommendations(shopper);
    expect(answer.status).toBe(200);
    expect(answer.body.memberId).toBe(shopper);
    expect(answer.body.locationId).toBe(store);
    const skus = answer.body.items.map((i: { sku: string }) => i.sku);
    expect(answer.body.items.find((i: { sku: string }) => i.sku === pegs)).toEqual({
      // Every SKU a REGULAR member bought is a favourite of the tier too; the mat was bought last, so it explains most.
      sku: pegs,
      name: `Product ${pegs}`,
      score: expect.any(Number),
      reasons: expect.arrayContaining(['BOUGHT_TOGETHER']),
      becauseOf: [mat, tent],
    });
    expect(skus).not.toContain(lantern);
    for (const bought of [tent, lamp, mat]) expect(skus).not.toContain(bought);

    expect(await buyer(pegs!, camper)).toMatchObject({
      entity: 'BUYER',
      memberId: camper,
      sku: pegs,
      units: 3,
      firstBoughtAt: expect.any(String),
      lastBoughtAt: expect.any(String),
    });
    expect(await boughtWith(tent!)).toMatchObject({ [`with#${pegs}`]: 2, [`with#${mat}`]: 1, [`with#${lantern}`]: 1 });
  });

  it('gives a member without history the favourites of their tier', async () => {
    const [favourite] = await products(1);
    const fan = await register();
    // Far more units than other test files sell, so it tops the tier this month.
    await count(await sell(fan, [{ sku: favourite!, qty: 900 }]));

    const newcomer = await register();
    const answer = await recommendations(newcomer);
    expect(answer.status).toBe(200);
    expect(answer.body.locationId).toBeUndefined();
    expect(answer.body.items[0]).toEqual({ sku: favourite, name: `Product ${favourite}`, score: 0.5, reasons: ['SEGMENT_FAVOURITE'] });
    expect(answer.body.items.every((i: { reasons: string[] }) => i.reasons.join() === 'SEGMENT_FAVOURITE')).toBe(true);
    expect((await recommendations(newcomer, admin, 1)).body.items).toHaveLength(1);
  });

  it('counts a redelivered sale record nothing twice', async () => {
    const [tent, pegs] = await products(2);
    const camper = await register();
    const sale = await sell(camper, [
      { sku: tent!, qty: 2 },
      { sku: pegs!, qty: 3 },
    ]);
    await count(sale, sale);
    await count(sale);
    expect(await buyer(tent!, camper)).toMatchObject({ units: 2, firstBoughtAt: sale.at, lastBoughtAt: sale.at });
    expect(await buyer(pegs!, camper)).toMatchObject({ units: 3 });
    expect(await boughtWith(tent!)).toMatchObject({ [`with#${pegs}`]: 1 });
    expect(await boughtWith(pegs!)).toMatchObject({ [`with#${tent}`]: 1 });
    const stores = (
      await documentClient.send(new GetCommand({ TableName: tableName(tables.members), Key: recommendationKeys.memberStores(camper), ConsistentRead: true }))
    ).Item;
    expect(stores).toMatchObject({ [`sales#${store}`]: 1 });
  });

  it('counts member sales from the table stream, through the filter as deployed', async () => {
    const [tent, pegs] = await products(2);
    const camper = await register();
    const poller = await startStreamPoller({
      endpoint: inject('dynamoEndpoint'),
      tableEnv: inject('tableEnv'),
      failures: new FailureLog(),
      consumers: [['purchaseHistory', streamConsumers.purchaseHistory]],
    });
    try {
      await sell(camper, [
        { sku: tent!, qty: 2 },
        { sku: pegs!, qty: 1 },
      ]);
      await vi.waitFor(async () => expect(await buyer(tent!, camper)).toMatchObject({ units: 2 }), { timeout: 20_000, interval: 200 });
      expect(await boughtWith(tent!)).toMatchObject({ [`with#${pegs}`]: 1 });
    } finally {
      await poller.stop();
    }
  });

  it('keeps the first and last purchase when sales arrive out of order', async () => {
    const [tent] = await products(1);
    const camper = await register();
    const earlier = await sell(camper, [{ sku: tent!, qty: 1 }]);
    const later = await sell(camper, [{ sku: tent!, qty: 1 }]);
    await count(later);
    await count(earlier);
    expect(await buyer(tent!, camper)).toMatchObject({ units: 2, firstBoughtAt: earlier.at, lastBoughtAt: later.at });

    // Counted at the same time, in separate invocations as separate shards would be.
    const more = [];
    for (let i = 0; i < 4; i++) more.push(await sell(camper, [{ sku: tent!, qty: 1 }]));
    await Promise.all([...more].reverse().map((sale) => count(sale)));
    expect(await buyer(tent!, camper)).toMatchObject({ units: 6, firstBoughtAt: earlier.at, lastBoughtAt: more[3]!.at });
  });

  it('counts a sale with more SKUs than one transaction holds fully and once', async () => {
    const camper = await register();
    const prefix = uniqueId('big');
    const skus = Array.from({ length: skusPerChunk + 70 }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
    // A stream image as big as no till sends today: the consumer must not rely on the checkout's line limit.
    const saleId = uniqueId('big-sale');
    const sale = {
      ...salesKeys.sale(saleId),
      entity: 'SALE',
      saleId,
      memberId: camper,
      locationId: store,
      at: new Date().toISOString(),
      lines: skus.map((sku, i) => ({ sku, qty: 1 + (i % 3) })),
      receipt: { member: { tier: 'PLATINUM' } },
    };
    await count(sale);
    await count(sale, sale);
    const units = await Promise.all(skus.map(async (sku) => (await buyer(sku, camper))?.units));
    expect(units).toEqual(skus.map((_, i) => 1 + (i % 3)));
    // The pairs: the SKUs with the most units (3 each), each counted with the others once.
    const paired = skus.filter((_, i) => i % 3 === 2).slice(0, maxPairedSkus);
    const partners = await boughtWith(paired[0]!);
    expect(
      Object.keys(partners!)
        .filter((name) => name.startsWith('with#'))
        .sort(),
    ).toEqual(paired.slice(1).map((sku) => `with#${sku}`));
    expect(
      Object.entries(partners!)
        .filter(([name]) => name.startsWith('with#'))
        .every(([, n]) => n === 1),
    ).toBe(true);
  });

  it("hides one member's recommendations from another (404) and answers 404 for an unknown member", async () => {
    const mine = await register();
    const theirs = await register();
    const self = await token({ role: 'member', memberId: mine });
    expect((await recommendations(mine, self)).status).toBe(200);
    expect((await recommendations(theirs, self)).status).toBe(404);
    expect((await recommendations(uniqueId('nobody'))).status).toBe(404);
  });
});

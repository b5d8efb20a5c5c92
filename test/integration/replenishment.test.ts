import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replenishmentSweep } from '../../functions/jobs/replenishment-sweep.ts';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { lambdaContext } from '../../infra/local/gateway.ts';
import type { StreamPoller } from '../../infra/local/stream-poller.ts';
import { tables } from '../../infra/tables.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { entities, inventoryKeys } from '../../shared/db/keys.ts';
import { reclassifyAbc } from '../../shared/app/abc.ts';
import { checkReorder } from '../../shared/app/replenishment.ts';
import { recordDemand, recordMemberDemand } from '../../shared/db/replenishment.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';
import { startStreams, untilStreamsSettle } from '../support/streams.ts';

let api: Api;
let poller: StreamPoller;
let admin: string;
const failures = new FailureLog();
const [warehouse, storeA, storeB] = [uniqueId('RW'), uniqueId('RA'), uniqueId('RB')];
const dayMs = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * dayMs).toISOString();

const createProduct = async (sku: string, extra: Record<string, unknown> = {}) => {
  const answer = await api.call('POST', '/products', {
    token: admin,
    body: { sku, name: sku, unitCost: 500, price: 1000, currency: 'EUR', supplierId: 'SUP-1', ...extra },
  });
  expect(answer.status).toBe(201);
};

const move = async (body: Record<string, unknown>) => {
  const answer = await api.call('POST', '/movements', { token: admin, body: { movementId: uniqueId('m'), ...body } });
  expect(answer.status).toBe(201);
  return answer.body;
};

const suggestions = async (locationId: string, sku: string, status = 'OPEN') =>
  (await api.call('GET', `/replenishment/suggestions?locationId=${locationId}&sku=${sku}&status=${status}`, { token: admin })).body.items;

const level = async (sku: string, locationId: string) =>
  (await api.call('GET', `/stock/${sku}`, { token: admin })).body.levels.find((l: { locationId: string }) => l.locationId === locationId);

const waitFor = <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => untilStreamsSettle(poller, read, done, what);

const sweep = () => replenishmentSweep({} as ScheduledEvent, lambdaContext('replenishmentSweep'));

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  for (const [locationId, type] of [
    [warehouse, 'WAREHOUSE'],
    [storeA, 'STORE'],
    [storeB, 'STORE'],
  ]) {
    expect((await api.call('POST', '/locations', { token: admin, body: { locationId, name: locationId, type, timeZone: 'UTC' } })).status).toBe(201);
  }
  poller = await startStreams(['demand', 'reorderCheck'], failures);
});

afterAll(async () => {
  await poller.stop();
  await api.close();
});

describe('reorder suggestions from the stream', () => {
  it('opens exactly one suggestion when sales push a SKU under its reorder point, and updates it on more sales', async () => {
    const sku = uniqueId('rp');
    await createProduct(sku, { reorder: { min: 5, max: 20 } });
    // A SKU whose id starts with the other's: asking for one must never return the other.
    const longer = `${sku}0`;
    await createProduct(longer, { reorder: { min: 5, max: 20 } });
    await move({
      type: 'RECEIPT',
      locationId: storeA,
      lines: [
        { sku, qty: 10 },
        { sku: longer, qty: 1 },
      ],
    });
    await move({ type: 'SALE', locationId: storeA, lines: [{ sku, qty: 4 }] });
    await waitFor(
      () => suggestions(storeA, longer),
      (items) => items.length > 0,
      "the other SKU's suggestion",
    );
    expect(await suggestions(storeA, sku)).toEqual([]);

    await move({ type: 'SALE', locationId: storeA, lines: [{ sku, qty: 2 }] });
    const [first] = await waitFor(
      () => suggestions(storeA, sku),
      (items) => items.length > 0,
      'a suggestion',
    );
    expect(first).toMatchObject({ sku, locationId: storeA, kind: 'PURCHASE', quantity: 16, reorderPoint: 5, supplierId: 'SUP-1', status: 'OPEN' });
    expect(first.reason).toBe('available 4 + incoming 0 <= min 5 (fixed min/max 5/20); order 16 = up to max 20');

    await move({ type: 'SALE', locationId: storeA, lines: [{ sku, qty: 1 }] });
    const updated = await waitFor(
      () => suggestions(storeA, sku),
      (items) => items[0]?.quantity === 17,
      'the suggestion to follow the sale',
    );
    expect(updated).toHaveLength(1);
    expect(await suggestions(storeB, sku)).toEqual([]);
  });

  it('never adds to an open suggestion or an order twice, however often the sweep runs; receiving the order clears it', async () => {
    const sku = uniqueId('sw');
    await createProduct(sku, { reorder: { min: 5, max: 20 }, packSize: 4 });
    await move({ type: 'RECEIPT', locationId: storeB, lines: [{ sku, qty: 6 }] });
    await move({ type: 'SALE', locationId: storeB, lines: [{ sku, qty: 3 }] });
    await waitFor(
      () => suggestions(storeB, sku),
      (items) => items.length > 0,
      'a suggestion',
    );
    // The demand consumer may count the sale only after the suggestion was first decided (a loaded machine):
    // once the streams are quiet, one sweep decides it with that demand, and from then on nothing changes.
    await poller.idle();
    await sweep();
    const [open] = await suggestions(storeB, sku);
    // Up to max 20 from 3 is 17, rounded up to packs of 4.
    expect(open.quantity).toBe(20);
    for (let i = 0; i < 3; i++) await sweep();
    expect(await suggestions(storeB, sku)).toEqual([open]);

    const po = await api.call('POST', '/purchase-orders', {
      token: admin,
      body: { purchaseOrderId: uniqueId('po'), supplierId: 'SUP-1', fromSuggestions: true, lines: [{ sku, locationId: storeB, qty: open.quantity }] },
    });
    expect(po.status).toBe(201);
    expect(await level(sku, storeB)).toMatchObject({ available: 3, incoming: 20 });
    for (let i = 0; i < 3; i++) await sweep();
    await poller.idle();
    expect(await suggestions(storeB, sku)).toEqual([]);
    expect(await suggestions(storeB, sku, 'ORDERED')).toEqual([expect.objectContaining({ purchaseOrderId: po.body.purchaseOrderId, quantity: 20 })]);
    expect(await level(sku, storeB)).toMatchObject({ incoming: 20 });

    const partial = await api.call('POST', `/purchase-orders/${po.body.purchaseOrderId}/receipts`, {
      token: admin,
      body: { receiptId: 'r1', locationId: storeB, lines: [{ sku, qty: 8 }] },
    });
    expect(partial.status).toBe(201);
    expect(partial.body.order.status).toBe('PARTIALLY_RECEIVED');
    expect(partial.body.levels[0]).toMatchObject({ onHand: 11, incoming: 12 });
    const again = await api.call('POST', `/purchase-orders/${po.body.purchaseOrderId}/receipts`, {
      token: admin,
      body: { receiptId: 'r1', locationId: storeB, lines: [{ sku, qty: 8 }] },
    });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const rest = await api.call('POST', `/purchase-orders/${po.body.purchaseOrderId}/receipts`, {
      token: admin,
      body: { receiptId: 'r2', locationId: storeB, lines: [{ sku, qty: 12 }] },
    });
    expect(rest.body.order.status).toBe('RECEIVED');
    expect(await level(sku, storeB)).toMatchObject({ onHand: 23, incoming: 0 });
    expect(await suggestions(storeB, sku, 'CLOSED')).toEqual([expect.objectContaining({ reason: expect.stringContaining('received on purchase order') })]);
    await poller.idle();
    expect(await suggestions(storeB, sku)).toEqual([]);
  });

  it('retries a failing record and reports it, without holding back the rest of the batch', async () => {
    const [good, broken] = [uniqueId('ok'), uniqueId('bad')];
    await createProduct(good, { reorder: { min: 5, max: 20 } });
    await createProduct(broken);
    // A product whose stored min/max is inverted (written around the API's validation): its reorder check throws.
    await documentClient.send(
      new PutCommand({
        TableName: tableName(tables.inventory),
        Item: {
          ...inventoryKeys.product(broken),
          entity: entities.product,
          sku: broken,
          name: broken,
          unitCost: 1,
          price: 2,
          currency: 'EUR',
          reorder: { min: 9, max: 2 },
          version: 1,
        },
      }),
    );
    await move({
      type: 'RECEIPT',
      locationId: storeA,
      lines: [
        { sku: good, qty: 3 },
        { sku: broken, qty: 3 },
      ],
    });
    const failedChecks = () => failures.list('stream').filter((f) => f.name === 'reorderCheck');
    await waitFor(
      async () => failedChecks(),
      (failed) => failed.length > 0,
      'the broken record to fail for good',
    );
    expect(await suggestions(storeA, good)).toEqual([expect.objectContaining({ quantity: 17 })]);
    const failed = failedChecks().map((f) => (f.payload as { dynamodb: { Keys: { pk: { S: string } } } }).dynamodb.Keys.pk.S);
    expect(failed).toContain(inventoryKeys.level(broken, storeA).pk);
    expect(failed).not.toContain(inventoryKeys.level(good, storeA).pk);
  });

  it('suggests a transfer from a location holding more than its days of cover before buying', async () => {
    const sku = uniqueId('tr');
    await createProduct(sku, { reorder: { min: 5, max: 20 } });
    await move({ type: 'RECEIPT', locationId: warehouse, lines: [{ sku, qty: 200 }] });
    await move({ type: 'RECEIPT', locationId: storeA, lines: [{ sku, qty: 4 }] });
    const [transfer] = await waitFor(
      () => suggestions(storeA, sku),
      (items) => items.length > 0,
      'a transfer suggestion',
    );
    expect(transfer).toMatchObject({ kind: 'TRANSFER', fromLocationId: warehouse, quantity: 16 });
    expect(transfer.reason).toContain(`transfer from ${warehouse}`);
  });

  it('combines purchase suggestions per supplier into one HQ order rounded up to pack multiples, once per run', async () => {
    const sku = uniqueId('hq');
    const supplierId = uniqueId('SUP');
    await createProduct(sku, { reorder: { min: 5, max: 10 }, packSize: 1, supplierId });
    for (const store of [storeA, storeB]) await move({ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 5 }] });
    await waitFor(
      async () => [...(await suggestions(storeA, sku)), ...(await suggestions(storeB, sku))],
      (items) => items.length === 2,
      'two suggestions',
    );
    // The supplier ships packs of 6 from now on: the combined order is rounded, the suggestions are not.
    const product = await api.call('GET', `/products/${sku}`, { token: admin });
    expect(
      (await api.call('PATCH', `/products/${sku}`, { token: admin, headers: { 'if-match': product.headers.get('etag')! }, body: { packSize: 6 } })).status,
    ).toBe(200);

    const runId = uniqueId('run');
    const placed = await api.call('POST', '/replenishment/hq-orders', { token: admin, body: { runId } });
    expect(placed.status).toBe(201);
    const order = placed.body.orders.find((o: { supplierId: string }) => o.supplierId === supplierId);
    expect(order).toMatchObject({ totalQuantity: 12, rules: ['PACK_MULTIPLE'] });
    // The needs (5 + 5) are consolidated and rounded once; the extra 2 is split by need.
    expect(order.lines).toEqual([
      expect.objectContaining({
        sku,
        needed: 10,
        quantity: 12,
        placement: 'SPLIT_BY_NEED',
        locations: expect.arrayContaining([
          { locationId: storeA, needed: 5, placed: 6 },
          { locationId: storeB, needed: 5, placed: 6 },
        ]),
      }),
    ]);
    // A replay answers the first answer (same status) and opens nothing twice.
    const again = await api.call('POST', '/replenishment/hq-orders', { token: admin, body: { runId } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(placed.body);
    const incoming = [(await level(sku, storeA)).incoming, (await level(sku, storeB)).incoming].sort();
    expect(incoming).toEqual([6, 6]);
  });
});

describe('demand and the forecast', () => {
  it('counts a sale once however often its record arrives, and raises the forecast where a member segment grows', async () => {
    const sku = uniqueId('dm');
    await createProduct(sku, { leadTimeDays: 7, serviceLevel: 0.95 });
    await move({ type: 'RECEIPT', locationId: storeA, lines: [{ sku, qty: 50 }] });
    const entry = { sku, locationId: storeA, movementId: uniqueId('m'), onHandDelta: -3, at: daysAgo(40) };
    expect(await recordDemand(entry)).toBe(true);
    expect(await recordDemand(entry)).toBe(false);
    for (let day = 1; day <= 55; day++) {
      const at = daysAgo(day);
      await recordDemand({ sku, locationId: storeA, movementId: `d-${day}`, onHandDelta: -1, at });
      // GOLD members buy twice as much in the last four weeks as in the four before.
      const goldUnits = day <= 27 ? 1 : day % 2;
      if (goldUnits) await recordMemberDemand({ saleId: `s-${sku}-${day}`, locationId: storeA, at, tier: 'GOLD', lines: [{ sku, qty: goldUnits }] });
    }
    const check = await checkReorder(sku, storeA);
    expect(check?.reorderPoint).toBeGreaterThan(7);
    // A SKU with no level at the location has nothing to check.
    expect(await checkReorder(uniqueId('none'), storeA)).toBeUndefined();
    expect(await level(sku, storeA)).toMatchObject({ reorderPoint: check!.reorderPoint });
    // Not below the reorder point, so no suggestion; the reason is kept for when there is one.
    expect(check?.outcome).toBe('UNCHANGED');
    await move({ type: 'SALE', locationId: storeA, lines: [{ sku, qty: 45 }] });
    const [suggestion] = await waitFor(
      () => suggestions(storeA, sku),
      (items) => items.length > 0,
      'a suggestion',
    );
    expect(suggestion.reason).toMatch(/member demand from GOLD growing \d+ %/);
  });

  it('classifies products A, B and C by annual consumption value', async () => {
    const skus = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    const costs = [1000, 100, 10];
    for (const [i, sku] of skus.entries()) {
      await createProduct(sku, { unitCost: costs[i] });
      await recordDemand({ sku, locationId: storeA, movementId: uniqueId('m'), onHandDelta: -100, at: daysAgo(30) });
    }
    const report = await reclassifyAbc(skus.map((sku, i) => ({ sku, unitCost: costs[i]! })));
    expect(report).toMatchObject({ skus: 3, changed: 3 });
    const classes = await Promise.all(skus.map(async (sku) => (await api.call('GET', `/products/${sku}`, { token: admin })).body));
    expect(classes.map((p) => p.abcClass)).toEqual(['A', 'B', 'C']);
    expect(classes[0].abc).toMatchObject({ rank: 1, value: 100_000 });
    const again = await reclassifyAbc(classes.map((p) => ({ sku: p.sku, unitCost: p.unitCost, abcClass: p.abcClass })));
    expect(again.changed).toBe(0);
    const analysis = await api.call('GET', '/analytics/abc?limit=100', { token: admin });
    expect(analysis.status).toBe(200);
    expect(analysis.body.report.pareto.A.skuCount).toBeGreaterThan(0);
  });
});

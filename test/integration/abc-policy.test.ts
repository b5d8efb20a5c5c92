/**
 * The ABC class policy as the seed article gives it, end to end: HQ runs the
 * classification over `POST /analytics/abc/runs`, then the stream consumer's
 * reorder check gives an A item a LOW safety stock and the plain EOQ, and a C
 * item a HIGHER safety stock and a bulk order (2x EOQ), each reason naming
 * its class. The runs here are trials over their own SKUs (`skus`), so they
 * never reclassify products other test files use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureLog } from '../../infra/local/failure-log.ts';
import type { StreamPoller } from '../../infra/local/stream-poller.ts';
import { checkReorder } from '../../shared/app/replenishment.ts';
import { getProduct } from '../../shared/db/catalog.ts';
import { defaultAbcConfig } from '../../shared/domain/replenishment/abc.ts';
import { serviceLevelFactor } from '../../shared/domain/replenishment/normal.ts';
import { recordDemand } from '../../shared/db/replenishment.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';
import { startStreams, untilStreamsSettle } from '../support/streams.ts';

let api: Api;
let poller: StreamPoller;
let admin: string;
const failures = new FailureLog();
const store = uniqueId('ABCS');
const dayMs = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * dayMs).toISOString();
const leadTimeDays = 4;

const createProduct = async (sku: string, unitCost: number) => {
  const answer = await api.call('POST', '/products', {
    token: admin,
    body: {
      sku,
      name: sku,
      unitCost,
      price: unitCost * 2,
      currency: 'EUR',
      supplierId: 'SUP-ABC',
      leadTimeDays,
      orderingCost: 5000,
      holdingCostPerUnitYear: 100,
    },
  });
  expect(answer.status).toBe(201);
};

const move = async (body: Record<string, unknown>) => {
  const answer = await api.call('POST', '/movements', { token: admin, body: { movementId: uniqueId('m'), ...body } });
  expect(answer.status).toBe(201);
};

const suggestions = async (sku: string) => {
  const answer = await api.call('GET', `/replenishment/suggestions?locationId=${store}&sku=${sku}`, { token: admin });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.items as Record<string, any>[];
};

const waitFor = <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => untilStreamsSettle(poller, read, done, what);

/** A run; `runId` is the idempotency key (the Idempotency-Key header may give it instead). */
const run = (body: Record<string, unknown>, as = admin) =>
  api.call('POST', '/analytics/abc/runs', { token: as, body: { runId: uniqueId('abc-run'), ...body } });

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  expect((await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: store, type: 'STORE', timeZone: 'UTC' } })).status).toBe(201);
  poller = await startStreams(['demand', 'reorderCheck'], failures);
});

afterAll(async () => {
  await poller.stop();
  await api.close();
});

describe('ABC policy from the seed article', () => {
  it('classifies over the API, then gives A a low safety stock and the EOQ, C a higher safety stock and a bulk order', async () => {
    const [a, c] = [uniqueId('abcA'), uniqueId('abcC')];
    // Same demand, same order costs: only the unit cost (and so the class) differs.
    await createProduct(a, 100_000);
    await createProduct(c, 10);
    for (const sku of [a, c]) {
      for (let day = 1; day <= 20; day++) {
        await recordDemand({ sku, locationId: store, movementId: uniqueId('hist'), onHandDelta: day % 2 ? -2 : -9, at: daysAgo(day) });
      }
    }

    const answer = await run({ skus: [a, c] });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ skus: 2, changed: 2, config: defaultAbcConfig });
    expect(answer.body.pareto.A.skuCount).toBe(1);
    expect(answer.body.pareto.C.skuCount).toBe(1);
    const products = await Promise.all([a, c].map(async (sku) => (await api.call('GET', `/products/${sku}`, { token: admin })).body));
    expect(products.map((p) => p.abcClass)).toEqual(['A', 'C']);

    for (const sku of [a, c]) {
      await move({ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 30 }] });
      await move({ type: 'SALE', locationId: store, lines: [{ sku, qty: 25 }] });
    }
    // The stream consumer opens both suggestions, each naming its class.
    for (const [sku, abcClass] of [
      [a, 'A'],
      [c, 'C'],
    ]) {
      const [opened] = await waitFor(
        () => suggestions(sku!),
        (items) => items.length > 0,
        `${abcClass}'s suggestion`,
      );
      expect(opened!.reason).toContain(`class ${abcClass}: `);
    }
    // The stream's reorder check may run before its sale is counted as demand; once all is counted,
    // the same check (the sweep's) settles both on identical demand.
    await poller.idle();
    for (const sku of [a, c]) await checkReorder(sku, store);
    const [[forA], [forC]] = await Promise.all([suggestions(a), suggestions(c)]);

    // The same units, read over each class's window: A's 28 days (a precise, recent forecast), C's 56.
    expect(defaultAbcConfig.policies.A.forecastWindowDays).toBe(28);
    expect(defaultAbcConfig.policies.C.forecastWindowDays).toBe(56);
    expect(forA!.inputs.meanDailyDemand).toBeCloseTo(2 * forC!.inputs.meanDailyDemand, 2);
    expect(forA!.inputs.abcClass).toBe('A');
    expect(forC!.inputs.abcClass).toBe('C');

    // Reorder point = d x L + factor x z x sigma x sqrt(L): A 0.8 x z(0.95), C 1.25 x z(0.98), each on its own forecast.
    const rop = (inputs: { meanDailyDemand: number; stdDevDailyDemand: number }, policy: { serviceLevel: number; safetyStockFactor: number }) =>
      Math.ceil(
        inputs.meanDailyDemand * leadTimeDays +
          policy.safetyStockFactor * serviceLevelFactor(policy.serviceLevel) * inputs.stdDevDailyDemand * Math.sqrt(leadTimeDays) -
          1e-3,
      );
    expect(Math.abs(forA!.reorderPoint - rop(forA!.inputs, defaultAbcConfig.policies.A))).toBeLessThanOrEqual(1);
    expect(Math.abs(forC!.reorderPoint - rop(forC!.inputs, defaultAbcConfig.policies.C))).toBeLessThanOrEqual(1);
    // The safety stock itself: C's factor x z is about twice A's.
    const safety = (policy: { serviceLevel: number; safetyStockFactor: number }) => policy.safetyStockFactor * serviceLevelFactor(policy.serviceLevel);
    expect(safety(defaultAbcConfig.policies.C)).toBeGreaterThan(1.9 * safety(defaultAbcConfig.policies.A));

    // A orders its EOQ, C twice its own.
    expect(forA!.quantity).toBe(forA!.eoq);
    expect(forC!.quantity).toBeGreaterThanOrEqual(2 * forC!.eoq! - 1);
    expect(forC!.quantity).toBeLessThanOrEqual(2 * forC!.eoq! + 4);
    expect(forA!.reason).toMatch(/order \d+ = EOQ [\d.]+[^;]*; class A: strict control, order 1x EOQ, safety x0\.8, 95% service, review 7 d$/);
    expect(forC!.reason).toMatch(/order \d+ = 2 x EOQ [\d.]+[^;]*; class C: loose control, bulk order 2x EOQ, safety x1\.25, 98% service, review 30 d$/);
    expect(failures.list()).toEqual([]);
  });

  it('takes a configuration with the run and refuses one missing a field or with a negative value, naming it', async () => {
    const [x, y] = [uniqueId('abcX'), uniqueId('abcY')];
    await createProduct(x, 1000);
    await createProduct(y, 1);
    for (const sku of [x, y]) await recordDemand({ sku, locationId: store, movementId: uniqueId('hist'), onHandDelta: -10, at: daysAgo(3) });

    const { orderMultiple: _dropped, ...withoutMultiple } = defaultAbcConfig.policies.C;
    const missing = await run({ skus: [x, y], config: { ...defaultAbcConfig, policies: { ...defaultAbcConfig.policies, C: withoutMultiple } } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ path: 'body.config.policies.C.orderMultiple' })]);

    const negative = await run({
      skus: [x, y],
      config: { ...defaultAbcConfig, policies: { ...defaultAbcConfig.policies, A: { ...defaultAbcConfig.policies.A, safetyStockFactor: -0.5 } } },
    });
    expect(negative.status).toBe(400);
    expect(negative.body.errors).toEqual([expect.objectContaining({ path: 'body.config.policies.A.safetyStockFactor' })]);

    const unknown = await run({ skus: [x, uniqueId('nope')] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'body.skus.1' })]);

    // A trial with a stricter A policy: written to the product, the catalogue's configuration untouched.
    const config = { ...defaultAbcConfig, policies: { ...defaultAbcConfig.policies, A: { ...defaultAbcConfig.policies.A, safetyStockFactor: 0.5 } } };
    const trial = await run({ skus: [x, y], config });
    expect(trial.status).toBe(201);
    expect(trial.body.config.policies.A.safetyStockFactor).toBe(0.5);
    expect(await getProduct(x)).toMatchObject({ abcClass: 'A', abcPolicy: { ...defaultAbcConfig.policies.A, safetyStockFactor: 0.5 } });

    const storeStaff = await token({ role: 'store', locations: [store] });
    expect((await run({ skus: [x] }, storeStaff)).status).toBe(403);
  });
});

/**
 * A new item's forecast reads the days it has been stocked, not a whole
 * 56-day window it was not stocked for (forecastWindow): the chain-month
 * simulator found new items reordered too late because their first week of
 * sales was divided by 56. History from before the item was first stocked
 * (migrated from the chain's old system) keeps the whole window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureLog } from '../../infra/local/failure-log.ts';
import type { StreamPoller } from '../../infra/local/stream-poller.ts';
import { checkReorder, demandWindowDays } from '../../shared/app/replenishment.ts';
import { recordDemand } from '../../shared/db/replenishment.ts';
import { minimumForecastDays } from '../../shared/domain/replenishment/demand.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';
import { startStreams } from '../support/streams.ts';

let api: Api;
let poller: StreamPoller;
let admin: string;
const failures = new FailureLog();
const store = uniqueId('COLD');

const createProduct = async (sku: string) => {
  const answer = await api.call('POST', '/products', {
    token: admin,
    body: { sku, name: sku, unitCost: 500, price: 1000, currency: 'EUR', supplierId: 'SUP-COLD', leadTimeDays: 3, orderingCost: 2000 },
  });
  expect(answer.status).toBe(201);
};

const move = async (body: Record<string, unknown>) => {
  const answer = await api.call('POST', '/movements', { token: admin, body: { movementId: uniqueId('m'), ...body } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
};

/** Receives 16, sells 6 and 8 today (2 left: below any reorder point), lets the demand consumer count the sales, and re-checks the level as the sweep would. */
const stockAndSell = async (sku: string) => {
  await move({ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 16 }] });
  await move({ type: 'SALE', locationId: store, lines: [{ sku, qty: 6 }] });
  await move({ type: 'SALE', locationId: store, lines: [{ sku, qty: 8 }] });
  await poller.idle();
  const check = await checkReorder(sku, store);
  expect(check?.suggestion).toBeDefined();
  return check!.suggestion!.inputs as { meanDailyDemand: number };
};

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  expect((await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: store, type: 'STORE', timeZone: 'UTC' } })).status).toBe(201);
  poller = await startStreams(['demand', 'reorderCheck'], failures);
});

afterAll(async () => {
  await poller.stop();
  await api.close();
  expect(failures.list()).toEqual([]);
});

describe('the forecast of a new item', () => {
  it('reads its sales over the days it has been stocked (at least a week), not the whole window', async () => {
    const sku = uniqueId('cold');
    await createProduct(sku);
    const check = await stockAndSell(sku);
    expect(check.meanDailyDemand).toBeCloseTo(14 / minimumForecastDays, 3);
    // The old reading, for scale: 14 / 56 = 0.25 a day, a reorder point an eighth of the real need.
    expect(check.meanDailyDemand).toBeGreaterThan(14 / demandWindowDays);

    // The level as the API shows it does not carry the bookkeeping day.
    const stock = await api.call('GET', `/stock/${sku}`, { token: admin });
    expect(stock.status).toBe(200);
    expect(stock.body.levels[0]).not.toHaveProperty('firstStockedAt');
  });

  it('keeps the whole window for an item with demand from before it was first stocked here (migrated history)', async () => {
    const sku = uniqueId('migrated');
    await createProduct(sku);
    await recordDemand({ sku, locationId: store, movementId: uniqueId('hist'), onHandDelta: -10, at: new Date(Date.now() - 30 * 86_400_000).toISOString() });
    const check = await stockAndSell(sku);
    expect(check.meanDailyDemand).toBeCloseTo((10 + 14) / demandWindowDays, 3);
  });
});

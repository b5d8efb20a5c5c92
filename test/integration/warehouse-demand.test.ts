/**
 * A warehouse's demand is what it ships to the stores (demandUnitsOf): the
 * demand stream counts its TRANSFER_OUT entries, once per movement, so its
 * forecast, reorder point and suggestions see the chain's pull. Before, only
 * sales counted: a warehouse had no demand, a reorder point of 0, and
 * reordered only once empty (the chain-month simulator's week-two
 * stock-outs). A store's transfer to another store is not demand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureLog } from '../../infra/local/failure-log.ts';
import type { StreamPoller } from '../../infra/local/stream-poller.ts';
import { checkReorder, countDemand } from '../../shared/app/replenishment.ts';
import { entities } from '../../shared/db/keys.ts';
import { demandHistory } from '../../shared/db/replenishment.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { nowIso } from '../../shared/clock.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';
import { startStreams } from '../support/streams.ts';

let api: Api;
let poller: StreamPoller;
let admin: string;
const failures = new FailureLog();
const warehouse = uniqueId('WH');
const storeA = uniqueId('STA');
const storeB = uniqueId('STB');
const storeC = uniqueId('STC');

const move = async (body: Record<string, unknown>) => {
  const answer = await api.call('POST', '/movements', { token: admin, body: { movementId: uniqueId('m'), ...body } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
};

const unitsToday = async (sku: string, locationId: string) => {
  const today = dayOf(nowIso());
  return (await demandHistory(sku, locationId, today, today)).reduce((sum, d) => sum + d.units, 0);
};

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  for (const [locationId, type] of [
    [warehouse, 'WAREHOUSE'],
    [storeA, 'STORE'],
    [storeB, 'STORE'],
    [storeC, 'STORE'],
  ]) {
    expect((await api.call('POST', '/locations', { token: admin, body: { locationId, name: locationId, type, timeZone: 'UTC' } })).status).toBe(201);
  }
  poller = await startStreams(['demand', 'reorderCheck'], failures);
});

afterAll(async () => {
  await poller.stop();
  await api.close();
  expect(failures.list()).toEqual([]);
});

describe("a warehouse's demand", () => {
  it('is what it ships to the stores: counted once, and its reorder point and suggestion follow', async () => {
    const sku = uniqueId('wh');
    const product = { sku, name: sku, unitCost: 500, price: 1000, currency: 'EUR', supplierId: 'SUP-WH', leadTimeDays: 3, orderingCost: 2000 };
    expect((await api.call('POST', '/products', { token: admin, body: product })).status).toBe(201);
    await move({ type: 'RECEIPT', locationId: warehouse, lines: [{ sku, qty: 100 }] });
    await move({ type: 'RECEIPT', locationId: storeA, lines: [{ sku, qty: 20 }] });
    // The warehouse ships 50 and 40 to the stores (in transit); store A sells 6 and passes 5 on to store B.
    const shipment = uniqueId('ship');
    await move({ movementId: shipment, type: 'TRANSFER', locationId: warehouse, toLocationId: storeA, ship: true, lines: [{ sku, qty: 50 }] });
    await move({ type: 'TRANSFER', locationId: warehouse, toLocationId: storeB, ship: true, lines: [{ sku, qty: 40 }] });
    await move({ type: 'SALE', locationId: storeA, lines: [{ sku, qty: 6 }] });
    await move({ type: 'TRANSFER', locationId: storeA, toLocationId: storeB, lines: [{ sku, qty: 5 }] });
    await poller.idle();

    expect(await unitsToday(sku, warehouse)).toBe(90);
    expect(await unitsToday(sku, storeA)).toBe(6);
    expect(await unitsToday(sku, storeB)).toBe(0);

    // A redelivered record counts nothing again.
    const at = nowIso();
    await countDemand({
      entity: entities.ledgerEntry,
      type: 'TRANSFER_OUT',
      sku,
      locationId: warehouse,
      movementId: shipment,
      onHandDelta: -50,
      occurredAt: at,
      at,
    });
    expect(await unitsToday(sku, warehouse)).toBe(90);

    // 90 shipped in a day, 10 left: the warehouse's reorder point is above its 10, so it buys now, not when it is empty.
    const check = await checkReorder(sku, warehouse);
    expect(check?.reorderPoint).toBeGreaterThan(10);
    expect(check?.suggestion).toMatchObject({ sku, locationId: warehouse, kind: 'PURCHASE', status: 'OPEN' });
    expect(check?.suggestion?.inputs?.meanDailyDemand).toBeGreaterThan(0);

    // Below its own reorder point, the warehouse still gives a store what it has (all but one unit): it does not hoard for its forecast.
    await move({ type: 'RECEIPT', locationId: storeC, lines: [{ sku, qty: 2 }] });
    await move({ type: 'SALE', locationId: storeC, lines: [{ sku, qty: 2 }] });
    await poller.idle();
    const short = await checkReorder(sku, storeC);
    expect(short?.suggestion).toMatchObject({ locationId: storeC, fromLocationId: warehouse, status: 'OPEN' });
    const given = short?.suggestion?.kind === 'TRANSFER' ? short.suggestion.quantity : short?.suggestion?.transferQuantity;
    expect(given).toBeGreaterThan(0);
    expect(given).toBeLessThanOrEqual(9);
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { type IotDataEndpoint, startIotDataEndpoint } from '../../infra/local/iot-data-endpoint.ts';
import { type LocalBroker, startMqttBroker } from '../../infra/local/mqtt.ts';
import { seedDemoData } from '../../infra/local/seed.ts';
import { type Api, startApi, token } from '../support/local-api.ts';

let api: Api;
/** The demo's dock gate publishes through a real broker, as under npm start. */
let broker: LocalBroker;
let iotData: IotDataEndpoint;
const failures = new FailureLog({});
const seed = () => seedDemoData(api.url, broker.url);

beforeAll(async () => {
  api = await startApi();
  broker = await startMqttBroker({ port: 0, failures });
  iotData = await startIotDataEndpoint(broker);
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotData.url;
});

afterAll(async () => {
  await iotData?.close();
  await broker?.close();
  await api.close();
});

it('seeds demo stock through the API, and seeding again changes nothing', async () => {
  await seed();
  const admin = await token({ role: 'admin' });
  const read = async () => (await api.call('GET', '/stock/SNEAKER-42', { token: admin })).body.levels;
  const first = await read();
  expect(first.map((l: { locationId: string; onHand: number }) => [l.locationId, l.onHand])).toEqual([
    ['STORE-BERLIN', 4],
    ['STORE-MUNICH', 4],
    ['WH-CENTRAL', 30],
  ]);

  await seed();
  expect(await read()).toEqual(first);
  const reorder = await api.call('GET', '/locations/STORE-BERLIN/stock?belowReorderPoint=true', { token: admin });
  expect(reorder.body.items.map((l: { sku: string }) => l.sku)).toEqual(['SNEAKER-42']);

  const anna = await api.call('GET', '/members/m-anna', { token: admin });
  expect(anna.body).toMatchObject({
    tier: 'REGULAR',
    email: 'anna@example.com',
    phone: '+491701234567',
    points: { available: 500, pending: 48 },
    rolling: { spend: 4997, visits: 1 },
  });
  const ben = await api.call('GET', '/members/m-ben', { token: admin });
  expect(ben.body).toMatchObject({ tier: 'GOLD', qualifiedTier: 'REGULAR', paidTier: 'GOLD' });
  const allocations = await api.call('GET', '/products/SNEAKER-LTD/allocations', { token: admin });
  expect(allocations.body.items).toEqual([expect.objectContaining({ quantity: 20, sold: 0, remaining: 20 })]);
});

it('shows stock in the field: damaged and quarantined units, a transfer on its way, an offline sale absorbed by a count, a gate read that confirmed a receipt', async () => {
  await seed();
  const admin = await token({ role: 'admin' });
  const level = async (sku: string, locationId: string) =>
    (await api.call('GET', `/stock/${sku}`, { token: admin })).body.levels.find((l: { locationId: string }) => l.locationId === locationId);
  expect(await level('TEE-BLK-M', 'STORE-BERLIN')).toMatchObject({ damaged: 2 });
  expect(await level('JEANS-32', 'WH-CENTRAL')).toMatchObject({ qualityControl: 6 });

  const transfer = await api.call('GET', '/transfers/demo-ship-socks', { token: admin });
  expect(transfer.body).toMatchObject({ status: 'PARTIALLY_RECEIVED', lines: [{ sku: 'SOCKS-3PK', shipped: 48, received: 24, missing: 24 }] });
  expect(await level('SOCKS-3PK', 'STORE-MUNICH')).toMatchObject({ onHand: 24, incoming: 24 });

  // Munich had 12 caps; counted 11 two hours ago; a sale made three hours ago arrived after the count: it is absorbed.
  expect(await level('CAP-RED', 'STORE-MUNICH')).toMatchObject({ onHand: 11 });
  const ledger = await api.call('GET', '/movements?sku=CAP-RED&locationId=STORE-MUNICH&order=occurredAt', { token: admin });
  expect(ledger.body.items.find((e: { movementId: string }) => e.movementId === 'sale:demo-offline-munich-1')).toMatchObject({
    absorbedBy: 'demo-count-munich-caps',
  });
  // An offline sale of nine jeans where the books had eight.
  expect(await level('JEANS-32', 'STORE-MUNICH')).toMatchObject({ onHand: -1, available: -1 });

  // The delivery note of ten jackets, then the dock gate's reads of them: ten on hand, nothing waiting.
  expect(await level('JACKET-M', 'WH-CENTRAL')).toMatchObject({ onHand: 10 });
  const reconciliation = await api.call('GET', '/locations/WH-CENTRAL/reconciliation', { token: admin });
  expect(reconciliation.status).toBe(200);
  expect(reconciliation.body.items.filter((i: { sku: string }) => i.sku === 'JACKET-M')).toEqual([]);
  expect(failures.list()).toEqual([]);
});

it("seeds again over an admin's edits without failing, and keeps them", async () => {
  await seed();
  const admin = await token({ role: 'admin' });
  const before = await api.call('GET', '/products/CAP-RED', { token: admin });
  const edited = await api.call('PATCH', '/products/CAP-RED', {
    token: admin,
    body: { name: 'Baseball cap, red (edited)', price: 1799 },
    headers: { 'if-match': before.headers.get('etag')! },
  });
  expect(edited.status).toBe(200);
  const allocation = await api.call('PUT', '/products/SNEAKER-LTD/allocations/*', { token: admin, body: { quantity: 12 } });
  expect(allocation.status).toBe(200);

  await seed();
  const kept = await api.call('GET', '/products/CAP-RED', { token: admin });
  expect(kept.body).toMatchObject({ name: 'Baseball cap, red (edited)', price: 1799 });
  const allocations = await api.call('GET', '/products/SNEAKER-LTD/allocations', { token: admin });
  expect(allocations.body.items).toEqual([expect.objectContaining({ quantity: 12 })]);

  // Put the demo data back as the seed made it, so the test above holds in any order.
  const restored = await api.call('PATCH', '/products/CAP-RED', {
    token: admin,
    body: { name: before.body.name, price: before.body.price },
    headers: { 'if-match': kept.headers.get('etag')! },
  });
  expect(restored.status).toBe(200);
  expect((await api.call('PUT', '/products/SNEAKER-LTD/allocations/*', { token: admin, body: { quantity: 20 } })).status).toBe(200);
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoData } from '../../infra/local/seed.ts';
import { type Api, startApi, token } from '../support/local-api.ts';

let api: Api;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api.close();
});

it('seeds demo stock through the API, and seeding again changes nothing', async () => {
  await seedDemoData(api.url);
  const admin = await token({ role: 'admin' });
  const read = async () => (await api.call('GET', '/stock/SNEAKER-42', { token: admin })).body.levels;
  const first = await read();
  expect(first.map((l: { locationId: string; onHand: number }) => [l.locationId, l.onHand])).toEqual([
    ['STORE-BERLIN', 4],
    ['STORE-MUNICH', 4],
    ['WH-CENTRAL', 30],
  ]);

  await seedDemoData(api.url);
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

it("seeds again over an admin's edits without failing, and keeps them", async () => {
  await seedDemoData(api.url);
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

  await seedDemoData(api.url);
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

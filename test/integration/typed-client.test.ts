/**
 * The example frontend flow (test/support/frontend-flow.ts), written against
 * the client openapi-typescript and openapi-fetch make from the OpenAPI
 * document, runs against the local API: register, look up by GTIN, sell to
 * the member, read points, and tell a 409 apart by its problem type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFrontendFlow } from '../support/frontend-flow.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
const store = uniqueId('ST');
const sku = uniqueId('SKU');
// A GTIN-13 with a valid check digit, unique to this run: 12 random digits and their check digit.
const gtin = (() => {
  const body = Array.from({ length: 12 }, (_, i) => (i === 0 ? 2 : Math.floor(Math.random() * 10)));
  const sum = body.reduce((total, digit, i) => total + digit * (i % 2 === 0 ? 1 : 3), 0);
  return [...body, (10 - (sum % 10)) % 10].join('');
})();

beforeAll(async () => {
  api = await startApi();
  const admin = await token({ role: 'admin' });
  const location = await api.call('POST', '/locations', {
    token: admin,
    body: { locationId: store, name: 'Typed client store', type: 'STORE', timeZone: 'Europe/Berlin' },
  });
  expect(location.status).toBe(201);
  const product = await api.call('POST', '/products', {
    token: admin,
    body: { sku, name: 'Espresso beans 250 g', gtin, unitCost: 500, price: 1299, currency: 'EUR' },
  });
  expect(product.status).toBe(201);
  const receipt = await api.call('POST', '/movements', {
    token: admin,
    body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 5 }] },
  });
  expect(receipt.status).toBe(201);
});

afterAll(async () => {
  await api?.close();
});

describe('the typed client flow', () => {
  it('registers, looks up by GTIN, sells with the member, reads points and handles a 409 by its type', async () => {
    const result = await runFrontendFlow({
      baseUrl: api.url,
      token: await token({ role: 'store', locations: [store] }),
      locationId: store,
      gtin,
      runId: uniqueId('flow'),
    });
    expect(result.product.sku).toBe(sku);
    expect(result.receipt).toMatchObject({ memberId: result.member.memberId, total: 1299 });
    expect(result.receipt.pointsEarned).toBeGreaterThanOrEqual(0);
    expect(result.points.available + result.points.pending).toBeGreaterThan(0);
    expect(result.refusal).toEqual([`${sku}: 4 of 10000 in stock at ${store}`]);
  });
});

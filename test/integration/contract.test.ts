/**
 * The HTTP contract a frontend codes against (issue 16, item 8 and 10):
 * `Location` on every 201 whose resource has a GET route, `If-None-Match`
 * -> 304, 405 with `Allow`, HEAD and OPTIONS, and the gateway's own answers
 * as problem+json. Every answer here also passes the contract check
 * (infra/local/contract.ts), which the setup file turns on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
let till: string;
const store = uniqueId('CS');
const warehouse = uniqueId('CW');
const sku = uniqueId('CSKU');

const created = async (path: string, body: unknown, as = admin, headers: Record<string, string> = {}) => {
  const answer = await api.call('POST', path, { token: as, body, headers });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer;
};

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  till = await token({ role: 'store', locations: [store] });
  await created('/locations', { locationId: store, name: 'Contract store', type: 'STORE', timeZone: 'Europe/Berlin' });
  await created('/locations', { locationId: warehouse, name: 'Contract warehouse', type: 'WAREHOUSE', timeZone: 'Europe/Berlin' });
  await created('/products', { sku, name: 'Contract product', unitCost: 100, price: 250, currency: 'EUR' });
  await created('/movements', { movementId: uniqueId('m'), type: 'RECEIPT', locationId: warehouse, lines: [{ sku, qty: 50 }] });
  await created('/movements', { movementId: uniqueId('m'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 10 }] });
});

afterAll(async () => {
  await api.close();
});

describe('the contract check', () => {
  it('is on for the integration tests', () => {
    expect(process.env.STOCKCLUB_CONTRACT_CHECK).toBe('1');
  });
});

describe('Location on 201', () => {
  /** Follows the Location and expects the resource it names. */
  const follow = async (answer: { headers: Headers }, expected: string, as = admin) => {
    const location = answer.headers.get('location');
    expect(location).toBe(expected);
    const read = await api.call('GET', location as string, { token: as });
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    return read.body;
  };

  it('points at the new location and product, also on a replay', async () => {
    const locationId = uniqueId('CL');
    const body = { locationId, name: 'Located', type: 'STORE', timeZone: 'Europe/Berlin' };
    await follow(await created('/locations', body), `/locations/${locationId}`);
    const replay = await created('/locations', body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(`/locations/${locationId}`);
    const productSku = uniqueId('CP');
    await follow(await created('/products', { sku: productSku, name: 'Located', unitCost: 1, price: 2, currency: 'EUR' }), `/products/${productSku}`);
  });

  it('points at the new member, sale, purchase order, campaign and transfer', async () => {
    const member = await created('/members', { name: 'Contract Member', email: `${uniqueId('c')}@example.com` }, till, { 'idempotency-key': uniqueId('reg') });
    const memberId = (member.body as { memberId: string }).memberId;
    await follow(member, `/members/${memberId}`);

    const saleId = uniqueId('s');
    await follow(await created('/sales', { saleId, locationId: store, lines: [{ sku, qty: 1, unitPrice: 250 }] }, till), `/sales/${saleId}`, till);

    const purchaseOrderId = uniqueId('po');
    await follow(
      await created('/purchase-orders', { purchaseOrderId, supplierId: 'SUP-C', lines: [{ sku, locationId: warehouse, qty: 5 }] }),
      `/purchase-orders/${purchaseOrderId}`,
    );

    const campaignId = uniqueId('cmp');
    await follow(
      await created('/campaigns', {
        campaignId,
        name: 'Contract',
        segment: { affinity: { skus: [sku] } },
        channels: ['email'],
        headline: 'Contract',
        text: 'for you.',
      }),
      `/campaigns/${campaignId}`,
    );

    const movementId = uniqueId('tr');
    await created('/movements', { movementId, type: 'TRANSFER', locationId: warehouse, toLocationId: store, ship: true, lines: [{ sku, qty: 2 }] });
    await follow(
      await created(`/transfers/${movementId}/receipts`, { receiptId: uniqueId('rc'), lines: [{ sku, qty: 2 }] }, till),
      `/transfers/${movementId}`,
      till,
    );
  });

  it('points at a movement, which reads back as its booking answered, also on a replay', async () => {
    const movementId = uniqueId('m');
    const body = { movementId, type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 1 }] };
    const movement = await created('/movements', body);
    const read = await follow(movement, `/locations/${store}/movements/${movementId}`, till);
    expect(read).toEqual(movement.body);
    // Later stock changes do not rewrite what the booking answered.
    await created('/movements', { movementId: uniqueId('m'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 3 }] });
    expect((await api.call('GET', `/locations/${store}/movements/${movementId}`, { token: till })).body).toEqual(movement.body);
    const replay = await created('/movements', body);
    expect([replay.headers.get('idempotent-replayed'), replay.headers.get('location')]).toEqual(['true', `/locations/${store}/movements/${movementId}`]);
  });

  it('a movement is 404 when unknown and 403 at another store', async () => {
    const unknown = await api.call('GET', `/locations/${store}/movements/${uniqueId('none')}`, { token: admin });
    expect([unknown.status, unknown.body.type]).toEqual([404, '/problems/not-found']);
    const movementId = uniqueId('m');
    await created('/movements', { movementId, type: 'RECEIPT', locationId: warehouse, lines: [{ sku, qty: 1 }] });
    const elsewhere = await api.call('GET', `/locations/${warehouse}/movements/${movementId}`, { token: till });
    expect(elsewhere.status).toBe(403);
  });

  it('is not sent where the created thing has no GET route', async () => {
    const member = await created('/members', { name: 'Alert Member', email: `${uniqueId('a')}@example.com` }, till, { 'idempotency-key': uniqueId('reg') });
    const alert = await created(`/members/${(member.body as { memberId: string }).memberId}/stock-alerts`, { sku, locationId: store });
    expect(alert.headers.get('location')).toBeNull();
  });
});

describe('If-None-Match', () => {
  it('answers 304 with the ETag and no body while the tag is current, 200 once it is not', async () => {
    const first = await api.call('GET', `/products/${sku}`, { token: admin });
    expect(first.status).toBe(200);
    const tag = first.headers.get('etag') as string;
    expect(tag).toMatch(/^"\d+"$/);

    const unchanged = await api.call('GET', `/products/${sku}`, { token: admin, headers: { 'if-none-match': tag } });
    expect([unchanged.status, unchanged.body, unchanged.headers.get('etag')]).toEqual([304, undefined, tag]);
    expect((await api.call('GET', `/products/${sku}`, { token: admin, headers: { 'if-none-match': `W/${tag}, "x"` } })).status).toBe(304);
    expect((await api.call('GET', `/products/${sku}`, { token: admin, headers: { 'if-none-match': '*' } })).status).toBe(304);

    const patched = await api.call('PATCH', `/products/${sku}`, { token: admin, headers: { 'if-match': tag }, body: { name: 'Contract product, renamed' } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const changed = await api.call('GET', `/products/${sku}`, { token: admin, headers: { 'if-none-match': tag } });
    expect(changed.status).toBe(200);
    expect(changed.body.name).toBe('Contract product, renamed');
    expect(changed.headers.get('etag')).not.toBe(tag);
  });

  it('works on locations, members and the program too', async () => {
    for (const path of [`/locations/${store}`, '/program']) {
      const read = await api.call('GET', path, { token: admin });
      expect(read.status).toBe(200);
      const again = await api.call('GET', path, { token: admin, headers: { 'if-none-match': read.headers.get('etag') as string } });
      expect(again.status, path).toBe(304);
    }
  });

  it('is checked after access: a caller who may not read gets no 304', async () => {
    const read = await api.call('GET', `/locations/${warehouse}`, { token: admin });
    const other = await api.call('GET', `/locations/${warehouse}`, { token: till, headers: { 'if-none-match': read.headers.get('etag') as string } });
    expect(other.status).toBe(403);
  });
});

describe("methods and the gateway's own answers", () => {
  it('answers a known path with the wrong method 405 with Allow, HEAD included', async () => {
    const wrong = await api.call('DELETE', `/products/${sku}`, { token: admin });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('content-type')).toBe('application/problem+json');
    expect(wrong.headers.get('allow')).toBe('GET, PATCH, OPTIONS');
    expect(wrong.body).toMatchObject({ type: '/problems/method-not-allowed', status: 405 });
    const head = await fetch(`${api.url}/products/${sku}`, { method: 'HEAD' });
    expect([head.status, head.headers.get('allow')]).toEqual([405, 'GET, PATCH, OPTIONS']);
  });

  it('answers OPTIONS without a token: 204 with Allow, and the CORS grant on a preflight', async () => {
    const options = await api.call('OPTIONS', `/products/${sku}`);
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'GET, PATCH, OPTIONS']);
    const preflight = await api.call('OPTIONS', '/sales', { headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect((await api.call('OPTIONS', '/no/such/path')).status).toBe(404);
  });

  it('answers no token, an unknown route and a bad path as problem+json (API Gateway in AWS answers {"message"} instead)', async () => {
    for (const [path, status, type] of [
      [`/products/${sku}`, 401, '/problems/unauthorized'],
      ['/no/such/path', 404, '/problems/not-found'],
      ['/products/%E0%A4%A', 400, '/problems/validation-failed'],
    ] as const) {
      const answer = await api.call('GET', path, path.startsWith('/no') || status === 401 ? {} : { token: admin });
      expect(answer.status, path).toBe(status);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body).toMatchObject({ type, status, title: expect.any(String) });
    }
  });
});

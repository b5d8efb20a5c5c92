/**
 * What a browser app needs from the API: CORS (a preflight answered without
 * a token, the headers a client reads exposed, origins from configuration)
 * and a member-safe view of where a product is in stock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
const store = uniqueId('BR-S');
const warehouse = uniqueId('BR-W');
const sku = uniqueId('br');
const origin = 'https://shop.example';

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  for (const [locationId, type] of [
    [store, 'STORE'],
    [warehouse, 'WAREHOUSE'],
  ]) {
    expect((await api.call('POST', '/locations', { token: admin, body: { locationId, name: `Store ${locationId}`, type, timeZone: 'UTC' } })).status).toBe(201);
  }
  expect((await api.call('POST', '/products', { token: admin, body: { sku, name: 'Browser tee', unitCost: 400, price: 1999, currency: 'EUR' } })).status).toBe(
    201,
  );
  for (const locationId of [store, warehouse]) {
    const receipt = await api.call('POST', '/movements', {
      token: admin,
      body: { movementId: uniqueId('m'), type: 'RECEIPT', locationId, lines: [{ sku, qty: 5 }] },
    });
    expect(receipt.status).toBe(201);
  }
});

afterAll(async () => {
  delete process.env.CORS_ALLOWED_ORIGINS;
  await api.close();
});

describe('CORS', () => {
  it('answers a preflight without a token', async () => {
    const preflight = await api.call('OPTIONS', `/stock/${sku}`, {
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('exposes the headers a client reads, on answers and on problems', async () => {
    const created = await api.call('POST', '/movements', {
      token: admin,
      headers: { origin },
      body: { movementId: uniqueId('m'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 1 }] },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe('*');
    expect(created.headers.get('access-control-expose-headers')).toBe('etag, location, idempotent-replayed, retry-after');
    const refused = await api.call('GET', `/stock/${sku}`, { headers: { origin } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('allows only the configured origins when there is a list', async () => {
    process.env.CORS_ALLOWED_ORIGINS = `${origin}, https://console.example`;
    try {
      const allowed = await api.call('GET', '/health', { headers: { origin } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
      expect(allowed.headers.get('vary')).toBe('origin');
      const other = await api.call('GET', '/health', { headers: { origin: 'https://evil.example' } });
      expect(other.status).toBe(200);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      delete process.env.CORS_ALLOWED_ORIGINS;
    }
  });
});

describe('where a product is in stock, for a member app', () => {
  it('lists the stores with what can be bought, without costs, holds, incoming or warehouses', async () => {
    const member = await token({ role: 'member', subject: 'm-browser', memberId: 'm-browser' });
    // A hold at the store: the member sees what is left to buy, not the hold.
    const hold = await api.call('POST', '/movements', {
      token: admin,
      body: {
        movementId: uniqueId('h'),
        type: 'RESERVE',
        locationId: store,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        lines: [{ sku, qty: 2 }],
      },
    });
    expect(hold.status).toBe(201);
    expect((await api.call('GET', `/stock/${sku}`, { token: member })).status).toBe(403);
    const answer = await api.call('GET', `/products/${sku}/availability`, { token: member });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sku, name: 'Browser tee', price: 1999, currency: 'EUR' });
    expect(answer.body.stores.find((s: { locationId: string }) => s.locationId === store)).toEqual({
      locationId: store,
      name: `Store ${store}`,
      available: 4,
      inStock: true,
    });
    expect(answer.body.stores.some((s: { locationId: string }) => s.locationId === warehouse)).toBe(false);
    expect(JSON.stringify(answer.body)).not.toMatch(/unitCost|reserved|incoming/);
    expect((await api.call('GET', `/products/${uniqueId('none')}/availability`, { token: member })).status).toBe(404);
  });
});

describe('lists a client can page', () => {
  it('hands out no cursor when nothing follows: three entries at one a page are three pages, not four (filtered queries too)', async () => {
    const pages: number[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ sku, locationId: warehouse, limit: '1', ...(cursor ? { cursor } : {}) });
      const answer = await api.call('GET', `/movements?${query}`, { token: admin });
      expect(answer.status).toBe(200);
      pages.push(answer.body.items.length);
      cursor = answer.body.cursor;
    } while (cursor);
    // The warehouse has one receipt: one page, no cursor.
    expect(pages).toEqual([1]);

    const member = await api.call('POST', '/members', {
      token: admin,
      body: { name: 'Pager', email: `${uniqueId('pager')}@example.com` },
      headers: { 'idempotency-key': uniqueId('reg') },
    });
    const memberId = member.body.memberId as string;
    for (const points of [10, 20]) {
      const adjusted = await api.call('POST', `/members/${memberId}/points/adjustments`, {
        token: admin,
        body: { adjustmentId: uniqueId('adj'), points, reason: 'paging' },
      });
      expect(adjusted.status).toBe(201);
    }
    const entryPages: number[] = [];
    cursor = undefined;
    do {
      const answer: { body: { items: unknown[]; cursor?: string } } = await api.call(
        'GET',
        `/members/${memberId}/points/entries?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { token: admin },
      );
      entryPages.push(answer.body.items.length);
      cursor = answer.body.cursor;
    } while (cursor);
    // The welcome gift and two adjustments.
    expect(entryPages).toEqual([1, 1, 1]);
  });
});

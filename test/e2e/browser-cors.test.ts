/**
 * A browser `fetch` from another origin, in a real (headless) Chromium: the
 * page is served from one port, the API from another, so every call is
 * cross-origin and the browser enforces CORS (preflights, exposed headers,
 * blocked origins) as it would for a frontend. playwright-core drives
 * Debian's Chromium (`CHROMIUM_PATH`, `/usr/bin/chromium` by default) and
 * never downloads a browser.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../infra/local/auth.ts';
import { type LocalCloud, startLocalCloud } from '../../infra/local/cloud.ts';

const suffix = Math.random().toString(36).slice(2, 10);
const store = `BC-S-${suffix}`;
const sku = `bc-${suffix}`;
const product = { sku, name: 'Browser sneaker', unitCost: 400, price: 1999, currency: 'EUR' };

let cloud: LocalCloud;
let browser: Browser;
let allowedPage: Page;
let blockedPage: Page;
let admin: string;
let member: string;
const servers: Server[] = [];
const previousOrigins = process.env.CORS_ALLOWED_ORIGINS;

/** A tiny static page server on its own port: a page on its origin. */
const startPageServer = async (): Promise<string> => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>shop</title><p>a frontend</p>');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const adminCall = async (method: string, path: string, body: unknown) => {
  const answer = await fetch(`${cloud.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return answer.status;
};

/** What a page's script sees of a cross-origin `fetch`: status, the headers it may read, the body; or the error it rejects with. */
interface Seen {
  readonly status?: number;
  readonly contentType?: string | null;
  readonly headers?: Record<string, string | null>;
  readonly body?: unknown;
  readonly error?: { name: string; message: string };
}

const fetchFrom = (page: Page, url: string, init: { method?: string; token: string; body?: unknown }, read: readonly string[] = []): Promise<Seen> =>
  page.evaluate(
    async ({ url, init, read }) => {
      try {
        const answer = await fetch(url, {
          method: init.method ?? 'GET',
          headers: {
            authorization: `Bearer ${init.token}`,
            ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        });
        return {
          status: answer.status,
          contentType: answer.headers.get('content-type'),
          headers: Object.fromEntries(read.map((name) => [name, answer.headers.get(name)])),
          body: await answer.json(),
        };
      } catch (error) {
        return { error: { name: (error as Error).name, message: (error as Error).message } };
      }
    },
    { url, init, read },
  );

beforeAll(async () => {
  const allowedOrigin = await startPageServer();
  const blockedOrigin = await startPageServer();
  // The gateway reads the setting on every request: only the first page's origin may call.
  process.env.CORS_ALLOWED_ORIGINS = allowedOrigin;
  cloud = await startLocalCloud({ port: 0, mqttPort: 0, empty: true, schedules: false });
  admin = await signLocalToken({ role: 'admin' });
  member = await signLocalToken({ role: 'member', subject: `m-${suffix}`, memberId: `m-${suffix}` });
  expect(await adminCall('POST', '/locations', { locationId: store, name: 'Browser store', type: 'STORE', timeZone: 'UTC' })).toBe(201);
  expect(await adminCall('POST', '/products', product)).toBe(201);
  expect(await adminCall('POST', '/movements', { movementId: `m-${suffix}`, type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 5 }] })).toBe(201);

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  allowedPage = await browser.newPage();
  await allowedPage.goto(allowedOrigin);
  blockedPage = await browser.newPage();
  await blockedPage.goto(blockedOrigin);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  if (previousOrigins === undefined) delete process.env.CORS_ALLOWED_ORIGINS;
  else process.env.CORS_ALLOWED_ORIGINS = previousOrigins;
});

describe('a page on an allowed origin, in headless Chromium', () => {
  it('reads stock with a bearer token: the preflight passes, the answer and its body are readable', async () => {
    const seen = await fetchFrom(allowedPage, `${cloud.url}/stock/${sku}`, { token: admin });
    expect(seen.error).toBeUndefined();
    expect(seen.status).toBe(200);
    expect(JSON.stringify(seen.body)).toContain(store);
  });

  it('runs the README snippet: a member app reads where a product is in stock', async () => {
    const seen = await fetchFrom(allowedPage, `${cloud.url}/products/${sku}/availability`, { token: member });
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ sku, name: product.name, price: 1999, currency: 'EUR', stores: [{ locationId: store, available: 5, inStock: true }] });
  });

  it('reads the exposed headers: ETag on a read, Location and Idempotent-Replayed on a repeated create', async () => {
    const read = await fetchFrom(allowedPage, `${cloud.url}/products/${sku}`, { token: admin }, ['etag']);
    expect(read.status).toBe(200);
    expect(read.headers?.etag).toBe('"1"');
    // A JSON POST is not a simple request: the browser preflights it before sending.
    const again = await fetchFrom(allowedPage, `${cloud.url}/products`, { method: 'POST', token: admin, body: product }, ['location', 'idempotent-replayed']);
    expect(again.status).toBe(201);
    expect(again.headers).toEqual({ location: `/products/${sku}`, 'idempotent-replayed': 'true' });
    expect(again.body).toMatchObject({ sku, version: 1 });
  });

  it('reads a problem: a 409 with its application/problem+json body', async () => {
    const seen = await fetchFrom(allowedPage, `${cloud.url}/products`, { method: 'POST', token: admin, body: { ...product, price: 2999 } });
    expect(seen.status).toBe(409);
    expect(seen.contentType).toMatch(/^application\/problem\+json/);
    expect(seen.body).toMatchObject({ status: 409, type: expect.stringMatching(/already-exists$/), title: expect.any(String) });
  });
});

describe('a page on an origin that is not allowed', () => {
  it('has the same fetch blocked by the browser: it rejects with a TypeError', async () => {
    const seen = await fetchFrom(blockedPage, `${cloud.url}/stock/${sku}`, { token: admin });
    expect(seen.status).toBeUndefined();
    expect(seen.error?.name).toBe('TypeError');
    // The API itself is up and answers a request without an Origin.
    expect((await fetch(`${cloud.url}/stock/${sku}`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
  });
});

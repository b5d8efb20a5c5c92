/**
 * The HQ console (web/console) in a real headless Chromium against the local
 * cloud, served by the gateway at /console/: sign-in, a SKU across the chain,
 * store scoping, the empty and no-permission states, and live updates pushed
 * over MQTT over WebSocket (a sale changes the number on screen without a
 * reload; an unsold item leaving through an exit gate raises an alarm).
 * playwright-core drives Debian's Chromium (`CHROMIUM_PATH`, /usr/bin/chromium
 * by default) and never downloads a browser.
 */
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../infra/local/auth.ts';
import { type LocalCloud, startLocalCloud } from '../../infra/local/cloud.ts';
import { connectGate, type GateConnection, publishMessages, tagEpcs } from '../../infra/local/gate-simulator.ts';
import { gs1CheckDigit } from '../../shared/domain/epc.ts';

const suffix = Math.random().toString(36).slice(2, 8).toUpperCase();
const storeA = `CON-A-${suffix}`;
const storeB = `CON-B-${suffix}`;
const sku = `con-tee-${suffix.toLowerCase()}`;
const unstocked = `con-none-${suffix.toLowerCase()}`;
const short = `con-low-${suffix.toLowerCase()}`;
const itemReference = 10_000 + Math.floor(Math.random() * 80_000);
const gtinDigits = `80614141${itemReference}`;
const gtin = `${gtinDigits}${gs1CheckDigit(gtinDigits)}`;

let cloud: LocalCloud;
let browser: Browser;
let admin: string;
const contexts: BrowserContext[] = [];
const gates: GateConnection[] = [];

const call = async (method: string, path: string, body?: unknown, token = admin) => {
  const answer = await fetch(`${cloud.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  return { status: answer.status, body: text ? JSON.parse(text) : undefined };
};

/** A fresh page at the console, signed in by pasting the token as a user would. */
const signedIn = async (token: string, hash = '', width = 1280): Promise<Page> => {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${cloud.url}/console/${hash}`);
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('who').waitFor();
  return page;
};

const cell = (page: Page, row: string, field: string) => page.getByTestId(row).locator(`[data-field="${field}"]`);

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, mqttPort: 0, empty: true, schedules: false });
  admin = await signLocalToken({ role: 'admin' });
  for (const [locationId, name] of [
    [storeA, 'Console store A'],
    [storeB, 'Console store B'],
  ] as const) {
    expect((await call('POST', '/locations', { locationId, name, type: 'STORE', timeZone: 'Europe/Berlin' })).status).toBe(201);
  }
  expect((await call('POST', '/products', { sku, name: 'Console tee', gtin, unitCost: 500, price: 1999, currency: 'EUR' })).status).toBe(201);
  expect((await call('POST', '/products', { sku: unstocked, name: 'Never stocked', unitCost: 100, price: 500, currency: 'EUR' })).status).toBe(201);
  expect((await call('POST', '/movements', { movementId: `con-a-${suffix}`, type: 'RECEIPT', locationId: storeA, lines: [{ sku, qty: 12 }] })).status).toBe(
    201,
  );
  expect((await call('POST', '/movements', { movementId: `con-b-${suffix}`, type: 'RECEIPT', locationId: storeB, lines: [{ sku, qty: 7 }] })).status).toBe(201);
  // Below its reorder minimum at store B with no donor anywhere: the stream consumer suggests a purchase.
  expect(
    (await call('POST', '/products', { sku: short, name: 'Short sock', unitCost: 100, price: 500, currency: 'EUR', reorder: { min: 5, max: 20 } })).status,
  ).toBe(201);
  expect(
    (await call('POST', '/movements', { movementId: `con-low-${suffix}`, type: 'RECEIPT', locationId: storeB, lines: [{ sku: short, qty: 2 }] })).status,
  ).toBe(201);
  await cloud.settled();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 180_000);

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await Promise.all(gates.map((g) => g.client.endAsync()));
  await browser?.close();
  await cloud?.stop();
});

describe('the console at /console/', () => {
  it('is served with the security headers CloudFront sets, and a config.json pointing at this API', async () => {
    const page = await fetch(`${cloud.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const config = await (await fetch(`${cloud.url}/console/config.json`)).json();
    expect(config).toEqual({ apiUrl: cloud.url, mqttUrl: `${cloud.url.replace('http', 'ws')}/mqtt`, localTokens: true });
  });

  it('signs in an admin with a pasted token and shows a SKU at every location', async () => {
    const page = await signedIn(admin, `#/sku/${sku}`);
    await expect.poll(() => cell(page, `level-${storeA}`, 'available').textContent()).toBe('12');
    expect(await cell(page, `level-${storeB}`, 'available').textContent()).toBe('7');
    for (const field of ['reserved', 'incoming', 'damaged']) expect(await cell(page, `level-${storeA}`, field).textContent()).toBe('0');
    expect(await page.getByTestId(`level-${storeA}`).textContent()).toContain('Console store A');
  });

  it('refuses a pasted string that is not a token, and says so', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${cloud.url}/console/`);
    await page.getByLabel('Bearer token').fill('not a token');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByTestId('signin-error').textContent()).toMatch(/not a bearer token/);
  });

  it("shows a store user its own numbers only: no row for the other store, and no permission on the other store's page", async () => {
    const store = await signLocalToken({ role: 'store', locations: [storeA] });
    const page = await signedIn(store, `#/sku/${sku}`);
    await expect.poll(() => cell(page, `level-${storeA}`, 'available').textContent()).toBe('12');
    expect(await page.getByTestId(`level-${storeB}`).count()).toBe(0);
    expect(await page.getByTestId('sku-levels').textContent()).not.toContain('Console store B');

    await page.goto(`${cloud.url}/console/#/location/${storeB}`);
    await page.getByTestId('no-permission').waitFor();
    expect(await page.getByTestId('location-levels').count()).toBe(0);
    // HQ's ABC analysis is admin only: the same state, not an error.
    await page.goto(`${cloud.url}/console/#/abc`);
    await page.getByTestId('no-permission').waitFor();
  });

  it('shows the empty states: a SKU stocked nowhere, a location with nothing at or below its reorder point, no gate events yet', async () => {
    const page = await signedIn(admin, `#/sku/${unstocked}`);
    await expect.poll(() => page.getByTestId('empty').textContent()).toContain(`No stock of ${unstocked}`);
    await page.goto(`${cloud.url}/console/#/location/${storeA}`);
    await expect.poll(() => cell(page, `level-${sku}`, 'available').textContent()).toBe('12');
    await page.getByLabel('at or below reorder point').check();
    await expect.poll(() => page.getByTestId('empty').first().textContent()).toContain('Nothing at or below its reorder point');
    await page.goto(`${cloud.url}/console/#/gates`);
    await expect.poll(() => page.getByTestId('empty').textContent()).toContain('No gate events');
  });

  it('accepts a reorder suggestion: a purchase order opens and the suggestion leaves the open list', async () => {
    const page = await signedIn(admin, '#/suggestions');
    const row = page.getByTestId(`suggestion-${short}-${storeB}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('PURCHASE');
    await row.getByRole('button', { name: 'Order' }).click();
    await expect.poll(() => page.getByTestId('accept-outcome').textContent()).toMatch(/^Purchase order console-po-[\w-]+ opened$/);
    const purchaseOrderId = /console-po-[\w-]+/.exec((await page.getByTestId('accept-outcome').textContent()) ?? '')![0];
    const order = await call('GET', `/purchase-orders/${purchaseOrderId}`);
    expect(order.body).toMatchObject({ status: 'OPEN', lines: [{ sku: short, locationId: storeB, received: 0 }] });
    await expect.poll(() => row.count()).toBe(0);
    expect((await call('GET', `/stock/${short}`)).body.levels[0].incoming).toBe(order.body.lines[0].qty);
  });

  it('works on a 390 px phone screen: the levels table scrolls inside its box, not the page', async () => {
    const page = await signedIn(admin, `#/sku/${sku}`, 390);
    await expect.poll(() => cell(page, `level-${storeA}`, 'available').textContent()).toBe('12');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  });
});

describe('live, pushed over MQTT over WebSocket', () => {
  it('changes the available number within 2 s of a sale, without a reload', async () => {
    const page = await signedIn(admin, `#/sku/${sku}`);
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 10_000 }).toBe('Live: connected');
    const before = Number(await cell(page, `level-${storeA}`, 'available').textContent());
    await page.evaluate('window.notReloaded = true');
    const sale = await call('POST', '/sales', { saleId: `con-sale-${suffix}`, locationId: storeA, lines: [{ sku, qty: 2, unitPrice: 1999 }] });
    expect(sale.status).toBe(201);
    const soldAt = Date.now();
    await expect.poll(() => cell(page, `level-${storeA}`, 'available').textContent(), { timeout: 2000, interval: 50 }).toBe(String(before - 2));
    expect(Date.now() - soldAt).toBeLessThan(2000);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
  }, 30_000);

  it('says when the live connection is lost and when it is back', async () => {
    // The page comes through a TCP proxy (its config.json then names the proxy for the WebSocket too), whose connections the test cuts.
    const sockets = new Set<Socket>();
    const proxy = createNetServer((client) => {
      const upstream = connect(Number(new URL(cloud.url).port), '127.0.0.1');
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      for (const socket of [client, upstream]) socket.on('error', () => socket.destroy()).on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      const port = (proxy.address() as AddressInfo).port;
      await page.goto(`http://127.0.0.1:${port}/console/#/sku/${sku}`);
      await page.getByLabel('Bearer token').fill(admin);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const status = () => page.getByTestId('live-status').textContent();
      await expect.poll(status, { timeout: 10_000 }).toBe('Live: connected');
      const closed = new Promise((resolve) => proxy.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
      await expect.poll(status, { timeout: 5000 }).toBe('Live: connection lost, reconnecting…');
      await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
      await expect.poll(status, { timeout: 15_000 }).toBe('Live: reconnected');
    } finally {
      for (const socket of sockets) socket.destroy();
      if (proxy.listening) await new Promise((resolve) => proxy.close(resolve));
    }
  }, 60_000);

  it('shows an alarm when an unsold item passes an exit gate', async () => {
    const page = await signedIn(admin, '#/gates');
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 10_000 }).toBe('Live: connected');
    const door = await connectGate(cloud.mqttUrl, storeA, 'DOOR-1');
    gates.push(door);
    const [epc] = tagEpcs([gtin], 1, 7001);
    const at = new Date().toISOString();
    await publishMessages(door, storeA, 'DOOR-1', [{ readAt: at, direction: 'OUT', reads: [{ epc: epc!, antenna: 1, rssi: -50, at }] }]);
    await door.waitFor('ACK', 1);
    const alarm = page.getByTestId('alarm').first();
    await alarm.waitFor({ timeout: 5000 });
    expect(await alarm.textContent()).toMatch(/Alarm: UNSOLD_EXIT[\s\S]*Console store A[\s\S]*DOOR-1[\s\S]*7001/);
    expect(await page.getByRole('link', { name: /Gates \(1 alarm\)/ }).count()).toBe(1);
  }, 30_000);
});

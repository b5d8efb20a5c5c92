/**
 * `npm run console:screenshots`: the README's pictures of the HQ console.
 * Starts the local cloud with the demo chain (free ports), adds what the
 * views show (an ABC run, the replenishment sweep, a campaign), opens the
 * console in headless Chromium (Debian's, as the browser tests do) and writes
 * docs/screenshots/*.png at 1280 px and one at 390 px. Run by hand when the
 * console changes; no test reads the files.
 */
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { signLocalToken } from '../infra/local/auth.ts';
import { startLocalCloud } from '../infra/local/cloud.ts';
import { connectGate, publishMessages, tagEpcs } from '../infra/local/gate-simulator.ts';
import { demoProducts } from '../infra/local/seed.ts';

const out = join(import.meta.dirname, '../docs/screenshots');
const cloud = await startLocalCloud({ port: 0, mqttPort: 0, schedules: false });
const admin = await signLocalToken({ role: 'admin' });
const call = async (method: string, path: string, body?: unknown) => {
  const answer = await fetch(`${cloud.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!answer.ok) console.warn(`${method} ${path}: ${answer.status} ${await answer.text()}`);
};

try {
  await call('POST', '/analytics/abc/runs', { runId: 'screenshots-abc' });
  await call('POST', '/_local/jobs/replenishmentSweep');
  await call('POST', '/campaigns', {
    campaignId: 'spring-gold',
    name: 'Spring for Gold members',
    segment: { minTier: 'GOLD' },
    channels: ['email'],
    headline: 'Spring is in store',
    text: 'Early access to the spring collection, just for you.',
  });
  await cloud.settled();

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const shoot = async (name: string, hash: string, width: number, ready: string) => {
    const page = await browser.newPage({ viewport: { width, height: width < 600 ? 844 : 800 }, deviceScaleFactor: 1 });
    await page.goto(`${cloud.url}/console/`);
    await page.getByLabel('Bearer token').fill(admin);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('who').waitFor();
    await page.goto(`${cloud.url}/console/${hash}`);
    await page.locator(ready).first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    await page.close();
    console.log(`docs/screenshots/${name}.png`);
  };
  const signIn = await browser.newPage({ viewport: { width: 1280, height: 700 } });
  await signIn.goto(`${cloud.url}/console/`);
  await signIn.getByLabel('Bearer token').waitFor();
  await signIn.screenshot({ path: join(out, 'sign-in.png') });
  await signIn.close();
  await shoot('sku', '#/sku/SNEAKER-42', 1280, '[data-testid="sku-levels"]');
  await shoot('location', '#/location/STORE-BERLIN', 1280, '[data-testid="location-levels"]');
  await shoot('suggestions', '#/suggestions', 1280, '[data-testid="suggestions"], [data-testid="empty"]');
  await shoot('abc', '#/abc', 1280, '[data-testid="pareto"], [data-testid="empty"]');
  await shoot('campaign', '#/campaign/spring-gold', 1280, '[data-testid="campaign"]');
  await shoot('sku-phone', '#/sku/SNEAKER-42', 390, '[data-testid="sku-levels"]');

  // Gates: the page is open and live when a T-shirt nobody sold leaves Berlin through the door gate.
  const gates = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await gates.goto(`${cloud.url}/console/`);
  await gates.getByLabel('Bearer token').fill(admin);
  await gates.getByRole('button', { name: 'Sign in', exact: true }).click();
  await gates.getByTestId('who').waitFor();
  await gates.goto(`${cloud.url}/console/#/gates`);
  await gates.getByTestId('live-status').filter({ hasText: 'Live: connected' }).waitFor({ timeout: 10_000 });
  const door = await connectGate(cloud.mqttUrl, 'STORE-BERLIN', 'DOOR-1');
  const tee = demoProducts.find((p) => p.sku === 'TEE-BLK-M')!;
  const at = new Date().toISOString();
  const reads = tagEpcs([tee.gtin], 2, 9001).map((epc) => ({ epc, antenna: 1, rssi: -52, at }));
  await publishMessages(door, 'STORE-BERLIN', 'DOOR-1', [{ readAt: at, direction: 'OUT', reads }]);
  await door.waitFor('ACK', 1);
  await gates.getByTestId('alarm').first().waitFor({ timeout: 10_000 });
  await gates.waitForTimeout(500);
  await gates.screenshot({ path: join(out, 'gates.png'), fullPage: true });
  await door.close();
  await gates.close();
  console.log('docs/screenshots/gates.png');
  await browser.close();
} finally {
  await cloud.stop();
}

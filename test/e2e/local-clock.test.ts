import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../infra/local/auth.ts';
import { type LocalCloud, startLocalCloud } from '../../infra/local/cloud.ts';
import { nowMillis } from '../../shared/clock.ts';

let cloud: LocalCloud;

const setClock = async (at: string) =>
  fetch(`${cloud.url}/_local/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ at }) });

const call = async (method: string, path: string, token: string, body?: unknown) => {
  const response = await fetch(`${cloud.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, mqttPort: 0, empty: true });
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('the local clock', { sequential: true }, () => {
  it('moves forward only and runs, in time order, what fell due on the way', async () => {
    const start = (await (await fetch(`${cloud.url}/_local/clock`)).json()) as { now: string };
    expect(Math.abs(Date.parse(start.now) - Date.now())).toBeLessThan(5_000);

    // To noon of the day after next: every daily job twice, each rate job once.
    const midnight = new Date(Date.parse(start.now.slice(0, 10)) + 86_400_000);
    const target = new Date(midnight.getTime() + 36 * 3_600_000);
    const moved = await setClock(target.toISOString());
    expect(moved.status).toBe(200);
    const { now, jobs } = (await moved.json()) as { now: string; jobs: { name: string; time: string }[] };
    expect(Date.parse(now)).toBeGreaterThanOrEqual(target.getTime());
    const times = jobs.map((job) => job.time);
    expect(times).toEqual([...times].sort());
    const runsOf = (name: string) => jobs.filter((job) => job.name === name).map((job) => job.time);
    // A daily job's occurrences after the start (today's too, when the test starts before it) up to the target.
    const dailyAt = (time: string) =>
      [0, 1, 2]
        .map((days) => `${new Date(Date.parse(start.now.slice(0, 10)) + days * 86_400_000).toISOString().slice(0, 10)}T${time}.000Z`)
        .filter((at) => at > start.now && Date.parse(at) <= target.getTime());
    expect(runsOf('expirePoints')).toEqual(dailyAt('00:15:00'));
    expect(runsOf('expirePoints').length).toBeGreaterThanOrEqual(2);
    expect(runsOf('tierReview')).toEqual(dailyAt('03:00:00'));
    expect(runsOf('releaseExpiredHolds')).toHaveLength(1);
    // Hourly at five past: every hour of the skipped time.
    expect(runsOf('birthdayGifts').length).toBeGreaterThanOrEqual(36);
    expect(cloud.failures.list('schedule')).toEqual([]);

    // The clock is the one the product reads, and it goes on ticking from there.
    expect(nowMillis()).toBeGreaterThanOrEqual(target.getTime());

    const back = await setClock(start.now);
    expect(back.status).toBe(409);
    expect(await back.json()).toMatchObject({ message: expect.stringMatching(/forward only/) });
    expect((await setClock('yesterday')).status).toBe(400);
    expect((await fetch(`${cloud.url}/_local/clock`, { method: 'POST', body: '{' })).status).toBe(400);
  });

  it('dates what the product writes on the simulated clock, and expires tokens on it', async () => {
    const admin = await signLocalToken({ role: 'admin' });
    const sku = `CLOCK-${Date.now()}`;
    expect((await call('POST', '/products', admin, { sku, name: sku, unitCost: 100, price: 200, currency: 'EUR' })).status).toBe(201);
    expect((await call('POST', '/locations', admin, { locationId: 'STORE-CLOCK', name: 'Clock', type: 'STORE', timeZone: 'UTC' })).status).toBe(201);
    const simulatedNow = nowMillis();
    const receipt = await call('POST', '/movements', admin, { movementId: `m-${sku}`, type: 'RECEIPT', locationId: 'STORE-CLOCK', lines: [{ sku, qty: 3 }] });
    expect(receipt.status).toBe(201);
    const ledger = await call('GET', `/movements?sku=${sku}&locationId=STORE-CLOCK`, admin);
    const bookedAt = Date.parse(String((ledger.body.items as { at: string }[])[0]?.at));
    expect(bookedAt).toBeGreaterThanOrEqual(simulatedNow);
    expect(bookedAt - simulatedNow).toBeLessThan(60_000);

    // A token signed now lives 12 hours of simulated time.
    expect((await setClock(new Date(nowMillis() + 13 * 3_600_000).toISOString())).status).toBe(200);
    expect((await call('GET', `/stock/${sku}`, admin)).status).toBe(401);
    expect((await call('GET', `/stock/${sku}`, await signLocalToken({ role: 'admin' }))).status).toBe(200);
  });
});

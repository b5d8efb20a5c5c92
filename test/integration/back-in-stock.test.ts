import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localClock } from '../../infra/local/clock.ts';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { type StreamPoller, startStreamPoller } from '../../infra/local/stream-poller.ts';
import { streamConsumers } from '../../infra/streams.ts';
import { releaseDueWaves } from '../../shared/app/stock-alerts.ts';
import { nowIso, nowMillis } from '../../shared/clock.ts';
import { defaultBackInStockWaveMinutes } from '../../shared/domain/tiers.ts';
import { addDays, dayOf, minuteMillis } from '../../shared/domain/time.ts';
import { outbox } from '../../shared/messaging/outbox.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

/**
 * Back-in-stock waves (issue 18 part 5), through the stream consumer against
 * DynamoDB Local: the first wave is told when the level comes back, later
 * waves when the local clock reaches their time (the deferred-messages job
 * releases them with `releaseDueWaves`; called here directly, so this file
 * sends nothing other files deferred).
 */
let api: Api;
let admin: string;
let till: string;
let poller: StreamPoller;
const clock = localClock();
const store = uniqueId('BW');
const wave = defaultBackInStockWaveMinutes * minuteMillis;

/** What the deferred-messages job does for waves: yesterday's and today's index, on the local clock. */
const releaseWaves = async () => {
  const now = nowIso();
  const counts: Record<string, number> = {};
  for (const day of [dayOf(addDays(now, -1)), dayOf(now)]) {
    const page = await releaseDueWaves(day, now);
    for (const [status, n] of Object.entries(page.counts)) if (n > 0) counts[status] = (counts[status] ?? 0) + n;
  }
  return counts;
};

const moveClock = (millis: number) => clock.moveTo(new Date(nowMillis() + millis));

const move = async (sku: string, type: 'RECEIPT' | 'SALE', qty: number) =>
  expect(
    (await api.call('POST', '/movements', { token: admin, body: { movementId: uniqueId('m'), locationId: store, type, lines: [{ sku, qty }] } })).status,
  ).toBe(201);

const member = async (tier?: 'GOLD' | 'PLATINUM') => {
  const registered = await api.call('POST', '/members', {
    token: till,
    headers: { 'idempotency-key': uniqueId('reg') },
    body: { name: 'Wave Member', phone: `+4917${String(Math.floor(1e7 + Math.random() * 8e7))}`, consent: { sms: true } },
  });
  expect(registered.status).toBe(201);
  if (tier) {
    const paid = await api.call('POST', `/members/${registered.body.memberId}/paid-tier`, {
      token: till,
      body: { paymentId: uniqueId('p'), tier, months: 1, fee: tier === 'GOLD' ? 900 : 1900 },
    });
    expect(paid.status).toBe(201);
  }
  return registered.body as { memberId: string; phone: string };
};

const subscribe = async (memberId: string, sku: string) => {
  const answer = await api.call('POST', `/members/${memberId}/stock-alerts`, { token: till, body: { sku, locationId: store } });
  expect(answer.status).toBe(201);
  return answer.body as { status: string; subscribedAt: string; dueAt?: string };
};

beforeAll(async () => {
  process.env.MESSAGES_TRANSPORT = 'outbox';
  api = await startApi();
  admin = await token({ role: 'admin' });
  till = await token({ role: 'store', locations: [store] });
  expect((await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: 'Wave store', type: 'STORE', timeZone: 'UTC' } })).status).toBe(
    201,
  );
  poller = await startStreamPoller({
    endpoint: inject('dynamoEndpoint'),
    tableEnv: inject('tableEnv'),
    failures: new FailureLog(),
    consumers: [['backInStock', streamConsumers.backInStock]],
  });
});

afterAll(async () => {
  await poller.stop();
  await api.close();
  clock.reset();
});

describe('back-in-stock waves', () => {
  it('tells the highest tier now, the next tier a wave later, and a later wave only if the stock is still there', async () => {
    const sku = uniqueId('wave');
    expect((await api.call('POST', '/products', { token: admin, body: { sku, name: 'Wave runner', unitCost: 1, price: 2, currency: 'EUR' } })).status).toBe(
      201,
    );
    const [regular1, gold, regular2, platinum] = [await member(), await member('GOLD'), await member(), await member('PLATINUM')];
    for (const m of [regular1, gold, regular2, platinum]) expect((await subscribe(m.memberId, sku)).status).toBe('ACTIVE');
    const phones = [regular1, gold, regular2, platinum].map((m) => m.phone);
    const told = () =>
      outbox
        .list()
        .filter((m) => phones.includes(m.to))
        .map((m) => m.to);

    // The stock comes back: PLATINUM, the highest tier waiting, is told at once; GOLD and the regulars are scheduled.
    const restocked = nowMillis();
    await move(sku, 'RECEIPT', 5);
    for (let i = 0; i < 100 && told().length < 1; i++) await poller.idle();
    await poller.idle();
    expect(told()).toEqual([platinum.phone]);
    expect(outbox.list(platinum.phone)[0]).toMatchObject({ channel: 'sms', body: expect.stringContaining('Wave runner is back at Wave store') });
    // Asking again while scheduled keeps the place and says when the wave comes: GOLD one wave later, the regulars two.
    const goldAlert = await subscribe(gold.memberId, sku);
    expect(goldAlert).toMatchObject({ status: 'SCHEDULED', dueAt: expect.any(String) });
    expect(Date.parse(goldAlert.dueAt!) - restocked).toBeGreaterThanOrEqual(wave);
    expect(Date.parse(goldAlert.dueAt!) - restocked).toBeLessThan(wave + 60_000);
    const regularAlert = await subscribe(regular1.memberId, sku);
    expect(regularAlert.status).toBe('SCHEDULED');
    expect(Date.parse(regularAlert.dueAt!) - Date.parse(goldAlert.dueAt!)).toBe(wave);
    // Nothing is due yet.
    expect(await releaseWaves()).toEqual({});
    expect(told()).toEqual([platinum.phone]);

    // One wave later on the local clock: GOLD is told (the stock is there), once however often the job runs.
    moveClock(Date.parse(goldAlert.dueAt!) - nowMillis() + 1000);
    expect((await releaseWaves()).SENT).toBeGreaterThanOrEqual(1);
    expect(told()).toEqual([platinum.phone, gold.phone]);
    await releaseWaves();
    expect(told()).toEqual([platinum.phone, gold.phone]);
    expect((await subscribe(regular2.memberId, sku)).status).toBe('SCHEDULED');

    // The five units sell before the regulars' wave: when it comes they are not told, and wait again with their place.
    await move(sku, 'SALE', 5);
    moveClock(Date.parse(regularAlert.dueAt!) - nowMillis() + 1000);
    expect((await releaseWaves()).REOPENED).toBeGreaterThanOrEqual(2);
    expect(told()).toEqual([platinum.phone, gold.phone]);
    const reopened = await subscribe(regular1.memberId, sku);
    expect(reopened).toMatchObject({ status: 'ACTIVE', subscribedAt: regularAlert.subscribedAt });
    expect(reopened.dueAt).toBeUndefined();

    // The next restock: the regulars are now the highest tier waiting, told at once, who asked first first; nobody twice.
    await move(sku, 'RECEIPT', 2);
    for (let i = 0; i < 100 && told().length < 4; i++) await poller.idle();
    await poller.idle();
    expect(told()).toEqual([platinum.phone, gold.phone, regular1.phone, regular2.phone]);
  });
});

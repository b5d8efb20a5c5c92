/**
 * Stock in the field (DESIGN.md): late and offline bookings against counts,
 * and the unavailable states inside onHand, through the real API and
 * DynamoDB Local (and its stream, for counts due).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamPoller } from '../../infra/local/stream-poller.ts';
import { minuteMillis } from '../../shared/domain/time.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';
import { startStreams, untilStreamsSettle } from '../support/streams.ts';

let api: Api;
let admin: string;
let poller: StreamPoller;
const store = uniqueId('FS');
const other = uniqueId('FO');

/** An instant this many minutes before now. */
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * minuteMillis).toISOString();

const createProduct = async (sku: string, extra: Record<string, unknown> = {}) => {
  const answer = await api.call('POST', '/products', { token: admin, body: { sku, name: sku, unitCost: 100, price: 200, currency: 'EUR', ...extra } });
  expect(answer.status).toBe(201);
};

const move = (body: Record<string, unknown>, as = admin) => api.call('POST', '/movements', { token: as, body: { movementId: uniqueId('m'), ...body } });
const booked = async (body: Record<string, unknown>) => {
  const answer = await move(body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
};
const sell = (body: Record<string, unknown>) => api.call('POST', '/sales', { token: admin, body: { saleId: uniqueId('s'), locationId: store, ...body } });

const levelOf = async (sku: string, locationId = store) => {
  const answer = await api.call('GET', `/stock/${sku}`, { token: admin });
  expect(answer.status).toBe(200);
  return answer.body.levels.find((l: { locationId: string }) => l.locationId === locationId);
};

const ledgerOf = async (sku: string, order?: 'arrival' | 'occurredAt') => {
  const query = new URLSearchParams({ sku, locationId: store, limit: '100', ...(order ? { order } : {}) });
  const answer = await api.call('GET', `/movements?${query}`, { token: admin });
  expect(answer.status).toBe(200);
  return answer.body.items as { movementId: string; type: string; onHandDelta: number; absorbedBy?: string; occurredAt: string; at: string }[];
};

const countsDue = async (locationId = store, days?: number) => {
  const answer = await api.call('GET', `/locations/${locationId}/counts-due${days === undefined ? '' : `?days=${days}`}`, { token: admin });
  expect(answer.status).toBe(200);
  return answer.body.items as { sku: string; reason: string; dueAt: string; expected?: number }[];
};

const waitFor = <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => untilStreamsSettle(poller, read, done, what);

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  for (const locationId of [store, other]) {
    expect((await api.call('POST', '/locations', { token: admin, body: { locationId, name: locationId, type: 'STORE', timeZone: 'UTC' } })).status).toBe(201);
  }
  poller = await startStreams(['countsDue']);
});

afterAll(async () => {
  await poller.stop();
  await api.close();
});

describe('when it happened: counts absorb what they already saw', () => {
  it('receive 10, count 8 at T2; a sale at T1 < T2 arriving later leaves 8, a sale at T3 > T2 takes it to 7', async () => {
    const sku = uniqueId('ooo');
    await createProduct(sku);
    await booked({ type: 'RECEIPT', locationId: store, occurredAt: minutesAgo(60), lines: [{ sku, qty: 10 }] });
    const count = await booked({ type: 'COUNT', locationId: store, occurredAt: minutesAgo(30), lines: [{ sku, qty: 8 }] });
    expect(count.levels[0]).toMatchObject({ onHand: 8, available: 8 });

    const late = await booked({ type: 'SALE', locationId: store, occurredAt: minutesAgo(45), lines: [{ sku, qty: 1 }] });
    expect(late.levels[0]).toMatchObject({ onHand: 8, available: 8 });
    const after = await booked({ type: 'SALE', locationId: store, occurredAt: minutesAgo(20), lines: [{ sku, qty: 1 }] });
    expect(after.levels[0]).toMatchObject({ onHand: 7, available: 7 });

    const ledger = await ledgerOf(sku);
    const absorbed = ledger.find((e) => e.movementId === late.movementId);
    expect(absorbed).toMatchObject({ type: 'SALE', onHandDelta: -1, absorbedBy: count.movementId });
    expect(ledger.find((e) => e.movementId === after.movementId)?.absorbedBy).toBeUndefined();
    // Booked order: receipt, count, late sale, sale. As it happened: receipt, late sale, count, sale.
    expect(ledger.map((e) => e.movementId)).toEqual((await ledgerOf(sku, 'arrival')).map((e) => e.movementId));
    expect(ledger.map((e) => e.type)).toEqual(['RECEIPT', 'COUNT', 'SALE', 'SALE']);
    const happened = await ledgerOf(sku, 'occurredAt');
    expect(happened.map((e) => e.movementId)).toEqual([ledger[0]!.movementId, late.movementId, count.movementId, after.movementId]);
    expect(happened.every((e, i) => i === 0 || e.occurredAt >= happened[i - 1]!.occurredAt)).toBe(true);
    // The level equals the count plus what was not absorbed after it.
    expect((await levelOf(sku)).onHand).toBe(7);
  });

  it('a count dated before sales that already arrived keeps them on top of what was counted', async () => {
    const sku = uniqueId('latecount');
    await createProduct(sku);
    await booked({ type: 'RECEIPT', locationId: store, occurredAt: minutesAgo(120), lines: [{ sku, qty: 10 }] });
    await booked({ type: 'SALE', locationId: store, occurredAt: minutesAgo(10), lines: [{ sku, qty: 2 }] });
    // Counted 9 an hour ago (one unit had gone missing), posted only now: the later sale of 2 still happened after it.
    const count = await booked({ type: 'COUNT', locationId: store, occurredAt: minutesAgo(60), lines: [{ sku, qty: 9 }] });
    expect(count.levels[0]).toMatchObject({ onHand: 7 });
    // An older count arriving after it is itself absorbed.
    const older = await booked({ type: 'COUNT', locationId: store, occurredAt: minutesAgo(90), lines: [{ sku, qty: 3 }] });
    expect(older.levels[0]).toMatchObject({ onHand: 7 });
    expect((await ledgerOf(sku)).find((e) => e.movementId === older.movementId)?.absorbedBy).toBe(count.movementId);
  });

  it('a late member sale absorbed by a count still earns points and counts as spend', async () => {
    const sku = uniqueId('latemember');
    await createProduct(sku);
    await booked({ type: 'RECEIPT', locationId: store, occurredAt: minutesAgo(60), lines: [{ sku, qty: 5 }] });
    const count = await booked({ type: 'COUNT', locationId: store, occurredAt: minutesAgo(10), lines: [{ sku, qty: 4 }] });
    const member = await api.call('POST', '/members', {
      token: admin,
      body: { name: 'Late Buyer', email: `${uniqueId('late')}@example.com` },
      headers: { 'idempotency-key': uniqueId('reg') },
    });
    expect(member.status, JSON.stringify(member.body)).toBe(201);
    const sale = await sell({ memberId: member.body.memberId, occurredAt: minutesAgo(30), lines: [{ sku, qty: 1, unitPrice: 10_000 }] });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    expect(sale.body.occurredAt).toBeDefined();
    expect(sale.body.pointsEarned).toBeGreaterThan(0);
    expect((await levelOf(sku)).onHand).toBe(4);
    const entry = (await ledgerOf(sku)).find((e) => e.movementId === `sale:${sale.body.saleId}`);
    expect(entry?.absorbedBy).toBe(count.movementId);
    const profile = await api.call('GET', `/members/${member.body.memberId}`, { token: admin });
    expect(profile.body.rolling.spend).toBe(sale.body.total);
  });

  it('many late sales racing a count each end either absorbed or on top of it, never both', async () => {
    const sku = uniqueId('race');
    await createProduct(sku);
    await booked({ type: 'RECEIPT', locationId: store, occurredAt: minutesAgo(120), lines: [{ sku, qty: 100 }] });
    const countAt = minutesAgo(30);
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) =>
        move({ type: 'SALE', locationId: store, occurredAt: minutesAgo(i % 2 === 0 ? 60 : 10), lines: [{ sku, qty: 1 }] }),
      ),
      move({ type: 'COUNT', locationId: store, occurredAt: countAt, lines: [{ sku, qty: 50 }] }),
    ]);
    expect(
      answers.map((a) => a.status).every((s) => s === 201),
      JSON.stringify(answers.filter((a) => a.status !== 201).map((a) => [a.status, a.body])),
    ).toBe(true);
    const ledger = await ledgerOf(sku);
    const count = ledger.find((e) => e.type === 'COUNT')!;
    const laterSales = ledger.filter((e) => e.type === 'SALE' && e.occurredAt > countAt);
    const earlierSales = ledger.filter((e) => e.type === 'SALE' && e.occurredAt <= countAt);
    expect(earlierSales.every((e) => e.absorbedBy === undefined || e.absorbedBy === count.movementId)).toBe(true);
    expect(laterSales.every((e) => e.absorbedBy === undefined)).toBe(true);
    // Never both: an earlier sale either moved the level before the count was booked (and the count's adjustment
    // made up for it) or was absorbed (the level did not move). From 100 to a count of 50, the adjustment is -50 plus one
    // per earlier sale that moved the level. (Booking times cannot tell which came first: a COUNT that retries after a
    // conflict keeps the time it arrived, while a sale books in between.)
    const movedTheLevel = earlierSales.filter((e) => e.absorbedBy === undefined).length;
    expect(count.onHandDelta).toBe(movedTheLevel - 50);
    // The count set 50 as of its time; the ten sales after it stay on top.
    expect((await levelOf(sku)).onHand).toBe(50 - laterSales.length);
  });

  it('refuses an occurredAt in the future or older than 30 days, writing nothing', async () => {
    const sku = uniqueId('when');
    await createProduct(sku);
    for (const occurredAt of [new Date(Date.now() + 10 * minuteMillis).toISOString(), minutesAgo(31 * 24 * 60)]) {
      const answer = await move({ type: 'RECEIPT', locationId: store, occurredAt, lines: [{ sku, qty: 1 }] });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body.errors).toEqual([expect.objectContaining({ path: 'body.occurredAt' })]);
      expect((await sell({ occurredAt, lines: [{ sku, qty: 1, unitPrice: 100 }] })).status).toBe(400);
    }
    expect(await levelOf(sku)).toBeUndefined();
    expect(await ledgerOf(sku)).toEqual([]);
  });
});

describe('offline sales are facts', () => {
  it('books an offline sale past the shelf, shows available below zero and raises a count; a COUNT completes it', async () => {
    const sku = uniqueId('offline');
    await createProduct(sku);
    await booked({ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 2 }] });
    // Online: never below zero.
    expect((await sell({ lines: [{ sku, qty: 3, unitPrice: 100 }] })).status).toBe(409);
    expect((await move({ type: 'SALE', locationId: store, lines: [{ sku, qty: 3 }] })).status).toBe(409);
    // Posted an hour late by a till that was offline: the goods are gone.
    const offline = await sell({ occurredAt: minutesAgo(60), lines: [{ sku, qty: 3, unitPrice: 100 }] });
    expect(offline.status, JSON.stringify(offline.body)).toBe(201);
    expect(await levelOf(sku)).toMatchObject({ onHand: -1, available: -1 });
    // Four minutes late is not offline: still refused for stock.
    expect((await move({ type: 'SALE', locationId: store, occurredAt: minutesAgo(4), lines: [{ sku, qty: 1 }] })).status).toBe(409);

    const [task] = await waitFor(
      () => countsDue(),
      (items) => items.some((i) => i.sku === sku && i.reason === 'NEGATIVE_AVAILABLE'),
      'a count due',
    ).then((items) => items.filter((i) => i.sku === sku));
    expect(task).toMatchObject({ sku, reason: 'NEGATIVE_AVAILABLE' });
    // Blind: the task does not say what the system expects.
    expect(Object.keys(task!).sort()).toEqual(['dueAt', 'reason', 'sku']);

    const count = await booked({ type: 'COUNT', locationId: store, lines: [{ sku, qty: 0 }] });
    expect(count.levels[0]).toMatchObject({ onHand: 0, available: 0 });
    expect((await countsDue()).some((i) => i.sku === sku)).toBe(false);
  });

  it('schedules every stocked SKU by its class, a COUNT moves it a class interval on, and a large variance raises a recount', async () => {
    const [counted, untouched, offBooks] = [uniqueId('cyc'), uniqueId('cyc'), uniqueId('cyc')];
    for (const sku of [counted, untouched, offBooks]) {
      await createProduct(sku);
      await booked({ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 20 }] });
    }
    // Within a year every stocked SKU is due once (unclassified SKUs count as class C: once a year).
    const year = await countsDue(store, 366);
    for (const sku of [counted, untouched, offBooks]) expect(year.find((t) => t.sku === sku)).toMatchObject({ reason: 'SCHEDULED' });

    const before = Date.now();
    await booked({ type: 'COUNT', locationId: store, lines: [{ sku: counted, qty: 20 }] });
    const next = (await countsDue(store, 366)).find((t) => t.sku === counted);
    expect(next).toMatchObject({ reason: 'SCHEDULED' });
    expect(Date.parse(next!.dueAt) - before).toBeGreaterThanOrEqual(364 * 24 * 3_600_000);

    // Ten missing of twenty: counted again in a week.
    await booked({ type: 'COUNT', locationId: store, lines: [{ sku: offBooks, qty: 10 }] });
    expect((await countsDue(store, 1)).some((t) => t.sku === offBooks)).toBe(false);
    const recount = (await countsDue(store, 8)).find((t) => t.sku === offBooks);
    expect(recount).toMatchObject({ reason: 'LARGE_VARIANCE' });
    expect(Date.parse(recount!.dueAt) - before).toBeGreaterThanOrEqual(7 * 24 * 3_600_000 - 60_000);
    // The recount that agrees completes it.
    await booked({ type: 'COUNT', locationId: store, lines: [{ sku: offBooks, qty: 10 }] });
    expect((await countsDue(store, 8)).some((t) => t.sku === offBooks)).toBe(false);
  });

  it('lets a store read only its own counts due', async () => {
    const storeUser = await token({ role: 'store', locations: [other] });
    expect((await api.call('GET', `/locations/${store}/counts-due`, { token: storeUser })).status).toBe(403);
    expect((await api.call('GET', `/locations/${other}/counts-due`, { token: storeUser })).status).toBe(200);
    expect((await api.call('GET', `/locations/${uniqueId('nowhere')}/counts-due`, { token: admin })).status).toBe(404);
  });
});

describe('unavailable states inside onHand', () => {
  it('keeps onHand = available + reserved + damaged + qualityControl + safetyStock through every kind of move', async () => {
    const sku = uniqueId('states');
    await createProduct(sku);
    let level = (
      await booked({
        type: 'RECEIPT',
        locationId: store,
        lines: [
          { sku, qty: 10 },
          { sku, qty: 4, to: 'QUALITY_CONTROL' },
        ],
      })
    ).levels[0];
    expect(level).toMatchObject({ onHand: 14, available: 10, qualityControl: 4, damaged: 0, safetyStock: 0 });
    level = (
      await booked({
        type: 'STATE_CHANGE',
        locationId: store,
        lines: [
          { sku, qty: 2, from: 'AVAILABLE', to: 'DAMAGED' },
          { sku, qty: 3, from: 'QUALITY_CONTROL', to: 'AVAILABLE' },
          { sku, qty: 1, from: 'AVAILABLE', to: 'SAFETY_STOCK' },
        ],
      })
    ).levels[0];
    expect(level).toMatchObject({ onHand: 14, available: 10, damaged: 2, qualityControl: 1, safetyStock: 1 });
    // A write-off of damaged goods leaves `damaged`, not the shelf.
    level = (await booked({ type: 'ADJUSTMENT', reason: 'DAMAGED', locationId: store, lines: [{ sku, qty: 2, from: 'DAMAGED' }] })).levels[0];
    expect(level).toMatchObject({ onHand: 12, available: 10, damaged: 0 });
    level = (await booked({ type: 'RESERVE', locationId: store, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), lines: [{ sku, qty: 3 }] }))
      .levels[0];
    expect(level).toMatchObject({ onHand: 12, available: 7, reserved: 3 });
    const { onHand, available, reserved, damaged, qualityControl, safetyStock } = await levelOf(sku);
    expect(onHand).toBe(available + reserved + damaged + qualityControl + safetyStock);
    const ledger = await ledgerOf(sku);
    expect(ledger.find((e) => e.type === 'STATE_CHANGE')).toMatchObject({ onHandDelta: 0, stateDeltas: { damaged: 2, qualityControl: -3, safetyStock: 1 } });
  });

  it('sells, reserves and transfers only available units', async () => {
    const sku = uniqueId('onlyavail');
    await createProduct(sku);
    await booked({ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 5 }] });
    await booked({ type: 'STATE_CHANGE', locationId: store, lines: [{ sku, qty: 4, from: 'AVAILABLE', to: 'DAMAGED' }] });
    for (const body of [
      { type: 'SALE', locationId: store, lines: [{ sku, qty: 2 }] },
      { type: 'TRANSFER', locationId: store, toLocationId: other, lines: [{ sku, qty: 2 }] },
      { type: 'RESERVE', locationId: store, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), lines: [{ sku, qty: 2 }] },
    ]) {
      const answer = await move(body);
      expect(answer.status).toBe(409);
      expect(answer.body.shortages).toEqual([{ sku, locationId: store, requested: 2, available: 1 }]);
    }
    expect((await sell({ lines: [{ sku, qty: 2, unitPrice: 100 }] })).status).toBe(409);
    expect(await levelOf(sku)).toMatchObject({ onHand: 5, available: 1, damaged: 4 });
  });

  it('refuses to take a state below zero, all lines or none', async () => {
    const sku = uniqueId('never');
    await createProduct(sku);
    await booked({ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 5 }] });
    await booked({ type: 'STATE_CHANGE', locationId: store, lines: [{ sku, qty: 1, from: 'AVAILABLE', to: 'DAMAGED' }] });
    const answer = await move({
      type: 'STATE_CHANGE',
      locationId: store,
      lines: [
        { sku, qty: 2, from: 'AVAILABLE', to: 'SAFETY_STOCK' },
        { sku, qty: 2, from: 'DAMAGED', to: 'AVAILABLE' },
      ],
    });
    expect(answer.status).toBe(409);
    expect(answer.body.shortages, JSON.stringify(answer.body)).toEqual([{ sku, locationId: store, requested: 2, available: 1, state: 'DAMAGED' }]);
    const writeOff = await move({ type: 'ADJUSTMENT', reason: 'EXPIRED', locationId: store, lines: [{ sku, qty: 1, from: 'QUALITY_CONTROL' }] });
    expect(writeOff.status).toBe(409);
    expect(writeOff.body.shortages).toEqual([{ sku, locationId: store, requested: 1, available: 0, state: 'QUALITY_CONTROL' }]);
    expect(await levelOf(sku)).toMatchObject({ onHand: 5, available: 4, damaged: 1, safetyStock: 0, qualityControl: 0 });
  });

  it('refuses malformed state lines with a 400 naming the field', async () => {
    const sku = uniqueId('bad');
    for (const [body, path] of [
      [{ type: 'STATE_CHANGE', locationId: store, lines: [{ sku, qty: 1, from: 'DAMAGED', to: 'DAMAGED' }] }, 'body.lines.0.to'],
      [{ type: 'STATE_CHANGE', locationId: store, lines: [{ sku, qty: 1, from: 'DAMAGED' }] }, 'body.lines.0.to'],
      [{ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 1, to: 'DAMAGED' }] }, 'body.lines.0.to'],
      [{ type: 'SALE', locationId: store, lines: [{ sku, qty: 1, from: 'DAMAGED' }] }, 'body.lines.0.from'],
    ] as const) {
      const answer = await move(body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it('a store full of damaged stock must reorder: replenishment sees only available units', async () => {
    const sku = uniqueId('dmgreorder');
    await createProduct(sku, { reorder: { min: 5, max: 20 } });
    await booked({ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 12 }] });
    await booked({ type: 'STATE_CHANGE', locationId: store, lines: [{ sku, qty: 10, from: 'AVAILABLE', to: 'DAMAGED' }] });
    const below = await api.call('GET', `/locations/${store}/stock?belowReorderPoint=true&limit=100`, { token: admin });
    expect(below.body.items.map((l: { sku: string }) => l.sku)).toContain(sku);
  });
});

/**
 * Product feedback (issue 18, part 4): a member rates a product they bought,
 * verified by their sale, once per purchase; HQ reads ratings per product
 * and per store, store staff those of their stores; a low rating of a recent
 * purchase sends a service message through the send gate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../shared/messaging/outbox.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
let till: string;
let tillB: string;
const store = uniqueId('FB');
const storeB = uniqueId('FBB');
/** Stores only the aggregate test sells at, so their totals are its own. */
const storeC = uniqueId('FBC');
const storeD = uniqueId('FBD');
let tillC: string;
let tillD: string;

const newMember = async (extra: Record<string, unknown> = {}) => {
  const email = `${uniqueId('fb')}@example.com`;
  const answer = await api.call('POST', '/members', {
    token: till,
    headers: { 'idempotency-key': uniqueId('reg') },
    body: { name: 'Feedback Member', email, ...extra },
  });
  expect(answer.status).toBe(201);
  const memberId = answer.body.memberId as string;
  return { memberId, email, token: await token({ role: 'member', memberId }) };
};

const newProduct = async () => {
  const sku = uniqueId('fb-p');
  expect(
    (await api.call('POST', '/products', { token: admin, body: { sku, name: `Kettle ${sku}`, unitCost: 500, price: 1000, currency: 'EUR' } })).status,
  ).toBe(201);
  for (const locationId of [store, storeB, storeC, storeD]) {
    const receipt = await api.call('POST', '/movements', {
      token: admin,
      body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId, lines: [{ sku, qty: 100 }] },
    });
    expect(receipt.status).toBe(201);
  }
  return sku;
};

const sell = async (memberId: string | undefined, skus: string[], locationId = store) => {
  const saleId = uniqueId('sale');
  const answer = await api.call('POST', '/sales', {
    token: { [store]: till, [storeB]: tillB, [storeC]: tillC, [storeD]: tillD }[locationId],
    body: { saleId, locationId, ...(memberId ? { memberId } : {}), lines: skus.map((sku) => ({ sku, qty: 1, unitPrice: 1000 })) },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return saleId;
};

const rate = (as: string, body: Record<string, unknown>) => api.call('POST', '/feedback', { token: as, body: { feedbackId: uniqueId('fb'), ...body } });

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  till = await token({ role: 'store', locations: [store] });
  tillB = await token({ role: 'store', locations: [storeB] });
  tillC = await token({ role: 'store', locations: [storeC] });
  tillD = await token({ role: 'store', locations: [storeD] });
  for (const locationId of [store, storeB, storeC, storeD]) {
    const answer = await api.call('POST', '/locations', { token: admin, body: { locationId, name: `Store ${locationId}`, type: 'STORE', timeZone: 'UTC' } });
    expect(answer.status).toBe(201);
  }
});

afterAll(async () => {
  await api.close();
});

describe('rating a purchase', () => {
  it('takes only products the member bought, in their own sale', async () => {
    const [sku, other] = [await newProduct(), await newProduct()];
    const me = await newMember();
    const someoneElse = await newMember();
    const saleId = await sell(me.memberId, [sku]);
    const anonymous = await sell(undefined, [sku]);

    const notBought = await rate(me.token, { saleId, sku: other, rating: 5 });
    expect(notBought.status).toBe(400);
    expect(notBought.body.type).toBe('/problems/validation-failed');
    expect((await rate(someoneElse.token, { saleId, sku, rating: 5 })).status).toBe(404);
    expect((await rate(me.token, { saleId: anonymous, sku, rating: 5 })).status).toBe(404);
    expect((await rate(me.token, { saleId: uniqueId('nosale'), sku, rating: 5 })).status).toBe(404);
    expect((await rate(me.token, { saleId, sku, rating: 6 })).status).toBe(400);
    // Staff of another store may not record it; staff of the sale's store may.
    expect((await rate(tillB, { memberId: me.memberId, saleId, sku, rating: 4 })).status).toBe(403);
    const ok = await rate(me.token, { saleId, sku, rating: 4, comment: 'Boils fast' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ memberId: me.memberId, saleId, sku, locationId: store, rating: 4, comment: 'Boils fast', followUp: false });
  });

  it('is once per purchase: a replay answers the first answer, another rating of it 409, the id with another body 422', async () => {
    const sku = await newProduct();
    const me = await newMember();
    const saleId = await sell(me.memberId, [sku]);
    const second = await sell(me.memberId, [sku]);
    const feedbackId = uniqueId('fb');
    const first = await rate(me.token, { feedbackId, saleId, sku, rating: 5 });
    expect(first.status).toBe(201);
    const replay = await rate(me.token, { feedbackId, saleId, sku, rating: 5 });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    const changed = await rate(me.token, { feedbackId, saleId, sku, rating: 3 });
    expect(changed.status).toBe(422);
    expect(changed.body.type).toBe('/problems/idempotency-key-reused');
    const again = await rate(me.token, { saleId, sku, rating: 1 });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('/problems/already-exists');
    // Another purchase of the same product is another rating.
    expect((await rate(me.token, { saleId: second, sku, rating: 3 })).status).toBe(201);
    const ratings = await api.call('GET', `/products/${sku}/ratings`, { token: admin });
    expect(ratings.body.summary).toEqual({ count: 2, mean: 4, distribution: { '1': 0, '2': 0, '3': 1, '4': 0, '5': 1 } });
  });

  it('sends a service message through the send gate on a low rating of a recent purchase', async () => {
    const sku = await newProduct();
    const me = await newMember({ consent: { email: true } });
    const saleId = await sell(me.memberId, [sku]);
    const low = await rate(me.token, { saleId, sku, rating: 1, comment: 'Leaks' });
    expect(low.status).toBe(201);
    expect(low.body.followUp).toBe(true);
    const sorry = outbox.list(me.email).filter((m) => m.subject?.startsWith('We are sorry'));
    expect(sorry).toHaveLength(1);
    expect(sorry[0]!.body).toContain('rating');
  });
});

describe('reading ratings', () => {
  it('aggregates per product and per store, and scopes store staff to their stores', async () => {
    const [sku, other] = [await newProduct(), await newProduct()];
    const members = await Promise.all(Array.from({ length: 5 }, () => newMember()));
    // At storeC: 5, 4, 4 of sku and 2 of other; at storeD: 1 and 3 of sku. Rated concurrently.
    const plan: [number, string, string, number][] = [
      [0, storeC, sku, 5],
      [1, storeC, sku, 4],
      [2, storeC, sku, 4],
      [3, storeC, other, 2],
      [3, storeD, sku, 1],
      [4, storeD, sku, 3],
    ];
    const sales = await Promise.all(plan.map(([m, at, s]) => sell(members[m]!.memberId, [s], at)));
    const answers = await Promise.all(plan.map(([m, , s, rating], i) => rate(members[m]!.token, { saleId: sales[i], sku: s, rating })));
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(201);

    const hq = await api.call('GET', `/products/${sku}/ratings`, { token: admin });
    expect(hq.status).toBe(200);
    expect(hq.body.summary).toEqual({ count: 5, mean: 3.4, distribution: { '1': 1, '2': 0, '3': 1, '4': 2, '5': 1 } });
    expect(hq.body.byStore).toEqual(
      [
        { locationId: storeC, summary: { count: 3, mean: 4.33, distribution: { '1': 0, '2': 0, '3': 0, '4': 2, '5': 1 } } },
        { locationId: storeD, summary: { count: 2, mean: 2, distribution: { '1': 1, '2': 0, '3': 1, '4': 0, '5': 0 } } },
      ].sort((a, b) => (a.locationId < b.locationId ? -1 : 1)),
    );
    expect(hq.body.recent).toHaveLength(5);

    const staffB = await api.call('GET', `/products/${sku}/ratings`, { token: tillD });
    expect(staffB.body.summary).toEqual({ count: 2, mean: 2, distribution: { '1': 1, '2': 0, '3': 1, '4': 0, '5': 0 } });
    expect(staffB.body.byStore.map((s: { locationId: string }) => s.locationId)).toEqual([storeD]);
    expect(staffB.body.recent.every((f: { locationId: string }) => f.locationId === storeD)).toBe(true);

    const atStore = await api.call('GET', `/locations/${storeC}/ratings`, { token: tillC });
    expect(atStore.status).toBe(200);
    expect(atStore.body.summary).toEqual({ count: 4, mean: 3.75, distribution: { '1': 0, '2': 1, '3': 0, '4': 2, '5': 1 } });
    expect(atStore.body.byProduct).toEqual(
      [
        { sku, summary: { count: 3, mean: 4.33, distribution: { '1': 0, '2': 0, '3': 0, '4': 2, '5': 1 } } },
        { sku: other, summary: { count: 1, mean: 2, distribution: { '1': 0, '2': 1, '3': 0, '4': 0, '5': 0 } } },
      ].sort((a, b) => (a.sku < b.sku ? -1 : 1)),
    );
    expect((await api.call('GET', `/locations/${storeC}/ratings`, { token: tillD })).status).toBe(403);
    expect((await api.call('GET', `/products/${sku}/ratings`, { token: members[0]!.token })).status).toBe(403);
    expect((await api.call('GET', `/locations/${uniqueId('nowhere')}/ratings`, { token: admin })).status).toBe(404);
  });
});

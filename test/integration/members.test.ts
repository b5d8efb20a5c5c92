import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ScheduledEvent } from 'aws-lambda';
import { expirePoints } from '../../functions/jobs/expire-points.ts';
import { tierReview } from '../../functions/jobs/tier-review.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { memberKeys } from '../../shared/db/keys.ts';
import { lambdaContext } from '../../infra/local/gateway.ts';
import { expireMemberPoints, redeemPoints } from '../../shared/app/points.ts';
import { reviewMemberTier } from '../../shared/app/tiers.ts';
import { checkout } from '../../shared/app/checkout.ts';
import { readMemberState } from '../../shared/db/members.ts';
import { encodeSgtin96, gs1CheckDigit } from '../../shared/domain/epc.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';
import { outbox } from '../../shared/messaging/outbox.ts';

let api: Api;
let admin: string;
let till: string;
const store = uniqueId('ST');
const cashier: Principal = { subject: 'till-test', role: 'store', locations: [store] };

const dayMs = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * dayMs).toISOString();

const createProduct = async (sku: string, extra: Record<string, unknown> = {}) => {
  const answer = await api.call('POST', '/products', {
    token: admin,
    body: { sku, name: `Product ${sku}`, unitCost: 500, price: 1000, currency: 'EUR', ...extra },
  });
  expect(answer.status).toBe(201);
};

const receive = async (sku: string, qty: number, locationId = store) => {
  const answer = await api.call('POST', '/movements', {
    token: admin,
    body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId, lines: [{ sku, qty }] },
  });
  expect(answer.status).toBe(201);
};

const register = async (extra: Record<string, unknown> = {}) => {
  const answer = await api.call('POST', '/members', {
    token: till,
    headers: { 'idempotency-key': uniqueId('reg') },
    body: { name: 'Test Member', email: `${uniqueId('mail')}@example.com`, ...extra },
  });
  expect(answer.status).toBe(201);
  return answer.body.memberId as string;
};

const member = async (memberId: string) => (await api.call('GET', `/members/${memberId}`, { token: admin })).body;
const entries = async (memberId: string) => (await api.call('GET', `/members/${memberId}/points/entries?limit=100`, { token: admin })).body.items;
const onHand = async (sku: string) =>
  (await api.call('GET', `/stock/${sku}`, { token: admin })).body.levels.find((l: { locationId: string }) => l.locationId === store)?.onHand ?? 0;

const sell = (body: Record<string, unknown>) => api.call('POST', '/sales', { token: till, body: { saleId: uniqueId('sale'), locationId: store, ...body } });

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  till = await token({ role: 'store', locations: [store] });
  const answer = await api.call('POST', '/locations', {
    token: admin,
    body: { locationId: store, name: 'Members store', type: 'STORE', timeZone: 'Europe/Berlin' },
  });
  expect(answer.status).toBe(201);
});

afterAll(async () => {
  await api.close();
});

describe('registration', () => {
  it('registers once per email and phone, with the welcome gift exactly once when retried', async () => {
    const key = uniqueId('reg');
    const body = {
      name: 'Ada',
      email: `  Ada.${uniqueId('x')}@Example.COM `,
      phone: '0049 170 1234567'.replace('1234567', String(Math.floor(1e6 + Math.random() * 8e6))),
    };
    const [first, second] = await Promise.all([
      api.call('POST', '/members', { token: till, headers: { 'idempotency-key': key }, body }),
      api.call('POST', '/members', { token: till, headers: { 'idempotency-key': key }, body }),
    ]);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect([first, second].filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    expect(first.body.memberId).toBe(second.body.memberId);
    expect(first.body.email).toBe(body.email.trim().toLowerCase());
    expect(first.body.phone).toMatch(/^\+49170\d{7}$/);
    expect(first.body.tier).toBe('REGULAR');
    expect(first.body.points).toEqual({ available: 500, pending: 0 });
    const memberId = first.body.memberId;
    expect((await entries(memberId)).filter((e: { reason?: string }) => e.reason === 'WELCOME_GIFT')).toHaveLength(1);

    const again = await api.call('POST', '/members', { token: till, headers: { 'idempotency-key': uniqueId('reg') }, body: { ...body, name: 'Ada again' } });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].path).toBe('body.email');
  });

  it('refuses a phone without country code and a missing contact with 400, writing nothing', async () => {
    const noCountry = await api.call('POST', '/members', {
      token: till,
      headers: { 'idempotency-key': uniqueId('r') },
      body: { name: 'X', phone: '170 1234567' },
    });
    expect(noCountry.status).toBe(400);
    expect(noCountry.headers.get('content-type')).toBe('application/problem+json');
    const noContact = await api.call('POST', '/members', { token: till, headers: { 'idempotency-key': uniqueId('r') }, body: { name: 'X' } });
    expect(noContact.status).toBe(400);
  });

  it('lets a member read and edit only their own record; others are not found', async () => {
    const mine = await register();
    const theirs = await register();
    const self = await token({ role: 'member', memberId: mine });
    const own = await api.call('GET', `/members/${mine}`, { token: self });
    expect(own.status).toBe(200);
    expect((await api.call('GET', `/members/${theirs}`, { token: self })).status).toBe(404);
    expect((await api.call('PATCH', `/members/${theirs}`, { token: self, headers: { 'if-match': '"1"' }, body: { name: 'Mallory' } })).status).toBe(404);

    const edited = await api.call('PATCH', `/members/${mine}`, {
      token: self,
      headers: { 'if-match': own.headers.get('etag')! },
      body: { consent: { email: true, sms: false }, consentSource: 'APP', birthday: '1990-02-28' },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.consent.email).toEqual({ granted: true, at: expect.any(String), source: 'APP' });
    expect(edited.body.consent.sms).toEqual({ granted: false, at: expect.any(String), source: 'APP' });
    expect(
      (await api.call('PATCH', `/members/${mine}`, { token: self, headers: { 'if-match': own.headers.get('etag')! }, body: { name: 'Stale' } })).status,
    ).toBe(412);
  });
});

describe('points', () => {
  it('lets exactly 10 of 50 concurrent redemptions of 100 points through a balance of 1,000', async () => {
    const memberId = await register();
    const topUp = await api.call('POST', `/members/${memberId}/points/adjustments`, {
      token: admin,
      body: { adjustmentId: uniqueId('adj'), points: 500, reason: 'test top-up' },
    });
    expect(topUp.status).toBe(201);
    expect(topUp.body.points.available).toBe(1000);

    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.call('POST', `/members/${memberId}/points/redemptions`, { token: till, body: { redemptionId: uniqueId('rd'), points: 100 } }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.type === '/problems/insufficient-points')).toBe(true);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(40);
    expect((await member(memberId)).points).toEqual({ available: 0, pending: 0 });
    const ledger = await entries(memberId);
    expect(ledger.filter((e: { type: string }) => e.type === 'REDEEM')).toHaveLength(10);
    expect(sum(ledger.map((e: { points: number }) => e.points))).toBe(0);
  });

  it('answers a retried redemption with the first result and spends nothing more', async () => {
    const memberId = await register();
    const body = { redemptionId: uniqueId('rd'), points: 200 };
    const first = await api.call('POST', `/members/${memberId}/points/redemptions`, { token: till, body });
    const again = await api.call('POST', `/members/${memberId}/points/redemptions`, { token: till, body });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await member(memberId)).points.available).toBe(300);
    const clash = await api.call('POST', `/members/${memberId}/points/redemptions`, { token: till, body: { ...body, points: 1 } });
    expect(clash.status).toBe(422);
  });

  it('spends the soonest-expiring lot first and expires lots first-in-first-out', async () => {
    const memberId = await register();
    // Welcome lot: 500 expiring in 90 days. Two more: 300 in 400 days, 200 in 30 days.
    for (const [points, expiryDays] of [
      [300, 400],
      [200, 30],
    ]) {
      const answer = await api.call('POST', `/members/${memberId}/points/adjustments`, {
        token: admin,
        body: { adjustmentId: uniqueId('adj'), points, reason: 'lots', expiryDays },
      });
      expect(answer.status).toBe(201);
    }
    const spent = await api.call('POST', `/members/${memberId}/points/redemptions`, { token: till, body: { redemptionId: uniqueId('rd'), points: 250 } });
    expect(spent.body.entry.lots.map((l: { points: number }) => l.points)).toEqual([200, 50]);

    // 60 days on: nothing has expired that was not spent (the 30-day lot was used up).
    expect(await expireMemberPoints(memberId, inDays(60))).toBe(0);
    // 100 days on: the rest of the welcome lot (450) expires; the 400-day lot stays.
    expect(await expireMemberPoints(memberId, inDays(100))).toBe(450);
    expect(await expireMemberPoints(memberId, inDays(100))).toBe(0);
    const ledger = await entries(memberId);
    expect(ledger.filter((e: { type: string }) => e.type === 'EXPIRE').map((e: { points: number }) => e.points)).toEqual([-450]);
    expect(sum(ledger.map((e: { points: number }) => e.points))).toBe(300);
    expect((await member(memberId)).points.available).toBe(300);
  });
});

describe('the daily points expiry job', () => {
  it('finds lots by the day they expire and expires each once, however often it runs', async () => {
    const memberId = await register();
    // A lot far in the future, on a day no other test's lots expire.
    const lot = await api.call('POST', `/members/${memberId}/points/adjustments`, {
      token: admin,
      body: { adjustmentId: uniqueId('adj'), points: 70, reason: 'far', expiryDays: 3000 },
    });
    expect(lot.status).toBe(201);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 3001 * dayMs);
      const first = await expirePoints({} as ScheduledEvent, lambdaContext('expirePoints'));
      // The member's welcome lot (500, 90 days) has long expired too: both go, oldest first.
      expect(first).toEqual({ members: 1, points: 570, failed: 0, more: false });
      expect(await expirePoints({} as ScheduledEvent, lambdaContext('expirePoints'))).toEqual({ members: 0, points: 0, failed: 0, more: false });
    } finally {
      vi.useRealTimers();
    }
    const ledger = await entries(memberId);
    expect(ledger.filter((e: { type: string }) => e.type === 'EXPIRE').map((e: { points: number }) => e.points)).toEqual([-500, -70]);
    expect(sum(ledger.map((e: { points: number }) => e.points))).toBe(0);
  });
});

describe('the scheduled tier review', () => {
  it('reviews an upgraded member when the grace period ends, keeps them while they qualify, lowers one step once they do not, and tells them', async () => {
    const sku = uniqueId('rv');
    await createProduct(sku);
    await receive(sku, 10);
    const email = `${uniqueId('review')}@example.com`;
    const memberId = await register({ email, consent: { email: true } });
    // SILVER (500.00 and 5 visits) reached 300 days ago.
    for (let i = 0; i < 5; i++)
      await checkout({ saleId: uniqueId('s'), locationId: store, memberId, lines: [{ sku, qty: 1, unitPrice: 10_000 }] }, cashier, inDays(-300));
    expect((await member(memberId)).qualifiedTier).toBe('SILVER');
    const reviewAt = async () =>
      (await documentClient.send(new GetCommand({ TableName: tableName(tables.members), Key: memberKeys.review(memberId), ConsistentRead: true }))).Item
        ?.reviewAt as string | undefined;
    const first = await reviewAt();
    expect(Date.parse(first!) - Date.parse(inDays(-300))).toBeGreaterThan(89 * dayMs);

    const tiers: string[] = [];
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (let due = first; due && tiers.length < 20; due = await reviewAt()) {
        vi.setSystemTime(Date.parse(due) + 60_000);
        const summary = await tierReview({} as ScheduledEvent, lambdaContext('tierReview'));
        expect(summary.failed).toBe(0);
        // Read from the table: the API's tokens would not be valid at these times.
        tiers.push((await readMemberState(memberId))!.record.qualifiedTier);
      }
    } finally {
      vi.useRealTimers();
    }
    // Kept while the sales are in the rolling 12 months, then one step down, and no review after REGULAR.
    expect(tiers.at(-1)).toBe('REGULAR');
    expect(tiers.slice(0, -1).every((t) => t === 'SILVER')).toBe(true);
    expect(tiers.length).toBeGreaterThan(2);
    expect(await reviewAt()).toBeUndefined();
    // Told once, when lowered; never while kept.
    expect(outbox.list(email).filter((m) => m.subject?.startsWith('Your StockClub tier'))).toEqual([
      expect.objectContaining({ subject: 'Your StockClub tier is now REGULAR', body: expect.stringContaining('(you were SILVER)') }),
    ]);
  });
});

describe('checkout', () => {
  it('moves stock, earns pending points and counts spend and visits in one request', async () => {
    const sku = uniqueId('tee');
    await createProduct(sku);
    await receive(sku, 10);
    const memberId = await register();
    const sale = await sell({ memberId, lines: [{ sku, qty: 2, unitPrice: 1999 }] });
    expect(sale.status).toBe(201);
    expect(sale.body).toMatchObject({ subtotal: 3998, discount: 0, total: 3998, pointsEarned: 39, pointsRedeemed: 0, currency: 'EUR' });
    expect(sale.body.member).toEqual({ tier: 'REGULAR', tierChanged: false, points: { available: 500, pending: 39 } });
    expect(await onHand(sku)).toBe(8);
    const after = await member(memberId);
    expect(after.rolling).toMatchObject({ spend: 3998, visits: 1 });
    expect(after.points).toEqual({ available: 500, pending: 39 });
  });

  it('changes no points, spend or tier when the stock part fails, and moves no stock when the points part fails', async () => {
    const sku = uniqueId('short');
    await createProduct(sku);
    await receive(sku, 1);
    const memberId = await register();
    const before = await member(memberId);

    const short = await sell({ memberId, lines: [{ sku, qty: 2, unitPrice: 1000 }], redeemPoints: 100 });
    expect(short.status).toBe(409);
    expect(short.body.type).toBe('/problems/out-of-stock');
    const afterShort = await member(memberId);
    expect(afterShort.points).toEqual(before.points);
    expect(afterShort.rolling).toEqual(before.rolling);
    expect(afterShort.version).toBe(before.version);

    const poor = await sell({ memberId, lines: [{ sku, qty: 1, unitPrice: 1000 }], redeemPoints: 600 });
    expect(poor.status).toBe(409);
    expect(poor.body.type).toBe('/problems/insufficient-points');
    expect(await onHand(sku)).toBe(1);
    expect((await member(memberId)).version).toBe(before.version);
    expect(await entries(memberId)).toHaveLength(1);
  });

  it('upgrades the tier at once, never lowers it before the review, lowers one step at review, and lets a paid tier win while paid', async () => {
    const sku = uniqueId('big');
    await createProduct(sku);
    await receive(sku, 100);
    const memberId = await register();
    // GOLD needs 1,500.00 and 12 visits: twelve sales of 150.00.
    let last: any;
    for (let i = 0; i < 12; i++) last = await sell({ memberId, lines: [{ sku, qty: 1, unitPrice: 15_000 }] });
    expect(last.body.member).toMatchObject({ tier: 'GOLD', tierChanged: true });
    const gold = await member(memberId);
    expect(gold).toMatchObject({ tier: 'GOLD', qualifiedTier: 'GOLD', benefits: { discountPercent: 5, pointsMultiplier: 1.5 } });

    // The next sale gets the GOLD discount and multiplier.
    const discounted = await sell({ memberId, lines: [{ sku, qty: 1, unitPrice: 10_000 }] });
    expect(discounted.body).toMatchObject({ discount: 500, total: 9500, pointsEarned: 142 });

    // Returning everything drops spend below GOLD, but the tier stays until review.
    const saleIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await sell({ memberId, lines: [{ sku, qty: 1, unitPrice: 100 }] });
      saleIds.push(s.body.saleId);
    }
    expect((await member(memberId)).tier).toBe('GOLD');

    // Review inside the grace period: nothing changes.
    expect(await reviewMemberTier(memberId, inDays(30))).toEqual({ before: 'GOLD', after: 'GOLD' });
    // Thirteen months on, the rolling window is empty: one step down only, then another at the next review.
    expect(await reviewMemberTier(memberId, inDays(400))).toEqual({ before: 'GOLD', after: 'SILVER' });

    const paid = await api.call('POST', `/members/${memberId}/paid-tier`, {
      token: till,
      body: { paymentId: uniqueId('pay'), tier: 'PLATINUM', months: 12, fee: 22_800 },
    });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ tier: 'PLATINUM', qualifiedTier: 'SILVER', paidTier: 'PLATINUM' });
    // After the paid period the qualified tier shows again.
    expect(await reviewMemberTier(memberId, inDays(800))).toEqual({ before: 'SILVER', after: 'REGULAR' });
  });

  it('keeps points, spend, stock and both ledgers consistent through a sale, a partial and a full return', async () => {
    const [shirt, socks] = [uniqueId('shirt'), uniqueId('socks')];
    await createProduct(shirt);
    await createProduct(socks);
    await receive(shirt, 5);
    await receive(socks, 5);
    const memberId = await register();
    const sale = await sell({
      memberId,
      lines: [
        { sku: shirt, qty: 3, unitPrice: 2000 },
        { sku: socks, qty: 2, unitPrice: 500 },
      ],
      redeemPoints: 300,
    });
    expect(sale.status).toBe(201);
    // 70.00 gross, 3.00 paid with points (257 + 43 by line): 67.00 paid; points per line, rounded down: 57 + 9.
    expect(sale.body).toMatchObject({ subtotal: 7000, pointsValue: 300, total: 6700, pointsEarned: 66, pointsRedeemed: 300 });
    expect(sale.body.lines.map((l: { paid: number; pointsEarned: number }) => [l.paid, l.pointsEarned])).toEqual([
      [5743, 57],
      [957, 9],
    ]);
    expect(sale.body.member.points).toEqual({ available: 200, pending: 66 });
    const saleId = sale.body.saleId;

    const partial = await api.call('POST', `/sales/${saleId}/returns`, { token: till, body: { returnId: uniqueId('ret'), lines: [{ sku: shirt, qty: 1 }] } });
    expect(partial.status).toBe(201);
    const shirtLine = sale.body.lines.find((l: { sku: string }) => l.sku === shirt);
    expect(partial.body.refund).toBe(Math.round(shirtLine.paid / 3));
    expect(partial.body.pointsClawedBack).toBe(Math.round(shirtLine.pointsEarned / 3));
    expect(partial.body.pointsRestored).toBe(0);
    expect(await onHand(shirt)).toBe(3);

    const rest = await api.call('POST', `/sales/${saleId}/returns`, {
      token: till,
      body: {
        returnId: uniqueId('ret'),
        lines: [
          { sku: shirt, qty: 2 },
          { sku: socks, qty: 2 },
        ],
      },
    });
    expect(rest.status).toBe(201);
    expect(rest.body.pointsRestored).toBe(300);
    expect(partial.body.refund + rest.body.refund).toBe(6700);
    expect(partial.body.pointsClawedBack + rest.body.pointsClawedBack).toBe(66);
    expect(await onHand(shirt)).toBe(5);
    expect(await onHand(socks)).toBe(5);

    const after = await member(memberId);
    expect(after.points).toEqual({ available: 500, pending: 0 });
    expect(after.rolling).toMatchObject({ spend: 0, visits: 0 });
    const ledger = await entries(memberId);
    expect(sum(ledger.map((e: { points: number }) => e.points))).toBe(500);
    expect(ledger.map((e: { type: string }) => e.type).sort()).toEqual(['ADJUST', 'ADJUST', 'CLAWBACK', 'CLAWBACK', 'EARN', 'REDEEM']);

    const tooMuch = await api.call('POST', `/sales/${saleId}/returns`, { token: till, body: { returnId: uniqueId('ret'), lines: [{ sku: socks, qty: 1 }] } });
    expect(tooMuch.status).toBe(400);
    const receipt = await api.call('GET', `/sales/${saleId}`, { token: till });
    expect(receipt.body.lines.map((l: { returned: number }) => l.returned)).toEqual([3, 2]);
  });

  it('makes earned points spendable after the return window only', async () => {
    const sku = uniqueId('later');
    await createProduct(sku);
    await receive(sku, 1);
    const memberId = await register();
    const { receipt } = await checkout({ saleId: uniqueId('s'), locationId: store, memberId, lines: [{ sku, qty: 1, unitPrice: 100_000 }] }, cashier);
    expect(receipt.pointsEarned).toBe(1000);
    await expect(redeemPoints(memberId, { points: 1500 }, uniqueId('r'), cashier)).rejects.toMatchObject({ type: 'insufficient-points' });
    const later = await redeemPoints(memberId, { points: 1500 }, uniqueId('r'), cashier, inDays(31));
    expect(later.result.points).toEqual({ available: 0, pending: 0 });
  });
});

describe('what review found', () => {
  it('takes back a tier that a fully returned sale earned', async () => {
    const sku = uniqueId('upg');
    await createProduct(sku);
    await receive(sku, 20);
    const memberId = await register();
    const sales = [];
    // SILVER: 500.00 and 5 visits; the fifth sale upgrades.
    for (let i = 0; i < 5; i++) sales.push((await sell({ memberId, lines: [{ sku, qty: 1, unitPrice: 10_000 }] })).body);
    expect(sales[4].member).toMatchObject({ tier: 'SILVER', tierChanged: true });
    const back = await api.call('POST', `/sales/${sales[4].saleId}/returns`, { token: till, body: { returnId: 'r1', lines: [{ sku, qty: 1 }] } });
    expect(back.status).toBe(201);
    expect(back.body.member.tier).toBe('REGULAR');
    expect((await member(memberId)).qualifiedTier).toBe('REGULAR');
  });

  it('restores redeemed points of two fully returned sales that used the same return id', async () => {
    const sku = uniqueId('rr');
    await createProduct(sku);
    await receive(sku, 5);
    const memberId = await register();
    const saleIds = [];
    for (let i = 0; i < 2; i++) saleIds.push((await sell({ memberId, lines: [{ sku, qty: 1, unitPrice: 1000 }], redeemPoints: 100 })).body.saleId);
    for (const saleId of saleIds) {
      const answer = await api.call('POST', `/sales/${saleId}/returns`, { token: till, body: { returnId: 'ret-1', lines: [{ sku, qty: 1 }] } });
      expect(answer.status).toBe(201);
      expect(answer.body.pointsRestored).toBe(100);
    }
    expect((await member(memberId)).points).toEqual({ available: 500, pending: 0 });
  });

  it('refuses more units of a limited product than the per-member limit in a first purchase', async () => {
    const sku = uniqueId('lim');
    await createProduct(sku, { memberExclusive: { minTier: 'REGULAR', perMemberLimit: 1 } });
    await receive(sku, 10);
    expect((await api.call('PUT', `/products/${sku}/allocations/*`, { token: admin, body: { quantity: 10 } })).status).toBe(200);
    const memberId = await register();
    const greedy = await sell({ memberId, lines: [{ sku, qty: 3, unitPrice: 100 }] });
    expect(greedy.status).toBe(409);
    expect(greedy.body.type).toBe('/problems/allocation-exhausted');
    // And the stock route cannot be used to sell around the checkout.
    const around = await api.call('POST', '/movements', {
      token: till,
      body: { movementId: uniqueId('m'), type: 'SALE', locationId: store, lines: [{ sku, qty: 1 }] },
    });
    expect(around.status).toBe(403);
    expect(await onHand(sku)).toBe(10);
  });

  it('refuses a different paid tier while one is in force, and a fee that is not the price', async () => {
    const memberId = await register();
    const buy = (body: Record<string, unknown>) =>
      api.call('POST', `/members/${memberId}/paid-tier`, { token: till, body: { paymentId: uniqueId('pay'), ...body } });
    expect((await buy({ tier: 'GOLD', months: 12, fee: 1 })).status).toBe(400);
    const gold = await buy({ tier: 'GOLD', months: 12, fee: 10_800 });
    expect(gold.status).toBe(201);
    expect((await buy({ tier: 'SILVER', months: 1, fee: 300 })).status).toBe(409);
    const extended = await buy({ tier: 'GOLD', months: 1, fee: 900 });
    expect(Date.parse(extended.body.paidUntil)).toBeGreaterThan(Date.parse(gold.body.paidUntil));
  });

  it('answers a redemption spanning more lots than one transaction holds with 400, not 500', async () => {
    const memberId = await register();
    await redeemPoints(memberId, { points: 500 }, uniqueId('r'), cashier);
    for (let i = 0; i < 100; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          api.call('POST', `/members/${memberId}/points/adjustments`, { token: admin, body: { adjustmentId: uniqueId('a'), points: 1, reason: 'tiny lot' } }),
        ),
      );
    }
    const answer = await api.call('POST', `/members/${memberId}/points/redemptions`, { token: till, body: { redemptionId: uniqueId('rd'), points: 100 } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].path).toBe('body.points');
    expect((await member(memberId)).points.available).toBe(100);
  }, 120_000);
});

describe('tagged items at the till', () => {
  it('marks sold tags SOLD, refuses them in another sale, and makes them sellable again when returned', async () => {
    const sku = uniqueId('tag');
    const digits = `0614141${String(Math.floor(Math.random() * 100_000)).padStart(5, '0')}`;
    const gtin = `${digits}${gs1CheckDigit(digits)}`;
    await createProduct(sku, { gtin });
    await receive(sku, 3);
    const [tagA, tagB] = [1, 2].map((serial) => encodeSgtin96({ gtin, companyPrefixLength: 7, serial: 7_000 + serial }));
    const sale = await sell({ lines: [{ sku, qty: 2, unitPrice: 500, epcs: [tagA, tagB] }] });
    expect(sale.status).toBe(201);
    const again = await sell({ lines: [{ sku, qty: 1, unitPrice: 500, epcs: [tagA] }] });
    expect(again.status).toBe(409);
    expect(again.body.epcs).toEqual([tagA]);
    const wrongSku = await sell({
      lines: [{ sku, qty: 1, unitPrice: 500, epcs: [encodeSgtin96({ gtin: '80614141123458', companyPrefixLength: 7, serial: 1 })] }],
    });
    expect(wrongSku.status).toBe(400);

    const stranger = await api.call('POST', `/sales/${sale.body.saleId}/returns`, {
      token: till,
      body: { returnId: uniqueId('r'), lines: [{ sku, qty: 1, epcs: [encodeSgtin96({ gtin, companyPrefixLength: 7, serial: 9 })] }] },
    });
    expect(stranger.status).toBe(400);
    const back = await api.call('POST', `/sales/${sale.body.saleId}/returns`, {
      token: till,
      body: { returnId: uniqueId('r'), lines: [{ sku, qty: 1, epcs: [tagA] }] },
    });
    expect(back.status).toBe(201);
    expect((await sell({ lines: [{ sku, qty: 1, unitPrice: 500, epcs: [tagA] }] })).status).toBe(201);
    expect((await sell({ lines: [{ sku, qty: 1, unitPrice: 500, epcs: [tagB] }] })).status).toBe(409);
  });
});

describe('member-exclusive products', () => {
  it('sells exactly the 100 allocated units to 500 racing members, never 2 to one member', async () => {
    const sku = uniqueId('excl');
    await createProduct(sku, { memberExclusive: { minTier: 'REGULAR', perMemberLimit: 1 } });
    await receive(sku, 300);
    const allocation = await api.call('PUT', `/products/${sku}/allocations/${store}`, { token: admin, body: { quantity: 100 } });
    expect(allocation.status).toBe(200);
    expect(allocation.body).toMatchObject({ quantity: 100, sold: 0, remaining: 100 });

    const members: string[] = [];
    for (let i = 0; i < 500; i += 50) members.push(...(await Promise.all(Array.from({ length: 50 }, () => register()))));
    // Every tenth member sends five requests at once.
    const attempts = members.flatMap((memberId, i) => Array.from({ length: i % 10 === 0 ? 5 : 1 }, () => memberId));
    const answers = await Promise.all(attempts.map((memberId) => sell({ memberId, lines: [{ sku, qty: 1, unitPrice: 4900 }] }).then((a) => ({ memberId, a }))));

    const sold = answers.filter(({ a }) => a.status === 201);
    expect(sold).toHaveLength(100);
    expect(new Set(sold.map(({ memberId }) => memberId)).size).toBe(100);
    expect(answers.filter(({ a }) => a.status !== 201).every(({ a }) => a.status === 409 && a.body.type === '/problems/allocation-exhausted')).toBe(true);
    const remaining = await api.call('GET', `/products/${sku}/allocations`, { token: await token({ role: 'member', memberId: members[0]! }) });
    expect(remaining.body.items).toEqual([expect.objectContaining({ locationId: store, quantity: 100, sold: 100, remaining: 0 })]);
    expect(await onHand(sku)).toBe(200);
  }, 180_000);

  it('refuses a non-member and a tier below the minimum, and sells nothing without an allocation', async () => {
    const sku = uniqueId('gold-only');
    await createProduct(sku, { memberExclusive: { minTier: 'GOLD' } });
    await receive(sku, 5);
    const memberId = await register();
    const anonymous = await sell({ lines: [{ sku, qty: 1, unitPrice: 100 }] });
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.type).toBe('/problems/not-eligible');
    const regular = await sell({ memberId, lines: [{ sku, qty: 1, unitPrice: 100 }] });
    expect(regular.status).toBe(403);
    const paid = await api.call('POST', `/members/${memberId}/paid-tier`, {
      token: till,
      body: { paymentId: uniqueId('pay'), tier: 'GOLD', months: 1, fee: 900 },
    });
    expect(paid.body.tier).toBe('GOLD');
    const none = await sell({ memberId, lines: [{ sku, qty: 1, unitPrice: 100 }] });
    expect(none.status).toBe(409);
    expect(none.body.type).toBe('/problems/allocation-exhausted');
    expect(await onHand(sku)).toBe(5);
  });
});

describe('self-signup and taken contacts (issue 20, item 5)', () => {
  const selfSignup = async (body: Record<string, unknown>, memberId = uniqueId('self'), key = `${memberId}-reg`) => {
    const answer = await api.call('POST', '/members', {
      token: await token({ role: 'member', memberId }),
      headers: { 'idempotency-key': key },
      body: { name: 'Self Signup', ...body },
    });
    return { memberId, answer };
  };
  /** What a prober sees: the status, the header names and the body without the id it chose itself. */
  const seen = ({ memberId, answer }: Awaited<ReturnType<typeof selfSignup>>) => ({
    status: answer.status,
    headers: [...answer.headers.keys()].filter((h) => !['date', 'content-length'].includes(h)).sort(),
    body: JSON.stringify(answer.body).replace(memberId, '{id}'),
  });

  it('answers the same whether or not the email and phone are already registered, and tells their holder', async () => {
    const email = `${uniqueId('taken')}@example.com`;
    const phone = `+4917${String(Math.floor(1e7 + Math.random() * 8e7))}`;
    const holder = await register({ email, phone });

    const taken = await selfSignup({ email, phone, consent: { email: true } });
    const fresh = await selfSignup({
      email: `${uniqueId('free')}@example.com`,
      phone: `+4917${String(Math.floor(1e7 + Math.random() * 8e7))}`,
      consent: { email: true },
    });
    expect(taken.answer.status).toBe(202);
    expect(seen(taken)).toEqual(seen(fresh));
    expect(taken.answer.body).toMatchObject({ memberId: taken.memberId, status: 'ACCEPTED' });

    // The newcomer is a member without the contacts someone else holds; the holder keeps them.
    const newcomer = await member(taken.memberId);
    expect(newcomer.email).toBeUndefined();
    expect(newcomer.phone).toBeUndefined();
    expect(await member(holder)).toMatchObject({ email, phone });
    // One notice for the holder on the taken channels, for the welcome stream consumer to send.
    const notice = (
      await documentClient.send(
        new GetCommand({
          TableName: tableName(tables.members),
          Key: memberKeys.signupAttempt(holder, new Date().toISOString().slice(0, 10)),
        }),
      )
    ).Item;
    expect(notice).toMatchObject({ entity: 'SIGNUP_ATTEMPT', memberId: holder, channels: ['email', 'sms'] });

    // A retry of the same signup replays the same answer.
    const replay = await selfSignup({ email, phone, consent: { email: true } }, taken.memberId);
    expect(replay.answer.status).toBe(202);
    expect(replay.answer.body).toEqual(taken.answer.body);
    expect(replay.answer.headers.get('idempotent-replayed')).toBe('true');
  });

  it('keeps 409 for staff registering a taken email', async () => {
    const email = `${uniqueId('staff')}@example.com`;
    await register({ email });
    const again = await api.call('POST', '/members', { token: till, headers: { 'idempotency-key': uniqueId('reg') }, body: { name: 'Twice', email } });
    expect(again.status).toBe(409);
  });
});

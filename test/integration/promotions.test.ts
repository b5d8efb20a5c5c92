/**
 * Promotions at the checkout (issue 18, part 2), through the API: rules by
 * HQ, what a receipt says about each, gifts that move stock, member prices,
 * buy X get Y, conditions, pause, the dry run, returns that break a
 * threshold, and budgets and per-member limits under concurrent checkouts.
 *
 * Every rule here is limited to this file's stores (conditions.locationIds),
 * so the sales other test files make at the same time never see them.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holidayCode, holidayOffers } from '../../functions/jobs/holiday-offers.ts';
import { overstockCode, overstockPromotions } from '../../functions/jobs/overstock-promotions.ts';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { lambdaContext } from '../../infra/local/gateway.ts';
import { type LocalQueues, startLocalQueues } from '../../infra/local/sqs.ts';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { driveClock } from '../../shared/clock.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { promotionKeys } from '../../shared/db/keys.ts';
import { loadProgram, saveProgram } from '../../shared/db/members.ts';
import { activeRules, activeRulesFreshnessMs } from '../../shared/db/promotions.ts';
import { localDay } from '../../shared/domain/member-days.ts';
import { outbox } from '../../shared/messaging/outbox.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let queues: LocalQueues;
let admin: string;
let till: string;
const store = uniqueId('PR');
const kiritimati = uniqueId('PRK');
const otherStore = uniqueId('PRO');

const createProduct = async (sku: string, price = 1_000) => {
  const answer = await api.call('POST', '/products', { token: admin, body: { sku, name: `Product ${sku}`, unitCost: 100, price, currency: 'EUR' } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
};

const receive = async (sku: string, qty: number, locationId = store) => {
  const answer = await api.call('POST', '/movements', {
    token: admin,
    body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId, lines: [{ sku, qty }] },
  });
  expect(answer.status).toBe(201);
};

const product = async (price = 1_000, qty = 100, locationId = store) => {
  const sku = uniqueId('P');
  await createProduct(sku, price);
  await receive(sku, qty, locationId);
  return sku;
};

const available = async (sku: string, locationId = store): Promise<number> =>
  (await api.call('GET', `/stock/${sku}`, { token: admin })).body.levels.find((l: { locationId: string }) => l.locationId === locationId)?.available ?? 0;

const newMember = async () => {
  const answer = await api.call('POST', '/members', {
    token: till,
    headers: { 'idempotency-key': uniqueId('reg') },
    body: { name: 'Promo Member', email: `${uniqueId('pr')}@example.com` },
  });
  expect(answer.status).toBe(201);
  return answer.body.memberId as string;
};

const createRule = async (rule: Record<string, unknown>) => {
  const ruleId = uniqueId('rule');
  const { conditions, ...rest } = rule as { conditions?: Record<string, unknown> };
  const answer = await api.call('POST', '/promotions', {
    token: admin,
    body: { ruleId, name: `Rule ${ruleId}`, ...rest, conditions: { locationIds: [store], ...conditions } },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return ruleId;
};

const sell = (body: Record<string, unknown>, as = till) =>
  api.call('POST', '/sales', { token: as, body: { saleId: uniqueId('s'), locationId: store, ...body } });

interface Applied {
  ruleId: string;
  kind: string;
  amount: number;
  code?: string;
  lines: { sku: string; amount: number }[];
  gift?: { sku: string; qty: number };
}
const applied = (receipt: { promotions?: Applied[] }, ruleId: string) => receipt.promotions?.find((p) => p.ruleId === ruleId);

beforeAll(async () => {
  api = await startApi();
  queues = await startLocalQueues({ failures: new FailureLog(), region: 'eu-west-1' });
  Object.assign(process.env, { AWS_ENDPOINT_URL_SQS: queues.url, ...queues.env });
  admin = await token({ role: 'admin' });
  till = await token({ role: 'store', locations: [store, kiritimati, otherStore] });
  for (const [locationId, timeZone] of [
    [store, 'Europe/Berlin'],
    [kiritimati, 'Pacific/Kiritimati'],
    [otherStore, 'Europe/Berlin'],
  ] as const) {
    const answer = await api.call('POST', '/locations', { token: admin, body: { locationId, name: `Store ${locationId}`, type: 'STORE', timeZone } });
    expect(answer.status).toBe(201);
  }
});

afterAll(async () => {
  await queues.close();
  await api.close();
});

describe('rules (admin)', () => {
  it('creates, lists, reads, pauses and resumes a rule; a repeat replays, another body 422', async () => {
    const ruleId = uniqueId('rule');
    const body = { ruleId, name: 'Spend 300 get 50', kind: 'SPEND_THRESHOLD_OFF', minSpend: 30_000, amountOff: 5_000, conditions: { locationIds: [store] } };
    const created = await api.call('POST', '/promotions', { token: admin, body });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/promotions/${ruleId}`);
    expect(created.body).toMatchObject({ ruleId, status: 'ACTIVE', stacking: 'COMBINABLE', priority: 0, usage: { used: 0, spent: 0 } });
    const again = await api.call('POST', '/promotions', { token: admin, body });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await api.call('POST', '/promotions', { token: admin, body: { ...body, amountOff: 4_000 } })).status).toBe(422);

    const paused = await api.call('PUT', `/promotions/${ruleId}/status`, { token: admin, body: { status: 'PAUSED' } });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('PAUSED');
    const listed = await api.call('GET', '/promotions?status=PAUSED', { token: till });
    expect(listed.body.items.map((r: { ruleId: string }) => r.ruleId)).toContain(ruleId);
    expect((await api.call('PUT', `/promotions/${ruleId}/status`, { token: admin, body: { status: 'ACTIVE' } })).body.status).toBe('ACTIVE');
    expect((await api.call('GET', `/promotions/${ruleId}`, { token: till })).body.status).toBe('ACTIVE');
    expect((await api.call('PUT', `/promotions/${uniqueId('none')}/status`, { token: admin, body: { status: 'PAUSED' } })).status).toBe(404);
    // Leaves the store to the other tests.
    expect((await api.call('PUT', `/promotions/${ruleId}/status`, { token: admin, body: { status: 'PAUSED' } })).status).toBe(200);
  });

  it('bad input: 4xx problem+json, nothing written', async () => {
    const ruleId = uniqueId('rule');
    const bad = await api.call('POST', '/promotions', { token: admin, body: { ruleId, name: 'x', kind: 'COUPON', minSpend: 100 } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const unknownGift = await api.call('POST', '/promotions', {
      token: admin,
      body: { ruleId, name: 'x', kind: 'SPEND_THRESHOLD_GIFT', minSpend: 100, giftSku: uniqueId('nope') },
    });
    expect(unknownGift.status).toBe(422);
    expect(unknownGift.body.type).toBe('/problems/unknown-reference');
    const reversed = await api.call('POST', '/promotions', {
      token: admin,
      body: { ruleId, name: 'x', kind: 'SPEND_THRESHOLD_OFF', minSpend: 100, amountOff: 10, conditions: { from: '2026-12-31', to: '2026-12-01' } },
    });
    expect(reversed.status).toBe(400);
    expect(
      (await api.call('POST', '/promotions', { token: till, body: { ruleId, name: 'x', kind: 'SPEND_THRESHOLD_OFF', minSpend: 100, amountOff: 10 } })).status,
    ).toBe(403);
    expect((await api.call('GET', `/promotions/${ruleId}`, { token: admin })).status).toBe(404);
  });
});

describe('at the checkout', () => {
  it('a threshold promotion and a coupon on one receipt, each line explained by rule; a used code is refused, nothing written', async () => {
    const sku = await product(20_000);
    const threshold = await createRule({ kind: 'SPEND_THRESHOLD_OFF', minSpend: 30_000, amountOff: 5_000, conditions: { skus: [sku] } });
    const code = uniqueId('C').toUpperCase();
    const coupon = await createRule({ kind: 'COUPON', amountOff: 1_000, codes: [code] });
    const memberId = await newMember();
    const sale = await sell({ memberId, coupons: [code.toLowerCase()], lines: [{ sku, qty: 2, unitPrice: 20_000 }] });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    const receipt = sale.body;
    const tier = receipt.discount as number;
    expect(applied(receipt, threshold)).toMatchObject({ kind: 'SPEND_THRESHOLD_OFF', amount: 5_000, lines: [{ sku, amount: 5_000 }] });
    expect(applied(receipt, coupon)).toMatchObject({ kind: 'COUPON', amount: 1_000, code });
    expect(receipt.promotionDiscount).toBe(6_000);
    expect(receipt.lines[0]).toMatchObject({ promotionDiscount: 6_000 });
    expect(receipt.total).toBe(40_000 - tier - 6_000);

    const before = await available(sku);
    const reused = await sell({ memberId, coupons: [code], lines: [{ sku, qty: 1, unitPrice: 20_000 }] });
    expect(reused.status).toBe(409);
    expect(reused.headers.get('content-type')).toContain('application/problem+json');
    expect(reused.body).toMatchObject({ type: '/problems/conflict', code, reason: 'used' });
    const unknown = await sell({ memberId, coupons: ['NO-SUCH-CODE'], lines: [{ sku, qty: 1, unitPrice: 20_000 }] });
    expect(unknown.status).toBe(422);
    expect(await available(sku)).toBe(before);
  });

  it('a per-member code: only its member redeems it', async () => {
    const sku = await product(5_000);
    const coupon = await createRule({ kind: 'COUPON', percentOff: 10 });
    const [anna, ben] = [await newMember(), await newMember()];
    const issued = await api.call('POST', `/promotions/${coupon}/codes`, { token: admin, body: { memberIds: [anna] } });
    expect(issued.status).toBe(200);
    const code = issued.body.codes[0].code as string;
    expect((await api.call('POST', `/promotions/${coupon}/codes`, { token: admin, body: { memberIds: [anna] } })).body.codes[0].code).toBe(code);
    const notHers = await sell({ memberId: ben, coupons: [code], lines: [{ sku, qty: 1, unitPrice: 5_000 }] });
    expect(notHers.status).toBe(403);
    const hers = await sell({ memberId: anna, coupons: [code], lines: [{ sku, qty: 1, unitPrice: 5_000 }] });
    expect(hers.status).toBe(201);
    expect(applied(hers.body, coupon)?.amount).toBe(Math.floor((5_000 - hers.body.discount) / 10));
  });

  it('a threshold gift moves stock like any line, free on the receipt', async () => {
    const sku = await product(25_000);
    const gift = await product(1_500, 10);
    const rule = await createRule({ kind: 'SPEND_THRESHOLD_GIFT', minSpend: 50_000, giftSku: gift, giftQty: 1, conditions: { skus: [sku] } });
    const sale = await sell({ lines: [{ sku, qty: 2, unitPrice: 25_000 }] });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    expect(applied(sale.body, rule)).toMatchObject({ kind: 'SPEND_THRESHOLD_GIFT', amount: 1_500, gift: { sku: gift, qty: 1 } });
    expect(sale.body.lines.find((l: { sku: string }) => l.sku === gift)).toMatchObject({ qty: 1, gross: 1_500, promotionDiscount: 1_500, paid: 0 });
    expect(sale.body.total).toBe(50_000);
    expect(await available(gift)).toBe(9);
    expect(await available(sku)).toBe(98);
  });

  it('a gift that is out of stock does not stop the sale: it goes without it, and the receipt says why', async () => {
    const sku = await product(30_000);
    const gift = uniqueId('G');
    await createProduct(gift, 500);
    const rule = await createRule({ kind: 'SPEND_THRESHOLD_GIFT', minSpend: 30_000, giftSku: gift, conditions: { skus: [sku] } });
    const sale = await sell({ lines: [{ sku, qty: 1, unitPrice: 30_000 }] });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    expect(applied(sale.body, rule)).toBeUndefined();
    expect(sale.body.notApplied).toContainEqual({ ruleId: rule, reason: 'GIFT_OUT_OF_STOCK' });
    expect(sale.body.lines.map((l: { sku: string }) => l.sku)).toEqual([sku]);
    expect(await available(sku)).toBe(99);
  });

  it('member price per tier: a member pays it, a sale without a member does not', async () => {
    const sku = await product(9_999);
    const rule = await createRule({ kind: 'MEMBER_PRICE', sku, pricesByTier: { REGULAR: 7_999, SILVER: 7_999, GOLD: 6_999, PLATINUM: 6_999 } });
    const memberId = await newMember();
    const member = await sell({ memberId, lines: [{ sku, qty: 2, unitPrice: 9_999 }] });
    expect(member.status).toBe(201);
    expect(applied(member.body, rule)).toMatchObject({ kind: 'MEMBER_PRICE', amount: 4_000 });
    expect(member.body.lines[0]).toMatchObject({ promotionDiscount: 4_000, discount: 0, paid: 15_998 });
    const anonymous = await sell({ lines: [{ sku, qty: 1, unitPrice: 9_999 }] });
    expect(anonymous.body.promotions).toEqual([]);
    expect(anonymous.body.total).toBe(9_999);
  });

  it('buy 2 get 1: the cheapest unit free', async () => {
    const [a, b] = [await product(3_000), await product(2_000)];
    const rule = await createRule({ kind: 'BUY_X_GET_Y', buySkus: [a, b], buyQty: 2, getQty: 1 });
    const sale = await sell({
      lines: [
        { sku: a, qty: 2, unitPrice: 3_000 },
        { sku: b, qty: 1, unitPrice: 2_000 },
      ],
    });
    expect(applied(sale.body, rule)).toMatchObject({ kind: 'BUY_X_GET_Y', amount: 2_000, lines: [{ sku: b, amount: 2_000 }] });
    expect(sale.body.total).toBe(6_000);
  });

  it("conditions: location, tier, dates on the location's own calendar (UTC+14 against UTC-11)", async () => {
    const sku = await product(10_000, 100, kiritimati);
    await receive(sku, 100, otherStore);
    const now = new Date().toISOString();
    const there = localDay(now, 'Pacific/Kiritimati');
    const samoa = localDay(now, 'Pacific/Pago_Pago');
    const today = await createRule({
      kind: 'SPEND_THRESHOLD_OFF',
      minSpend: 5_000,
      amountOff: 100,
      conditions: { locationIds: [kiritimati], from: there, to: there },
    });
    const notToday = await createRule({
      kind: 'SPEND_THRESHOLD_OFF',
      minSpend: 5_000,
      amountOff: 200,
      conditions: { locationIds: [kiritimati], from: samoa, to: samoa },
    });
    const platinum = await createRule({
      kind: 'SPEND_THRESHOLD_OFF',
      minSpend: 5_000,
      amountOff: 300,
      conditions: { locationIds: [kiritimati], tiers: ['PLATINUM'] },
    });
    const memberId = await newMember();
    const sale = await sell({ locationId: kiritimati, memberId, lines: [{ sku, qty: 1, unitPrice: 10_000 }] });
    expect(sale.status).toBe(201);
    const ids = sale.body.promotions.map((p: Applied) => p.ruleId);
    expect(ids).toContain(today);
    expect(ids).not.toContain(notToday);
    expect(ids).not.toContain(platinum);
    const elsewhere = await sell({ locationId: otherStore, lines: [{ sku, qty: 1, unitPrice: 10_000 }] });
    expect(elsewhere.body.promotions).toEqual([]);
  });

  it('a paused rule gives nothing until it is resumed', async () => {
    const sku = await product(10_000);
    const rule = await createRule({ kind: 'SPEND_THRESHOLD_OFF', minSpend: 10_000, amountOff: 700, conditions: { skus: [sku] } });
    expect((await api.call('PUT', `/promotions/${rule}/status`, { token: admin, body: { status: 'PAUSED' } })).status).toBe(200);
    expect(applied((await sell({ lines: [{ sku, qty: 1, unitPrice: 10_000 }] })).body, rule)).toBeUndefined();
    expect((await api.call('PUT', `/promotions/${rule}/status`, { token: admin, body: { status: 'ACTIVE' } })).status).toBe(200);
    expect(applied((await sell({ lines: [{ sku, qty: 1, unitPrice: 10_000 }] })).body, rule)?.amount).toBe(700);
  });

  it('the dry run prices the basket with its promotions and books nothing', async () => {
    const sku = await product(20_000);
    const gift = await product(800, 5);
    const threshold = await createRule({ kind: 'SPEND_THRESHOLD_GIFT', minSpend: 30_000, giftSku: gift, budget: { uses: 5 }, conditions: { skus: [sku] } });
    const code = uniqueId('Q').toUpperCase();
    const coupon = await createRule({ kind: 'COUPON', amountOff: 500, codes: [code] });
    const quote = await api.call('POST', '/promotions/dry-run', {
      token: till,
      body: { locationId: store, coupons: [code], lines: [{ sku, qty: 2, unitPrice: 20_000 }] },
    });
    expect(quote.status, JSON.stringify(quote.body)).toBe(200);
    expect(quote.body.promotions.map((p: Applied) => p.ruleId).sort()).toEqual([threshold, coupon].sort());
    expect(quote.body.total).toBe(40_000 - 500);
    expect(await available(sku)).toBe(100);
    expect(await available(gift)).toBe(5);
    expect((await api.call('GET', `/promotions/${threshold}`, { token: admin })).body.usage).toEqual({ used: 0, spent: 0 });
    // The code is still unused: a sale redeems it.
    const sale = await sell({ coupons: [code], lines: [{ sku, qty: 2, unitPrice: 20_000 }] });
    expect(sale.status).toBe(201);
    expect(sale.body.total).toBe(quote.body.total);
    const otherStoreQuote = await api.call('POST', '/promotions/dry-run', {
      token: await token({ role: 'store', locations: [otherStore] }),
      body: { locationId: store, lines: [{ sku, qty: 1, unitPrice: 20_000 }] },
    });
    expect(otherStoreQuote.status).toBe(403);
  });
});

describe('returns', () => {
  it('a return that breaks a threshold takes back what it gave on the goods kept; returning those later refunds it', async () => {
    const [a, b] = [await product(20_000), await product(15_000)];
    const rule = await createRule({ kind: 'SPEND_THRESHOLD_OFF', minSpend: 30_000, amountOff: 5_000, conditions: { skus: [a, b] } });
    const sale = await sell({
      lines: [
        { sku: a, qty: 1, unitPrice: 20_000 },
        { sku: b, qty: 1, unitPrice: 15_000 },
      ],
    });
    expect(sale.body.total).toBe(30_000);
    const share = (sku: string) => applied(sale.body, rule)!.lines.find((l) => l.sku === sku)!.amount;
    const first = await api.call('POST', `/sales/${sale.body.saleId}/returns`, { token: till, body: { returnId: uniqueId('r'), lines: [{ sku: b, qty: 1 }] } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.promotionsTakenBack).toEqual([{ ruleId: rule, kind: 'SPEND_THRESHOLD_OFF', amount: share(a) }]);
    // The customer keeps A at its full price: 30,000 paid, 10,000 back.
    expect(first.body.refund).toBe(10_000);
    const second = await api.call('POST', `/sales/${sale.body.saleId}/returns`, {
      token: till,
      body: { returnId: uniqueId('r'), lines: [{ sku: a, qty: 1 }] },
    });
    expect(second.body.refund).toBe(20_000);
    expect(second.body.promotionsTakenBack).toBeUndefined();
  });

  it('a gift kept after its threshold breaks is paid for from the refund; returned with the goods, nothing is kept back', async () => {
    const sku = await product(25_000);
    const gift = await product(1_200, 10);
    const rule = await createRule({ kind: 'SPEND_THRESHOLD_GIFT', minSpend: 50_000, giftSku: gift, conditions: { skus: [sku] } });
    const kept = await sell({ lines: [{ sku, qty: 2, unitPrice: 25_000 }] });
    const back = await api.call('POST', `/sales/${kept.body.saleId}/returns`, { token: till, body: { returnId: uniqueId('r'), lines: [{ sku, qty: 1 }] } });
    expect(back.body.promotionsTakenBack).toEqual([{ ruleId: rule, kind: 'SPEND_THRESHOLD_GIFT', amount: 1_200 }]);
    expect(back.body.refund).toBe(25_000 - 1_200);

    const returned = await sell({ lines: [{ sku, qty: 2, unitPrice: 25_000 }] });
    const withGift = await api.call('POST', `/sales/${returned.body.saleId}/returns`, {
      token: till,
      body: {
        returnId: uniqueId('r'),
        lines: [
          { sku, qty: 1 },
          { sku: gift, qty: 1 },
        ],
      },
    });
    expect(withGift.body.promotionsTakenBack).toBeUndefined();
    expect(withGift.body.refund).toBe(25_000);
    expect(await available(gift)).toBe(9);
  });
});

describe('budgets and limits under concurrency', () => {
  it('30 concurrent checkouts against a budget of 10: exactly 10 get it, all 30 are sold', async () => {
    const sku = await product(10_000, 40);
    const rule = await createRule({ kind: 'SPEND_THRESHOLD_OFF', minSpend: 10_000, amountOff: 1_000, budget: { uses: 10 }, conditions: { skus: [sku] } });
    const answers = await Promise.all(Array.from({ length: 30 }, () => sell({ lines: [{ sku, qty: 1, unitPrice: 10_000 }] })));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
    expect(answers.filter((a) => applied(a.body, rule))).toHaveLength(10);
    expect((await api.call('GET', `/promotions/${rule}`, { token: admin })).body.usage).toEqual({ used: 10, spent: 10_000 });
    expect(await available(sku)).toBe(10);
  });

  it('a shared coupon with a per-member limit of 2, presented 8 times at once by one member: 2 redeemed, 6 refused, nothing over', async () => {
    const sku = await product(1_000, 20);
    const code = uniqueId('SH').toUpperCase();
    const rule = await createRule({ kind: 'COUPON', amountOff: 100, sharedCode: code, conditions: { perMemberLimit: 2 }, budget: { uses: 100 } });
    const memberId = await newMember();
    const answers = await Promise.all(Array.from({ length: 8 }, () => sell({ memberId, coupons: [code], lines: [{ sku, qty: 1, unitPrice: 1_000 }] })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(2);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.map((a) => [a.status, a.body.reason])).toEqual(Array(6).fill([409, 'per-member limit reached']));
    expect((await api.call('GET', `/promotions/${rule}`, { token: admin })).body.usage).toEqual({ used: 2, spent: 200 });
    expect(await available(sku)).toBe(18);
  });
});

describe('offers the jobs send carry a redeemable offer', () => {
  it("a holiday's message carries a members' code, redeemable once per member", async () => {
    const tag = uniqueId('hp').toLowerCase();
    const zones = ['UTC', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'Pacific/Auckland', 'America/Los_Angeles', 'Asia/Kolkata'];
    const hourIn = (zone: string) => Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: '2-digit' }).format(new Date()));
    const timeZone = zones.find((zone) => hourIn(zone) >= 9 && hourIn(zone) < 19)!;
    const registered = await api.call('POST', '/members', {
      token: admin,
      headers: { 'idempotency-key': uniqueId('reg') },
      body: { name: 'Holiday Member', email: `${uniqueId('hp')}@example.com`, timeZone, consent: { email: true } },
    });
    const { memberId, email } = registered.body as { memberId: string; email: string };
    expect((await api.call('PUT', `/members/${memberId}/tags`, { token: admin, body: { tags: [tag] } })).status).toBe(200);
    const holidayId = tag.slice(0, 40);
    for (let attempt = 0; ; attempt++) {
      const { version, ...program } = await loadProgram(true);
      const holiday = {
        holidayId,
        name: 'Promo day',
        date: new Date().toISOString().slice(5, 10),
        headline: 'Happy promo day',
        text: 'enjoy it.',
        segment: { tags: [tag] },
        offer: { amountOff: 500 },
      };
      try {
        await saveProgram({ ...program, holidays: [...(program.holidays ?? []), holiday] }, version, { subject: 'test', role: 'admin', locations: [] });
        break;
      } catch (error) {
        if (attempt > 5) throw error;
      }
    }
    await holidayOffers({} as ScheduledEvent, lambdaContext('holidayOffers'));
    await queues.idle();
    const code = holidayCode(holidayId, new Date().toISOString().slice(0, 4));
    const [message] = outbox.list(email);
    expect(message?.body).toContain(code);
    const sku = await product(3_000);
    const first = await sell({ memberId, coupons: [code], lines: [{ sku, qty: 1, unitPrice: 3_000 }] });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.promotions).toEqual([expect.objectContaining({ kind: 'COUPON', code, amount: 500 })]);
    const again = await sell({ memberId, coupons: [code], lines: [{ sku, qty: 1, unitPrice: 3_000 }] });
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('per-member limit reached');
    expect((await sell({ coupons: [code], lines: [{ sku, qty: 1, unitPrice: 3_000 }] })).status).toBe(409);
  });

  it("an overstocked SKU's offer is a members' code on that SKU, 15 % off, once per member", async () => {
    const sku = await product(2_000, 500);
    const other = await product(1_000);
    const run = await overstockPromotions({} as ScheduledEvent, lambdaContext('overstockPromotions'));
    expect(run.campaigns.map((c) => c.sku)).toContain(sku);
    const code = overstockCode(sku, new Date().toISOString());
    const memberId = await newMember();
    const sale = await sell({
      memberId,
      coupons: [code],
      lines: [
        { sku, qty: 1, unitPrice: 2_000 },
        { sku: other, qty: 1, unitPrice: 1_000 },
      ],
    });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    const discount = sale.body.lines.find((l: { sku: string }) => l.sku === sku).discount as number;
    expect(sale.body.promotions).toEqual([
      expect.objectContaining({ kind: 'COUPON', code, amount: Math.floor(((2_000 - discount) * 15) / 100), lines: [expect.objectContaining({ sku })] }),
    ]);
    expect((await sell({ memberId, coupons: [code], lines: [{ sku, qty: 1, unitPrice: 2_000 }] })).status).toBe(409);
  });
});

describe('the rules in force, kept per container for a few seconds', () => {
  it('counts a rule created here at once, and one paused elsewhere once the bound has passed', async () => {
    const ruleId = await createRule({ kind: 'SPEND_THRESHOLD_OFF', minSpend: 10_000, amountOff: 100 });
    const inForce = async () => (await activeRules()).map((r) => r.ruleId);
    expect(await inForce()).toContain(ruleId);
    // Paused through another container: this one's list does not know yet.
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName(tables.inventory),
        Key: promotionKeys.rule(ruleId),
        UpdateExpression: 'SET #status = :paused REMOVE gsi1pk, gsi1sk',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':paused': 'PAUSED' },
      }),
    );
    expect(await inForce()).toContain(ruleId);
    const later = Date.now() + activeRulesFreshnessMs;
    driveClock(() => later);
    try {
      expect(await inForce()).not.toContain(ruleId);
    } finally {
      driveClock(undefined);
    }
  });
});

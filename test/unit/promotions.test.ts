/**
 * The promotion engine (shared/domain/promotions.ts): order of evaluation,
 * stacking, rounding in cents, cheapest-free, thresholds, and what a return
 * takes back. Pure: nothing runs.
 */
import { describe, expect, it } from 'vitest';
import { applyPromotions, conditionFailure, type PromotionContext, type PromotionRule, promotionTakeBacks } from '../../shared/domain/promotions.ts';
import { priceReturn, priceSale, type SoldLine } from '../../shared/domain/sales.ts';

const context = (overrides: Partial<PromotionContext> = {}): PromotionContext => ({
  locationId: 'S1',
  localDay: '2026-12-07',
  tierDiscountPercent: 0,
  usage: new Map(),
  memberUses: new Map(),
  coupons: [],
  giftPrices: new Map([['GIFT', 999]]),
  ...overrides,
});
const gold = { member: { memberId: 'm1', tier: 'GOLD' as const, tags: ['vip'] } };

const base = { status: 'ACTIVE', stacking: 'COMBINABLE', priority: 0, conditions: {} } as const;
const rule = (r: Record<string, unknown>): PromotionRule => ({ ...base, name: String(r.ruleId), ...r }) as PromotionRule;

const off300 = rule({ ruleId: 'off-300', kind: 'SPEND_THRESHOLD_OFF', minSpend: 30_000, amountOff: 5_000 });
const gift500 = rule({ ruleId: 'gift-500', kind: 'SPEND_THRESHOLD_GIFT', minSpend: 50_000, giftSku: 'GIFT', giftQty: 1 });

/** Prices a basket through the engine and priceSale, as the checkout does. */
const price = (lines: { sku: string; qty: number; unitPrice: number }[], rules: PromotionRule[], ctx = context()) => {
  const result = applyPromotions(lines, rules, ctx);
  const sale = priceSale(
    result.lines,
    ctx.member ? { discountPercent: ctx.tierDiscountPercent, pointsMultiplier: 1, perCurrencyUnit: 1, pointValue: 1 } : undefined,
    0,
    result.adjustments,
  );
  return { result, sale };
};

describe('spend thresholds', () => {
  it('gives the amount off once the spend reaches the threshold, apportioned over the lines by largest remainder', () => {
    const { result, sale } = price(
      [
        { sku: 'A', qty: 1, unitPrice: 20_000 },
        { sku: 'B', qty: 1, unitPrice: 10_001 },
      ],
      [off300],
    );
    expect(result.applied).toEqual([expect.objectContaining({ ruleId: 'off-300', kind: 'SPEND_THRESHOLD_OFF', amount: 5_000, minSpend: 30_000 })]);
    const parts = result.applied[0]!.lines.map((l) => l.amount);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(parts).toEqual([3_333, 1_667]);
    expect(sale.total).toBe(30_001 - 5_000);
    expect(sale.promotionDiscount).toBe(5_000);
  });

  it('gives nothing below the threshold and says why', () => {
    const { result, sale } = price([{ sku: 'A', qty: 1, unitPrice: 29_999 }], [off300]);
    expect(result.applied).toEqual([]);
    expect(result.notApplied).toEqual([{ ruleId: 'off-300', reason: 'BELOW_THRESHOLD' }]);
    expect(sale.total).toBe(29_999);
  });

  it('counts the spend after the tier discount: 5 % off 310.00 is 294.50, below 300', () => {
    const lines = [{ sku: 'A', qty: 1, unitPrice: 31_000 }];
    expect(price(lines, [off300], context({ ...gold, tierDiscountPercent: 5 })).result.applied).toEqual([]);
    expect(price(lines, [off300], context({ ...gold, tierDiscountPercent: 3 })).result.applied).toHaveLength(1);
  });

  it('adds the gift as a line that moves stock, free, at its catalogue value', () => {
    const { result, sale } = price([{ sku: 'A', qty: 2, unitPrice: 25_000 }], [gift500]);
    expect(result.gifts).toEqual([{ sku: 'GIFT', qty: 1 }]);
    expect(result.lines).toEqual([
      { sku: 'A', qty: 2, unitPrice: 25_000 },
      { sku: 'GIFT', qty: 1, unitPrice: 999 },
    ]);
    expect(sale.lines.find((l) => l.sku === 'GIFT')).toMatchObject({ gross: 999, promotionDiscount: 999, paid: 0 });
    expect(sale.total).toBe(50_000);
    expect(result.applied[0]).toMatchObject({ amount: 999, gift: { sku: 'GIFT', qty: 1, unitValue: 999 } });
  });

  it('counts only the lines named in conditions.skus', () => {
    const only = rule({ ...off300, ruleId: 'only-a', conditions: { skus: ['A'] } });
    expect(
      price(
        [
          { sku: 'A', qty: 1, unitPrice: 20_000 },
          { sku: 'B', qty: 1, unitPrice: 20_000 },
        ],
        [only],
      ).result.applied,
    ).toEqual([]);
  });
});

describe('member prices and the tier discount', () => {
  const memberPrice = rule({ ruleId: 'mp', kind: 'MEMBER_PRICE', sku: 'A', pricesByTier: { GOLD: 7_999, SILVER: 8_999 } });

  it("sets the unit price for the member's tier; that line gets no tier percentage, the others do", () => {
    const { sale } = price(
      [
        { sku: 'A', qty: 2, unitPrice: 9_999 },
        { sku: 'B', qty: 1, unitPrice: 1_000 },
      ],
      [memberPrice],
      context({ ...gold, tierDiscountPercent: 5 }),
    );
    expect(sale.lines[0]).toMatchObject({ promotionDiscount: 4_000, discount: 0, paid: 15_998 });
    expect(sale.lines[1]).toMatchObject({ promotionDiscount: 0, discount: 50, paid: 950 });
  });

  it('needs a member, and a price for their tier', () => {
    expect(conditionFailure(memberPrice, context())).toBe('members only');
    const regular = price([{ sku: 'A', qty: 1, unitPrice: 9_999 }], [memberPrice], context({ member: { memberId: 'm', tier: 'REGULAR', tags: [] } }));
    expect(regular.sale.total).toBe(9_999);
  });

  it('takes the lowest of several member prices for a SKU', () => {
    const lower = rule({ ruleId: 'mp-low', kind: 'MEMBER_PRICE', sku: 'A', pricesByTier: { GOLD: 6_999 } });
    const { result } = price([{ sku: 'A', qty: 1, unitPrice: 9_999 }], [memberPrice, lower], context(gold));
    expect(result.applied.map((p) => [p.ruleId, p.amount])).toEqual([['mp-low', 3_000]]);
    expect(result.notApplied).toEqual([{ ruleId: 'mp', reason: 'BETTER_PRICE' }]);
  });
});

describe('buy X get Y', () => {
  it('same SKUs: of every X + Y units the cheapest Y are free', () => {
    const b2g1 = rule({ ruleId: 'b2g1', kind: 'BUY_X_GET_Y', buySkus: ['A', 'B'], buyQty: 2, getQty: 1 });
    const { result, sale } = price(
      [
        { sku: 'A', qty: 4, unitPrice: 1_000 },
        { sku: 'B', qty: 2, unitPrice: 500 },
      ],
      [b2g1],
    );
    // Six units: two groups of three, the two cheapest (both B) free.
    expect(result.applied[0]).toMatchObject({ amount: 1_000, lines: [{ sku: 'B', amount: 1_000 }] });
    expect(sale.total).toBe(4_000);
  });

  it('other SKUs: each X bought frees Y of the get SKUs, cheapest first, never more than are in the basket', () => {
    const shoesGetSocks = rule({ ruleId: 'shoe-sock', kind: 'BUY_X_GET_Y', buySkus: ['SHOE'], buyQty: 1, getSkus: ['SOCK', 'CAP'], getQty: 1 });
    const { result } = price(
      [
        { sku: 'SHOE', qty: 2, unitPrice: 9_000 },
        { sku: 'SOCK', qty: 1, unitPrice: 700 },
        { sku: 'CAP', qty: 3, unitPrice: 1_500 },
      ],
      [shoesGetSocks],
    );
    expect(result.applied[0]!.lines).toEqual([
      { sku: 'SOCK', amount: 700 },
      { sku: 'CAP', amount: 1_500 },
    ]);
  });

  it('too few units: nothing free', () => {
    const b2g1 = rule({ ruleId: 'b2g1', kind: 'BUY_X_GET_Y', buySkus: ['A'], buyQty: 2, getQty: 1 });
    expect(price([{ sku: 'A', qty: 2, unitPrice: 1_000 }], [b2g1]).result.notApplied).toEqual([{ ruleId: 'b2g1', reason: 'NOTHING_TO_DISCOUNT' }]);
  });
});

describe('order of evaluation and stacking', () => {
  it('line promotions, then the tier, then thresholds, then coupons on what is left', () => {
    const coupon = rule({ ruleId: 'c10', kind: 'COUPON', percentOff: 10 });
    const memberPrice = rule({ ruleId: 'mp', kind: 'MEMBER_PRICE', sku: 'A', pricesByTier: { GOLD: 20_000 } });
    const { result, sale } = price(
      [
        { sku: 'A', qty: 1, unitPrice: 25_000 },
        { sku: 'B', qty: 1, unitPrice: 15_000 },
      ],
      [coupon, off300, memberPrice],
      context({ ...gold, tierDiscountPercent: 10, coupons: [{ code: 'TEN', ruleId: 'c10' }] }),
    );
    // A: 25,000 -> member price 20,000 (no tier); B: 15,000 - 10 % = 13,500. Spend 33,500 >= 30,000: 5,000 off.
    // Left 28,500; the coupon takes 10 % of it: 2,850.
    expect(result.applied.map((p) => [p.ruleId, p.amount])).toEqual([
      ['mp', 5_000],
      ['off-300', 5_000],
      ['c10', 2_850],
    ]);
    expect(result.applied[2]!.code).toBe('TEN');
    expect(sale.discount).toBe(1_500);
    expect(sale.total).toBe(40_000 - 5_000 - 1_500 - 5_000 - 2_850);
  });

  it('an exclusive rule applies alone, when it gives more than every combinable rule together', () => {
    const big = rule({ ruleId: 'big', kind: 'SPEND_THRESHOLD_OFF', minSpend: 30_000, amountOff: 8_000, stacking: 'EXCLUSIVE' });
    const coupon = rule({ ruleId: 'c5', kind: 'COUPON', amountOff: 500 });
    const ctx = context({ coupons: [{ code: 'FIVE', ruleId: 'c5' }] });
    const lines = [{ sku: 'A', qty: 1, unitPrice: 40_000 }];
    const { result } = price(lines, [off300, coupon, big], ctx);
    expect(result.applied.map((p) => p.ruleId)).toEqual(['big']);
    expect(result.notApplied).toEqual(
      expect.arrayContaining([
        { ruleId: 'off-300', reason: 'STACKING' },
        { ruleId: 'c5', code: 'FIVE', reason: 'STACKING' },
      ]),
    );
    // Worth less than 5,000 + 500: the combinable set wins.
    const small = rule({ ...big, amountOff: 5_500 });
    expect(price(lines, [off300, coupon, small], ctx).result.applied.map((p) => p.ruleId)).toEqual(['off-300', 'c5']);
  });

  it('two thresholds count the same spend; a coupon never takes a line below zero', () => {
    const off2 = rule({ ruleId: 'off-2', kind: 'SPEND_THRESHOLD_OFF', minSpend: 30_000, amountOff: 1_000 });
    const coupon = rule({ ruleId: 'c-all', kind: 'COUPON', amountOff: 100_000 });
    const { sale, result } = price([{ sku: 'A', qty: 1, unitPrice: 30_000 }], [off300, off2, coupon], context({ coupons: [{ code: 'ALL', ruleId: 'c-all' }] }));
    expect(result.applied.map((p) => [p.ruleId, p.amount])).toEqual([
      ['off-2', 1_000],
      ['off-300', 5_000],
      ['c-all', 24_000],
    ]);
    expect(sale.total).toBe(0);
  });

  it('priority orders rules within a step (higher first)', () => {
    const first = rule({ ruleId: 'z-first', kind: 'COUPON', amountOff: 100, priority: 5 });
    const second = rule({ ruleId: 'a-second', kind: 'COUPON', percentOff: 50 });
    const { result } = price(
      [{ sku: 'A', qty: 1, unitPrice: 1_000 }],
      [second, first],
      context({
        coupons: [
          { code: 'Z', ruleId: 'z-first' },
          { code: 'A', ruleId: 'a-second' },
        ],
      }),
    );
    expect(result.applied.map((p) => [p.ruleId, p.amount])).toEqual([
      ['z-first', 100],
      ['a-second', 450],
    ]);
  });

  it('a coupon not presented does nothing', () => {
    const coupon = rule({ ruleId: 'c', kind: 'COUPON', amountOff: 100 });
    expect(price([{ sku: 'A', qty: 1, unitPrice: 1_000 }], [coupon]).result.applied).toEqual([]);
  });
});

describe('rounding in cents', () => {
  it('percentages round down per line and shares add up to the whole', () => {
    const coupon = rule({ ruleId: 'c', kind: 'COUPON', percentOff: 12.5 });
    const { result, sale } = price(
      [
        { sku: 'A', qty: 3, unitPrice: 333 },
        { sku: 'B', qty: 1, unitPrice: 1 },
      ],
      [coupon],
      context({ coupons: [{ code: 'C', ruleId: 'c' }] }),
    );
    // 12.5 % of 1,000 = 125 exactly, split 999 : 1 by largest remainder (B's 0.125 loses; lines given nothing are left off).
    expect(result.applied[0]!.lines).toEqual([{ sku: 'A', amount: 125 }]);
    expect(sale.total).toBe(875);
  });
});

describe('conditions', () => {
  const dated = rule({ ...off300, conditions: { from: '2026-12-24', to: '2026-12-26', locationIds: ['S1'], tiers: ['GOLD'], tags: ['vip'] } });
  it('dates on the location calendar, locations, tiers, tags', () => {
    expect(conditionFailure(dated, context({ ...gold, localDay: '2026-12-23' }))).toBe('not started');
    expect(conditionFailure(dated, context({ ...gold, localDay: '2026-12-27' }))).toBe('ended');
    expect(conditionFailure(dated, context({ ...gold, localDay: '2026-12-24' }))).toBeUndefined();
    expect(conditionFailure(dated, context({ ...gold, localDay: '2026-12-24', locationId: 'S2' }))).toBe('not at this location');
    expect(conditionFailure(dated, context({ localDay: '2026-12-24' }))).toBe('members only');
    expect(conditionFailure(dated, context({ member: { memberId: 'm', tier: 'SILVER', tags: ['vip'] }, localDay: '2026-12-24' }))).toBe('not for tier SILVER');
    expect(conditionFailure(dated, context({ member: { memberId: 'm', tier: 'GOLD', tags: [] }, localDay: '2026-12-24' }))).toBe('member not tagged');
  });

  it('per-member limits, budgets and pause', () => {
    const limited = rule({ ...off300, conditions: { perMemberLimit: 2 }, budget: { uses: 10, amount: 100_000 } });
    expect(conditionFailure(limited, context({ ...gold, memberUses: new Map([['off-300', 1]]) }))).toBeUndefined();
    expect(conditionFailure(limited, context({ ...gold, memberUses: new Map([['off-300', 2]]) }))).toBe('per-member limit reached');
    expect(conditionFailure(limited, context({ ...gold, usage: new Map([['off-300', { used: 10, spent: 0 }]]) }))).toBe('budget used up');
    expect(conditionFailure(limited, context({ ...gold, usage: new Map([['off-300', { used: 0, spent: 100_000 }]]) }))).toBe('budget used up');
    expect(conditionFailure({ ...limited, status: 'PAUSED' }, context(gold))).toBe('paused');
  });

  it('a money budget caps what the last sale gets', () => {
    const capped = rule({ ...off300, budget: { amount: 12_000 } });
    const { result } = price([{ sku: 'A', qty: 1, unitPrice: 40_000 }], [capped], context({ usage: new Map([['off-300', { used: 2, spent: 10_000 }]]) }));
    expect(result.applied[0]!.amount).toBe(2_000);
  });
});

describe('returns take back what a broken threshold gave', () => {
  const sell = (lines: { sku: string; qty: number; unitPrice: number }[], rules: PromotionRule[]) => {
    const { result, sale } = price(lines, rules);
    return { applied: result.applied, sold: sale.lines.map((l) => ({ ...l, returned: 0 })) as SoldLine[] };
  };
  const returnedAfter = (sold: SoldLine[], returning: Record<string, number>) => sold.map((l) => ({ ...l, returned: l.returned + (returning[l.sku] ?? 0) }));

  it('in money: returning B leaves A below 300, so A gives back its share of the 50', () => {
    const { applied, sold } = sell(
      [
        { sku: 'A', qty: 1, unitPrice: 20_000 },
        { sku: 'B', qty: 1, unitPrice: 15_000 },
      ],
      [off300],
    );
    // A took 2,857 of the 5,000, B 2,143: B's refund is 12,857, less A's 2,857 kept back.
    const refund = priceReturn(sold, [{ sku: 'B', qty: 1 }]).refund;
    const takeBacks = promotionTakeBacks(applied, returnedAfter(sold, { B: 1 }), []);
    expect(takeBacks).toEqual([{ ruleId: 'off-300', kind: 'SPEND_THRESHOLD_OFF', amount: 2_857, lines: [{ sku: 'A', amount: 2_857, units: 1 }] }]);
    expect(refund - takeBacks[0]!.amount).toBe(10_000);
    // Taken back once; returning A later refunds all the customer paid for it (17,143 + 2,857).
    expect(promotionTakeBacks(applied, returnedAfter(sold, { B: 1 }), ['off-300'])).toEqual([]);
    const parked = returnedAfter(sold, { B: 1 }).map((l) =>
      l.sku === 'A' ? { ...l, takeBacks: [{ ruleId: 'off-300', amount: 2_857, units: 1, returnedAt: 0 }] } : l,
    );
    expect(priceReturn(parked, [{ sku: 'A', qty: 1 }]).refund).toBe(20_000);
  });

  it('nothing while the kept spend still reaches the threshold', () => {
    const { applied, sold } = sell([{ sku: 'A', qty: 4, unitPrice: 10_000 }], [off300]);
    expect(promotionTakeBacks(applied, returnedAfter(sold, { A: 1 }), [])).toEqual([]);
    expect(promotionTakeBacks(applied, returnedAfter(sold, { A: 2 }), [])).toHaveLength(1);
  });

  it('by the gift: a gift kept is paid for at its value; a gift returned with the goods costs nothing', () => {
    const { applied, sold } = sell([{ sku: 'A', qty: 2, unitPrice: 25_000 }], [gift500]);
    expect(promotionTakeBacks(applied, returnedAfter(sold, { A: 1 }), [])).toEqual([
      { ruleId: 'gift-500', kind: 'SPEND_THRESHOLD_GIFT', amount: 999, lines: [{ sku: 'GIFT', amount: 999, units: 1 }] },
    ]);
    expect(promotionTakeBacks(applied, returnedAfter(sold, { A: 1, GIFT: 1 }), [])).toEqual([]);
  });
});

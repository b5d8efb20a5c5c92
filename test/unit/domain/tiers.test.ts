import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Conflict, ValidationFailed } from '../../../shared/domain/errors.ts';
import {
  addToMonth,
  afterPurchase,
  afterReturn,
  buyTier,
  nextReviewAt,
  upgradeOf,
  defaultProgram,
  effectiveTier,
  higherTier,
  type Program,
  qualifyingTier,
  reviewTier,
  rollingTotal,
  rollingWindow,
  ruleOf,
  tierNames,
  type TierName,
  tierRank,
  type TierState,
} from '../../../shared/domain/tiers.ts';
import { monthOf } from '../../../shared/domain/time.ts';

/** A program with other thresholds, a short window and a short grace period. */
const custom: Program = {
  ...defaultProgram,
  tiers: [
    { tier: 'REGULAR', minSpend: 0, minVisits: 0, discountPercent: 0, pointsMultiplier: 1, exclusiveAccess: false },
    { tier: 'SILVER', minSpend: 1_000, minVisits: 1, discountPercent: 1, pointsMultiplier: 1.1, exclusiveAccess: false },
    { tier: 'GOLD', minSpend: 2_000, minVisits: 3, discountPercent: 3, pointsMultiplier: 1.15, exclusiveAccess: true },
    { tier: 'PLATINUM', minSpend: 10_000, minVisits: 3, discountPercent: 7, pointsMultiplier: 3, exclusiveAccess: true },
  ],
  rollingMonths: 3,
  reviewGraceDays: 30,
};

const tierArb = fc.constantFrom(...tierNames);
const state = (qualifiedTier: TierName, qualifiedSince = '2025-01-01T00:00:00.000Z', extra: Partial<TierState> = {}): TierState => ({
  qualifiedTier,
  qualifiedSince,
  ...extra,
});

describe('tier ranks and rules', () => {
  it('ranks the tiers REGULAR < SILVER < GOLD < PLATINUM', () => {
    expect(tierNames.map(tierRank)).toEqual([0, 1, 2, 3]);
  });

  it('higherTier picks the higher rank whatever the order', () => {
    expect(higherTier('SILVER', 'GOLD')).toBe('GOLD');
    expect(higherTier('PLATINUM', 'REGULAR')).toBe('PLATINUM');
    expect(higherTier('SILVER', 'SILVER')).toBe('SILVER');
    fc.assert(
      fc.property(tierArb, tierArb, (a, b) => {
        expect(higherTier(a, b)).toBe(higherTier(b, a));
        expect(tierRank(higherTier(a, b))).toBe(Math.max(tierRank(a), tierRank(b)));
      }),
    );
  });

  it('ruleOf finds the tier rule, and refuses a program without it', () => {
    expect(ruleOf(defaultProgram, 'GOLD')).toMatchObject({ minSpend: 150_000, minVisits: 12, discountPercent: 5, pointsMultiplier: 1.5 });
    const noGold: Program = { ...defaultProgram, tiers: defaultProgram.tiers.filter((t) => t.tier !== 'GOLD') };
    expect(() => ruleOf(noGold, 'GOLD')).toThrow('The program has no rule for tier GOLD');
  });

  it('monthOf takes the YYYY-MM of an ISO time', () => {
    expect(monthOf('2025-03-31T23:59:59.999Z')).toBe('2025-03');
  });
});

describe('qualifyingTier', () => {
  it.each([
    [0, 0, 'REGULAR'],
    [49_999, 100, 'REGULAR'],
    [50_000, 4, 'REGULAR'],
    [50_000, 5, 'SILVER'],
    [149_999, 50, 'SILVER'],
    [150_000, 11, 'SILVER'],
    [150_000, 12, 'GOLD'],
    [499_999, 24, 'GOLD'],
    [500_000, 23, 'GOLD'],
    [500_000, 24, 'PLATINUM'],
    [10_000_000, 1_000, 'PLATINUM'],
  ] as const)('default program: spend %i and %i visits qualify for %s', (spend, visits, tier) => {
    expect(qualifyingTier(defaultProgram, spend, visits)).toBe(tier);
  });

  it('needs both thresholds: huge spend with few visits, or many visits with little spend, do not qualify', () => {
    expect(qualifyingTier(defaultProgram, 5_000_000, 4)).toBe('REGULAR');
    expect(qualifyingTier(defaultProgram, 49_999, 1_000)).toBe('REGULAR');
    expect(qualifyingTier(defaultProgram, 5_000_000, 12)).toBe('GOLD');
  });

  it('applies a custom program', () => {
    expect(qualifyingTier(custom, 999, 10)).toBe('REGULAR');
    expect(qualifyingTier(custom, 1_000, 1)).toBe('SILVER');
    expect(qualifyingTier(custom, 2_000, 2)).toBe('SILVER');
    expect(qualifyingTier(custom, 2_000, 3)).toBe('GOLD');
    expect(qualifyingTier(custom, 10_000, 3)).toBe('PLATINUM');
  });

  it('does not depend on the order the program lists its tiers in', () => {
    const shuffled: Program = { ...custom, tiers: [...custom.tiers].reverse() };
    fc.assert(
      fc.property(fc.nat(20_000), fc.nat(10), (spend, visits) => {
        expect(qualifyingTier(shuffled, spend, visits)).toBe(qualifyingTier(custom, spend, visits));
      }),
    );
  });

  it('is monotonic: more spend or more visits never give a lower tier', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(50), fc.nat(1_000_000), fc.nat(50), (spend, visits, moreSpend, moreVisits) => {
        const base = tierRank(qualifyingTier(defaultProgram, spend, visits));
        expect(tierRank(qualifyingTier(defaultProgram, spend + moreSpend, visits + moreVisits))).toBeGreaterThanOrEqual(base);
      }),
    );
  });

  it('the tier it gives has both its thresholds met, and the next tier up does not', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(50), (spend, visits) => {
        const tier = qualifyingTier(defaultProgram, spend, visits);
        const rule = ruleOf(defaultProgram, tier);
        expect(spend).toBeGreaterThanOrEqual(rule.minSpend);
        expect(visits).toBeGreaterThanOrEqual(rule.minVisits);
        const next = tierNames[tierRank(tier) + 1];
        if (next) {
          const up = ruleOf(defaultProgram, next);
          expect(spend >= up.minSpend && visits >= up.minVisits).toBe(false);
        }
      }),
    );
  });

  it('takes no points argument: only spend and visits count', () => {
    // The signature is (program, spend, visits); points have no way in.
    expect(qualifyingTier.length).toBe(3);
  });
});

describe('rollingWindow', () => {
  it('lists the months ending with the current one, oldest first', () => {
    expect(rollingWindow('2025-06-15T12:00:00.000Z', 3)).toEqual(['2025-04', '2025-05', '2025-06']);
  });

  it('wraps over the year boundary', () => {
    expect(rollingWindow('2025-02-01T00:00:00.000Z', 4)).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
    expect(rollingWindow('2025-01-31T23:59:59.999Z', 12)).toEqual([
      '2024-02',
      '2024-03',
      '2024-04',
      '2024-05',
      '2024-06',
      '2024-07',
      '2024-08',
      '2024-09',
      '2024-10',
      '2024-11',
      '2024-12',
      '2025-01',
    ]);
  });

  it('uses the UTC month of now, first and last instants of a month included', () => {
    expect(rollingWindow('2025-03-01T00:00:00.000Z', 1)).toEqual(['2025-03']);
    expect(rollingWindow('2025-03-31T23:59:59.999Z', 1)).toEqual(['2025-03']);
  });

  it('spans more than a year when asked', () => {
    const window = rollingWindow('2025-03-10T00:00:00.000Z', 36);
    expect(window).toHaveLength(36);
    expect(window[0]).toBe('2022-04');
    expect(window[35]).toBe('2025-03');
  });

  it('always gives `months` distinct consecutive months ending with now', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 36 }),
        (date, months) => {
          const now = date.toISOString();
          const window = rollingWindow(now, months);
          expect(window).toHaveLength(months);
          expect(window[months - 1]).toBe(monthOf(now));
          for (let i = 1; i < window.length; i++) {
            const [y0, m0] = window[i - 1]!.split('-').map(Number);
            const [y1, m1] = window[i]!.split('-').map(Number);
            expect(y1! * 12 + m1! - (y0! * 12 + m0!)).toBe(1);
          }
        },
      ),
    );
  });
});

describe('rollingTotal', () => {
  const totals = { '2024-12': 100, '2025-01': 20, '2025-02': 3, '2025-03': 4000, '2024-01': 99_999 };

  it('sums the months inside the window only', () => {
    expect(rollingTotal(totals, '2025-02-14T00:00:00.000Z', 3)).toBe(123);
    expect(rollingTotal(totals, '2025-03-01T00:00:00.000Z', 3)).toBe(4023);
    expect(rollingTotal(totals, '2025-03-01T00:00:00.000Z', 1)).toBe(4000);
  });

  it('counts a month exactly 12 months back in a 13-month window but not in a 12-month one', () => {
    expect(rollingTotal(totals, '2025-01-10T00:00:00.000Z', 12)).toBe(120);
    expect(rollingTotal(totals, '2025-01-10T00:00:00.000Z', 13)).toBe(100_119);
  });

  it('is 0 without data', () => {
    expect(rollingTotal({}, '2025-01-10T00:00:00.000Z', 12)).toBe(0);
  });
});

describe('addToMonth', () => {
  const now = '2025-02-10T09:00:00.000Z';

  it('adds to an existing bucket and opens a new one', () => {
    expect(addToMonth({ '2025-02': 10 }, '2025-02', 5, now, 12)).toEqual({ '2025-02': 15 });
    expect(addToMonth({ '2025-01': 10 }, '2025-02', 5, now, 12)).toEqual({ '2025-01': 10, '2025-02': 5 });
  });

  it('drops months that left the window', () => {
    expect(addToMonth({ '2024-02': 7, '2024-03': 8, '2025-01': 1 }, '2025-02', 2, now, 12)).toEqual({
      '2024-03': 8,
      '2025-01': 1,
      '2025-02': 2,
    });
    expect(addToMonth({ '2024-12': 7, '2025-01': 1 }, '2025-02', 2, now, 2)).toEqual({ '2025-01': 1, '2025-02': 2 });
  });

  it('ignores an amount for a month outside the window, still pruning', () => {
    expect(addToMonth({ '2023-05': 1, '2025-02': 4 }, '2024-01', 100, now, 12)).toEqual({ '2025-02': 4 });
  });

  it('ignores a month after the current month (not in the window yet)', () => {
    expect(addToMonth({}, '2025-03', 100, now, 12)).toEqual({});
  });

  it('subtracts (a return) but never below zero', () => {
    expect(addToMonth({ '2025-02': 10 }, '2025-02', -4, now, 12)).toEqual({ '2025-02': 6 });
    expect(addToMonth({ '2025-02': 10 }, '2025-02', -25, now, 12)).toEqual({ '2025-02': 0 });
    expect(addToMonth({}, '2025-02', -3, now, 12)).toEqual({ '2025-02': 0 });
  });

  it('does not modify its input', () => {
    const totals = Object.freeze({ '2024-01': 1, '2025-02': 2 });
    addToMonth(totals, '2025-02', 5, now, 12);
    expect(totals).toEqual({ '2024-01': 1, '2025-02': 2 });
  });

  it('wraps over the year: January keeps last December', () => {
    expect(addToMonth({ '2024-11': 1, '2024-12': 2 }, '2025-01', 3, '2025-01-01T00:00:00.000Z', 2)).toEqual({ '2024-12': 2, '2025-01': 3 });
  });

  it('only ever holds window months, none negative, and the rolling total moves by the amount (floored at 0)', () => {
    const monthArb = fc.integer({ min: 0, max: 40 }).map((back) => {
      const d = new Date(Date.UTC(2025, 5 - back, 1));
      return d.toISOString().slice(0, 7);
    });
    fc.assert(
      fc.property(
        fc.dictionary(monthArb, fc.nat(10_000)),
        monthArb,
        fc.integer({ min: -20_000, max: 20_000 }),
        fc.integer({ min: 1, max: 24 }),
        (totals, month, amount, months) => {
          const now = '2025-06-20T00:00:00.000Z';
          const next = addToMonth(totals, month, amount, now, months);
          const window = rollingWindow(now, months);
          for (const [m, v] of Object.entries(next)) {
            expect(window).toContain(m);
            expect(v).toBeGreaterThanOrEqual(0);
          }
          const before = rollingTotal(totals, now, months);
          const after = rollingTotal(next, now, months);
          if (window.includes(month)) expect(after).toBe(before - (totals[month] ?? 0) + Math.max(0, (totals[month] ?? 0) + amount));
          else expect(after).toBe(before);
        },
      ),
    );
  });
});

describe('effectiveTier', () => {
  const now = '2025-06-01T12:00:00.000Z';

  it('is the qualified tier without a paid tier', () => {
    expect(effectiveTier(state('SILVER'), now)).toBe('SILVER');
  });

  it('a paid tier in force wins over a lower qualified tier', () => {
    expect(effectiveTier(state('REGULAR', undefined, { paidTier: 'GOLD', paidUntil: '2025-07-01T00:00:00.000Z' }), now)).toBe('GOLD');
  });

  it('a qualified tier above the paid tier wins', () => {
    expect(effectiveTier(state('PLATINUM', undefined, { paidTier: 'SILVER', paidUntil: '2026-01-01T00:00:00.000Z' }), now)).toBe('PLATINUM');
  });

  it('ignores an expired paid tier, the paidUntil instant itself included', () => {
    expect(effectiveTier(state('SILVER', undefined, { paidTier: 'PLATINUM', paidUntil: '2025-05-31T23:59:59.999Z' }), now)).toBe('SILVER');
    expect(effectiveTier(state('SILVER', undefined, { paidTier: 'PLATINUM', paidUntil: now }), now)).toBe('SILVER');
    expect(effectiveTier(state('SILVER', undefined, { paidTier: 'PLATINUM', paidUntil: '2025-06-01T12:00:00.001Z' }), now)).toBe('PLATINUM');
  });

  it('needs both paidTier and paidUntil', () => {
    expect(effectiveTier(state('REGULAR', undefined, { paidTier: 'GOLD' }), now)).toBe('REGULAR');
    expect(effectiveTier(state('REGULAR', undefined, { paidUntil: '2030-01-01T00:00:00.000Z' }), now)).toBe('REGULAR');
  });

  it('is always the higher of the two while in force, the qualified tier otherwise', () => {
    fc.assert(
      fc.property(tierArb, tierArb, fc.boolean(), (qualified, paid, inForce) => {
        const paidUntil = inForce ? '2025-06-02T00:00:00.000Z' : '2025-05-01T00:00:00.000Z';
        const tier = effectiveTier(state(qualified, undefined, { paidTier: paid, paidUntil }), now);
        expect(tier).toBe(inForce ? (tierRank(paid) > tierRank(qualified) ? paid : qualified) : qualified);
      }),
    );
  });
});

describe('afterPurchase', () => {
  const now = '2025-06-01T12:00:00.000Z';

  it('upgrades at once and restarts qualifiedSince', () => {
    expect(afterPurchase(state('REGULAR'), defaultProgram, 150_000, 12, now)).toEqual({ qualifiedTier: 'GOLD', qualifiedSince: now });
  });

  it('can skip tiers', () => {
    expect(afterPurchase(state('REGULAR'), defaultProgram, 500_000, 24, now).qualifiedTier).toBe('PLATINUM');
  });

  it('keeps the paid tier fields', () => {
    const s = state('SILVER', undefined, { paidTier: 'PLATINUM', paidUntil: '2026-01-01T00:00:00.000Z' });
    expect(afterPurchase(s, defaultProgram, 150_000, 12, now)).toEqual({ ...s, qualifiedTier: 'GOLD', qualifiedSince: now });
  });

  it('never lowers, and leaves the state untouched when nothing is earned', () => {
    const gold = state('GOLD', '2024-01-01T00:00:00.000Z');
    expect(afterPurchase(gold, defaultProgram, 0, 0, now)).toBe(gold);
    expect(afterPurchase(gold, defaultProgram, 150_000, 12, now)).toBe(gold);
  });

  it('applies a custom program', () => {
    expect(afterPurchase(state('REGULAR'), custom, 1_000, 1, now).qualifiedTier).toBe('SILVER');
    expect(afterPurchase(state('REGULAR'), custom, 1_000, 0, now).qualifiedTier).toBe('REGULAR');
  });

  it('gives max(current, earned) and never a lower tier', () => {
    fc.assert(
      fc.property(tierArb, fc.nat(1_000_000), fc.nat(50), (current, spend, visits) => {
        const next = afterPurchase(state(current), defaultProgram, spend, visits, now);
        expect(next.qualifiedTier).toBe(higherTier(current, qualifyingTier(defaultProgram, spend, visits)));
        expect(next.qualifiedSince).toBe(next.qualifiedTier === current ? '2025-01-01T00:00:00.000Z' : now);
      }),
    );
  });
});

describe('reviewTier', () => {
  const since = '2025-01-01T00:00:00.000Z';
  const days = (n: number) => new Date(Date.parse(since) + n * 86_400_000).toISOString();

  it('keeps a tier the figures still earn', () => {
    const gold = state('GOLD', since);
    expect(reviewTier(gold, defaultProgram, 150_000, 12, days(400))).toBe(gold);
  });

  it('does not lower inside the grace period', () => {
    const gold = state('GOLD', since);
    expect(reviewTier(gold, defaultProgram, 0, 0, days(89))).toBe(gold);
    expect(reviewTier(gold, defaultProgram, 0, 0, new Date(Date.parse(days(90)) - 1).toISOString())).toBe(gold);
  });

  it('lowers once the grace period is over (the last day of it included)', () => {
    expect(reviewTier(state('GOLD', since), defaultProgram, 100_000, 10, days(90))).toEqual({ qualifiedTier: 'SILVER', qualifiedSince: days(90) });
  });

  it('lowers at most one step, even when the figures earn nothing', () => {
    expect(reviewTier(state('PLATINUM', since), defaultProgram, 0, 0, days(365))).toEqual({ qualifiedTier: 'GOLD', qualifiedSince: days(365) });
  });

  it('a second step down needs another grace period', () => {
    const first = reviewTier(state('PLATINUM', since), defaultProgram, 0, 0, days(100));
    expect(first.qualifiedTier).toBe('GOLD');
    expect(reviewTier(first, defaultProgram, 0, 0, days(150))).toBe(first);
    expect(reviewTier(first, defaultProgram, 0, 0, days(190)).qualifiedTier).toBe('SILVER');
  });

  it('applies an upgrade the figures earn, even inside the grace period', () => {
    expect(reviewTier(state('SILVER', since), defaultProgram, 500_000, 24, days(1))).toEqual({ qualifiedTier: 'PLATINUM', qualifiedSince: days(1) });
  });

  it('keeps the paid tier fields when lowering', () => {
    const s = state('GOLD', since, { paidTier: 'PLATINUM', paidUntil: '2026-01-01T00:00:00.000Z' });
    expect(reviewTier(s, defaultProgram, 0, 0, days(90))).toEqual({ ...s, qualifiedTier: 'SILVER', qualifiedSince: days(90) });
  });

  it('uses the program grace period and thresholds (custom program, 30 days)', () => {
    const gold = state('GOLD', since);
    expect(reviewTier(gold, custom, 1_000, 1, days(29))).toBe(gold);
    expect(reviewTier(gold, custom, 1_000, 1, days(30)).qualifiedTier).toBe('SILVER');
    expect(reviewTier(gold, custom, 2_000, 3, days(30))).toBe(gold);
  });

  it('a zero-day grace period lowers at once', () => {
    expect(reviewTier(state('SILVER', since), { ...custom, reviewGraceDays: 0 }, 0, 0, since).qualifiedTier).toBe('REGULAR');
  });

  it('REGULAR stays REGULAR', () => {
    const regular = state('REGULAR', since);
    expect(reviewTier(regular, defaultProgram, 0, 0, days(1000))).toBe(regular);
  });

  it('moves at most one step down, up to the earned tier, and holds inside the grace period', () => {
    fc.assert(
      fc.property(tierArb, fc.nat(1_000_000), fc.nat(50), fc.nat(400), (current, spend, visits, after) => {
        const now = days(after);
        const earned = qualifyingTier(defaultProgram, spend, visits);
        const next = reviewTier(state(current, since), defaultProgram, spend, visits, now);
        const delta = tierRank(next.qualifiedTier) - tierRank(current);
        if (tierRank(earned) > tierRank(current)) expect(next.qualifiedTier).toBe(earned);
        else if (tierRank(earned) === tierRank(current) || after < 90) expect(delta).toBe(0);
        else expect(delta).toBe(-1);
      }),
    );
  });
});

describe('buyTier', () => {
  const regular: TierState = { qualifiedTier: 'REGULAR', qualifiedSince: '2026-01-01T00:00:00.000Z' };
  const now = '2026-06-01T00:00:00.000Z';

  it('charges the program price and starts now', () => {
    expect(buyTier(regular, defaultProgram, 'GOLD', 12, 10_800, now)).toEqual({ ...regular, paidTier: 'GOLD', paidUntil: '2027-06-01T00:00:00.000Z' });
  });

  it('extends the same tier from the end of the period in force', () => {
    const gold = buyTier(regular, defaultProgram, 'GOLD', 2, 1_800, now);
    expect(buyTier(gold, defaultProgram, 'GOLD', 1, 900, '2026-07-01T00:00:00.000Z').paidUntil).toBe('2026-09-01T00:00:00.000Z');
  });

  it('refuses another tier while one is in force, a wrong fee, and a tier without a price', () => {
    const gold = buyTier(regular, defaultProgram, 'GOLD', 2, 1_800, now);
    expect(() => buyTier(gold, defaultProgram, 'SILVER', 1, 300, now)).toThrow(Conflict);
    expect(() => buyTier(regular, defaultProgram, 'GOLD', 1, 899, now)).toThrow(ValidationFailed);
    expect(() => buyTier(regular, defaultProgram, 'REGULAR', 1, 0, now)).toThrow(ValidationFailed);
    // Once the period is over, another tier may be bought.
    expect(buyTier(gold, defaultProgram, 'SILVER', 1, 300, '2026-09-01T00:00:00.000Z').paidTier).toBe('SILVER');
  });
});

describe('afterReturn', () => {
  const before: TierState = { qualifiedTier: 'REGULAR', qualifiedSince: '2026-01-01T00:00:00.000Z' };
  const upgraded: TierState = { qualifiedTier: 'GOLD', qualifiedSince: '2026-05-01T00:00:00.000Z' };
  const upgrade = upgradeOf(before, upgraded)!;

  it('records where the sale lifted the member from', () => {
    expect(upgrade).toEqual({ from: 'REGULAR', fromSince: '2026-01-01T00:00:00.000Z', at: '2026-05-01T00:00:00.000Z' });
    expect(upgradeOf(before, before)).toBeUndefined();
  });

  it('takes the upgrade back as far as the corrected figures require', () => {
    expect(afterReturn(upgraded, defaultProgram, 0, 0, upgrade)).toEqual(before);
    expect(afterReturn(upgraded, defaultProgram, 60_000, 6, upgrade)).toEqual({ ...upgraded, qualifiedTier: 'SILVER' });
    expect(afterReturn(upgraded, defaultProgram, 200_000, 20, upgrade)).toEqual(upgraded);
  });

  it('leaves a tier alone that changed since the sale, or that no sale earned', () => {
    const reviewed: TierState = { ...upgraded, qualifiedSince: '2026-08-01T00:00:00.000Z' };
    expect(afterReturn(reviewed, defaultProgram, 0, 0, upgrade)).toEqual(reviewed);
    expect(afterReturn(upgraded, defaultProgram, 0, 0, undefined)).toEqual(upgraded);
  });
});

describe('nextReviewAt', () => {
  const now = '2026-06-01T00:00:00.000Z';
  it('never reviews REGULAR: there is nothing to lower', () => {
    expect(nextReviewAt({ qualifiedTier: 'REGULAR', qualifiedSince: now }, defaultProgram, now)).toBeUndefined();
  });
  it('reviews a fresh upgrade when its grace period ends', () => {
    expect(nextReviewAt({ qualifiedTier: 'GOLD', qualifiedSince: now }, defaultProgram, now)).toBe('2026-08-30T00:00:00.000Z');
  });
  it('reviews a kept tier again a review interval later', () => {
    expect(nextReviewAt({ qualifiedTier: 'GOLD', qualifiedSince: '2025-01-01T00:00:00.000Z' }, defaultProgram, now)).toBe('2026-07-01T00:00:00.000Z');
    expect(nextReviewAt({ qualifiedTier: 'GOLD', qualifiedSince: '2025-01-01T00:00:00.000Z' }, { ...defaultProgram, reviewIntervalDays: 7 }, now)).toBe(
      '2026-06-08T00:00:00.000Z',
    );
  });
});

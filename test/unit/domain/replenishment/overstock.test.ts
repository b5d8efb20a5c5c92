import { describe, expect, it } from 'vitest';
import { overstockOf } from '../../../../shared/domain/replenishment/overstock.ts';

const policy = { maxDaysOfCover: 120, minUnits: 20 };

describe('overstockOf', () => {
  it('sums stock and demand across the chain before dividing', () => {
    // 300 units, 2 a day in all: 150 days of cover, although one store alone would have 300.
    expect(
      overstockOf(
        [
          { available: 300, meanDailyDemand: 0 },
          { available: 0, meanDailyDemand: 2 },
        ],
        policy,
      ),
    ).toEqual({ available: 300, meanDailyDemand: 2, daysOfCover: 150, overstocked: true });
  });

  it('is not overstocked at or under the cover limit', () => {
    expect(overstockOf([{ available: 240, meanDailyDemand: 2 }], policy)).toMatchObject({ daysOfCover: 120, overstocked: false });
    expect(overstockOf([{ available: 100, meanDailyDemand: 2 }], policy)).toMatchObject({ daysOfCover: 50, overstocked: false });
  });

  it('takes stock that does not sell at all as overstock (infinite cover)', () => {
    expect(overstockOf([{ available: 40, meanDailyDemand: 0 }], policy)).toEqual({
      available: 40,
      meanDailyDemand: 0,
      daysOfCover: Number.POSITIVE_INFINITY,
      overstocked: true,
    });
  });

  it('leaves a few slow units alone: under minUnits is never a campaign', () => {
    expect(overstockOf([{ available: 19, meanDailyDemand: 0.01 }], policy).overstocked).toBe(false);
  });

  it('counts no negative availability against the rest', () => {
    expect(
      overstockOf(
        [
          { available: -5, meanDailyDemand: 1 },
          { available: 200, meanDailyDemand: 0 },
        ],
        policy,
      ),
    ).toMatchObject({ available: 200, daysOfCover: 200 });
  });

  it('refuses a negative demand', () => {
    expect(() => overstockOf([{ available: 10, meanDailyDemand: -1 }], policy)).toThrow(/meanDailyDemand/);
  });
});

import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../../shared/domain/errors.ts';
import { dailyDemandStats } from '../../../../shared/domain/replenishment/demand.ts';
import { inverseNormalCdf, serviceLevelFactor } from '../../../../shared/domain/replenishment/normal.ts';
import { reorderPoint, safetyStock } from '../../../../shared/domain/replenishment/reorder-point.ts';

describe('inverseNormalCdf', () => {
  it.each([
    [0.5, 0],
    [0.9, 1.2815515655],
    [0.95, 1.644853627],
    [0.975, 1.9599639845],
    [0.98, 2.053748909],
    [0.99, 2.326347874],
    [0.999, 3.0902323062],
    [0.02, -2.053748909],
    [0.01, -2.326347874],
    [0.001, -3.0902323062],
    [1e-6, -4.7534243088],
  ])('p = %s -> %s', (p, z) => {
    expect(inverseNormalCdf(p)).toBeCloseTo(z, 7);
  });

  it('is exactly 0 at the median', () => {
    expect(inverseNormalCdf(0.5)).toBe(0);
  });

  it.each([0, 1, -0.1, 1.5, Number.NaN])('refuses p = %s', (p) => {
    expect(() => inverseNormalCdf(p)).toThrow(ValidationFailed);
  });

  it('names serviceLevel when a service level is out of range', () => {
    expect(() => serviceLevelFactor(1)).toThrow(/serviceLevel/);
    expect(serviceLevelFactor(0.95)).toBeCloseTo(1.6449, 4);
  });
});

describe('reorderPoint', () => {
  it('without variance is the lead-time demand: no safety stock whatever the service level', () => {
    const plan = reorderPoint({ meanDailyDemand: 2, stdDevDailyDemand: 0, leadTimeDays: 5, serviceLevel: 0.99 });
    expect(plan).toMatchObject({ kind: 'STATISTICAL', reorderPoint: 10, leadTimeDemand: 10, safetyStock: 0 });
  });

  it('with variance adds z * sigma * sqrt(L), rounded up', () => {
    const plan = reorderPoint({ meanDailyDemand: 2, stdDevDailyDemand: 1.5, leadTimeDays: 4, serviceLevel: 0.95 });
    if (plan.kind !== 'STATISTICAL') throw new Error('expected a statistical plan');
    expect(plan.safetyStock).toBeCloseTo(1.6448536 * 1.5 * 2, 6);
    expect(plan.z).toBeCloseTo(1.6449, 4);
    expect(plan.reorderPoint).toBe(13); // 8 + 4.93 = 12.93
  });

  it('scales the safety stock by the class policy factor', () => {
    expect(reorderPoint({ meanDailyDemand: 2, stdDevDailyDemand: 1.5, leadTimeDays: 4, serviceLevel: 0.95, safetyStockFactor: 1.25 }).reorderPoint).toBe(15); // 8 + 6.17
  });

  it('rounds a fractional lead-time demand up, but not float noise', () => {
    expect(reorderPoint({ meanDailyDemand: 2.1, stdDevDailyDemand: 0, leadTimeDays: 5, serviceLevel: 0.95 }).reorderPoint).toBe(11);
    expect(reorderPoint({ meanDailyDemand: 0.1 + 0.2, stdDevDailyDemand: 0, leadTimeDays: 10, serviceLevel: 0.95 }).reorderPoint).toBe(3);
  });

  it('uses a fixed min/max when the product sets one', () => {
    expect(reorderPoint({ meanDailyDemand: 50, stdDevDailyDemand: 9, leadTimeDays: 7, serviceLevel: 0.99, reorder: { min: 5, max: 20 } })).toEqual({
      kind: 'MIN_MAX',
      reorderPoint: 5,
      orderUpTo: 20,
    });
  });

  it('refuses a max below the min, and a negative lead time', () => {
    expect(() => reorderPoint({ meanDailyDemand: 1, stdDevDailyDemand: 0, leadTimeDays: 1, serviceLevel: 0.9, reorder: { min: 9, max: 3 } })).toThrow(
      ValidationFailed,
    );
    expect(() => reorderPoint({ meanDailyDemand: 1, stdDevDailyDemand: 0, leadTimeDays: -1, serviceLevel: 0.9 })).toThrow(/leadTimeDays/);
  });

  it('safetyStock is z * sigma * sqrt(L) * factor', () => {
    expect(safetyStock(2, 3, 9, 0.5)).toBe(9);
  });
});

describe('dailyDemandStats', () => {
  const window = { firstDay: '2026-11-01', days: 7 };

  it('counts days without sales as zero demand', () => {
    const stats = dailyDemandStats(
      [
        { day: '2026-11-01', units: 7 },
        { day: '2026-11-03', units: 3 },
        { day: '2026-11-03', units: 4 }, // one day split over two buckets
        { day: '2026-10-31', units: 100 }, // before the window
        { day: '2026-11-08', units: 100 }, // after it
      ],
      window,
    );
    // Days: 7, 0, 7, 0, 0, 0, 0 -> mean 2, squared deviations 25 + 4 + 25 + 4 * 4 = 70, sample variance 70 / 6.
    expect(stats.totalUnits).toBe(14);
    expect(stats.meanDaily).toBe(2);
    expect(stats.stdDevDaily).toBeCloseTo(Math.sqrt(70 / 6), 12);
  });

  it('is mean 0, deviation 0 with no sales, and deviation 0 for a one-day window', () => {
    expect(dailyDemandStats([], window)).toEqual({ days: 7, totalUnits: 0, meanDaily: 0, stdDevDaily: 0 });
    expect(dailyDemandStats([{ day: '2026-11-01', units: 4 }], { firstDay: '2026-11-01', days: 1 })).toEqual({
      days: 1,
      totalUnits: 4,
      meanDaily: 4,
      stdDevDaily: 0,
    });
  });

  it('refuses an impossible date and an empty window', () => {
    expect(() => dailyDemandStats([{ day: '2026-02-30', units: 1 }], window)).toThrow(/buckets\[0\]\.day/);
    expect(() => dailyDemandStats([], { firstDay: '2026-11-01', days: 0 })).toThrow(/window\.days/);
  });
});

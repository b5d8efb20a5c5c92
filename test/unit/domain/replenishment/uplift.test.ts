import { describe, expect, it } from 'vitest';
import { memberDemandUplift } from '../../../../shared/domain/replenishment/uplift.ts';

describe('memberDemandUplift', () => {
  it('raises the forecast by the growing segment share: GOLD is 40 % of units and grows 30 % -> +12 %', () => {
    const uplift = memberDemandUplift({
      baseForecast: 2,
      recentTotalUnits: 130,
      segments: [{ segment: 'GOLD', recentUnits: 52, previousUnits: 40 }],
    });
    expect(uplift.multiplier).toBeCloseTo(1.12, 10);
    expect(uplift.forecast).toBeCloseTo(2.24, 10);
    expect(uplift.capped).toBe(false);
    expect(uplift.drivers).toHaveLength(1);
    expect(uplift.drivers[0]!.growth).toBeCloseTo(0.3, 10);
    expect(uplift.reason).toBe('member demand from GOLD growing 30 %: forecast +12 %');
  });

  it('caps the uplift (default +50 %) and says so', () => {
    const uplift = memberDemandUplift({
      baseForecast: 10,
      recentTotalUnits: 100,
      segments: [{ segment: 'young-parents', recentUnits: 80, previousUnits: 20 }],
    });
    expect(uplift).toMatchObject({ multiplier: 1.5, forecast: 15, capped: true });
    expect(uplift.reason).toBe('member demand from young-parents growing 300 %: forecast +50 % (capped from +240 %)');
    expect(
      memberDemandUplift({
        baseForecast: 10,
        recentTotalUnits: 100,
        segments: [{ segment: 'young-parents', recentUnits: 80, previousUnits: 20 }],
        maxUplift: 0.2,
      }),
    ).toMatchObject({ multiplier: 1.2, forecast: 12, capped: true });
  });

  it('adds growing segments, biggest effect first, and ignores shrinking ones and ones without a baseline', () => {
    const uplift = memberDemandUplift({
      baseForecast: 1,
      recentTotalUnits: 200,
      segments: [
        { segment: 'SILVER', recentUnits: 20, previousUnits: 10 }, // +100 %: 20 * 1 / 200 = +10 %
        { segment: 'GOLD', recentUnits: 60, previousUnits: 40 }, // +50 %: 60 * 0.5 / 200 = +15 %
        { segment: 'PLATINUM', recentUnits: 5, previousUnits: 50 }, // shrinking
        { segment: 'new-tag', recentUnits: 30, previousUnits: 0 }, // no baseline
      ],
    });
    expect(uplift.drivers.map((d) => d.segment)).toEqual(['GOLD', 'SILVER']);
    expect(uplift.multiplier).toBeCloseTo(1.25, 10);
    expect(uplift.reason).toBe('member demand from GOLD growing 50 %, SILVER growing 100 %: forecast +25 %');
  });

  it('leaves the forecast alone with no growth', () => {
    expect(memberDemandUplift({ baseForecast: 3, recentTotalUnits: 0, segments: [] })).toEqual({
      forecast: 3,
      multiplier: 1,
      capped: false,
      drivers: [],
      reason: '',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { memberDemandKeys, memberDemandUplift } from '../../../../shared/domain/replenishment/uplift.ts';

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
  it('measures tags and demand segments like tiers, but takes the strongest one alone: they overlap the tiers and each other', () => {
    const uplift = memberDemandUplift({
      baseForecast: 2,
      recentTotalUnits: 60,
      periodDays: 28,
      segments: [
        { segment: 'REGULAR', recentUnits: 12, previousUnits: 10 }, // +20 %: 12 * 0.2 / 60 = +4 %
        { segment: 'GOLD', recentUnits: 6, previousUnits: 4 }, // +50 %: 6 * 0.5 / 60 = +5 %
        { segment: 'tag:young-parents', recentUnits: 9, previousUnits: 3 }, // +200 %: 9 * 2 / 60 = +30 %
        { segment: 'segment:formula-families', recentUnits: 6, previousUnits: 3 }, // +100 %: 6 / 60 = +10 %
        { segment: 'tag:staff', recentUnits: 1, previousUnits: 2 }, // shrinking
      ],
    });
    expect(uplift.drivers.map((d) => d.segment)).toEqual(['tag:young-parents']);
    expect(uplift.multiplier).toBeCloseTo(1.3, 10);
    expect(uplift.forecast).toBeCloseTo(2.6, 10);
    expect(uplift.reason).toBe('member demand from tag:young-parents growing 200 % (3 -> 9 units in 28 days): forecast +30 %');
  });

  it('names a demand segment the same way, and caps it', () => {
    const uplift = memberDemandUplift({
      baseForecast: 1,
      recentTotalUnits: 10,
      segments: [{ segment: 'segment:formula-families', recentUnits: 8, previousUnits: 2 }],
    });
    expect(uplift).toMatchObject({ multiplier: 1.5, capped: true });
    expect(uplift.reason).toBe('member demand from segment:formula-families growing 300 % (2 -> 8 units): forecast +50 % (capped from +240 %)');
  });

  it('keeps the growing tiers together when they add up to more than any one group, and on a tie', () => {
    const stronger = memberDemandUplift({
      baseForecast: 1,
      recentTotalUnits: 200,
      segments: [
        { segment: 'SILVER', recentUnits: 20, previousUnits: 10 }, // +10 %
        { segment: 'GOLD', recentUnits: 60, previousUnits: 40 }, // +15 %
        { segment: 'tag:vip', recentUnits: 40, previousUnits: 20 }, // +20 %, less than the tiers' +25 %
      ],
    });
    expect(stronger.drivers.map((d) => d.segment)).toEqual(['GOLD', 'SILVER']);
    expect(stronger.multiplier).toBeCloseTo(1.25, 10);
    expect(stronger.reason).toBe('member demand from GOLD growing 50 %, SILVER growing 100 %: forecast +25 %');
    const tie = memberDemandUplift({
      baseForecast: 1,
      recentTotalUnits: 100,
      segments: [
        { segment: 'tag:vip', recentUnits: 20, previousUnits: 10 },
        { segment: 'GOLD', recentUnits: 20, previousUnits: 10 },
      ],
    });
    expect(tie.drivers.map((d) => d.segment)).toEqual(['GOLD']);
    // Two groups alike: the smaller key.
    const groups = memberDemandUplift({
      baseForecast: 1,
      recentTotalUnits: 100,
      segments: [
        { segment: 'tag:b', recentUnits: 20, previousUnits: 10 },
        { segment: 'segment:a', recentUnits: 20, previousUnits: 10 },
      ],
    });
    expect(groups.drivers.map((d) => d.segment)).toEqual(['segment:a']);
  });

  it('refuses a bad period length, naming it', () => {
    expect(() => memberDemandUplift({ baseForecast: 1, recentTotalUnits: 1, segments: [], periodDays: 1.5 })).toThrow(/periodDays/);
  });
});

describe('memberDemandKeys', () => {
  const member = {
    qualifiedTier: 'GOLD' as const,
    qualifiedSince: '2026-01-01T00:00:00.000Z',
    spendByMonth: { '2026-05': 50_000 },
    visitsByMonth: { '2026-05': 3 },
    tags: ['young-parents', 'staff'],
  };
  const now = '2026-06-10T12:00:00.000Z';

  it('counts a member under each tag and each demand segment they are in now', () => {
    expect(
      memberDemandKeys(
        member,
        [
          { segmentId: 'formula-families', segment: { tags: ['young-parents'], minVisits: 2 } },
          { segmentId: 'platinum', segment: { tiers: ['PLATINUM'] } },
          { segmentId: 'big-spenders', segment: { minSpend: 40_000 } },
          // Product affinity needs the buyer index; it is not a demand segment and never matches.
          { segmentId: 'formula-buyers', segment: { affinity: { skus: ['FORMULA'] } } },
        ],
        now,
      ),
    ).toEqual(['segment:big-spenders', 'segment:formula-families', 'tag:staff', 'tag:young-parents']);
  });

  it('is empty for a member without tags when no demand segment is defined', () => {
    expect(memberDemandKeys({ ...member, tags: undefined }, [], now)).toEqual([]);
  });
});

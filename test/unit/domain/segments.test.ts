import { describe, expect, it } from 'vitest';
import { lastVisitMonth, type SegmentMember, segmentMatch } from '../../../shared/domain/segments.ts';

const now = '2026-11-25T10:00:00.000Z';
const member = (overrides: Partial<SegmentMember> = {}): SegmentMember => ({
  qualifiedTier: 'SILVER',
  qualifiedSince: '2026-01-01T00:00:00.000Z',
  birthday: '1990-02-28',
  spendByMonth: { '2026-10': 40_000, '2026-11': 20_000 },
  visitsByMonth: { '2026-10': 3, '2026-11': 3 },
  ...overrides,
});

describe('segmentMatch', () => {
  it('puts everyone in the empty segment', () => {
    expect(segmentMatch(member(), {}, now)).toEqual({ in: true });
  });

  it.each([
    [{ tiers: ['GOLD', 'PLATINUM'] as const }, 'tier SILVER'],
    [{ minTier: 'GOLD' as const }, 'tier SILVER below GOLD'],
    [{ minSpend: 60_001 }, 'spend 60000'],
    [{ maxSpend: 59_999 }, 'spend 60000'],
    [{ minVisits: 7 }, 'visits 6'],
    [{ birthdayMonth: 3 }, 'birthday month'],
    [{ inactiveDays: 30 }, 'bought recently'],
    [{ tags: ['staff'] }, 'not tagged'],
    [{ affinity: { skus: ['TENT-2P'] } }, 'no affinity'],
  ])('excludes by %j and says why', (segment, because) => {
    expect(segmentMatch(member(), segment, now)).toEqual({ in: false, because });
  });

  it('includes by every criterion at once when all hold', () => {
    expect(segmentMatch(member(), { tiers: ['SILVER'], minTier: 'SILVER', minSpend: 60_000, maxSpend: 60_000, minVisits: 6, birthdayMonth: 2 }, now)).toEqual({
      in: true,
    });
  });

  it('takes a member with any one of the tags', () => {
    expect(segmentMatch(member({ tags: ['vip-evening', 'staff'] }), { tags: ['press', 'staff'] }, now)).toEqual({ in: true });
    expect(segmentMatch(member({ tags: ['vip-evening'] }), { tags: ['press', 'staff'] }, now)).toEqual({ in: false, because: 'not tagged' });
  });

  it('takes a buyer of any of the SKUs, within the window when there is one', () => {
    const buyer = member({ lastBought: { 'TENT-2P': '2026-09-01T12:00:00.000Z' } });
    expect(segmentMatch(buyer, { affinity: { skus: ['STOVE', 'TENT-2P'] } }, now)).toEqual({ in: true });
    expect(segmentMatch(buyer, { affinity: { skus: ['TENT-2P'], withinDays: 90 } }, now)).toEqual({ in: true });
    expect(segmentMatch(buyer, { affinity: { skus: ['TENT-2P'], withinDays: 60 } }, now)).toEqual({ in: false, because: 'no affinity' });
    expect(segmentMatch(buyer, { affinity: { skus: ['STOVE'] } }, now)).toEqual({ in: false, because: 'no affinity' });
  });

  it('uses the effective tier: a paid tier in force counts', () => {
    expect(segmentMatch(member({ paidTier: 'GOLD', paidUntil: '2027-01-01T00:00:00.000Z' }), { minTier: 'GOLD' }, now)).toEqual({ in: true });
    expect(segmentMatch(member({ paidTier: 'GOLD', paidUntil: '2026-01-01T00:00:00.000Z' }), { minTier: 'GOLD' }, now).in).toBe(false);
  });

  it('finds lapsed members by the last month with a visit', () => {
    const lapsed = member({ visitsByMonth: { '2026-06': 2, '2026-07': 0 } });
    expect(lastVisitMonth(lapsed.visitsByMonth)).toBe('2026-06');
    expect(segmentMatch(lapsed, { inactiveDays: 120 }, now)).toEqual({ in: true });
    expect(segmentMatch(member({ visitsByMonth: {} }), { inactiveDays: 3650 }, now)).toEqual({ in: true });
  });
});

/**
 * Member demand in the forecast. When a member segment (a tier, a tagged
 * group such as young parents, or a demand segment of the programme) buys
 * more of a SKU than before, the SKU's forecast rises by the extra units that
 * growth would bring, before stock runs out rather than after the sales
 * history catches up.
 */
import { type SegmentMember, segmentMatch } from '../segments.ts';
import type { DemandSegment } from '../tiers.ts';
import { requireInt, requireNumber } from './validate.ts';

/**
 * One segment's member purchases of the SKU in two equal, consecutive periods (e.g. 4 weeks each).
 * The key says what kind of segment it is: a tier (`GOLD`), a tag (`tag:young-parents`) or a
 * demand segment of the programme (`segment:formula-families`).
 */
export interface SegmentDemand {
  readonly segment: string;
  readonly recentUnits: number;
  readonly previousUnits: number;
}

export interface UpliftInput {
  /** The forecast before member demand, e.g. mean units per day. */
  readonly baseForecast: number;
  /** All units of the SKU sold in the recent period, members or not. */
  readonly recentTotalUnits: number;
  readonly segments: readonly SegmentDemand[];
  /** Largest uplift allowed, as a fraction; default 0.5 (+50 %). */
  readonly maxUplift?: number;
  /** Length of each period, for the reason (`in 28 days`); left out when not given. */
  readonly periodDays?: number;
}

export interface SegmentGrowth {
  readonly segment: string;
  /** recent / previous - 1, e.g. 0.3 for +30 %. */
  readonly growth: number;
  /** recent units * growth / recent total: this segment's share of the uplift. */
  readonly contribution: number;
  readonly recentUnits: number;
  readonly previousUnits: number;
}

export interface Uplift {
  /** baseForecast * multiplier. */
  readonly forecast: number;
  /** 1 + uplift, between 1 and 1 + maxUplift. */
  readonly multiplier: number;
  readonly capped: boolean;
  /** The segments the uplift comes from, biggest contribution first: growing tiers, or the one tag or demand segment that won. */
  readonly drivers: readonly SegmentGrowth[];
  /** e.g. "member demand from GOLD growing 30 %: forecast +12 %"; empty when there is no uplift. */
  readonly reason: string;
}

const percent = (fraction: number): string => `${Math.round(fraction * 100)} %`;

/** Tags and demand segments carry a prefix (`tag:`, `segment:`); a key without one is a tier. */
export const isTierKey = (segment: string): boolean => !segment.includes(':');

const byName = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/**
 * Only growing segments with a previous-period baseline count: a segment
 * with no purchases before has no growth rate to project, and a shrinking
 * segment lowers the sales history on its own. A segment's contribution is
 * recentUnits * growth / recentTotalUnits: GOLD bought 40 of 100 units and
 * grows 30 %, so the forecast rises 12 %.
 *
 * Every key is measured alike; what differs is what may be added up. Each
 * member has one tier, so the tiers split member demand and their
 * contributions add. A member has many tags and may be in several demand
 * segments, and those overlap the tiers and each other: adding them would
 * count the same units twice. So the uplift is the strongest of: all
 * growing tiers together, or any one tag or demand segment alone (ties to
 * the tiers, then the smaller key). The total is capped so one noisy month
 * cannot double an order.
 */
export const memberDemandUplift = (input: UpliftInput): Uplift => {
  const baseForecast = requireNumber('baseForecast', input.baseForecast);
  const total = requireInt('recentTotalUnits', input.recentTotalUnits);
  const maxUplift = requireNumber('maxUplift', input.maxUplift ?? 0.5);
  const growing = input.segments
    .map((s, i): SegmentGrowth => {
      const recent = requireInt(`segments[${i}].recentUnits`, s.recentUnits);
      const previous = requireInt(`segments[${i}].previousUnits`, s.previousUnits);
      const growth = previous > 0 ? recent / previous - 1 : 0;
      // A segment cannot have bought more than everyone; clamp inconsistent counts rather than inflate the share.
      const contribution = total > 0 && growth > 0 ? (Math.min(recent, total) * growth) / total : 0;
      return { segment: s.segment, growth, contribution, recentUnits: recent, previousUnits: previous };
    })
    .filter((s) => s.contribution > 0)
    .sort((x, y) => y.contribution - x.contribution || byName(x.segment, y.segment));
  const tiers = growing.filter((s) => isTierKey(s.segment));
  const tierUplift = tiers.reduce((sum, s) => sum + s.contribution, 0);
  // Sorted: the first group is the strongest one.
  const group = growing.find((s) => !isTierKey(s.segment));
  const drivers = group && group.contribution > tierUplift ? [group] : tiers;
  const uncapped = drivers.reduce((sum, s) => sum + s.contribution, 0);
  const uplift = Math.min(uncapped, maxUplift);
  const capped = uncapped > maxUplift;
  const period = input.periodDays === undefined ? '' : ` in ${requireInt('periodDays', input.periodDays)} days`;
  const growthOf = (s: SegmentGrowth) =>
    isTierKey(s.segment)
      ? `${s.segment} growing ${percent(s.growth)}`
      : `${s.segment} growing ${percent(s.growth)} (${s.previousUnits} -> ${s.recentUnits} units${period})`;
  const reason =
    drivers.length === 0
      ? ''
      : `member demand from ${drivers.map(growthOf).join(', ')}: forecast +${percent(uplift)}${capped ? ` (capped from +${percent(uncapped)})` : ''}`;
  return { forecast: baseForecast * (1 + uplift), multiplier: 1 + uplift, capped, drivers, reason };
};

/**
 * The keys a member's purchase counts under besides the tier: each of the
 * member's tags (`tag:{name}`) and each demand segment the member is in now
 * (`segment:{segmentId}`), sorted and each once.
 */
export const memberDemandKeys = (member: SegmentMember, demandSegments: readonly DemandSegment[], now: string, rollingMonths?: number): string[] =>
  [
    ...new Set([
      ...(member.tags ?? []).map((tag) => `tag:${tag}`),
      ...demandSegments.filter((d) => !d.segment.affinity && segmentMatch(member, d.segment, now, rollingMonths).in).map((d) => `segment:${d.segmentId}`),
    ]),
  ].sort();

/**
 * Member demand in the forecast. When a member segment (a tier, or a tagged
 * group such as young parents) buys more of a SKU than before, the SKU's
 * forecast rises by the extra units that growth would bring, before stock
 * runs out rather than after the sales history catches up.
 */
import { requireInt, requireNumber } from './validate.ts';

/** One segment's member purchases of the SKU in two equal, consecutive periods (e.g. 4 weeks each). */
export interface SegmentDemand {
  /** Tier (`GOLD`) or tag (`young-parents`). */
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
}

export interface SegmentGrowth {
  readonly segment: string;
  /** recent / previous - 1, e.g. 0.3 for +30 %. */
  readonly growth: number;
  /** recent units * growth / recent total: this segment's share of the uplift. */
  readonly contribution: number;
}

export interface Uplift {
  /** baseForecast * multiplier. */
  readonly forecast: number;
  /** 1 + uplift, between 1 and 1 + maxUplift. */
  readonly multiplier: number;
  readonly capped: boolean;
  /** Growing segments, biggest contribution first. */
  readonly drivers: readonly SegmentGrowth[];
  /** e.g. "member demand from GOLD growing 30 %: forecast +12 %"; empty when there is no uplift. */
  readonly reason: string;
}

const percent = (fraction: number): string => `${Math.round(fraction * 100)} %`;

/**
 * Only growing segments with a previous-period baseline count: a segment
 * with no purchases before has no growth rate to project, and a shrinking
 * segment lowers the sales history on its own. Each segment adds
 * recentUnits * growth / recentTotalUnits: GOLD bought 40 of 100 units and
 * grows 30 %, so the forecast rises 12 %. The total is capped so one noisy
 * month cannot double an order.
 */
export const memberDemandUplift = (input: UpliftInput): Uplift => {
  const baseForecast = requireNumber('baseForecast', input.baseForecast);
  const total = requireInt('recentTotalUnits', input.recentTotalUnits);
  const maxUplift = requireNumber('maxUplift', input.maxUplift ?? 0.5);
  const drivers = input.segments
    .map((s, i): SegmentGrowth => {
      const recent = requireInt(`segments[${i}].recentUnits`, s.recentUnits);
      const previous = requireInt(`segments[${i}].previousUnits`, s.previousUnits);
      const growth = previous > 0 ? recent / previous - 1 : 0;
      // A segment cannot have bought more than everyone; clamp inconsistent counts rather than inflate the share.
      return { segment: s.segment, growth, contribution: total > 0 && growth > 0 ? (Math.min(recent, total) * growth) / total : 0 };
    })
    .filter((s) => s.contribution > 0)
    .sort((x, y) => y.contribution - x.contribution || (x.segment < y.segment ? -1 : x.segment > y.segment ? 1 : 0));
  const uncapped = drivers.reduce((sum, s) => sum + s.contribution, 0);
  const uplift = Math.min(uncapped, maxUplift);
  const capped = uncapped > maxUplift;
  const reason =
    drivers.length === 0
      ? ''
      : `member demand from ${drivers.map((s) => `${s.segment} growing ${percent(s.growth)}`).join(', ')}: forecast +${percent(uplift)}${
          capped ? ` (capped from +${percent(uncapped)})` : ''
        }`;
  return { forecast: baseForecast * (1 + uplift), multiplier: 1 + uplift, capped, drivers, reason };
};

/**
 * Overstock: a SKU whose stock across the chain lasts far longer than the
 * policy wants is worth promoting to the members who buy it, before it is
 * marked down for everyone.
 */
import { daysOfCover } from './chain.ts';
import { requireInt, requireNumber } from './validate.ts';

export interface OverstockPolicy {
  /** Chain-wide days of cover above which a SKU is overstocked. */
  readonly maxDaysOfCover: number;
  /** Fewer units than this are not worth a campaign, however slowly they sell. */
  readonly minUnits: number;
}

export const defaultOverstockPolicy: OverstockPolicy = { maxDaysOfCover: 120, minUnits: 20 };

export interface LocationCover {
  readonly available: number;
  readonly meanDailyDemand: number;
}

export interface Overstock {
  readonly available: number;
  readonly meanDailyDemand: number;
  /** Infinity when nothing sells. */
  readonly daysOfCover: number;
  readonly overstocked: boolean;
}

/** The chain's cover for one SKU: its available units over its demand, summed across locations. */
export const overstockOf = (levels: readonly LocationCover[], policy: OverstockPolicy = defaultOverstockPolicy): Overstock => {
  const available = levels.reduce((sum, l) => sum + requireInt('available', Math.max(0, l.available)), 0);
  const meanDailyDemand = levels.reduce((sum, l) => sum + requireNumber('meanDailyDemand', l.meanDailyDemand), 0);
  const cover = daysOfCover(available, meanDailyDemand);
  return { available, meanDailyDemand, daysOfCover: cover, overstocked: available >= policy.minUnits && cover > policy.maxDaysOfCover };
};

/**
 * When to reorder. Statistically: cover the demand expected during the lead
 * time plus a safety stock sized by the service level,
 * ROP = d * L + z * sigma_d * sqrt(L). Or, where a product fixes
 * `reorder: { min, max }`, reorder at min and order up to max.
 */
import { ValidationFailed } from '../errors.ts';
import { serviceLevelFactor } from './normal.ts';
import { ceilTolerant, requireInt, requireNumber } from './validate.ts';

export interface StatisticalReorderInput {
  /** d: mean units per day (already including any member-demand uplift). */
  readonly meanDailyDemand: number;
  /** sigma_d: standard deviation of units per day. */
  readonly stdDevDailyDemand: number;
  /** L: supplier lead time in days (may be fractional). */
  readonly leadTimeDays: number;
  /** Probability of no stock-out in a replenishment cycle, 0 < p < 1. */
  readonly serviceLevel: number;
  /** Scales the safety stock (the ABC class policy); default 1. */
  readonly safetyStockFactor?: number;
  /** A product's fixed min/max; when set it wins over the statistics. */
  readonly reorder?: { readonly min: number; readonly max: number };
}

/** The reorder point and what it was computed from, for the suggestion's reason. */
export type ReorderPlan =
  | {
      readonly kind: 'STATISTICAL';
      readonly reorderPoint: number;
      /** d * L, units (not rounded). */
      readonly leadTimeDemand: number;
      /** factor * z * sigma_d * sqrt(L), units (not rounded). */
      readonly safetyStock: number;
      readonly z: number;
      readonly serviceLevel: number;
      readonly meanDailyDemand: number;
      readonly leadTimeDays: number;
    }
  | { readonly kind: 'MIN_MAX'; readonly reorderPoint: number; readonly orderUpTo: number };

/**
 * Safety stock z * sigma_d * sqrt(L), scaled by the class policy's factor.
 * sqrt(L) because independent daily deviations add up in variance, not in
 * units. Zero variance gives zero safety stock, whatever the service level.
 */
export const safetyStock = (z: number, stdDevDailyDemand: number, leadTimeDays: number, factor = 1): number =>
  factor * z * requireNumber('stdDevDailyDemand', stdDevDailyDemand) * Math.sqrt(requireNumber('leadTimeDays', leadTimeDays));

/**
 * The reorder point in whole units, rounded up so the service level is met
 * rather than just missed. A fixed min/max returns ROP = min, order-up-to = max.
 */
export const reorderPoint = (input: StatisticalReorderInput): ReorderPlan => {
  if (input.reorder) {
    const min = requireInt('reorder.min', input.reorder.min);
    const max = requireInt('reorder.max', input.reorder.max, 1);
    if (max < min) throw new ValidationFailed('reorder.max must be at least reorder.min', [{ path: 'reorder.max', message: 'must be >= min' }]);
    return { kind: 'MIN_MAX', reorderPoint: min, orderUpTo: max };
  }
  const meanDailyDemand = requireNumber('meanDailyDemand', input.meanDailyDemand);
  const leadTimeDays = requireNumber('leadTimeDays', input.leadTimeDays);
  const factor = requireNumber('safetyStockFactor', input.safetyStockFactor ?? 1);
  const z = serviceLevelFactor(input.serviceLevel);
  const leadTimeDemand = meanDailyDemand * leadTimeDays;
  const stock = safetyStock(z, input.stdDevDailyDemand, leadTimeDays, factor);
  return {
    kind: 'STATISTICAL',
    reorderPoint: Math.max(0, ceilTolerant(leadTimeDemand + stock)),
    leadTimeDemand,
    safetyStock: stock,
    z,
    serviceLevel: input.serviceLevel,
    meanDailyDemand,
    leadTimeDays,
  };
};

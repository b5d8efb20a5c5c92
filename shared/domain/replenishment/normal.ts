/**
 * The service-level factor z: how many standard deviations of lead-time
 * demand the safety stock covers so that a cycle ends without a stock-out
 * with the given probability. z = inverse of the standard normal CDF.
 */
import { requireProbability } from './validate.ts';

// Peter J. Acklam's rational approximation (relative error below 1.15e-9 over
// the whole range), far more than a reorder point rounded to whole units needs.
const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239] as const;
const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1] as const;
const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783] as const;
const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;
const pLow = 0.02425;

/** Tail region: rational function in sqrt(-2 ln q). */
const tail = (q: number): number => {
  const r = Math.sqrt(-2 * Math.log(q));
  return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
};

/** Quantile of the standard normal distribution for 0 < p < 1 (ValidationFailed otherwise). */
export const inverseNormalCdf = (p: number): number => {
  requireProbability('p', p);
  if (p < pLow) return tail(p);
  if (p > 1 - pLow) return -tail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
};

/** z for a cycle service level, e.g. 0.95 -> 1.6449. */
export const serviceLevelFactor = (serviceLevel: number): number => inverseNormalCdf(requireProbability('serviceLevel', serviceLevel));

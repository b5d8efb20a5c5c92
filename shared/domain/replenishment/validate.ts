/**
 * Input checks shared by the replenishment functions. They refuse bad input
 * with ValidationFailed (naming the field) instead of returning NaN, so a bad
 * product record surfaces as a reported failure, not as a silent zero order.
 */
import { ValidationFailed } from '../errors.ts';

const fail = (path: string, message: string): never => {
  throw new ValidationFailed(`${path} ${message}`, [{ path, message }]);
};

/** A finite number at or above `min` (demand rates, lead times, costs). */
export const requireNumber = (path: string, value: number, min = 0): number => {
  if (!Number.isFinite(value) || value < min) fail(path, `must be a finite number >= ${min}`);
  return value;
};

/** A finite number above 0 (a holding cost: zero would make EOQ infinite). */
export const requirePositive = (path: string, value: number): number => {
  if (!Number.isFinite(value) || value <= 0) fail(path, 'must be a finite number > 0');
  return value;
};

/** An integer at or above `min` (quantities in units, money in minor units). */
export const requireInt = (path: string, value: number, min = 0): number => {
  if (!Number.isSafeInteger(value) || value < min) fail(path, `must be an integer >= ${min}`);
  return value;
};

/** A probability strictly between 0 and 1 (service levels, cut-offs). */
export const requireProbability = (path: string, value: number): number => {
  if (!(value > 0 && value < 1)) fail(path, 'must be between 0 and 1 (exclusive)');
  return value;
};

/**
 * Rounds up, tolerating floating-point noise: 12.000000000001 (from a sum of
 * decimals) is 12, not 13, so a reorder point or order is not one unit too big.
 */
export const ceilTolerant = (value: number): number => Math.ceil(value - 1e-9);

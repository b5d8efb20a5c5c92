/**
 * Turning a wanted quantity into one a supplier will ship: whole units, whole
 * packs, and at least the supplier's minimum. Always up, never down, because
 * ordering short defeats the reorder point the order was computed for.
 */
import { ceilTolerant, requireInt, requireNumber } from './validate.ts';

/**
 * Which step set the final quantity:
 * - `EXACT`: the wanted quantity was already whole, a pack multiple and above the minimum;
 * - `WHOLE_UNITS`: a fraction rounded up to whole units (pack size 1);
 * - `PACK_MULTIPLE`: rounded up to a multiple of the pack size;
 * - `SUPPLIER_MINIMUM`: raised to the supplier's minimum (itself rounded up to whole packs).
 */
export type RoundingRule = 'EXACT' | 'WHOLE_UNITS' | 'PACK_MULTIPLE' | 'SUPPLIER_MINIMUM';

export interface RoundedQuantity {
  readonly quantity: number;
  readonly rule: RoundingRule;
}

/** Smallest multiple of `packSize` at or above `units`. */
export const roundUpToPack = (units: number, packSize: number): number => Math.ceil(units / packSize) * packSize;

/**
 * Rounds a wanted quantity up to whole packs and the supplier minimum. Wanting
 * nothing orders nothing: the minimum applies to an order, not to its absence.
 */
export const roundOrderQuantity = (wanted: number, packSize = 1, minOrderQty = 0): RoundedQuantity => {
  requireNumber('wanted', wanted);
  requireInt('packSize', packSize, 1);
  requireInt('minOrderQty', minOrderQty);
  if (wanted <= 0) return { quantity: 0, rule: 'EXACT' };
  const whole = ceilTolerant(wanted);
  const packed = roundUpToPack(whole, packSize);
  const minimum = roundUpToPack(minOrderQty, packSize);
  if (packed < minimum) return { quantity: minimum, rule: 'SUPPLIER_MINIMUM' };
  if (packed !== whole) return { quantity: packed, rule: 'PACK_MULTIPLE' };
  return { quantity: whole, rule: whole === wanted ? 'EXACT' : 'WHOLE_UNITS' };
};

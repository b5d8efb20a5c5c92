/**
 * Economic order quantity: the order size that balances the cost of placing
 * orders against the cost of holding stock, EOQ = sqrt(2 D S / H).
 * S and H only appear as a ratio, so both may be in any one currency unit
 * (the catalogue keeps them in integer minor units).
 */
import { type RoundingRule, roundOrderQuantity } from './packs.ts';
import { requireInt, requireNumber, requirePositive } from './validate.ts';

export interface EoqInput {
  /** D: units expected to sell per year. */
  readonly annualDemand: number;
  /** S: cost of placing one order, minor units. */
  readonly orderingCost: number;
  /** H: cost of holding one unit for a year, minor units; must be above 0. */
  readonly holdingCostPerUnitYear: number;
  /** Units per pack the supplier ships; default 1. */
  readonly packSize?: number;
  /** Supplier's minimum order in units; default none. */
  readonly minOrderQty?: number;
}

/** `NO_DEMAND`: nothing sells, so nothing is worth ordering (quantity 0). */
export type EoqRule = RoundingRule | 'NO_DEMAND';

export interface Eoq {
  /** The quantity to order: whole packs, at least the supplier minimum. */
  readonly quantity: number;
  /** sqrt(2DS/H) before rounding, kept for the suggestion's reason. */
  readonly raw: number;
  readonly rule: EoqRule;
}

/**
 * EOQ rounded up to the pack size and supplier minimum. D = 0 gives 0 with
 * rule `NO_DEMAND` (no order) rather than a minimum order of dead stock.
 * H <= 0 is refused (ValidationFailed): free holding makes the formula
 * infinite, which means the product's costs are missing, and guessing an
 * order size would hide that. Such products should use a fixed min/max.
 */
export const economicOrderQuantity = (input: EoqInput): Eoq => {
  const annualDemand = requireNumber('annualDemand', input.annualDemand);
  const orderingCost = requireNumber('orderingCost', input.orderingCost);
  const holdingCost = requirePositive('holdingCostPerUnitYear', input.holdingCostPerUnitYear);
  if (annualDemand === 0) return { quantity: 0, raw: 0, rule: 'NO_DEMAND' };
  const raw = Math.sqrt((2 * annualDemand * orderingCost) / holdingCost);
  const packSize = requireInt('packSize', input.packSize ?? 1, 1);
  // With no ordering cost the formula says "order one unit at a time"; the smallest real order is one pack.
  return { raw, ...roundOrderQuantity(Math.max(raw, 1), packSize, input.minOrderQty ?? 0) };
};

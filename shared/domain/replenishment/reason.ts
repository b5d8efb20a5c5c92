/**
 * The one-line "why" a suggestion carries, so a buyer can check it without
 * opening the formulas, e.g.
 * "available 3 + incoming 0 <= reorder point 12 (d=2.1/day, L=5 d, z=1.64 for 95%); order 50 = EOQ 47 rounded up to pack 10".
 */
import type { RoundingRule } from './packs.ts';
import type { ReorderPlan } from './reorder-point.ts';
import type { OrderPolicy, Suggestion } from './suggestion.ts';

export interface ReasonInput {
  readonly available: number;
  readonly incoming: number;
  readonly plan: ReorderPlan;
  readonly order: OrderPolicy;
  readonly suggestion: Suggestion;
  readonly packSize?: number;
  readonly minOrderQty?: number;
  /** The member-demand phrase (`Uplift.reason`); appended when not empty. */
  readonly upliftReason?: string;
}

/** At most `digits` decimals, without trailing zeros: 2.10 -> "2.1", 5.0 -> "5". */
const num = (value: number, digits = 1): string => String(Number(value.toFixed(digits)));

const trigger = (plan: ReorderPlan): string =>
  plan.kind === 'MIN_MAX'
    ? `min ${plan.reorderPoint} (fixed min/max ${plan.reorderPoint}/${plan.orderUpTo})`
    : `reorder point ${plan.reorderPoint} (d=${num(plan.meanDailyDemand)}/day, L=${num(plan.leadTimeDays)} d, z=${num(plan.z, 2)} for ${num(plan.serviceLevel * 100)}%)`;

const rounding = (rule: RoundingRule, packSize: number, minOrderQty: number): string => {
  switch (rule) {
    case 'EXACT':
      return '';
    case 'WHOLE_UNITS':
      return ' rounded up to whole units';
    case 'PACK_MULTIPLE':
      return ` rounded up to pack ${packSize}`;
    case 'SUPPLIER_MINIMUM':
      return ` raised to supplier minimum ${minOrderQty}${packSize > 1 ? ` in packs of ${packSize}` : ''}`;
  }
};

/** The suggestion's reason line; also states why nothing is ordered. */
export const replenishmentReason = (input: ReasonInput): string => {
  const { available, incoming, plan, order, suggestion } = input;
  const position = `available ${available} + incoming ${incoming}`;
  if (!suggestion.needed) return `${position} > ${trigger(plan)}: no order`;
  const basis =
    suggestion.basis === 'SHORTFALL'
      ? `${num(suggestion.wanted)} to get above the reorder point`
      : order.kind === 'EOQ'
        ? `EOQ ${num(order.eoq.raw)}`
        : `up to max ${order.max}`;
  const line = `${position} <= ${trigger(plan)}; order ${suggestion.quantity} = ${basis}${rounding(
    suggestion.rule,
    input.packSize ?? 1,
    input.minOrderQty ?? 0,
  )}`;
  return input.upliftReason ? `${line}; ${input.upliftReason}` : line;
};

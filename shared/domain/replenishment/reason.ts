/**
 * The one-line "why" a suggestion carries, so a buyer can check it without
 * opening the formulas, e.g.
 * "available 3 + incoming 0 <= reorder point 12 (d=2.1/day, L=5 d, z=1.64 for 95%); order 50 = EOQ 47 rounded up to pack 10".
 * A classified product's line ends with its class and the policy that set
 * the safety stock and order size, e.g. "class C: loose control, bulk order
 * 2x EOQ, safety x1.25, 98% service, review 30 d".
 */
import { type AbcClass, type AbcPolicy, policyPhrase } from './abc.ts';
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
  /** The product's ABC class and its policy; named at the end when set. */
  readonly abc?: { readonly abcClass: AbcClass; readonly policy: AbcPolicy };
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
  const abc = input.abc
    ? `; ${policyPhrase(input.abc.abcClass, input.abc.policy, plan.kind === 'MIN_MAX' ? 'fixed min/max' : order.kind === 'EOQ' ? 'EOQ' : 'cover')}`
    : '';
  if (!suggestion.needed) return `${position} > ${trigger(plan)}: no order${abc}`;
  const multiple = order.kind === 'EOQ' && (order.multiple ?? 1) !== 1 ? `${num(order.multiple ?? 1, 2)} x ` : '';
  const basis =
    suggestion.basis === 'SHORTFALL'
      ? `${num(suggestion.wanted)} to get above the reorder point`
      : order.kind === 'EOQ'
        ? `${multiple}EOQ ${num(order.eoq.raw)}`
        : `up to max ${order.max}`;
  const line = `${position} <= ${trigger(plan)}; order ${suggestion.quantity} = ${basis}${rounding(
    suggestion.rule,
    input.packSize ?? 1,
    input.minOrderQty ?? 0,
  )}`;
  return `${input.upliftReason ? `${line}; ${input.upliftReason}` : line}${abc}`;
};

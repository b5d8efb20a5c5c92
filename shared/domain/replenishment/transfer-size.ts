/**
 * How much a location asks of a donor: its own need, not the supplier's
 * order size. The EOQ (or bulk multiple of it) is what makes a *purchase*
 * worth its ordering cost; for a store it is often 70-240 days of demand, and
 * asking a warehouse for that much let the first store short take the whole
 * stock of a SKU while the others bought from suppliers with 3-7 day lead
 * times (the chain-month simulator, docs/simulator.md). A transfer costs no
 * supplier order, so it only refills the location's cover: up to its reorder
 * point plus one review period of demand.
 */
import { roundUpToPack } from './packs.ts';
import { ceilTolerant, requireInt, requireNumber } from './validate.ts';

export interface TransferNeedInput {
  readonly available: number;
  /** Units on open purchase orders and inbound transfers. */
  readonly incoming: number;
  readonly reorderPoint: number;
  readonly meanDailyDemand: number;
  /** The class's review period (days between reviews); the cover kept above the reorder point. */
  readonly reviewPeriodDays: number;
  /**
   * A fixed min/max product's max: the location's cover is then the level a
   * person set for it, not the forecast's (with no sales the forecast would
   * refill one unit at a time).
   */
  readonly orderUpTo?: number;
  readonly packSize?: number;
  /** What the purchase would have been (the EOQ-sized order, already rounded): the transfer never asks for more. */
  readonly purchaseQuantity: number;
}

export interface TransferNeed {
  /** Units to ask of a donor. */
  readonly quantity: number;
  /** The cover ordered up to: reorderPoint + meanDailyDemand x reviewPeriodDays, or the fixed max. */
  readonly target: number;
  /** available + incoming. */
  readonly position: number;
  /** target - position before rounding, at least the shortfall above the reorder point (reorderPoint - position + 1). */
  readonly wanted: number;
  /** Days of demand the target covers (Infinity when nothing sells). */
  readonly coverDays: number;
  /** Which step set the quantity: the cover itself, the pack size, or the purchase it may not exceed. */
  readonly rule: 'COVER' | 'PACK_MULTIPLE' | 'PURCHASE_CAP';
}

/**
 * Order up to the cover: `reorderPoint + d x reviewPeriodDays - position`
 * (the fixed max less the position for a min/max product),
 * at least enough to get above the reorder point (so at least 1 unit),
 * rounded up to whole units and the pack size, and never more than the
 * purchase quantity.
 */
export const transferNeed = (input: TransferNeedInput): TransferNeed => {
  const available = requireInt('available', input.available, Number.MIN_SAFE_INTEGER);
  const incoming = requireInt('incoming', input.incoming);
  const rop = requireInt('reorderPoint', input.reorderPoint);
  const d = requireNumber('meanDailyDemand', input.meanDailyDemand);
  const review = requireNumber('reviewPeriodDays', input.reviewPeriodDays);
  const packSize = requireInt('packSize', input.packSize ?? 1, 1);
  const cap = requireInt('purchaseQuantity', input.purchaseQuantity, 1);
  const position = available + incoming;
  const target = input.orderUpTo === undefined ? rop + d * review : requireInt('orderUpTo', input.orderUpTo);
  const wanted = Math.max(target - position, rop - position + 1, 1);
  const whole = ceilTolerant(wanted);
  const packed = roundUpToPack(whole, packSize);
  const quantity = Math.min(packed, cap);
  const rule = quantity < packed ? 'PURCHASE_CAP' : packed !== whole ? 'PACK_MULTIPLE' : 'COVER';
  return { quantity, target, position, wanted, coverDays: d > 0 ? target / d : Number.POSITIVE_INFINITY, rule };
};

/** At most `digits` decimals, without trailing zeros. */
const num = (value: number, digits = 1): string => String(Number(value.toFixed(digits)));

/**
 * The reason's phrase for the transfer's size, e.g. "transfer sized to 27.3 days
 * of cover: up to reorder point 20 + 14 d review x 1.5/day = 41, less position 8
 * (36 with pack 6)".
 */
export const transferSizePhrase = (
  need: TransferNeed,
  input: Pick<TransferNeedInput, 'reorderPoint' | 'meanDailyDemand' | 'reviewPeriodDays' | 'orderUpTo' | 'packSize'>,
): string => {
  const days = Number.isFinite(need.coverDays) ? `${num(need.coverDays)} days of cover` : 'the reorder point';
  const head =
    input.orderUpTo === undefined
      ? `transfer sized to ${days}: up to reorder point ${input.reorderPoint} + ${num(input.reviewPeriodDays)} d review x ${num(input.meanDailyDemand, 2)}/day = ${num(need.target)}, less position ${need.position}`
      : `transfer sized to the fixed max: up to ${input.orderUpTo}, less position ${need.position}`;
  if (need.rule === 'PURCHASE_CAP') return `${head} (capped at the purchase, ${need.quantity})`;
  if (need.rule === 'PACK_MULTIPLE') return `${head} (${need.quantity} with pack ${input.packSize})`;
  return head;
};

/**
 * Whether a SKU at a location needs an order, and how much. The trigger is
 * the inventory position, available + incoming: counting what is already on
 * order is what stops a second suggestion for the same shortage.
 */
import type { Eoq } from './eoq.ts';
import { type RoundingRule, roundOrderQuantity } from './packs.ts';
import { requireInt } from './validate.ts';

/** How much to order once reordering: the EOQ (times the ABC class's `multiple`, default 1: bulk buying for C), or up to a fixed max. */
export type OrderPolicy = { readonly kind: 'EOQ'; readonly eoq: Eoq; readonly multiple?: number } | { readonly kind: 'ORDER_UP_TO'; readonly max: number };

export interface SuggestionInput {
  readonly available: number;
  /** Units on open purchase orders and inbound transfers. */
  readonly incoming: number;
  readonly reorderPoint: number;
  readonly order: OrderPolicy;
  readonly packSize?: number;
  readonly minOrderQty?: number;
}

/**
 * What the wanted quantity was based on before rounding:
 * - `EOQ`: the economic order quantity;
 * - `ORDER_UP_TO`: max minus the inventory position;
 * - `SHORTFALL`: the quantity needed to lift the position above the reorder
 *   point, when the EOQ or max would not (a demand spike, max = min).
 */
export type SuggestionBasis = 'EOQ' | 'ORDER_UP_TO' | 'SHORTFALL';

export type Suggestion =
  | { readonly needed: false; readonly position: number }
  | {
      readonly needed: true;
      readonly position: number;
      readonly quantity: number;
      readonly basis: SuggestionBasis;
      /** The quantity wanted before rounding to packs and the supplier minimum. */
      readonly wanted: number;
      readonly rule: RoundingRule;
    };

/** available + incoming: the stock this location can count on. */
export const inventoryPosition = (available: number, incoming: number): number => available + incoming;

/**
 * Needed when available + incoming <= reorder point (the same test as the
 * level's `inventoryPosition <= reorderPoint` filter). The quantity always
 * lifts the position above the reorder point, so the next check does not
 * suggest again, and is rounded up to whole packs and the supplier minimum.
 */
export const suggestOrder = (input: SuggestionInput): Suggestion => {
  const available = requireInt('available', input.available, Number.MIN_SAFE_INTEGER);
  const incoming = requireInt('incoming', input.incoming);
  const rop = requireInt('reorderPoint', input.reorderPoint);
  const position = inventoryPosition(available, incoming);
  if (position > rop) return { needed: false, position };
  const shortfall = rop - position + 1;
  // The unrounded EOQ, so rounding happens once here and its rule is the one reported.
  const policyWanted = input.order.kind === 'EOQ' ? input.order.eoq.raw * (input.order.multiple ?? 1) : requireInt('order.max', input.order.max) - position;
  const basis: SuggestionBasis = policyWanted >= shortfall ? input.order.kind : 'SHORTFALL';
  const wanted = Math.max(policyWanted, shortfall);
  return { needed: true, position, wanted, basis, ...roundOrderQuantity(wanted, input.packSize ?? 1, input.minOrderQty ?? 0) };
};

/** A suggestion as written: what it decides, and the inputs and reason it was decided from. */
export interface DecidedSuggestion {
  readonly sku: string;
  readonly locationId: string;
  readonly kind: string;
  readonly quantity: number;
  readonly reorderPoint: number;
  readonly eoq?: number;
  readonly fromLocationId?: string;
  readonly transferQuantity?: number;
  readonly supplierId?: string;
  readonly status: string;
  readonly purchaseOrderId?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

/**
 * Whether two suggestions decide the same thing: the same kind, quantity,
 * donor and transfer, supplier, reorder point, EOQ and status, and the same
 * units needed (`inputs.needed`, which HQ sums across locations). The rest
 * of `inputs`, the reason and `updatedAt` describe the state a decision was
 * made from; a sale that moves `available` without moving the decision
 * changes only them. A check that finds the open suggestion deciding the
 * same leaves it as it is: rewriting it would cost a transaction (and the
 * donor's promises with it) and tell no one anything new.
 */
export const sameDecision = (a: DecidedSuggestion, b: DecidedSuggestion): boolean =>
  a.sku === b.sku &&
  a.locationId === b.locationId &&
  a.kind === b.kind &&
  a.quantity === b.quantity &&
  a.reorderPoint === b.reorderPoint &&
  a.eoq === b.eoq &&
  a.fromLocationId === b.fromLocationId &&
  a.transferQuantity === b.transferQuantity &&
  a.supplierId === b.supplierId &&
  a.status === b.status &&
  a.purchaseOrderId === b.purchaseOrderId &&
  a.inputs.needed === b.inputs.needed &&
  a.inputs.abcClass === b.inputs.abcClass;

/**
 * The HQ order: buy for the whole chain in one order per supplier, so packs
 * and minimums are met once, at HQ, instead of at every store. The stores'
 * NEEDS are consolidated first (not their own rounded quantities: a store
 * suggestion raised to the supplier minimum would be raised again here),
 * then each SKU's total is rounded once, to whole packs and then to the
 * supplier's minimum, and the extra is placed back on the locations by one
 * documented rule.
 */
import { ValidationFailed } from '../errors.ts';
import { type RoundingRule, roundOrderQuantity } from './packs.ts';
import { requireInt } from './validate.ts';

/** One location's need for a SKU, as input to the HQ order. */
export interface PurchaseNeed {
  readonly supplierId: string;
  readonly sku: string;
  readonly locationId: string;
  /** Whole units the location needs, before any rounding to packs or minimums. 0 orders nothing. */
  readonly needed: number;
  /** Minor units, the supplier's currency. */
  readonly unitCost: number;
  readonly packSize?: number;
  /** The supplier's minimum for this SKU (units per order). */
  readonly minOrderQty?: number;
}

/** A supplier's order-level terms; both minimums may apply at once. */
export interface SupplierTerms {
  readonly minOrderQty?: number;
  /** Minor units. */
  readonly minOrderValue?: number;
}

/**
 * How the units ordered beyond the needs (pack and minimum rounding) are
 * placed on the locations:
 * - `NONE`: nothing extra, every location gets what it needs;
 * - `SPLIT_BY_NEED`: the ordered quantity is shared out in proportion to the
 *   needs, largest remainder first (ties to the smaller locationId), so each
 *   location gets its need plus its share of the extra.
 */
export type ExtraPlacement = 'NONE' | 'SPLIT_BY_NEED';

export interface HqLocationLine {
  readonly locationId: string;
  /** What the location needs. */
  readonly needed: number;
  /** What the order delivers there: its need plus its share of the extra. */
  readonly placed: number;
}

/**
 * One SKU of the order. `rule` says which step set `quantity`: `EXACT` (the
 * needs were already whole packs above the minimum), `PACK_MULTIPLE`,
 * `SUPPLIER_MINIMUM` (the SKU's minimum, or a top-up to the order's).
 */
export interface HqOrderLine {
  readonly sku: string;
  /** Units ordered: the needs rounded once. */
  readonly quantity: number;
  /** Sum of the locations' needs. */
  readonly needed: number;
  readonly packSize: number;
  readonly minOrderQty: number;
  readonly unitCost: number;
  readonly rule: RoundingRule;
  /** quantity - needed. */
  readonly extra: number;
  readonly placement: ExtraPlacement;
  /** By locationId; the placed quantities sum to `quantity`. */
  readonly locations: readonly HqLocationLine[];
  /** One line: the needs, the rounding and where the extra went. */
  readonly reason: string;
}

/** Which rules were needed to reach the supplier's terms. */
export type HqOrderRule = 'PACK_MULTIPLE' | 'SUPPLIER_MINIMUM_QTY' | 'SUPPLIER_MINIMUM_VALUE';

export interface HqOrder {
  readonly supplierId: string;
  /** By SKU ascending. */
  readonly lines: readonly HqOrderLine[];
  readonly totalQuantity: number;
  /** Minor units. */
  readonly totalValue: number;
  readonly rules: readonly HqOrderRule[];
}

interface DraftLine {
  sku: string;
  quantity: number;
  needed: number;
  packSize: number;
  minOrderQty: number;
  unitCost: number;
  rule: RoundingRule;
  needs: Map<string, number>;
}

/**
 * Shares `total` out in proportion to `weights` (largest remainder, ties to
 * the smaller key). Exact integers: each share is need x total / sum, floored,
 * and the units left go one each to the largest remainders.
 */
export const splitByNeed = (total: number, weights: ReadonlyMap<string, number>): Map<string, number> => {
  const entries = [...weights].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const sum = entries.reduce((s, [, w]) => s + w, 0);
  const shares = new Map<string, number>();
  if (sum === 0) {
    for (const [key] of entries) shares.set(key, 0);
    return shares;
  }
  const remainders: { key: string; remainder: number }[] = [];
  let given = 0;
  for (const [key, weight] of entries) {
    const exact = weight * total;
    const share = Math.floor(exact / sum);
    shares.set(key, share);
    given += share;
    remainders.push({ key, remainder: exact - share * sum });
  }
  remainders.sort((x, y) => y.remainder - x.remainder || (x.key < y.key ? -1 : 1));
  for (let i = 0; i < total - given; i++) {
    const { key } = remainders[i]!;
    shares.set(key, shares.get(key)! + 1);
  }
  return shares;
};

/**
 * Whole packs added to one line to close an order-level shortfall. The
 * top-up goes to the line with the most units (the fastest mover, most
 * likely to sell the extra), ties to the smaller SKU; for a value minimum,
 * only lines with a cost can help.
 */
const topUp = (lines: DraftLine[], shortfall: number, perPack: (l: DraftLine) => number, what: string): void => {
  const target = lines.filter((l) => perPack(l) > 0).sort((x, y) => y.quantity - x.quantity || (x.sku < y.sku ? -1 : 1))[0];
  if (!target) throw new ValidationFailed(`No line can raise the order to the supplier's ${what}`, [{ path: 'lines', message: `cannot reach ${what}` }]);
  target.quantity += Math.ceil(shortfall / perPack(target)) * target.packSize;
  target.rule = 'SUPPLIER_MINIMUM';
};

const lineReason = (line: DraftLine, locations: readonly HqLocationLine[], placement: ExtraPlacement): string => {
  const needs = locations.filter((l) => l.needed > 0);
  const parts = [needs.length > 1 ? `needs ${needs.map((l) => `${l.locationId} ${l.needed}`).join(' + ')} = ${line.needed}` : `needs ${line.needed}`];
  const packs = line.quantity / line.packSize;
  if (line.rule === 'EXACT' || line.rule === 'WHOLE_UNITS') parts.push(`order ${line.quantity}`);
  else if (line.rule === 'PACK_MULTIPLE') parts.push(`order ${line.quantity} = ${packs} packs of ${line.packSize}`);
  else
    parts.push(
      `order ${line.quantity} = ${packs} packs of ${line.packSize}, raised to the supplier minimum${line.minOrderQty > 0 ? ` ${line.minOrderQty}` : ''}`,
    );
  if (placement === 'SPLIT_BY_NEED')
    parts.push(
      `extra ${line.quantity - line.needed} split by need: ${locations
        .filter((l) => l.placed > l.needed)
        .map((l) => `${l.locationId} +${l.placed - l.needed}`)
        .join(', ')}`,
    );
  return parts.join('; ');
};

/**
 * One supplier's order: sums the needs per SKU across locations, rounds
 * each SKU's total once (whole packs, then the SKU's minimum rounded up to
 * whole packs), tops the order up in whole packs to the supplier's order
 * minimum quantity and then value, and places each line's extra by
 * `SPLIT_BY_NEED`. SKUs nobody needs are left out; so is an order with no
 * line (the minimum applies to an order, not to its absence).
 */
export const combineSupplierOrder = (supplierId: string, needs: readonly PurchaseNeed[], terms: SupplierTerms = {}): HqOrder | undefined => {
  const bySku = new Map<string, DraftLine>();
  needs.forEach((s, i) => {
    if (s.supplierId !== supplierId) {
      throw new ValidationFailed(`Need for ${s.sku} is for supplier ${s.supplierId}, not ${supplierId}`, [
        { path: `needs[${i}].supplierId`, message: 'other supplier' },
      ]);
    }
    const needed = requireInt(`needs[${i}].needed`, s.needed);
    const packSize = requireInt(`needs[${i}].packSize`, s.packSize ?? 1, 1);
    const minOrderQty = requireInt(`needs[${i}].minOrderQty`, s.minOrderQty ?? 0);
    const unitCost = requireInt(`needs[${i}].unitCost`, s.unitCost);
    const line = bySku.get(s.sku) ?? { sku: s.sku, quantity: 0, needed: 0, packSize, minOrderQty, unitCost, rule: 'EXACT' as RoundingRule, needs: new Map() };
    if (line.packSize !== packSize || line.unitCost !== unitCost || line.minOrderQty !== minOrderQty) {
      throw new ValidationFailed(`Needs for ${s.sku} disagree on pack size, minimum or unit cost`, [
        { path: `needs[${i}]`, message: 'inconsistent product data' },
      ]);
    }
    line.needed += needed;
    line.needs.set(s.locationId, (line.needs.get(s.locationId) ?? 0) + needed);
    bySku.set(s.sku, line);
  });
  const lines = [...bySku.values()].filter((l) => l.needed > 0).sort((x, y) => (x.sku < y.sku ? -1 : 1));
  if (lines.length === 0) return undefined;
  for (const line of lines) Object.assign(line, roundOrderQuantity(line.needed, line.packSize, line.minOrderQty));

  const total = (per: (l: DraftLine) => number): number => lines.reduce((sum, l) => sum + per(l), 0);
  const rules = new Set<HqOrderRule>();
  if (lines.some((l) => l.rule === 'PACK_MULTIPLE')) rules.add('PACK_MULTIPLE');
  if (lines.some((l) => l.rule === 'SUPPLIER_MINIMUM')) rules.add('SUPPLIER_MINIMUM_QTY');
  const minQty = requireInt('minOrderQty', terms.minOrderQty ?? 0);
  if (total((l) => l.quantity) < minQty) {
    topUp(lines, minQty - total((l) => l.quantity), (l) => l.packSize, 'minimum quantity');
    rules.add('SUPPLIER_MINIMUM_QTY');
  }
  const minValue = requireInt('minOrderValue', terms.minOrderValue ?? 0);
  if (total((l) => l.quantity * l.unitCost) < minValue) {
    topUp(lines, minValue - total((l) => l.quantity * l.unitCost), (l) => l.packSize * l.unitCost, 'minimum value');
    rules.add('SUPPLIER_MINIMUM_VALUE');
  }
  const placed = lines.map((line): HqOrderLine => {
    const placement: ExtraPlacement = line.quantity > line.needed ? 'SPLIT_BY_NEED' : 'NONE';
    const shares = splitByNeed(line.quantity, line.needs);
    const locations = [...line.needs.keys()].sort().map((locationId) => ({ locationId, needed: line.needs.get(locationId)!, placed: shares.get(locationId)! }));
    return {
      sku: line.sku,
      quantity: line.quantity,
      needed: line.needed,
      packSize: line.packSize,
      minOrderQty: line.minOrderQty,
      unitCost: line.unitCost,
      rule: line.rule,
      extra: line.quantity - line.needed,
      placement,
      locations,
      reason: lineReason(line, locations, placement),
    };
  });
  return {
    supplierId,
    lines: placed,
    totalQuantity: total((l) => l.quantity),
    totalValue: total((l) => l.quantity * l.unitCost),
    rules: [...rules],
  };
};

/** One HQ order per supplier with a need, suppliers in ascending id order; suppliers without terms have no order-level minimum. */
export const combinePurchaseSuggestions = (needs: readonly PurchaseNeed[], terms: ReadonlyMap<string, SupplierTerms> = new Map()): HqOrder[] => {
  const bySupplier = new Map<string, PurchaseNeed[]>();
  for (const s of needs) {
    const group = bySupplier.get(s.supplierId);
    if (group) group.push(s);
    else bySupplier.set(s.supplierId, [s]);
  }
  return [...bySupplier.keys()]
    .sort()
    .map((id) => combineSupplierOrder(id, bySupplier.get(id)!, terms.get(id)))
    .filter((order): order is HqOrder => order !== undefined);
};

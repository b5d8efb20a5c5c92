/**
 * Chain-level replenishment: move stock a location does not need before
 * buying more, and buy for the whole chain in one order per supplier so
 * minimums and packs are met once, at HQ, instead of at every store.
 */
import { ValidationFailed } from '../errors.ts';
import { type RoundingRule, roundOrderQuantity } from './packs.ts';
import { ceilTolerant, requireInt, requireNumber } from './validate.ts';

/** Days the available stock lasts at the mean daily demand; Infinity when nothing sells. */
export const daysOfCover = (available: number, meanDailyDemand: number): number =>
  requireNumber('meanDailyDemand', meanDailyDemand) === 0 ? Number.POSITIVE_INFINITY : available / meanDailyDemand;

export interface DonorCandidate {
  readonly locationId: string;
  readonly available: number;
  readonly meanDailyDemand: number;
  /** How many days of demand the location's policy keeps (e.g. lead time + review period). */
  readonly targetDaysOfCover: number;
  /** The location's own reorder point for the SKU. */
  readonly reorderPoint: number;
}

/**
 * Units a location can give away and still hold its days-of-cover target
 * and stay above its own reorder point (so a transfer never triggers a
 * purchase at the donor). Incoming stock is not counted: it may be late.
 */
export const surplusUnits = (candidate: DonorCandidate): number => {
  const cover = ceilTolerant(requireNumber('meanDailyDemand', candidate.meanDailyDemand) * requireNumber('targetDaysOfCover', candidate.targetDaysOfCover));
  const keep = Math.max(cover, requireInt('reorderPoint', candidate.reorderPoint) + 1);
  return Math.max(0, requireInt('available', candidate.available, Number.MIN_SAFE_INTEGER) - keep);
};

export interface DonorChoice {
  readonly locationId: string;
  readonly surplus: number;
  readonly quantity: number;
}

/**
 * The location to transfer from instead of buying: the one with the most
 * surplus among those whose surplus covers the whole need (one transfer, not
 * several partial ones); ties go to the smaller locationId. Undefined when
 * no location can cover it, and the caller buys.
 */
export const chooseDonor = (
  need: { readonly locationId: string; readonly quantity: number },
  candidates: readonly DonorCandidate[],
): DonorChoice | undefined => {
  const quantity = requireInt('need.quantity', need.quantity, 1);
  let best: DonorChoice | undefined;
  for (const candidate of candidates) {
    if (candidate.locationId === need.locationId) continue;
    const surplus = surplusUnits(candidate);
    if (surplus < quantity) continue;
    if (!best || surplus > best.surplus || (surplus === best.surplus && candidate.locationId < best.locationId)) {
      best = { locationId: candidate.locationId, surplus, quantity };
    }
  }
  return best;
};

/** One location's purchase suggestion, as input to the HQ order. */
export interface PurchaseSuggestionLine {
  readonly supplierId: string;
  readonly sku: string;
  readonly locationId: string;
  readonly quantity: number;
  /** Minor units, the supplier's currency. */
  readonly unitCost: number;
  readonly packSize?: number;
}

/** A supplier's order terms; both minimums may apply at once. */
export interface SupplierTerms {
  readonly minOrderQty?: number;
  /** Minor units. */
  readonly minOrderValue?: number;
}

/** Per line: `EXACT`/`PACK_MULTIPLE` from rounding, `SUPPLIER_MINIMUM` if topped up to meet an order minimum. */
export interface HqOrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly packSize: number;
  readonly unitCost: number;
  /** What the locations asked for, in total and each (the HQ splits the delivery by these). */
  readonly requested: number;
  readonly locations: readonly { readonly locationId: string; readonly quantity: number }[];
  readonly rule: RoundingRule;
}

/** Which order-level rules were needed to reach the supplier's terms. */
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
  packSize: number;
  unitCost: number;
  requested: number;
  locations: { locationId: string; quantity: number }[];
  rule: RoundingRule;
}

/**
 * Whole packs added to one line to close a shortfall. The top-up goes to
 * the line with the most units (the fastest mover, most likely to sell the
 * extra), ties to the smaller SKU; for a value minimum, only lines with a
 * cost can help.
 */
const topUp = (lines: DraftLine[], shortfall: number, perPack: (l: DraftLine) => number, what: string): void => {
  const target = lines.filter((l) => perPack(l) > 0).sort((x, y) => y.quantity - x.quantity || (x.sku < y.sku ? -1 : 1))[0];
  if (!target) throw new ValidationFailed(`No line can raise the order to the supplier's ${what}`, [{ path: 'lines', message: `cannot reach ${what}` }]);
  target.quantity += Math.ceil(shortfall / perPack(target)) * target.packSize;
  target.rule = 'SUPPLIER_MINIMUM';
};

/**
 * Sums one supplier's suggestions per SKU across locations, rounds each
 * line up to its pack multiple, then tops the order up, in whole packs, to
 * the supplier's minimum quantity and then minimum value.
 */
export const combineSupplierOrder = (supplierId: string, suggestions: readonly PurchaseSuggestionLine[], terms: SupplierTerms = {}): HqOrder => {
  const bySku = new Map<string, DraftLine>();
  suggestions.forEach((s, i) => {
    if (s.supplierId !== supplierId) {
      throw new ValidationFailed(`Suggestion for ${s.sku} is for supplier ${s.supplierId}, not ${supplierId}`, [
        { path: `suggestions[${i}].supplierId`, message: 'other supplier' },
      ]);
    }
    const quantity = requireInt(`suggestions[${i}].quantity`, s.quantity, 1);
    const packSize = requireInt(`suggestions[${i}].packSize`, s.packSize ?? 1, 1);
    const unitCost = requireInt(`suggestions[${i}].unitCost`, s.unitCost);
    const line = bySku.get(s.sku) ?? { sku: s.sku, quantity: 0, packSize, unitCost, requested: 0, locations: [], rule: 'EXACT' as RoundingRule };
    if (line.packSize !== packSize || line.unitCost !== unitCost) {
      throw new ValidationFailed(`Suggestions for ${s.sku} disagree on pack size or unit cost`, [
        { path: `suggestions[${i}]`, message: 'inconsistent product data' },
      ]);
    }
    line.requested += quantity;
    line.locations.push({ locationId: s.locationId, quantity });
    bySku.set(s.sku, line);
  });
  const lines = [...bySku.values()].sort((x, y) => (x.sku < y.sku ? -1 : 1));
  for (const line of lines) Object.assign(line, roundOrderQuantity(line.requested, line.packSize));

  const rules = new Set<HqOrderRule>();
  if (lines.some((l) => l.rule === 'PACK_MULTIPLE')) rules.add('PACK_MULTIPLE');
  const total = (per: (l: DraftLine) => number): number => lines.reduce((sum, l) => sum + per(l), 0);
  const minQty = requireInt('minOrderQty', terms.minOrderQty ?? 0);
  if (lines.length > 0 && total((l) => l.quantity) < minQty) {
    topUp(lines, minQty - total((l) => l.quantity), (l) => l.packSize, 'minimum quantity');
    rules.add('SUPPLIER_MINIMUM_QTY');
  }
  const minValue = requireInt('minOrderValue', terms.minOrderValue ?? 0);
  if (lines.length > 0 && total((l) => l.quantity * l.unitCost) < minValue) {
    topUp(lines, minValue - total((l) => l.quantity * l.unitCost), (l) => l.packSize * l.unitCost, 'minimum value');
    rules.add('SUPPLIER_MINIMUM_VALUE');
  }
  return {
    supplierId,
    lines,
    totalQuantity: total((l) => l.quantity),
    totalValue: total((l) => l.quantity * l.unitCost),
    rules: [...rules],
  };
};

/** One HQ order per supplier, suppliers in ascending id order; suppliers without terms have no minimum. */
export const combinePurchaseSuggestions = (
  suggestions: readonly PurchaseSuggestionLine[],
  terms: ReadonlyMap<string, SupplierTerms> = new Map(),
): HqOrder[] => {
  const bySupplier = new Map<string, PurchaseSuggestionLine[]>();
  for (const s of suggestions) {
    const group = bySupplier.get(s.supplierId);
    if (group) group.push(s);
    else bySupplier.set(s.supplierId, [s]);
  }
  return [...bySupplier.keys()].sort().map((id) => combineSupplierOrder(id, bySupplier.get(id)!, terms.get(id)));
};

/**
 * ABC classification: rank SKUs by annual consumption value (annual units x
 * unit cost) so the few SKUs that carry most of the money get tight control
 * and the long tail gets cheap, loose rules. The class sets the policy.
 */
import { ValidationFailed } from '../errors.ts';
import { requireInt, requireNumber, requirePositive, requireProbability } from './validate.ts';

export type AbcClass = 'A' | 'B' | 'C';

/**
 * What a class means for replenishment and counting. The seed article: A
 * items are costly, so strict control, precise forecasting and a LOW safety
 * stock; C items are cheap, so loose control, BULK purchasing and a HIGHER
 * safety stock; B between.
 */
export interface AbcPolicy {
  /** Cycle service level for the reorder point's z. */
  readonly serviceLevel: number;
  /** Days between reviews of the SKU's parameters; also the cover a location keeps beyond lead time before it gives stock away. */
  readonly reviewPeriodDays: number;
  /** Days of demand history the forecast reads: short for A (precise, recent), longer for C (lumpy demand needs more history). */
  readonly forecastWindowDays: number;
  /** Multiplies the statistical safety stock. */
  readonly safetyStockFactor: number;
  /** Multiplies the order size (EOQ, or the cover ordered without costs): above 1 means larger, rarer orders. */
  readonly orderMultiple: number;
  /** Cycle counts per year. */
  readonly cycleCountsPerYear: number;
}

export interface AbcConfig {
  /** Cumulative value share that closes class A; default 0.8. */
  readonly aCutoff: number;
  /** Cumulative value share that closes class B; default 0.95. */
  readonly bCutoff: number;
  readonly policies: Readonly<Record<AbcClass, AbcPolicy>>;
}

export const abcClasses = ['A', 'B', 'C'] as const satisfies readonly AbcClass[];

/**
 * The seed's policy ("A: 采用安全库存较低的策略"; "C: 大批量采购、较高的安全库存"):
 * - A (the few SKUs that carry most of the money): strict control. Weekly
 *   review, a 28-day forecast window so the forecast follows recent demand
 *   closely, and a LOW safety stock (95 % service, factor 0.8): every unit
 *   of buffer ties up expensive capital, and the tight review catches a
 *   drift before it becomes a stock-out. Orders are plain EOQ.
 * - C (the long tail worth little): loose control. Monthly review, the full
 *   56-day window, BULK purchasing (twice the EOQ: fewer orders, each one
 *   costs more to place than the stock costs to hold) and a HIGHER safety
 *   stock (98 % service, factor 1.25): extra units are cheap, a stock-out
 *   and the attention it takes are not.
 * - B: between (fortnightly, 42 days, 97 %, factor 1.0, 1.5 x EOQ).
 * Cycle counts follow the money: A four times a year, B twice, C once.
 */
export const defaultAbcConfig: AbcConfig = {
  aCutoff: 0.8,
  bCutoff: 0.95,
  policies: {
    A: { serviceLevel: 0.95, reviewPeriodDays: 7, forecastWindowDays: 28, safetyStockFactor: 0.8, orderMultiple: 1, cycleCountsPerYear: 4 },
    B: { serviceLevel: 0.97, reviewPeriodDays: 14, forecastWindowDays: 42, safetyStockFactor: 1, orderMultiple: 1.5, cycleCountsPerYear: 2 },
    C: { serviceLevel: 0.98, reviewPeriodDays: 30, forecastWindowDays: 56, safetyStockFactor: 1.25, orderMultiple: 2, cycleCountsPerYear: 1 },
  },
};

/**
 * The policy a product is held to: its stored class policy, with fields a
 * policy written before they existed taken from the class's defaults.
 * Undefined for a product never classified.
 */
export const policyOf = (abcClass: AbcClass | undefined, stored: Partial<AbcPolicy> | undefined): AbcPolicy | undefined => {
  if (!abcClass) return undefined;
  return { ...defaultAbcConfig.policies[abcClass], ...stored };
};

/** A few words for a suggestion's reason: "class C: loose control, bulk order 2x EOQ, safety x1.25, 98% service, review 30 d". */
export const policyPhrase = (abcClass: AbcClass, policy: AbcPolicy, orderBasis: 'EOQ' | 'cover' | 'fixed min/max'): string => {
  const control = abcClass === 'A' ? 'strict control' : abcClass === 'B' ? 'standard control' : 'loose control';
  const bulk = policy.orderMultiple > 1 ? 'bulk ' : '';
  const order =
    orderBasis === 'fixed min/max'
      ? 'fixed min/max'
      : orderBasis === 'EOQ'
        ? `${bulk}order ${policy.orderMultiple}x EOQ`
        : `${bulk}order up to ${1 + policy.orderMultiple}x reorder point`;
  return `class ${abcClass}: ${control}, ${order}, safety x${policy.safetyStockFactor}, ${Number((policy.serviceLevel * 100).toFixed(1))}% service, review ${policy.reviewPeriodDays} d`;
};

export interface AbcItemInput {
  readonly sku: string;
  readonly annualUnits: number;
  /** Minor units. */
  readonly unitCost: number;
}

export interface AbcEntry {
  readonly sku: string;
  /** 1 = highest value. */
  readonly rank: number;
  readonly abcClass: AbcClass;
  /** annualUnits x unitCost, minor units. */
  readonly value: number;
  readonly valueShare: number;
  /** Share of total value of this SKU and every SKU ranked above it. */
  readonly cumulativeShare: number;
  readonly policy: AbcPolicy;
}

export interface ParetoFigures {
  readonly skuCount: number;
  readonly skuShare: number;
  readonly value: number;
  readonly valueShare: number;
}

export interface AbcResult {
  /** Ranked: value descending, then SKU ascending. */
  readonly entries: readonly AbcEntry[];
  readonly totalValue: number;
  readonly pareto: Readonly<Record<AbcClass, ParetoFigures>>;
}

/**
 * Refuses cut-offs out of order or outside (0, 1], so a typo cannot make
 * everything C, and any policy field missing or out of range, naming it.
 * The zod schema (shared/schemas/abc.ts) checks the same at the API.
 */
export const checkAbcConfig = (config: AbcConfig): AbcConfig => {
  requireProbability('aCutoff', config.aCutoff);
  if (!(config.bCutoff > config.aCutoff && config.bCutoff <= 1)) {
    throw new ValidationFailed('bCutoff must be above aCutoff and at most 1', [{ path: 'bCutoff', message: 'must be in (aCutoff, 1]' }]);
  }
  for (const c of abcClasses) {
    const policy = config.policies?.[c];
    if (!policy) throw new ValidationFailed(`policies.${c} is missing`, [{ path: `policies.${c}`, message: 'required' }]);
    requireProbability(`policies.${c}.serviceLevel`, policy.serviceLevel);
    requireInt(`policies.${c}.reviewPeriodDays`, policy.reviewPeriodDays, 1);
    requireInt(`policies.${c}.forecastWindowDays`, policy.forecastWindowDays, 7);
    requireNumber(`policies.${c}.safetyStockFactor`, policy.safetyStockFactor);
    requirePositive(`policies.${c}.orderMultiple`, policy.orderMultiple);
    requireInt(`policies.${c}.cycleCountsPerYear`, policy.cycleCountsPerYear);
  }
  return config;
};

/**
 * Classifies by cumulative value share, sorting once (O(n log n)).
 *
 * Boundary rule: a SKU takes the class in which its value *starts*. It is A
 * when the cumulative share of the SKUs ranked above it is below `aCutoff`,
 * B when that share is below `bCutoff`, otherwise C. So the SKU that crosses
 * 80 % is A (one SKU worth 90 % of the value is A, not B), and a SKU that
 * starts exactly at 80 % is B. Zero-value SKUs are always C, and with no
 * value at all every SKU is C. Ties in value rank by SKU, so the result is
 * deterministic.
 *
 * Values are summed as JavaScript numbers: exact while the total stays below
 * 2^53 minor units (about 90 trillion in a two-decimal currency).
 */
export const classifyAbc = (items: readonly AbcItemInput[], config: AbcConfig = defaultAbcConfig): AbcResult => {
  checkAbcConfig(config);
  const n = items.length;
  const values = new Float64Array(n);
  const seen = new Set<string>();
  let totalValue = 0;
  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    if (seen.has(item.sku)) throw new ValidationFailed(`SKU ${item.sku} appears twice`, [{ path: `items[${i}].sku`, message: 'duplicate' }]);
    seen.add(item.sku);
    values[i] = requireInt(`items[${i}].annualUnits`, item.annualUnits) * requireInt(`items[${i}].unitCost`, item.unitCost);
    totalValue += values[i]!;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((x, y) => values[y]! - values[x]! || (items[x]!.sku < items[y]!.sku ? -1 : 1));

  const pareto = { A: { skuCount: 0, value: 0 }, B: { skuCount: 0, value: 0 }, C: { skuCount: 0, value: 0 } };
  let cumulative = 0;
  const entries = order.map((i, position): AbcEntry => {
    const value = values[i]!;
    const before = totalValue > 0 ? cumulative / totalValue : 1;
    const abcClass: AbcClass = value === 0 ? 'C' : before < config.aCutoff ? 'A' : before < config.bCutoff ? 'B' : 'C';
    cumulative += value;
    pareto[abcClass].skuCount++;
    pareto[abcClass].value += value;
    return {
      sku: items[i]!.sku,
      rank: position + 1,
      abcClass,
      value,
      valueShare: totalValue > 0 ? value / totalValue : 0,
      cumulativeShare: totalValue > 0 ? cumulative / totalValue : 0,
      policy: config.policies[abcClass],
    };
  });
  const figures = (c: AbcClass): ParetoFigures => ({
    skuCount: pareto[c].skuCount,
    skuShare: n > 0 ? pareto[c].skuCount / n : 0,
    value: pareto[c].value,
    valueShare: totalValue > 0 ? pareto[c].value / totalValue : 0,
  });
  return { entries, totalValue, pareto: { A: figures('A'), B: figures('B'), C: figures('C') } };
};

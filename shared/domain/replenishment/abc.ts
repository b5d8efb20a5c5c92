/**
 * ABC classification: rank SKUs by annual consumption value (annual units x
 * unit cost) so the few SKUs that carry most of the money get tight control
 * and the long tail gets cheap, loose rules. The class sets the policy.
 */
import { ValidationFailed } from '../errors.ts';
import { requireInt, requireNumber, requireProbability } from './validate.ts';

export type AbcClass = 'A' | 'B' | 'C';

/** What a class means for replenishment and counting. */
export interface AbcPolicy {
  /** Cycle service level for the reorder point's z. */
  readonly serviceLevel: number;
  /** Days between reviews of the SKU's parameters. */
  readonly reviewPeriodDays: number;
  /** Multiplies the statistical safety stock. */
  readonly safetyStockFactor: number;
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

/**
 * A: high service level, weekly review, no extra safety stock (forecasts of
 * fast movers are precise); C: lower service level, monthly review, bulkier
 * buffer (their demand is lumpy and a stock-out costs little); B between.
 */
export const defaultAbcConfig: AbcConfig = {
  aCutoff: 0.8,
  bCutoff: 0.95,
  policies: {
    A: { serviceLevel: 0.98, reviewPeriodDays: 7, safetyStockFactor: 1, cycleCountsPerYear: 4 },
    B: { serviceLevel: 0.95, reviewPeriodDays: 14, safetyStockFactor: 1.1, cycleCountsPerYear: 2 },
    C: { serviceLevel: 0.9, reviewPeriodDays: 30, safetyStockFactor: 1.25, cycleCountsPerYear: 1 },
  },
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

/** Refuses cut-offs out of order or outside (0, 1], so a typo cannot make everything C. */
const checkConfig = (config: AbcConfig): void => {
  requireProbability('aCutoff', config.aCutoff);
  if (!(config.bCutoff > config.aCutoff && config.bCutoff <= 1)) {
    throw new ValidationFailed('bCutoff must be above aCutoff and at most 1', [{ path: 'bCutoff', message: 'must be in (aCutoff, 1]' }]);
  }
  for (const c of ['A', 'B', 'C'] as const) {
    requireProbability(`policies.${c}.serviceLevel`, config.policies[c].serviceLevel);
    requireNumber(`policies.${c}.safetyStockFactor`, config.policies[c].safetyStockFactor);
  }
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
  checkConfig(config);
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

import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../../shared/domain/errors.ts';
import {
  type AbcConfig,
  type AbcItemInput,
  abcClasses,
  checkAbcConfig,
  classifyAbc,
  defaultAbcConfig,
  policyOf,
} from '../../../../shared/domain/replenishment/abc.ts';
import { serviceLevelFactor } from '../../../../shared/domain/replenishment/normal.ts';
import { replenishmentReason } from '../../../../shared/domain/replenishment/reason.ts';
import { reorderPoint } from '../../../../shared/domain/replenishment/reorder-point.ts';
import { suggestOrder } from '../../../../shared/domain/replenishment/suggestion.ts';
import { AbcConfigSchema, AbcRunInput } from '../../../../shared/schemas/abc.ts';

/** Values (units x cost) total 100,000, so each share is value / 100,000. */
const known: AbcItemInput[] = [
  { sku: 'S1', annualUnits: 100, unitCost: 500 }, // 50,000
  { sku: 'S2', annualUnits: 50, unitCost: 400 }, // 20,000
  { sku: 'S3', annualUnits: 300, unitCost: 50 }, // 15,000: starts at 70 %, crosses 80 %
  { sku: 'S4', annualUnits: 10, unitCost: 500 }, // 5,000: starts at 85 %
  { sku: 'S5', annualUnits: 40, unitCost: 100 }, // 4,000
  { sku: 'S6', annualUnits: 20, unitCost: 100 }, // 2,000: starts at 94 %, crosses 95 %
  { sku: 'S7', annualUnits: 10, unitCost: 100 }, // 1,000
  { sku: 'S8', annualUnits: 5, unitCost: 200 }, // 1,000 (tie with S7: SKU order)
  { sku: 'S9', annualUnits: 2, unitCost: 1000 }, // 2,000 (tie with S6: SKU order, starts at 96 %)
  { sku: 'S10', annualUnits: 0, unitCost: 999 }, // 0
];

describe('classifyAbc', () => {
  it('classes every item of a known data set, the crossing item in the higher class', () => {
    const result = classifyAbc(known);
    expect(result.totalValue).toBe(100_000);
    expect(result.entries.map((e) => [e.sku, e.rank, e.abcClass, e.value])).toEqual([
      ['S1', 1, 'A', 50_000],
      ['S2', 2, 'A', 20_000],
      ['S3', 3, 'A', 15_000],
      ['S4', 4, 'B', 5000],
      ['S5', 5, 'B', 4000],
      ['S6', 6, 'B', 2000],
      ['S9', 7, 'C', 2000],
      ['S7', 8, 'C', 1000],
      ['S8', 9, 'C', 1000],
      ['S10', 10, 'C', 0],
    ]);
    expect(result.entries.map((e) => e.cumulativeShare)).toEqual([0.5, 0.7, 0.85, 0.9, 0.94, 0.96, 0.98, 0.99, 1, 1]);
    expect(result.entries[2]).toMatchObject({ valueShare: 0.15, policy: defaultAbcConfig.policies.A });
    expect(result.entries[9]!.policy).toEqual(defaultAbcConfig.policies.C);
  });

  it('gives Pareto figures per class', () => {
    const { pareto } = classifyAbc(known);
    expect(pareto.A).toEqual({ skuCount: 3, skuShare: 0.3, value: 85_000, valueShare: 0.85 });
    expect(pareto.B).toEqual({ skuCount: 3, skuShare: 0.3, value: 11_000, valueShare: 0.11 });
    expect(pareto.C).toEqual({ skuCount: 4, skuShare: 0.4, value: 4000, valueShare: 0.04 });
  });

  it('puts an item that starts exactly at a cut-off in the lower class', () => {
    const items = [
      ['X1', 60],
      ['X2', 20],
      ['X3', 15],
      ['X4', 5],
    ].map(([sku, units]) => ({ sku: String(sku), annualUnits: Number(units), unitCost: 1 }));
    expect(classifyAbc(items).entries.map((e) => e.abcClass)).toEqual(['A', 'A', 'B', 'C']);
  });

  it('makes one dominant SKU A, not B', () => {
    const result = classifyAbc([
      { sku: 'big', annualUnits: 90, unitCost: 1 },
      { sku: 'small', annualUnits: 10, unitCost: 1 },
    ]);
    expect(result.entries.map((e) => e.abcClass)).toEqual(['A', 'B']);
  });

  it('uses configured cut-offs', () => {
    const result = classifyAbc(known, { ...defaultAbcConfig, aCutoff: 0.5, bCutoff: 0.9 });
    expect(result.entries.map((e) => e.abcClass)).toEqual(['A', 'B', 'B', 'B', 'C', 'C', 'C', 'C', 'C', 'C']);
  });

  it('makes everything C when nothing has value', () => {
    const result = classifyAbc([
      { sku: 'a', annualUnits: 0, unitCost: 10 },
      { sku: 'b', annualUnits: 5, unitCost: 0 },
    ]);
    expect(result.entries.map((e) => [e.sku, e.abcClass, e.valueShare])).toEqual([
      ['a', 'C', 0],
      ['b', 'C', 0],
    ]);
    expect(result.pareto.C).toEqual({ skuCount: 2, skuShare: 1, value: 0, valueShare: 0 });
    expect(classifyAbc([]).pareto.A).toEqual({ skuCount: 0, skuShare: 0, value: 0, valueShare: 0 });
  });

  it('refuses cut-offs out of order, duplicate SKUs and fractional units', () => {
    expect(() => classifyAbc(known, { ...defaultAbcConfig, aCutoff: 0.95, bCutoff: 0.8 })).toThrow(ValidationFailed);
    expect(() => classifyAbc([...known, { sku: 'S1', annualUnits: 1, unitCost: 1 }])).toThrow(/S1 appears twice/);
    expect(() => classifyAbc([{ sku: 'x', annualUnits: 1.5, unitCost: 1 }])).toThrow(/annualUnits/);
  });

  it('classifies 100,000 SKUs consistently', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const n = 100_000;
    // Long-tailed values, with some zero and many tied values.
    const items = Array.from({ length: n }, (_, i) => ({
      sku: `SKU-${String(i).padStart(6, '0')}`,
      annualUnits: Math.floor(1000 * random() ** 4),
      unitCost: 1 + Math.floor(random() * 5000),
    }));
    const result = classifyAbc(items);
    const { entries, pareto } = result;
    expect(entries).toHaveLength(n);
    expect(pareto.A.skuCount + pareto.B.skuCount + pareto.C.skuCount).toBe(n);
    expect(pareto.A.value + pareto.B.value + pareto.C.value).toBe(result.totalValue);
    const problems: string[] = [];
    let before = 0;
    let previous = entries[0]!;
    for (const entry of entries) {
      // Ranked by value then SKU, classes never go back up, and each class follows the boundary rule.
      if (entry.value > previous.value || (entry.value === previous.value && entry.sku < previous.sku)) problems.push(`${entry.sku} out of order`);
      const start = before / result.totalValue;
      const expected = entry.value === 0 ? 'C' : start < 0.8 ? 'A' : start < 0.95 ? 'B' : 'C';
      if (entry.abcClass !== expected) problems.push(`${entry.sku} is ${entry.abcClass}, expected ${expected}`);
      if (entry.abcClass < previous.abcClass) problems.push(`${entry.sku} goes back to ${entry.abcClass}`);
      before += entry.value;
      previous = entry;
    }
    expect(problems).toEqual([]);
    expect(pareto.A.valueShare).toBeGreaterThanOrEqual(0.8);
    expect(pareto.A.skuShare).toBeLessThan(0.5); // a long tail: a minority of SKUs carries 80 % of value
    expect(pareto.C.skuCount).toBeGreaterThan(pareto.A.skuCount);
  });
});

describe('the class policy follows the seed article', () => {
  const { A, B, C } = defaultAbcConfig.policies;
  /** Safety stock per unit of sigma x sqrt(L): factor x z. */
  const safety = (p: typeof A) => p.safetyStockFactor * serviceLevelFactor(p.serviceLevel);

  it('gives A the lowest safety stock and C the highest (A low, C high, B between)', () => {
    expect(safety(A)).toBeLessThan(safety(B));
    expect(safety(B)).toBeLessThan(safety(C));
    expect(A.safetyStockFactor).toBeLessThan(1);
    expect(C.safetyStockFactor).toBeGreaterThan(1);
    expect(A.serviceLevel).toBeLessThan(C.serviceLevel);
  });

  it('controls A strictly (short review, tight forecast window, more counts) and C loosely', () => {
    expect(A.reviewPeriodDays).toBeLessThan(B.reviewPeriodDays);
    expect(B.reviewPeriodDays).toBeLessThan(C.reviewPeriodDays);
    expect(A.forecastWindowDays).toBeLessThan(C.forecastWindowDays);
    expect([A.cycleCountsPerYear, B.cycleCountsPerYear, C.cycleCountsPerYear]).toEqual([4, 2, 1]);
  });

  it('buys C in bulk: more than the EOQ, B between, A the plain EOQ', () => {
    expect(A.orderMultiple).toBe(1);
    expect(B.orderMultiple).toBeGreaterThan(1);
    expect(C.orderMultiple).toBeGreaterThan(B.orderMultiple);
    const eoq = { raw: 47, quantity: 47, rule: 'EXACT' } as const;
    const order = (multiple: number) => suggestOrder({ available: 0, incoming: 0, reorderPoint: 10, order: { kind: 'EOQ', eoq, multiple }, packSize: 5 });
    expect(order(C.orderMultiple)).toMatchObject({ needed: true, quantity: 95, basis: 'EOQ', wanted: 94 });
    expect(order(A.orderMultiple)).toMatchObject({ needed: true, quantity: 50, basis: 'EOQ', wanted: 47 });
  });

  it('gives the same demand a lower reorder point under A than under C', () => {
    const plan = (p: typeof A) =>
      reorderPoint({ meanDailyDemand: 10, stdDevDailyDemand: 4, leadTimeDays: 9, serviceLevel: p.serviceLevel, safetyStockFactor: p.safetyStockFactor });
    const [a, b, c] = [plan(A), plan(B), plan(C)];
    // d x L = 90; safety 0.8 x 1.645 x 12 = 15.8 (A), 1.0 x 1.881 x 12 = 22.6 (B), 1.25 x 2.054 x 12 = 30.8 (C).
    expect([a.reorderPoint, b.reorderPoint, c.reorderPoint]).toEqual([106, 113, 121]);
  });

  it('names the class and its policy in the reason', () => {
    const plan = reorderPoint({
      meanDailyDemand: 2,
      stdDevDailyDemand: 1,
      leadTimeDays: 4,
      serviceLevel: C.serviceLevel,
      safetyStockFactor: C.safetyStockFactor,
    });
    const order = { kind: 'EOQ', eoq: { raw: 30, quantity: 30, rule: 'EXACT' }, multiple: C.orderMultiple } as const;
    const suggestion = suggestOrder({ available: 1, incoming: 0, reorderPoint: plan.reorderPoint, order });
    const reason = replenishmentReason({ available: 1, incoming: 0, plan, order, suggestion, abc: { abcClass: 'C', policy: C } });
    expect(reason).toContain('order 60 = 2 x EOQ 30');
    expect(reason).toMatch(/class C: loose control, bulk order 2x EOQ, safety x1\.25, 98% service, review 30 d$/);
    const noOrder = replenishmentReason({
      available: 50,
      incoming: 0,
      plan,
      order,
      suggestion: { needed: false, position: 50 },
      abc: { abcClass: 'A', policy: A },
    });
    expect(noOrder).toMatch(/no order; class A: strict control, order 1x EOQ, safety x0\.8, 95% service/);
  });

  it('fills fields missing from a policy stored before they existed from the class defaults', () => {
    expect(policyOf('C', { serviceLevel: 0.9, reviewPeriodDays: 30, safetyStockFactor: 1.25, cycleCountsPerYear: 1 })).toEqual({ ...C, serviceLevel: 0.9 });
    expect(policyOf(undefined, undefined)).toBeUndefined();
  });
});

describe('the ABC configuration is checked', () => {
  const withPolicy = (c: 'A' | 'B' | 'C', patch: Record<string, unknown>) =>
    ({ ...defaultAbcConfig, policies: { ...defaultAbcConfig.policies, [c]: { ...defaultAbcConfig.policies[c], ...patch } } }) as unknown as AbcConfig;
  const without = (c: 'A' | 'B' | 'C', field: string) => {
    const { [field]: _dropped, ...rest } = defaultAbcConfig.policies[c] as unknown as Record<string, unknown>;
    return { ...defaultAbcConfig, policies: { ...defaultAbcConfig.policies, [c]: rest } } as unknown as AbcConfig;
  };
  const paths = (config: unknown) => {
    const parsed = AbcConfigSchema.safeParse(config);
    return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
  };

  it('accepts the defaults with the API schema and the domain check', () => {
    expect(AbcConfigSchema.parse(defaultAbcConfig)).toEqual(defaultAbcConfig);
    expect(checkAbcConfig(defaultAbcConfig)).toBe(defaultAbcConfig);
    expect(AbcRunInput.parse({ runId: 'run-1', config: defaultAbcConfig })).toMatchObject({ runId: 'run-1' });
  });

  it.each(['serviceLevel', 'reviewPeriodDays', 'forecastWindowDays', 'safetyStockFactor', 'orderMultiple', 'cycleCountsPerYear'])(
    'refuses a class policy missing %s, naming it',
    (field) => {
      expect(paths(without('C', field))).toEqual([`policies.C.${field}`]);
      expect(() => checkAbcConfig(without('C', field))).toThrow(new RegExp(`policies\\.C\\.${field}`));
    },
  );

  it.each(['safetyStockFactor', 'orderMultiple', 'reviewPeriodDays', 'cycleCountsPerYear', 'serviceLevel'])('refuses a negative %s, naming it', (field) => {
    expect(paths(withPolicy('A', { [field]: -1 }))).toEqual([`policies.A.${field}`]);
    expect(() => checkAbcConfig(withPolicy('A', { [field]: -1 }))).toThrow(ValidationFailed);
    expect(() => classifyAbc(known, withPolicy('A', { [field]: -1 }))).toThrow(new RegExp(`policies\\.A\\.${field}`));
  });

  it('refuses a missing class, unknown fields and cut-offs out of order', () => {
    const { C: _c, ...twoClasses } = defaultAbcConfig.policies;
    expect(paths({ ...defaultAbcConfig, policies: twoClasses })).toEqual(['policies.C']);
    expect(() => checkAbcConfig({ ...defaultAbcConfig, policies: twoClasses } as unknown as AbcConfig)).toThrow(/policies\.C/);
    expect(paths(withPolicy('B', { zFactor: 2 }))).toEqual(['policies.B']);
    expect(paths({ ...defaultAbcConfig, aCutoff: 0.95, bCutoff: 0.9 })).toEqual(['bCutoff']);
    for (const c of abcClasses) expect(paths(withPolicy(c, { serviceLevel: 1 }))).toEqual([`policies.${c}.serviceLevel`]);
  });
});

import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../../shared/domain/errors.ts';
import { type AbcItemInput, classifyAbc, defaultAbcConfig } from '../../../../shared/domain/replenishment/abc.ts';

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
    expect(result.entries[9]!.policy).toEqual({ serviceLevel: 0.9, reviewPeriodDays: 30, safetyStockFactor: 1.25, cycleCountsPerYear: 1 });
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

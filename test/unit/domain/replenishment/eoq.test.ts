import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../../shared/domain/errors.ts';
import { economicOrderQuantity } from '../../../../shared/domain/replenishment/eoq.ts';
import { roundOrderQuantity, roundUpToPack } from '../../../../shared/domain/replenishment/packs.ts';

describe('economicOrderQuantity', () => {
  it('holds the design example: D = 10000, S = 50, H = 1 gives 1000', () => {
    expect(economicOrderQuantity({ annualDemand: 10_000, orderingCost: 50, holdingCostPerUnitYear: 1 })).toEqual({
      quantity: 1000,
      raw: 1000,
      rule: 'EXACT',
    });
  });

  it('gives the same answer with costs in minor units (only S/H matters)', () => {
    expect(economicOrderQuantity({ annualDemand: 10_000, orderingCost: 5000, holdingCostPerUnitYear: 100 }).quantity).toBe(1000);
  });

  it('rounds a fraction up to whole units with pack size 1', () => {
    const eoq = economicOrderQuantity({ annualDemand: 1000, orderingCost: 50, holdingCostPerUnitYear: 3 });
    expect(eoq.raw).toBeCloseTo(182.574, 3);
    expect(eoq).toMatchObject({ quantity: 183, rule: 'WHOLE_UNITS' });
  });

  it('rounds up to the pack size', () => {
    expect(economicOrderQuantity({ annualDemand: 10_000, orderingCost: 50, holdingCostPerUnitYear: 1, packSize: 24 })).toMatchObject({
      quantity: 1008,
      rule: 'PACK_MULTIPLE',
    });
  });

  it('raises to the supplier minimum, in whole packs', () => {
    expect(economicOrderQuantity({ annualDemand: 10_000, orderingCost: 50, holdingCostPerUnitYear: 1, minOrderQty: 1500 })).toMatchObject({
      quantity: 1500,
      rule: 'SUPPLIER_MINIMUM',
    });
    expect(economicOrderQuantity({ annualDemand: 10_000, orderingCost: 50, holdingCostPerUnitYear: 1, minOrderQty: 1500, packSize: 40 })).toMatchObject({
      quantity: 1520,
      rule: 'SUPPLIER_MINIMUM',
    });
  });

  it('orders nothing when nothing sells', () => {
    expect(economicOrderQuantity({ annualDemand: 0, orderingCost: 50, holdingCostPerUnitYear: 1, minOrderQty: 100 })).toEqual({
      quantity: 0,
      raw: 0,
      rule: 'NO_DEMAND',
    });
  });

  it.each([0, -1, Number.NaN])('refuses a holding cost of %s', (h) => {
    expect(() => economicOrderQuantity({ annualDemand: 100, orderingCost: 50, holdingCostPerUnitYear: h })).toThrow(ValidationFailed);
  });

  it('refuses negative demand and a fractional pack size', () => {
    expect(() => economicOrderQuantity({ annualDemand: -1, orderingCost: 50, holdingCostPerUnitYear: 1 })).toThrow(/annualDemand/);
    expect(() => economicOrderQuantity({ annualDemand: 10, orderingCost: 50, holdingCostPerUnitYear: 1, packSize: 2.5 })).toThrow(/packSize/);
  });
});

describe('roundOrderQuantity', () => {
  it.each([
    [40, 1, 0, 40, 'EXACT'],
    [40, 10, 0, 40, 'EXACT'],
    [41, 10, 0, 50, 'PACK_MULTIPLE'],
    [40.2, 1, 0, 41, 'WHOLE_UNITS'],
    [40.2, 10, 0, 50, 'PACK_MULTIPLE'],
    [5, 12, 30, 36, 'SUPPLIER_MINIMUM'],
    [37, 12, 30, 48, 'PACK_MULTIPLE'],
    [0, 12, 30, 0, 'EXACT'],
  ] as const)('wanted %s, pack %s, minimum %s -> %s (%s)', (wanted, pack, min, quantity, rule) => {
    expect(roundOrderQuantity(wanted, pack, min)).toEqual({ quantity, rule });
  });

  it('does not round float noise up by a whole unit or pack', () => {
    expect(roundOrderQuantity((0.1 + 0.2) * 100, 1)).toEqual({ quantity: 30, rule: 'WHOLE_UNITS' });
    expect(roundUpToPack(30, 10)).toBe(30);
  });
});

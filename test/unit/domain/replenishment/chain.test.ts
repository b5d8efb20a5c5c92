import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../../shared/domain/errors.ts';
import {
  chooseDonor,
  combinePurchaseSuggestions,
  combineSupplierOrder,
  daysOfCover,
  type DonorCandidate,
  type PurchaseSuggestionLine,
  surplusUnits,
} from '../../../../shared/domain/replenishment/chain.ts';

describe('daysOfCover and surplusUnits', () => {
  it('divides available by mean daily demand; nothing selling lasts forever', () => {
    expect(daysOfCover(30, 2)).toBe(15);
    expect(daysOfCover(5, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps the days-of-cover target and stays above the own reorder point', () => {
    expect(surplusUnits({ locationId: 'S2', available: 100, meanDailyDemand: 2, targetDaysOfCover: 14, reorderPoint: 20 })).toBe(72); // keeps 28
    expect(surplusUnits({ locationId: 'S2', available: 100, meanDailyDemand: 2, targetDaysOfCover: 14, reorderPoint: 40 })).toBe(59); // keeps 41
    expect(surplusUnits({ locationId: 'S2', available: 10, meanDailyDemand: 2, targetDaysOfCover: 14, reorderPoint: 5 })).toBe(0);
  });
});

describe('chooseDonor', () => {
  const candidate = (locationId: string, available: number, reorderPoint = 20): DonorCandidate => ({
    locationId,
    available,
    meanDailyDemand: 2,
    targetDaysOfCover: 14,
    reorderPoint,
  });

  it('picks the location with the most surplus that covers the need, never the one asking', () => {
    const candidates = [candidate('S1', 1000), candidate('S3', 48), candidate('S4', 90), candidate('S2', 60)];
    // Surpluses: S3 20 (too little), S4 62, S2 32.
    expect(chooseDonor({ locationId: 'S1', quantity: 30 }, candidates)).toEqual({ locationId: 'S4', surplus: 62, quantity: 30 });
  });

  it('breaks ties by locationId', () => {
    expect(chooseDonor({ locationId: 'S1', quantity: 30 }, [candidate('S4', 100), candidate('S2', 100)])).toEqual({
      locationId: 'S2',
      surplus: 72,
      quantity: 30,
    });
  });

  it('returns undefined when no location can cover the whole need', () => {
    expect(chooseDonor({ locationId: 'S1', quantity: 30 }, [candidate('S2', 48), candidate('S3', 57)])).toBeUndefined();
    expect(chooseDonor({ locationId: 'S1', quantity: 30 }, [])).toBeUndefined();
  });
});

describe('combineSupplierOrder', () => {
  const lines: PurchaseSuggestionLine[] = [
    { supplierId: 'ACME', sku: 'B', locationId: 'S1', quantity: 3, unitCost: 250, packSize: 10 },
    { supplierId: 'ACME', sku: 'A', locationId: 'S1', quantity: 7, unitCost: 100, packSize: 6 },
    { supplierId: 'ACME', sku: 'A', locationId: 'S2', quantity: 5, unitCost: 100, packSize: 6 },
  ];

  it('sums per SKU across locations and rounds each line up to its pack multiple', () => {
    expect(combineSupplierOrder('ACME', lines)).toEqual({
      supplierId: 'ACME',
      lines: [
        {
          sku: 'A',
          quantity: 12,
          packSize: 6,
          unitCost: 100,
          requested: 12,
          rule: 'EXACT',
          locations: [
            { locationId: 'S1', quantity: 7 },
            { locationId: 'S2', quantity: 5 },
          ],
        },
        { sku: 'B', quantity: 10, packSize: 10, unitCost: 250, requested: 3, rule: 'PACK_MULTIPLE', locations: [{ locationId: 'S1', quantity: 3 }] },
      ],
      totalQuantity: 22,
      totalValue: 3700,
      rules: ['PACK_MULTIPLE'],
    });
  });

  it('tops up in whole packs of the biggest line to the minimum quantity, then the minimum value', () => {
    const order = combineSupplierOrder('ACME', lines, { minOrderQty: 30, minOrderValue: 6000 });
    // Quantity: 22 -> short 8 -> 2 packs of A (12 units) -> 34. Value: 24 x 100 + 10 x 250 = 4900 -> short 1100 -> 2 packs of A (1200) -> 6100.
    expect(order.lines.map((l) => [l.sku, l.quantity, l.rule])).toEqual([
      ['A', 36, 'SUPPLIER_MINIMUM'],
      ['B', 10, 'PACK_MULTIPLE'],
    ]);
    expect(order).toMatchObject({ totalQuantity: 46, totalValue: 6100, rules: ['PACK_MULTIPLE', 'SUPPLIER_MINIMUM_QTY', 'SUPPLIER_MINIMUM_VALUE'] });
  });

  it('refuses a value minimum nothing with a cost can reach, and mixed suppliers', () => {
    expect(() => combineSupplierOrder('ACME', [{ supplierId: 'ACME', sku: 'F', locationId: 'S1', quantity: 1, unitCost: 0 }], { minOrderValue: 100 })).toThrow(
      ValidationFailed,
    );
    expect(() => combineSupplierOrder('ACME', [{ ...lines[0]!, supplierId: 'OTHER' }])).toThrow(/OTHER/);
  });
});

describe('combinePurchaseSuggestions', () => {
  it("makes one HQ order per supplier, with that supplier's terms", () => {
    const orders = combinePurchaseSuggestions(
      [
        { supplierId: 'ZETA', sku: 'Z1', locationId: 'S1', quantity: 4, unitCost: 10 },
        { supplierId: 'ACME', sku: 'A1', locationId: 'S1', quantity: 4, unitCost: 10, packSize: 5 },
        { supplierId: 'ZETA', sku: 'Z1', locationId: 'S2', quantity: 3, unitCost: 10 },
      ],
      new Map([['ZETA', { minOrderQty: 10 }]]),
    );
    expect(orders.map((o) => [o.supplierId, o.totalQuantity, o.rules])).toEqual([
      ['ACME', 5, ['PACK_MULTIPLE']],
      ['ZETA', 10, ['SUPPLIER_MINIMUM_QTY']],
    ]);
  });
});

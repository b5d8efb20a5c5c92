import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../../shared/domain/errors.ts';
import {
  combinePurchaseSuggestions,
  combineSupplierOrder,
  type HqOrder,
  type PurchaseNeed,
  splitByNeed,
} from '../../../../shared/domain/replenishment/consolidate.ts';

const placedSum = (order: HqOrder) => order.lines.map((l) => [l.sku, l.quantity, l.locations.reduce((sum, x) => sum + x.placed, 0)]);

describe('combineSupplierOrder: consolidate the needs, then round once', () => {
  // The audit's case: reorder {min 10, max 30}, pack 12, minimum 50; Berlin has 5 (needs 25), Munich 7 (needs 23).
  const needs: PurchaseNeed[] = [
    { supplierId: 'ACME', sku: 'SNEAKER-42', locationId: 'STORE-BERLIN', needed: 25, unitCost: 500, packSize: 12, minOrderQty: 50 },
    { supplierId: 'ACME', sku: 'SNEAKER-42', locationId: 'STORE-MUNICH', needed: 23, unitCost: 500, packSize: 12, minOrderQty: 50 },
  ];

  it('orders 60 for 48 needed (4 packs cover the need, the minimum 50 takes 5 packs), not 2 x 60', () => {
    expect(combineSupplierOrder('ACME', needs)).toEqual({
      supplierId: 'ACME',
      lines: [
        {
          sku: 'SNEAKER-42',
          quantity: 60,
          needed: 48,
          extra: 12,
          packSize: 12,
          minOrderQty: 50,
          unitCost: 500,
          rule: 'SUPPLIER_MINIMUM',
          placement: 'SPLIT_BY_NEED',
          // 60 x 25/48 = 31.25, 60 x 23/48 = 28.75: floors 31 + 28 = 59, the one unit left to the larger remainder (Munich .75).
          locations: [
            { locationId: 'STORE-BERLIN', needed: 25, placed: 31 },
            { locationId: 'STORE-MUNICH', needed: 23, placed: 29 },
          ],
          reason:
            'needs STORE-BERLIN 25 + STORE-MUNICH 23 = 48; order 60 = 5 packs of 12, raised to the supplier minimum 50; extra 12 split by need: STORE-BERLIN +6, STORE-MUNICH +6',
        },
      ],
      totalQuantity: 60,
      totalValue: 30_000,
      rules: ['SUPPLIER_MINIMUM_QTY'],
    });
  });

  it('rounds to whole packs only when the need is above the minimum', () => {
    const order = combineSupplierOrder('ACME', [...needs, { ...needs[0]!, locationId: 'STORE-HAMBURG', needed: 10 }])!;
    // 58 -> 5 packs = 60 >= minimum 50 (itself 5 packs).
    expect(order.lines[0]).toMatchObject({ needed: 58, quantity: 60, rule: 'PACK_MULTIPLE', extra: 2 });
    expect(order.rules).toEqual(['PACK_MULTIPLE']);
    expect(placedSum(order)).toEqual([['SNEAKER-42', 60, 60]]);
  });

  it('orders exactly the need when it is whole packs above the minimum, and places nothing extra', () => {
    const order = combineSupplierOrder('ACME', [
      { ...needs[0]!, needed: 36 },
      { ...needs[1]!, needed: 24 },
    ])!;
    expect(order.lines[0]).toMatchObject({ quantity: 60, rule: 'EXACT', placement: 'NONE', extra: 0 });
    expect(order.lines[0]!.locations.map((l) => l.placed)).toEqual([36, 24]);
    expect(order.lines[0]!.reason).toBe('needs STORE-BERLIN 36 + STORE-MUNICH 24 = 60; order 60');
    expect(order.rules).toEqual([]);
  });

  it('rounds each SKU of a supplier on its own, with its own pack and minimum', () => {
    const order = combineSupplierOrder('ACME', [
      ...needs,
      { supplierId: 'ACME', sku: 'CAP', locationId: 'STORE-BERLIN', needed: 3, unitCost: 100, packSize: 10 },
      { supplierId: 'ACME', sku: 'CAP', locationId: 'STORE-MUNICH', needed: 4, unitCost: 100, packSize: 10 },
      { supplierId: 'ACME', sku: 'BELT', locationId: 'STORE-MUNICH', needed: 5, unitCost: 200 },
    ])!;
    expect(order.lines.map((l) => [l.sku, l.needed, l.quantity, l.rule])).toEqual([
      ['BELT', 5, 5, 'EXACT'],
      ['CAP', 7, 10, 'PACK_MULTIPLE'],
      ['SNEAKER-42', 48, 60, 'SUPPLIER_MINIMUM'],
    ]);
    expect(order).toMatchObject({ totalQuantity: 75, totalValue: 1000 + 1000 + 30_000, rules: ['PACK_MULTIPLE', 'SUPPLIER_MINIMUM_QTY'] });
    // CAP: 10 x 3/7 = 4.29, 10 x 4/7 = 5.71 -> 4 + 5 = 9, the last unit to Munich (.71).
    expect(order.lines[1]!.locations).toEqual([
      { locationId: 'STORE-BERLIN', needed: 3, placed: 4 },
      { locationId: 'STORE-MUNICH', needed: 4, placed: 6 },
    ]);
    for (const [, quantity, placed] of placedSum(order)) expect(placed).toBe(quantity);
  });

  it('leaves out SKUs nobody needs, and orders nothing when nothing is needed', () => {
    const order = combineSupplierOrder('ACME', [
      ...needs,
      { supplierId: 'ACME', sku: 'CAP', locationId: 'STORE-BERLIN', needed: 0, unitCost: 100, packSize: 10, minOrderQty: 20 },
    ])!;
    expect(order.lines.map((l) => l.sku)).toEqual(['SNEAKER-42']);
    expect(
      combineSupplierOrder(
        'ACME',
        needs.map((n) => ({ ...n, needed: 0 })),
      ),
    ).toBeUndefined();
    expect(combineSupplierOrder('ACME', [])).toBeUndefined();
    expect(combinePurchaseSuggestions(needs.map((n) => ({ ...n, needed: 0 })))).toEqual([]);
  });

  it('a location with no need in a line gets none of the extra', () => {
    const order = combineSupplierOrder('ACME', [...needs, { ...needs[0]!, locationId: 'STORE-HAMBURG', needed: 0 }])!;
    expect(order.lines[0]!.locations).toContainEqual({ locationId: 'STORE-HAMBURG', needed: 0, placed: 0 });
  });

  it('tops up in whole packs of the biggest line to the order minimum quantity, then value, and still places every unit', () => {
    const lines: PurchaseNeed[] = [
      { supplierId: 'ACME', sku: 'B', locationId: 'S1', needed: 3, unitCost: 250, packSize: 10 },
      { supplierId: 'ACME', sku: 'A', locationId: 'S1', needed: 7, unitCost: 100, packSize: 6 },
      { supplierId: 'ACME', sku: 'A', locationId: 'S2', needed: 5, unitCost: 100, packSize: 6 },
    ];
    const order = combineSupplierOrder('ACME', lines, { minOrderQty: 30, minOrderValue: 6000 })!;
    // Quantity: 12 + 10 = 22 -> short 8 -> 2 packs of A -> 34. Value: 24 x 100 + 10 x 250 = 4900 -> short 1100 -> 2 packs of A -> 6100.
    expect(order.lines.map((l) => [l.sku, l.quantity, l.rule])).toEqual([
      ['A', 36, 'SUPPLIER_MINIMUM'],
      ['B', 10, 'PACK_MULTIPLE'],
    ]);
    expect(order).toMatchObject({ totalQuantity: 46, totalValue: 6100, rules: ['PACK_MULTIPLE', 'SUPPLIER_MINIMUM_QTY', 'SUPPLIER_MINIMUM_VALUE'] });
    expect(order.lines[0]!.locations).toEqual([
      { locationId: 'S1', needed: 7, placed: 21 },
      { locationId: 'S2', needed: 5, placed: 15 },
    ]);
  });

  it('refuses bad input naming the field: negative needs, mixed suppliers, disagreeing product data, unreachable value minimum', () => {
    expect(() => combineSupplierOrder('ACME', [{ ...needs[0]!, needed: -1 }])).toThrow(ValidationFailed);
    expect(() => combineSupplierOrder('ACME', [{ ...needs[0]!, needed: -1 }])).toThrow(/needs\[0\]\.needed/);
    expect(() => combineSupplierOrder('ACME', [{ ...needs[0]!, packSize: 0 }])).toThrow(/packSize/);
    expect(() => combineSupplierOrder('ACME', [{ ...needs[0]!, minOrderQty: -5 }])).toThrow(/minOrderQty/);
    expect(() => combineSupplierOrder('ACME', [{ ...needs[0]!, supplierId: 'OTHER' }])).toThrow(/OTHER/);
    expect(() => combineSupplierOrder('ACME', [needs[0]!, { ...needs[1]!, packSize: 6 }])).toThrow(/disagree/);
    expect(() => combineSupplierOrder('ACME', [{ ...needs[0]!, unitCost: 0 }], { minOrderValue: 100 })).toThrow(ValidationFailed);
  });
});

describe('combinePurchaseSuggestions', () => {
  it("makes one order per supplier with a need, suppliers ascending, each with that supplier's terms", () => {
    const orders = combinePurchaseSuggestions(
      [
        { supplierId: 'ZETA', sku: 'Z1', locationId: 'S1', needed: 4, unitCost: 10 },
        { supplierId: 'ACME', sku: 'A1', locationId: 'S1', needed: 4, unitCost: 10, packSize: 5 },
        { supplierId: 'ZETA', sku: 'Z1', locationId: 'S2', needed: 3, unitCost: 10 },
        { supplierId: 'IDLE', sku: 'I1', locationId: 'S2', needed: 0, unitCost: 10 },
      ],
      new Map([['ZETA', { minOrderQty: 10 }]]),
    );
    expect(orders.map((o) => [o.supplierId, o.totalQuantity, o.rules])).toEqual([
      ['ACME', 5, ['PACK_MULTIPLE']],
      ['ZETA', 10, ['SUPPLIER_MINIMUM_QTY']],
    ]);
  });
});

describe('splitByNeed (largest remainder)', () => {
  it('shares a total in proportion, the units left to the largest remainders, ties to the smaller key', () => {
    expect(
      Object.fromEntries(
        splitByNeed(
          60,
          new Map([
            ['B', 25],
            ['A', 23],
          ]),
        ),
      ),
    ).toEqual({ A: 29, B: 31 });
    expect(
      Object.fromEntries(
        splitByNeed(
          10,
          new Map([
            ['B', 1],
            ['A', 1],
            ['C', 1],
          ]),
        ),
      ),
    ).toEqual({ A: 4, B: 3, C: 3 });
    expect(
      Object.fromEntries(
        splitByNeed(
          7,
          new Map([
            ['A', 0],
            ['B', 5],
          ]),
        ),
      ),
    ).toEqual({ A: 0, B: 7 });
    expect(Object.fromEntries(splitByNeed(0, new Map([['A', 3]])))).toEqual({ A: 0 });
  });

  it('always hands out exactly the total', () => {
    for (let total = 0; total < 200; total += 7) {
      const weights = new Map([
        ['S1', 13],
        ['S2', 1],
        ['S3', 29],
        ['S4', 6],
      ]);
      const shares = [...splitByNeed(total, weights).values()];
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
    }
  });
});

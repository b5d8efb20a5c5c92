import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transferNeed, transferSizePhrase } from '../../../../shared/domain/replenishment/transfer-size.ts';

const base = { available: 5, incoming: 3, reorderPoint: 20, meanDailyDemand: 1.5, reviewPeriodDays: 14, purchaseQuantity: 240 };

describe('transferNeed', () => {
  it('orders up to the reorder point plus one review period of demand, less the position', () => {
    // 20 + 1.5 x 14 = 41; 41 - (5 + 3) = 33
    expect(transferNeed(base)).toEqual({ quantity: 33, target: 41, position: 8, wanted: 33, coverDays: 41 / 1.5, rule: 'COVER' });
  });

  it('rounds a fraction up to whole units', () => {
    expect(transferNeed({ ...base, meanDailyDemand: 1.55 }).quantity).toBe(34); // 20 + 21.7 - 8 = 33.7
  });

  it('rounds up to the pack size', () => {
    expect(transferNeed({ ...base, packSize: 6 })).toMatchObject({ quantity: 36, wanted: 33, rule: 'PACK_MULTIPLE' });
  });

  it('never asks for more than the purchase would have been', () => {
    expect(transferNeed({ ...base, purchaseQuantity: 30 })).toMatchObject({ quantity: 30, rule: 'PURCHASE_CAP' });
    expect(transferNeed({ ...base, packSize: 6, purchaseQuantity: 30 })).toMatchObject({ quantity: 30, rule: 'PURCHASE_CAP' });
  });

  it('asks for at least enough to get above the reorder point (so at least 1) when nothing sells', () => {
    expect(transferNeed({ ...base, available: 20, incoming: 0, meanDailyDemand: 0 })).toMatchObject({ quantity: 1, coverDays: Number.POSITIVE_INFINITY });
    expect(transferNeed({ ...base, available: 2, incoming: 0, meanDailyDemand: 0 })).toMatchObject({ quantity: 19 });
  });

  it('counts a negative available (oversold) in the position', () => {
    expect(transferNeed({ ...base, available: -4, incoming: 0 }).quantity).toBe(45);
  });

  it('a longer review period (class C) asks for more', () => {
    expect(transferNeed({ ...base, reviewPeriodDays: 30 }).quantity).toBe(57); // 20 + 45 - 8
  });

  it('orders up to the fixed max for a min/max product, whatever the forecast', () => {
    expect(transferNeed({ ...base, reorderPoint: 5, orderUpTo: 20, available: 4, incoming: 0, meanDailyDemand: 0 })).toMatchObject({
      quantity: 16,
      target: 20,
    });
    expect(transferSizePhrase(transferNeed({ ...base, orderUpTo: 30 }), { ...base, orderUpTo: 30 })).toBe(
      'transfer sized to the fixed max: up to 30, less position 8',
    );
  });

  it('refuses a non-integer position or a purchase below 1', () => {
    expect(() => transferNeed({ ...base, available: 1.5 })).toThrow();
    expect(() => transferNeed({ ...base, purchaseQuantity: 0 })).toThrow();
  });

  it('property: between 1 and the purchase, a pack multiple unless capped, and lifts the position above the reorder point or to the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -20, max: 100 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 150 }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.constantFrom(7, 14, 30),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 500 }),
        (available, incoming, reorderPoint, meanDailyDemand, reviewPeriodDays, packSize, purchaseQuantity) => {
          const need = transferNeed({ available, incoming, reorderPoint, meanDailyDemand, reviewPeriodDays, packSize, purchaseQuantity });
          expect(need.quantity).toBeGreaterThanOrEqual(1);
          expect(need.quantity).toBeLessThanOrEqual(purchaseQuantity);
          if (need.rule !== 'PURCHASE_CAP') {
            expect(need.quantity % packSize).toBe(0);
            expect(available + incoming + need.quantity).toBeGreaterThan(reorderPoint);
            expect(available + incoming + need.quantity).toBeGreaterThanOrEqual(need.target - 1e-6);
          }
        },
      ),
    );
  });
});

describe('transferSizePhrase', () => {
  it('says how many days of cover the transfer refills and how', () => {
    expect(transferSizePhrase(transferNeed(base), base)).toBe(
      'transfer sized to 27.3 days of cover: up to reorder point 20 + 14 d review x 1.5/day = 41, less position 8',
    );
  });

  it('names the pack or the cap when they set the size', () => {
    expect(transferSizePhrase(transferNeed({ ...base, packSize: 6 }), { ...base, packSize: 6 })).toMatch(/less position 8 \(36 with pack 6\)$/);
    expect(transferSizePhrase(transferNeed({ ...base, purchaseQuantity: 30 }), base)).toMatch(/\(capped at the purchase, 30\)$/);
  });
});

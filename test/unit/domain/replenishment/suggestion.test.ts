import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Eoq } from '../../../../shared/domain/replenishment/eoq.ts';
import { replenishmentReason } from '../../../../shared/domain/replenishment/reason.ts';
import { reorderPoint } from '../../../../shared/domain/replenishment/reorder-point.ts';
import { type DecidedSuggestion, sameDecision, suggestOrder } from '../../../../shared/domain/replenishment/suggestion.ts';

const eoq47: Eoq = { raw: 47, quantity: 50, rule: 'PACK_MULTIPLE' };

describe('suggestOrder', () => {
  it('orders nothing while available + incoming is above the reorder point', () => {
    expect(suggestOrder({ available: 10, incoming: 3, reorderPoint: 12, order: { kind: 'EOQ', eoq: eoq47 } })).toEqual({ needed: false, position: 13 });
  });

  it('orders when available + incoming equals the reorder point, counting what is already on order', () => {
    expect(suggestOrder({ available: 2, incoming: 10, reorderPoint: 12, order: { kind: 'EOQ', eoq: eoq47 } })).toEqual({
      needed: true,
      position: 12,
      wanted: 47,
      basis: 'EOQ',
      quantity: 47,
      rule: 'EXACT',
    });
  });

  it('orders the EOQ rounded up to the pack size', () => {
    expect(suggestOrder({ available: 3, incoming: 0, reorderPoint: 12, order: { kind: 'EOQ', eoq: eoq47 }, packSize: 10 })).toEqual({
      needed: true,
      position: 3,
      wanted: 47,
      basis: 'EOQ',
      quantity: 50,
      rule: 'PACK_MULTIPLE',
    });
  });

  it('orders enough to get back above the reorder point when the EOQ would not', () => {
    expect(suggestOrder({ available: 0, incoming: 0, reorderPoint: 60, order: { kind: 'EOQ', eoq: eoq47 }, packSize: 10 })).toEqual({
      needed: true,
      position: 0,
      wanted: 61,
      basis: 'SHORTFALL',
      quantity: 70,
      rule: 'PACK_MULTIPLE',
    });
  });

  it('orders up to max for a fixed min/max, rounded to the pack', () => {
    expect(suggestOrder({ available: 3, incoming: 2, reorderPoint: 5, order: { kind: 'ORDER_UP_TO', max: 20 }, packSize: 4 })).toEqual({
      needed: true,
      position: 5,
      wanted: 15,
      basis: 'ORDER_UP_TO',
      quantity: 16,
      rule: 'PACK_MULTIPLE',
    });
  });

  it('still lifts the position above min when max equals min', () => {
    expect(suggestOrder({ available: 5, incoming: 0, reorderPoint: 5, order: { kind: 'ORDER_UP_TO', max: 5 } })).toMatchObject({
      needed: true,
      wanted: 1,
      basis: 'SHORTFALL',
      quantity: 1,
    });
  });

  it('raises a small order to the supplier minimum', () => {
    expect(
      suggestOrder({
        available: 1,
        incoming: 0,
        reorderPoint: 4,
        order: { kind: 'EOQ', eoq: { raw: 20, quantity: 36, rule: 'SUPPLIER_MINIMUM' } },
        packSize: 12,
        minOrderQty: 30,
      }),
    ).toMatchObject({ quantity: 36, rule: 'SUPPLIER_MINIMUM', basis: 'EOQ' });
  });

  it('always lifts the position above the reorder point, in whole packs, at least the minimum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 800, noNaN: true }),
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 0, max: 100 }),
        (available, incoming, rop, raw, packSize, minOrderQty) => {
          const s = suggestOrder({
            available,
            incoming,
            reorderPoint: rop,
            order: { kind: 'EOQ', eoq: { raw, quantity: 0, rule: 'EXACT' } },
            packSize,
            minOrderQty,
          });
          expect(s.needed).toBe(available + incoming <= rop);
          if (!s.needed) return;
          expect(s.position + s.quantity).toBeGreaterThan(rop);
          expect(s.quantity % packSize).toBe(0);
          expect(s.quantity).toBeGreaterThanOrEqual(Math.max(minOrderQty, s.wanted));
          expect(s.quantity - Math.max(minOrderQty, s.wanted)).toBeLessThan(packSize);
        },
      ),
    );
  });

  it('refuses a fractional stock figure', () => {
    expect(() => suggestOrder({ available: 1.5, incoming: 0, reorderPoint: 4, order: { kind: 'ORDER_UP_TO', max: 9 } })).toThrow(/available/);
  });
});

describe('replenishmentReason', () => {
  const plan = reorderPoint({ meanDailyDemand: 2.1, stdDevDailyDemand: 0.4, leadTimeDays: 5, serviceLevel: 0.95 });

  it('says why and how much in one line (statistical reorder point, EOQ, pack)', () => {
    const order = { kind: 'EOQ', eoq: eoq47 } as const;
    const suggestion = suggestOrder({ available: 3, incoming: 0, reorderPoint: plan.reorderPoint, order, packSize: 10 });
    expect(replenishmentReason({ available: 3, incoming: 0, plan, order, suggestion, packSize: 10 })).toBe(
      'available 3 + incoming 0 <= reorder point 12 (d=2.1/day, L=5 d, z=1.64 for 95%); order 50 = EOQ 47 rounded up to pack 10',
    );
  });

  it('names the fixed min/max, the shortfall, the supplier minimum and the member uplift', () => {
    const minMax = reorderPoint({ meanDailyDemand: 0, stdDevDailyDemand: 0, leadTimeDays: 0, serviceLevel: 0.9, reorder: { min: 5, max: 20 } });
    const upTo = { kind: 'ORDER_UP_TO', max: 20 } as const;
    const suggestion = suggestOrder({ available: 3, incoming: 2, reorderPoint: 5, order: upTo, packSize: 4 });
    expect(
      replenishmentReason({
        available: 3,
        incoming: 2,
        plan: minMax,
        order: upTo,
        suggestion,
        packSize: 4,
        upliftReason: 'member demand from GOLD growing 30 %: forecast +12 %',
      }),
    ).toBe(
      'available 3 + incoming 2 <= min 5 (fixed min/max 5/20); order 16 = up to max 20 rounded up to pack 4; member demand from GOLD growing 30 %: forecast +12 %',
    );

    const order = { kind: 'EOQ', eoq: { raw: 3, quantity: 3, rule: 'EXACT' } } as const;
    const short = suggestOrder({ available: 0, incoming: 0, reorderPoint: plan.reorderPoint, order, minOrderQty: 25 });
    expect(replenishmentReason({ available: 0, incoming: 0, plan, order, suggestion: short, minOrderQty: 25 })).toBe(
      'available 0 + incoming 0 <= reorder point 12 (d=2.1/day, L=5 d, z=1.64 for 95%); order 25 = 13 to get above the reorder point raised to supplier minimum 25',
    );
  });

  it('says why nothing is ordered', () => {
    const order = { kind: 'EOQ', eoq: eoq47 } as const;
    const suggestion = suggestOrder({ available: 20, incoming: 0, reorderPoint: plan.reorderPoint, order });
    expect(replenishmentReason({ available: 20, incoming: 0, plan, order, suggestion })).toBe(
      'available 20 + incoming 0 > reorder point 12 (d=2.1/day, L=5 d, z=1.64 for 95%): no order',
    );
  });
});

describe('sameDecision', () => {
  const decided: DecidedSuggestion = {
    sku: 'SKU-1',
    locationId: 'S1',
    kind: 'PURCHASE',
    quantity: 50,
    reorderPoint: 12,
    eoq: 50,
    supplierId: 'SUP-1',
    status: 'OPEN',
    inputs: { available: 10, incoming: 0, meanDailyDemand: 2.1, needed: 47, basis: 'EOQ' },
  };

  it('is the same decision when only the state it was made from moved: available, the forecast, the reason', () => {
    expect(sameDecision(decided, { ...decided, inputs: { ...decided.inputs, available: 9, meanDailyDemand: 2.2 } })).toBe(true);
  });

  it('is another decision when anything an order or a transfer is made from changes', () => {
    const changes: Partial<DecidedSuggestion>[] = [
      { kind: 'TRANSFER' },
      { quantity: 52 },
      { reorderPoint: 13 },
      { eoq: 48 },
      { fromLocationId: 'WH' },
      { transferQuantity: 3 },
      { supplierId: 'SUP-2' },
      { status: 'ORDERED' },
      { purchaseOrderId: 'po-1' },
      // HQ sums the units needed across locations before it rounds: a change there is a change of the order.
      { inputs: { ...decided.inputs, needed: 48 } },
      { inputs: { ...decided.inputs, abcClass: 'A' } },
    ];
    for (const change of changes) expect(sameDecision(decided, { ...decided, ...change }), JSON.stringify(change)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { surplusUnits } from '../../../../shared/domain/replenishment/chain.ts';
import { asDonor, demandLedgerTypes, demandUnitsOf } from '../../../../shared/domain/replenishment/demand-source.ts';

describe('demandUnitsOf: which ledger entries are demand', () => {
  it('counts a sale at any location', () => {
    expect(demandUnitsOf({ type: 'SALE', onHandDelta: -3 }, 'STORE')).toBe(3);
    expect(demandUnitsOf({ type: 'SALE', onHandDelta: -2 }, 'WAREHOUSE')).toBe(2);
    expect(demandUnitsOf({ type: 'SALE', onHandDelta: -1 }, undefined)).toBe(1);
  });

  it("counts a warehouse's shipment to a store as the warehouse's demand", () => {
    expect(demandUnitsOf({ type: 'TRANSFER_OUT', onHandDelta: -12 }, 'WAREHOUSE')).toBe(12);
  });

  it("does not count a store's transfer, nor one from a location of unknown type", () => {
    expect(demandUnitsOf({ type: 'TRANSFER_OUT', onHandDelta: -5 }, 'STORE')).toBe(0);
    expect(demandUnitsOf({ type: 'TRANSFER_OUT', onHandDelta: -5 }, undefined)).toBe(0);
  });

  it('counts nothing that raised or kept the stock', () => {
    expect(demandUnitsOf({ type: 'SALE', onHandDelta: 2 }, 'STORE')).toBe(0);
    expect(demandUnitsOf({ type: 'TRANSFER_OUT', onHandDelta: 0 }, 'WAREHOUSE')).toBe(0);
  });

  it('counts no other movement', () => {
    for (const type of ['RECEIPT', 'ADJUSTMENT', 'COUNT', 'TRANSFER_IN', 'RESERVE', 'RETURN']) {
      expect(demandUnitsOf({ type, onHandDelta: -4 }, 'WAREHOUSE')).toBe(0);
    }
  });

  it('names the ledger types the demand stream lets through', () => {
    expect([...demandLedgerTypes].sort()).toEqual(['SALE', 'TRANSFER_OUT']);
  });
});

describe('asDonor: what a location keeps back when it gives stock', () => {
  const candidate = { locationId: 'X', available: 50, meanDailyDemand: 4, targetDaysOfCover: 10, reorderPoint: 20 };
  const store = { type: 'STORE', fixedMinimum: false };
  const warehouse = { type: 'WAREHOUSE', fixedMinimum: false };

  it('lets a store keep its cover and reorder point', () => {
    expect(surplusUnits(asDonor(candidate, store, 'STORE')!)).toBe(10);
  });

  it('lets a warehouse give all but one unit: its stock is for the stores, its reorder point is their pull', () => {
    expect(surplusUnits(asDonor(candidate, warehouse, 'STORE')!)).toBe(49);
    expect(surplusUnits(asDonor({ ...candidate, available: 0 }, warehouse, 'STORE')!)).toBe(0);
  });

  it("keeps a warehouse's fixed minimum (a min/max product) back", () => {
    expect(surplusUnits(asDonor(candidate, { type: 'WAREHOUSE', fixedMinimum: true }, 'STORE')!)).toBe(29);
  });

  it('never has a store give to a warehouse', () => {
    expect(asDonor(candidate, store, 'WAREHOUSE')).toBeUndefined();
    expect(asDonor(candidate, warehouse, 'WAREHOUSE')).toBeDefined();
  });
});

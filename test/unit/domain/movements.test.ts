import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Conflict, ValidationFailed } from '../../../shared/domain/errors.ts';
import { assertFitsOneTransaction, mergeLines, planMovement } from '../../../shared/domain/movements.ts';

const base = { movementId: 'm1', locationId: 'S1' };

describe('planMovement', () => {
  it.each(['RECEIPT', 'RETURN', 'RFID_IN'] as const)('%s raises onHand and checks nothing', (type) => {
    expect(planMovement({ ...base, type, lines: [{ sku: 'A', qty: 3 }] })).toEqual([
      { sku: 'A', locationId: 'S1', ledgerType: type, onHandDelta: 3, reservedDelta: 0, availableDrop: 0 },
    ]);
  });

  it.each(['SALE', 'RFID_OUT'] as const)('%s lowers onHand only as far as available allows', (type) => {
    expect(planMovement({ ...base, type, lines: [{ sku: 'A', qty: 2 }] })).toEqual([
      { sku: 'A', locationId: 'S1', ledgerType: type, onHandDelta: -2, reservedDelta: 0, availableDrop: 2 },
    ]);
  });

  it('sums lines for the same SKU so the total is checked', () => {
    const [change] = planMovement({ ...base, type: 'SALE', lines: [{ sku: 'A', qty: 3 }, { sku: 'A', qty: 4 }] });
    expect(change).toMatchObject({ onHandDelta: -7, availableDrop: 7 });
  });

  it('raises on a FOUND adjustment, lowers on a loss, and wants a reason', () => {
    expect(planMovement({ ...base, type: 'ADJUSTMENT', reason: 'FOUND', lines: [{ sku: 'A', qty: 1 }] })[0]!.onHandDelta).toBe(1);
    expect(planMovement({ ...base, type: 'ADJUSTMENT', reason: 'STOLEN', lines: [{ sku: 'A', qty: 1 }] })[0]).toMatchObject({ onHandDelta: -1, availableDrop: 1 });
    expect(() => planMovement({ ...base, type: 'ADJUSTMENT', lines: [{ sku: 'A', qty: 1 }] })).toThrow(ValidationFailed);
  });

  it('books a transfer as an OUT at the source and an IN at the destination', () => {
    expect(planMovement({ ...base, type: 'TRANSFER', toLocationId: 'S2', lines: [{ sku: 'A', qty: 5 }] })).toEqual([
      { sku: 'A', locationId: 'S1', ledgerType: 'TRANSFER_OUT', onHandDelta: -5, reservedDelta: 0, availableDrop: 5 },
      { sku: 'A', locationId: 'S2', ledgerType: 'TRANSFER_IN', onHandDelta: 5, reservedDelta: 0, availableDrop: 0 },
    ]);
    expect(() => planMovement({ ...base, type: 'TRANSFER', toLocationId: 'S1', lines: [{ sku: 'A', qty: 5 }] })).toThrow(ValidationFailed);
    expect(() => planMovement({ ...base, type: 'TRANSFER', lines: [{ sku: 'A', qty: 5 }] })).toThrow(ValidationFailed);
  });

  it('moves stock between onHand-free and reserved with RESERVE and RELEASE', () => {
    expect(planMovement({ ...base, type: 'RESERVE', lines: [{ sku: 'A', qty: 2 }] })[0]).toMatchObject({ onHandDelta: 0, reservedDelta: 2, availableDrop: 2 });
    expect(planMovement({ ...base, type: 'RELEASE', lines: [{ sku: 'A', qty: 2 }] })[0]).toMatchObject({ onHandDelta: 0, reservedDelta: -2, availableDrop: -2 });
  });

  it('books a count as the variance from the level it read, pinned to that version', () => {
    const counts = new Map([['A', { onHand: 10, reserved: 2, version: 7 }], ['B', undefined]]);
    expect(planMovement({ ...base, type: 'COUNT', lines: [{ sku: 'A', qty: 8 }, { sku: 'B', qty: 4 }] }, counts)).toEqual([
      { sku: 'A', locationId: 'S1', ledgerType: 'COUNT', onHandDelta: -2, reservedDelta: 0, availableDrop: 2, expectedVersion: 7, counted: 8 },
      { sku: 'B', locationId: 'S1', ledgerType: 'COUNT', onHandDelta: 4, reservedDelta: 0, availableDrop: 0, expectedVersion: 0, counted: 4 },
    ]);
    expect(() => planMovement({ ...base, type: 'COUNT', lines: [{ sku: 'A', qty: 1 }] }, counts)).toThrow(Conflict);
  });
});

describe('mergeLines', () => {
  it('keeps every SKU\'s total and lists each SKU once', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ sku: fc.constantFrom('A', 'B', 'C', 'D'), qty: fc.integer({ min: 1, max: 1000 }) })), (lines) => {
        const merged = mergeLines(lines);
        expect(new Set(merged.map((l) => l.sku)).size).toBe(merged.length);
        for (const { sku, qty } of merged) expect(qty).toBe(lines.filter((l) => l.sku === sku).reduce((s, l) => s + l.qty, 0));
      }),
    );
  });
});

describe('assertFitsOneTransaction', () => {
  const changes = (n: number) => planMovement({ ...base, type: 'SALE', lines: Array.from({ length: n }, (_, i) => ({ sku: `S${i}`, qty: 1 })) });

  it('accepts up to 100 items and refuses one more, naming the maximum', () => {
    // 1 movement + 49 levels + 49 ledger entries + 1 hold = 100.
    expect(() => assertFitsOneTransaction(changes(49), 1)).not.toThrow();
    expect(() => assertFitsOneTransaction(changes(50), 0)).toThrow(ValidationFailed);
    expect(() => assertFitsOneTransaction(changes(50), 0)).toThrow(/at most 49 distinct SKUs/);
  });

  it('counts two levels per SKU for a transfer', () => {
    const transfer = (n: number) => planMovement({ ...base, type: 'TRANSFER', toLocationId: 'S2', lines: Array.from({ length: n }, (_, i) => ({ sku: `S${i}`, qty: 1 })) });
    expect(() => assertFitsOneTransaction(transfer(24), 0)).not.toThrow();
    expect(() => assertFitsOneTransaction(transfer(25), 0)).toThrow(/at most 24 distinct SKUs/);
  });
});

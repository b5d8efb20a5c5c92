import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Conflict, ValidationFailed } from '../../../shared/domain/errors.ts';
import {
  type AdjustmentReason,
  assertFitsOneTransaction,
  type LevelChange,
  type LevelSnapshot,
  type Line,
  mergeLines,
  type MovementInput,
  planMovement,
} from '../../../shared/domain/movements.ts';
import { transactionItemLimit } from '../../../shared/domain/limits.ts';
import { thrown } from '../../support/thrown.ts';

const base = { movementId: 'm1', locationId: 'S1' };
const skus = (n: number, qty = 1): Line[] => Array.from({ length: n }, (_, i) => ({ sku: `SKU-${i}`, qty }));

const lineArb = fc.record({ sku: fc.constantFrom('A', 'B', 'C', 'D', 'E'), qty: fc.integer({ min: 1, max: 1_000_000 }) });
const linesArb = fc.array(lineArb, { minLength: 1, maxLength: 30 });

describe('planMovement', () => {
  describe('increases: RECEIPT, RETURN, RFID_IN', () => {
    it.each(['RECEIPT', 'RETURN', 'RFID_IN'] as const)('%s raises onHand and guards nothing', (type) => {
      expect(
        planMovement({
          ...base,
          type,
          lines: [
            { sku: 'A', qty: 3 },
            { sku: 'B', qty: 1 },
          ],
        }),
      ).toEqual([
        { sku: 'A', locationId: 'S1', ledgerType: type, onHandDelta: 3, reservedDelta: 0, availableDrop: 0 },
        { sku: 'B', locationId: 'S1', ledgerType: type, onHandDelta: 1, reservedDelta: 0, availableDrop: 0 },
      ]);
    });

    it('raises each SKU by exactly the quantity received', () => {
      fc.assert(
        fc.property(fc.constantFrom('RECEIPT', 'RETURN', 'RFID_IN' as const), linesArb, (type, lines) => {
          const changes = planMovement({ ...base, type, lines });
          for (const change of changes) {
            expect(change.onHandDelta).toBe(lines.filter((l) => l.sku === change.sku).reduce((s, l) => s + l.qty, 0));
            expect(change).toMatchObject({ reservedDelta: 0, availableDrop: 0, locationId: 'S1', ledgerType: type });
          }
        }),
      );
    });
  });

  describe('decreases: SALE, RFID_OUT', () => {
    it.each(['SALE', 'RFID_OUT'] as const)('%s lowers onHand, and available must cover the drop', (type) => {
      expect(planMovement({ ...base, type, lines: [{ sku: 'A', qty: 2 }] })).toEqual([
        { sku: 'A', locationId: 'S1', ledgerType: type, onHandDelta: -2, reservedDelta: 0, availableDrop: 2 },
      ]);
    });

    it('guards the total of lines that name the same SKU', () => {
      expect(
        planMovement({
          ...base,
          type: 'SALE',
          lines: [
            { sku: 'A', qty: 3 },
            { sku: 'B', qty: 1 },
            { sku: 'A', qty: 4 },
          ],
        }),
      ).toEqual([
        { sku: 'A', locationId: 'S1', ledgerType: 'SALE', onHandDelta: -7, reservedDelta: 0, availableDrop: 7 },
        { sku: 'B', locationId: 'S1', ledgerType: 'SALE', onHandDelta: -1, reservedDelta: 0, availableDrop: 1 },
      ]);
    });

    it('always drops available by what leaves onHand', () => {
      fc.assert(
        fc.property(fc.constantFrom('SALE', 'RFID_OUT' as const), linesArb, (type, lines) => {
          for (const change of planMovement({ ...base, type, lines })) {
            expect(change.availableDrop).toBe(-change.onHandDelta);
            expect(change.availableDrop).toBeGreaterThan(0);
            expect(change.reservedDelta).toBe(0);
          }
        }),
      );
    });
  });

  describe('ADJUSTMENT', () => {
    it('raises onHand when stock is FOUND', () => {
      expect(planMovement({ ...base, type: 'ADJUSTMENT', reason: 'FOUND', lines: [{ sku: 'A', qty: 2 }] })).toEqual([
        { sku: 'A', locationId: 'S1', ledgerType: 'ADJUSTMENT', onHandDelta: 2, reservedDelta: 0, availableDrop: 0 },
      ]);
    });

    it.each<AdjustmentReason>(['DAMAGED', 'LOST', 'STOLEN', 'EXPIRED'])('lowers onHand, guarded, when stock is %s', (reason) => {
      expect(planMovement({ ...base, type: 'ADJUSTMENT', reason, lines: [{ sku: 'A', qty: 2 }] })).toEqual([
        { sku: 'A', locationId: 'S1', ledgerType: 'ADJUSTMENT', onHandDelta: -2, reservedDelta: 0, availableDrop: 2 },
      ]);
    });

    it('wants a reason, and names the field', () => {
      const error = thrown(() => planMovement({ ...base, type: 'ADJUSTMENT', lines: [{ sku: 'A', qty: 1 }] }));
      expect(error).toBeInstanceOf(ValidationFailed);
      expect((error as ValidationFailed).errors).toEqual([{ path: 'body.reason', message: 'required' }]);
    });
  });

  describe('TRANSFER', () => {
    it('books an OUT at the source and an IN at the destination for each SKU', () => {
      expect(
        planMovement({
          ...base,
          type: 'TRANSFER',
          toLocationId: 'S2',
          lines: [
            { sku: 'A', qty: 5 },
            { sku: 'B', qty: 1 },
          ],
        }),
      ).toEqual([
        { sku: 'A', locationId: 'S1', ledgerType: 'TRANSFER_OUT', onHandDelta: -5, reservedDelta: 0, availableDrop: 5 },
        { sku: 'A', locationId: 'S2', ledgerType: 'TRANSFER_IN', onHandDelta: 5, reservedDelta: 0, availableDrop: 0 },
        { sku: 'B', locationId: 'S1', ledgerType: 'TRANSFER_OUT', onHandDelta: -1, reservedDelta: 0, availableDrop: 1 },
        { sku: 'B', locationId: 'S2', ledgerType: 'TRANSFER_IN', onHandDelta: 1, reservedDelta: 0, availableDrop: 0 },
      ]);
    });

    it('creates and destroys nothing: every SKU nets to zero across locations', () => {
      fc.assert(
        fc.property(linesArb, (lines) => {
          const changes = planMovement({ ...base, type: 'TRANSFER', toLocationId: 'S2', lines });
          const net = new Map<string, number>();
          for (const c of changes) net.set(c.sku, (net.get(c.sku) ?? 0) + c.onHandDelta);
          for (const total of net.values()) expect(total).toBe(0);
          expect(changes.filter((c) => c.ledgerType === 'TRANSFER_OUT').every((c) => c.locationId === 'S1')).toBe(true);
          expect(changes.filter((c) => c.ledgerType === 'TRANSFER_IN').every((c) => c.locationId === 'S2')).toBe(true);
        }),
      );
    });

    it('refuses a transfer to the same location', () => {
      const error = thrown(() => planMovement({ ...base, type: 'TRANSFER', toLocationId: 'S1', lines: [{ sku: 'A', qty: 5 }] }));
      expect(error).toBeInstanceOf(ValidationFailed);
      expect((error as ValidationFailed).errors).toEqual([{ path: 'body.toLocationId', message: expect.any(String) }]);
    });

    it('refuses a transfer without a destination', () => {
      const error = thrown(() => planMovement({ ...base, type: 'TRANSFER', lines: [{ sku: 'A', qty: 5 }] }));
      expect(error).toBeInstanceOf(ValidationFailed);
      expect((error as ValidationFailed).errors).toEqual([{ path: 'body.toLocationId', message: 'required' }]);
    });
  });

  describe('RESERVE and RELEASE', () => {
    it('RESERVE holds stock: reserved up, available down (guarded), onHand unchanged', () => {
      expect(planMovement({ ...base, type: 'RESERVE', lines: [{ sku: 'A', qty: 2 }] })).toEqual([
        { sku: 'A', locationId: 'S1', ledgerType: 'RESERVE', onHandDelta: 0, reservedDelta: 2, availableDrop: 2 },
      ]);
    });

    it('RELEASE gives it back: reserved down, available up, onHand unchanged', () => {
      expect(planMovement({ ...base, type: 'RELEASE', lines: [{ sku: 'A', qty: 2 }] })).toEqual([
        { sku: 'A', locationId: 'S1', ledgerType: 'RELEASE', onHandDelta: 0, reservedDelta: -2, availableDrop: -2 },
      ]);
    });

    it('a RESERVE then a RELEASE of the same lines leave the level as it was', () => {
      fc.assert(
        fc.property(linesArb, (lines) => {
          const reserve = planMovement({ ...base, type: 'RESERVE', lines });
          const release = planMovement({ ...base, type: 'RELEASE', lines });
          expect(reserve.map((c) => c.sku)).toEqual(release.map((c) => c.sku));
          reserve.forEach((c, i) => {
            expect(c.reservedDelta + release[i]!.reservedDelta).toBe(0);
            expect(c.availableDrop + release[i]!.availableDrop).toBe(0);
          });
        }),
      );
    });
  });

  describe('COUNT', () => {
    const counts = new Map<string, LevelSnapshot | undefined>([
      ['A', { onHand: 10, reserved: 2, version: 7 }],
      ['B', undefined],
    ]);
    const count = (lines: Line[], snapshots: ReadonlyMap<string, LevelSnapshot | undefined> = counts) =>
      planMovement({ ...base, type: 'COUNT', lines }, { counts: snapshots });

    it('books a shortfall as a guarded decrease, pinned to the version read', () => {
      expect(count([{ sku: 'A', qty: 8 }])).toEqual([
        { sku: 'A', locationId: 'S1', ledgerType: 'COUNT', onHandDelta: -2, reservedDelta: 0, availableDrop: 2, expectedVersion: 7, counted: 8 },
      ]);
    });

    it('books a surplus as an increase', () => {
      expect(count([{ sku: 'A', qty: 13 }])[0]).toMatchObject({ onHandDelta: 3, availableDrop: 0, expectedVersion: 7, counted: 13 });
    });

    it('books a count that matches as a zero variance, still pinned to the version', () => {
      expect(count([{ sku: 'A', qty: 10 }])[0]).toMatchObject({ onHandDelta: 0, availableDrop: 0, expectedVersion: 7, counted: 10 });
    });

    it('counts an unknown level from zero at version 0', () => {
      expect(count([{ sku: 'B', qty: 4 }])[0]).toEqual({
        sku: 'B',
        locationId: 'S1',
        ledgerType: 'COUNT',
        onHandDelta: 4,
        reservedDelta: 0,
        availableDrop: 0,
        expectedVersion: 0,
        counted: 4,
      });
      expect(count([{ sku: 'NEVER-SEEN', qty: 0 }])[0]).toMatchObject({ onHandDelta: 0, expectedVersion: 0, counted: 0 });
      expect(planMovement({ ...base, type: 'COUNT', lines: [{ sku: 'Z', qty: 2 }] })[0]).toMatchObject({ onHandDelta: 2, expectedVersion: 0 });
    });

    it('may count down to what is reserved', () => {
      expect(count([{ sku: 'A', qty: 2 }])[0]).toMatchObject({ onHandDelta: -8, availableDrop: 8, counted: 2 });
    });

    it('refuses to count below what is reserved, saying how much', () => {
      const error = thrown(() => count([{ sku: 'A', qty: 1 }]));
      expect(error).toBeInstanceOf(Conflict);
      expect((error as Conflict).details).toEqual({ sku: 'A', counted: 1, reserved: 2 });
    });

    it('refuses the whole count when one line is below its reservations', () => {
      expect(() =>
        count([
          { sku: 'B', qty: 4 },
          { sku: 'A', qty: 0 },
        ]),
      ).toThrow(Conflict);
    });

    it('lands onHand on what was counted, whatever was there', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 1_000_000 }),
          fc.integer({ min: 0, max: 1_000_000 }),
          fc.integer({ min: 0, max: 1_000_000 }),
          fc.nat(),
          (onHand, reserved, counted, version) => {
            fc.pre(counted >= reserved);
            const [change] = count([{ sku: 'A', qty: counted }], new Map([['A', { onHand, reserved, version }]]));
            expect(onHand + change!.onHandDelta).toBe(counted);
            expect(change!.availableDrop).toBe(Math.max(0, onHand - counted));
            expect(change!.expectedVersion).toBe(version);
          },
        ),
      );
    });
  });

  it('plans one change per SKU for every type but TRANSFER, in first-seen order', () => {
    const types = ['RECEIPT', 'SALE', 'RETURN', 'ADJUSTMENT', 'COUNT', 'RESERVE', 'RELEASE', 'RFID_IN', 'RFID_OUT'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...types), linesArb, (type, lines) => {
        const movement: MovementInput = { ...base, type, reason: 'DAMAGED', lines };
        const changes: LevelChange[] = planMovement(movement);
        expect(changes.map((c) => c.sku)).toEqual([...new Set(lines.map((l) => l.sku))]);
      }),
    );
  });
});

describe('mergeLines', () => {
  it('sums lines of the same SKU and keeps first-seen order', () => {
    expect(
      mergeLines([
        { sku: 'B', qty: 1 },
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 3 },
      ]),
    ).toEqual([
      { sku: 'B', qty: 4 },
      { sku: 'A', qty: 2 },
    ]);
  });

  it('leaves distinct lines alone and an empty list empty', () => {
    expect(
      mergeLines([
        { sku: 'A', qty: 1 },
        { sku: 'B', qty: 2 },
      ]),
    ).toEqual([
      { sku: 'A', qty: 1 },
      { sku: 'B', qty: 2 },
    ]);
    expect(mergeLines([])).toEqual([]);
  });

  it('treats SKUs as exact strings', () => {
    expect(
      mergeLines([
        { sku: 'a', qty: 1 },
        { sku: 'A', qty: 1 },
        { sku: 'A ', qty: 1 },
      ]),
    ).toHaveLength(3);
  });

  it("keeps every SKU's total and the grand total, and lists each SKU once", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ sku: fc.string({ maxLength: 3 }), qty: fc.integer({ min: 0, max: 1_000_000 }) })), (lines) => {
        const merged = mergeLines(lines);
        expect(new Set(merged.map((l) => l.sku)).size).toBe(merged.length);
        expect(new Set(merged.map((l) => l.sku))).toEqual(new Set(lines.map((l) => l.sku)));
        for (const { sku, qty } of merged) expect(qty).toBe(lines.filter((l) => l.sku === sku).reduce((s, l) => s + l.qty, 0));
        expect(merged.reduce((s, l) => s + l.qty, 0)).toBe(lines.reduce((s, l) => s + l.qty, 0));
      }),
    );
  });

  it('does not change the lines it was given', () => {
    const lines = [
      { sku: 'A', qty: 1 },
      { sku: 'A', qty: 2 },
    ];
    mergeLines(lines);
    expect(lines).toEqual([
      { sku: 'A', qty: 1 },
      { sku: 'A', qty: 2 },
    ]);
  });
});

describe('assertFitsOneTransaction', () => {
  const sale = (n: number) => planMovement({ ...base, type: 'SALE', lines: skus(n) });
  const transfer = (n: number) => planMovement({ ...base, type: 'TRANSFER', toLocationId: 'S2', lines: skus(n) });

  it("uses DynamoDB's limit of 100 items", () => {
    expect(transactionItemLimit).toBe(100);
  });

  it('accepts exactly 100 items: the movement, 49 levels, 49 ledger entries and a hold', () => {
    expect(() => assertFitsOneTransaction(sale(49), 1)).not.toThrow();
  });

  it('refuses 101 items, naming the most SKUs that would fit', () => {
    const error = thrown(() => assertFitsOneTransaction(sale(49), 2));
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).message).toMatch(/at most 48 distinct SKUs/);
    expect((error as ValidationFailed).errors).toEqual([{ path: 'body.lines', message: expect.stringContaining('48') }]);
  });

  it('without extra items: 49 SKUs (99 items) fit, 50 (101) do not', () => {
    expect(() => assertFitsOneTransaction(sale(49), 0)).not.toThrow();
    expect(() => assertFitsOneTransaction(sale(50), 0)).toThrow(/at most 49 distinct SKUs/);
  });

  it('counts two levels per SKU for a transfer: 24 SKUs plus 3 extras make exactly 100', () => {
    expect(() => assertFitsOneTransaction(transfer(24), 3)).not.toThrow();
    expect(() => assertFitsOneTransaction(transfer(24), 4)).toThrow(/at most 23 distinct SKUs/);
    expect(() => assertFitsOneTransaction(transfer(25), 0)).toThrow(/at most 24 distinct SKUs/);
  });

  it('accepts an empty plan', () => {
    expect(() => assertFitsOneTransaction([], 0)).not.toThrow();
  });

  it('refuses exactly the plans over 100 items, and the maximum it names is the true maximum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 10 }), fc.boolean(), (n, extra, isTransfer) => {
        const plan = isTransfer ? transfer(n) : sale(n);
        const items = 1 + extra + plan.length * 2;
        const error = items > 100 ? thrown(() => assertFitsOneTransaction(plan, extra)) : undefined;
        if (items <= 100) {
          expect(() => assertFitsOneTransaction(plan, extra)).not.toThrow();
          return;
        }
        expect(error).toBeInstanceOf(ValidationFailed);
        const max = Number(/at most (\d+) distinct SKUs/.exec((error as Error).message)?.[1]);
        const make = isTransfer ? transfer : sale;
        if (max > 0) expect(() => assertFitsOneTransaction(make(max), extra)).not.toThrow();
        expect(() => assertFitsOneTransaction(make(max + 1), extra)).toThrow(ValidationFailed);
      }),
    );
  });
});

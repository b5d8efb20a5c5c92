import { describe, expect, it } from 'vitest';
import { emptyReconciliation, matchUnits, type Reconciliation } from '../../../shared/domain/reconcile.ts';
import { confirmedBySerials, saleSerialVerdict } from '../../../shared/domain/rfid.ts';

const sale = { saleId: 's-1', locationId: 'store-1' };

describe('saleSerialVerdict: what a sale EPC finds on its serial', () => {
  it('confirms a unit read out of the sale location unsold (the gate took it off the books)', () => {
    expect(saleSerialVerdict({ state: 'LEFT', locationId: 'store-1' }, sale)).toBe('CONFIRM');
  });

  it('takes a unit in stock, never seen, or read out of another location', () => {
    expect(saleSerialVerdict(undefined, sale)).toBe('TAKE');
    expect(saleSerialVerdict({ state: 'IN_STOCK', locationId: 'store-1' }, sale)).toBe('TAKE');
    expect(saleSerialVerdict({ state: 'LEFT', locationId: 'warehouse-1' }, sale)).toBe('TAKE');
  });

  it('refuses a unit another sale sold, whatever gates read since; the same sale again passes', () => {
    expect(saleSerialVerdict({ state: 'SOLD', locationId: 'store-1', saleId: 's-2' }, sale)).toBe('SOLD_ELSEWHERE');
    expect(saleSerialVerdict({ state: 'LEFT_SOLD', locationId: 'store-1', saleId: 's-2' }, sale)).toBe('SOLD_ELSEWHERE');
    expect(saleSerialVerdict({ state: 'LEFT_SOLD', locationId: 'store-1', saleId: 's-1' }, sale)).toBe('TAKE');
  });
});

describe('confirmedBySerials: units per SKU a sale confirms', () => {
  const left = { state: 'LEFT', locationId: 'store-1' };
  it('counts the EPCs whose serial left the store unsold, per SKU', () => {
    const confirmed = confirmedBySerials(
      [
        { sku: 'a', serial: left },
        { sku: 'a', serial: { state: 'IN_STOCK', locationId: 'store-1' } },
        { sku: 'a', serial: left },
        { sku: 'b', serial: undefined },
        { sku: 'c', serial: left },
      ],
      {
        ...sale,
        qty: new Map([
          ['a', 3],
          ['b', 1],
          ['c', 1],
        ]),
      },
    );
    expect(confirmed).toEqual(
      new Map([
        ['a', 2],
        ['c', 1],
      ]),
    );
  });

  it('never confirms more units than the sale has of the SKU, and none without EPCs', () => {
    expect(
      confirmedBySerials(
        [
          { sku: 'a', serial: left },
          { sku: 'a', serial: left },
        ],
        { ...sale, qty: new Map([['a', 1]]) },
      ),
    ).toEqual(new Map([['a', 1]]));
    expect(confirmedBySerials([], { ...sale, qty: new Map([['a', 1]]) })).toEqual(new Map());
  });
});

describe('matchUnits with settled units', () => {
  const at = '2026-03-02T10:00:00.000Z';
  const window = 24 * 3_600_000;
  const gateRead: Reconciliation = { documents: [], gateReads: [{ ref: 'rfid-1', at: '2026-03-02T10:05:00.000Z', qty: 3 }], version: 4 };

  it('settled units take the gate reads first and book nothing of their own', () => {
    const matched = matchUnits(gateRead, 'DOCUMENT', 0, 'sale:1', at, window, 2);
    expect(matched).toMatchObject({ confirmed: 0, booked: 0, settled: 2 });
    expect(matched.next).toEqual({ documents: [], gateReads: [{ ref: 'rfid-1', at: '2026-03-02T10:05:00.000Z', qty: 1 }], version: 5 });
  });

  it('the quantity-only units then confirm what is left and book the rest', () => {
    const matched = matchUnits(gateRead, 'DOCUMENT', 3, 'sale:1', at, window, 2);
    expect(matched).toMatchObject({ confirmed: 1, booked: 2, settled: 2 });
    expect(matched.next).toEqual({ documents: [{ ref: 'sale:1', at, qty: 2 }], gateReads: [], version: 5 });
  });

  it('settled units with no gate read to take leave nothing waiting', () => {
    const matched = matchUnits(emptyReconciliation, 'DOCUMENT', 0, 'sale:1', at, window, 2);
    expect(matched).toMatchObject({ confirmed: 0, booked: 0, settled: 0 });
    expect(matched.next).toEqual({ documents: [], gateReads: [], version: 1 });
  });

  it('without settled units it matches as before', () => {
    expect(matchUnits(gateRead, 'DOCUMENT', 2, 'sale:1', at, window)).toMatchObject({ confirmed: 2, booked: 0, settled: 0 });
  });
});

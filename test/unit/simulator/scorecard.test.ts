import { describe, expect, it } from 'vitest';
import { type DayActivity, type Position, scorecardTable, scoreDay, scoreRun } from '../../../simulator/scorecard.ts';

const position = (overrides: Partial<Position> & Pick<Position, 'sku'>): Position => ({
  locationId: 'STORE-01',
  store: true,
  abcClass: 'A',
  serviceTarget: 0.95,
  system: { onHand: 5, available: 5 },
  truth: { onHand: 5, shelf: 5 },
  holdingCostPerUnitYear: 365,
  demanded: 0,
  sold: 0,
  offlineSales: 0,
  ...overrides,
});

const quiet: DayActivity = { purchaseOrders: 0, purchaseOrderCost: 0, transfers: 0, transferCost: 0, capacity: { read: 0, write: 0, requests: 0 } };

describe('scoreDay', () => {
  it('counts exact positions and the mean absolute error over every SKU-location', () => {
    const score = scoreDay(
      0,
      '2026-12-07',
      [
        position({ sku: 'A1' }),
        position({ sku: 'A2', system: { onHand: 7, available: 7 } }),
        position({ sku: 'A3', system: { onHand: 2, available: 2 }, truth: { onHand: 3, shelf: 3 } }),
        position({ sku: 'A4', locationId: 'WH', store: false }),
      ],
      quiet,
    );
    expect(score.accuracy).toBe(0.5);
    expect(score.meanAbsoluteError).toBe(0.75);
  });

  it('finds phantom stock (available in the books, an empty shelf) and the sales it lost', () => {
    const score = scoreDay(
      0,
      'd',
      [
        position({ sku: 'P', system: { onHand: 2, available: 2 }, truth: { onHand: 1, shelf: 0 }, demanded: 4, sold: 0 }),
        // Misplaced units: on hand, not on the shelf, and the books say none are available: not phantom.
        position({ sku: 'Q', system: { onHand: 1, available: 0 }, truth: { onHand: 1, shelf: 0 } }),
        position({ sku: 'W', store: false, system: { onHand: 2, available: 2 }, truth: { onHand: 0, shelf: 0 } }),
      ],
      quiet,
    );
    expect(score.phantomPositions).toBe(1);
    expect(score.phantomLostUnits).toBe(4);
    expect(score.outOfStockRate).toBe(1);
  });

  it('tells oversell from negative available that offline sales explain', () => {
    const score = scoreDay(
      0,
      'd',
      [position({ sku: 'O', system: { onHand: -1, available: -1 }, offlineSales: 2 }), position({ sku: 'X', system: { onHand: -1, available: -1 } })],
      quiet,
    );
    expect(score.oversell).toBe(1);
    expect(score.negativeFromOffline).toBe(1);
  });

  it('measures service per class as fill rate and as store SKU-days without a customer going short, beside the class target', () => {
    const score = scoreDay(
      0,
      'd',
      [
        position({ sku: 'A1', demanded: 4, sold: 4 }),
        position({ sku: 'A2', demanded: 6, sold: 3 }),
        position({ sku: 'A3', demanded: 0, sold: 0 }),
        position({ sku: 'C1', abcClass: 'C', serviceTarget: 0.98, demanded: 1, sold: 1 }),
      ],
      quiet,
    );
    expect(score.service.A).toEqual({ demanded: 10, sold: 7, fillRate: 0.7, cycleService: 0.5, target: expect.closeTo(0.95, 10) });
    expect(score.service.C).toMatchObject({ fillRate: 1, cycleService: 1, target: 0.98 });
    expect(score.service.B).toMatchObject({ demanded: 0, fillRate: 1, target: undefined });
  });

  it('costs holding on the physical units, orders by what was placed, and capacity at on-demand prices', () => {
    const score = scoreDay(0, 'd', [position({ sku: 'H', truth: { onHand: 10, shelf: 10 }, holdingCostPerUnitYear: 365 })], {
      purchaseOrders: 2,
      purchaseOrderCost: 10_000,
      transfers: 3,
      transferCost: 4_500,
      capacity: { read: 2_000_000, write: 1_000_000, requests: 10 },
    });
    expect(score.holdingCost).toBe(10);
    expect(score.orderCost).toBe(14_500);
    expect(score.capacity.usd).toBeCloseTo(0.625 + 0.25, 10);
  });
});

describe('scoreRun', () => {
  it('takes the state of the last day and the flows of all days', () => {
    const day0 = scoreDay(0, 'd0', [position({ sku: 'A', demanded: 2, sold: 1, system: { onHand: 4, available: 4 } })], { ...quiet, purchaseOrders: 1 });
    const day1 = scoreDay(1, 'd1', [position({ sku: 'A', demanded: 2, sold: 2 })], { ...quiet, transfers: 1, capacity: { read: 4, write: 6, requests: 2 } });
    const run = scoreRun('seed', [day0, day1], 0, { members: 1, pointsLiability: 100, gifts: 1, messagesSent: 2, messagesDeferred: 0, messagesSkipped: 0 });
    expect(run.final.accuracy).toBe(1);
    expect(run.final.meanAccuracy).toBe(0.5);
    expect(run.final.service.A).toMatchObject({ demanded: 4, sold: 3, fillRate: 0.75, cycleService: 0.5 });
    expect(run.final.purchaseOrders).toBe(1);
    expect(run.final.transfers).toBe(1);
    expect(run.final.capacity.perDay).toMatchObject({ read: 2, write: 3, requests: 1 });
    expect(scorecardTable([run]).split('\n')).toContainEqual(expect.stringMatching(/^\| inventory record accuracy \(end\) +\| 100\.0 % +\|$/));
  });

  it('refuses a run without days', () => {
    expect(() => scoreRun('empty', [], 0, { members: 0, pointsLiability: 0, gifts: 0, messagesSent: 0, messagesDeferred: 0, messagesSkipped: 0 })).toThrow(
      /at least one day/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { evenSplit, foldShards, ledgerShardsOf, planShortShardSale, planSpread, shardFor } from '../../../shared/domain/level-shards.ts';

const states = (...available: number[]) => available.map((a, shard) => ({ shard, available: a }));

/** What each item holds after a plan's takes and moves. */
const holdingAfter = (before: { shard: number; available: number }[], plan: { takes: ReadonlyMap<number, number>; moves: ReadonlyMap<number, number> }) =>
  before.map((s) => s.available - (plan.takes.get(s.shard) ?? 0) + (plan.moves.get(s.shard) ?? 0));

describe('shardFor', () => {
  it('sends a sale to the same shard every time and spreads sales over all of them', () => {
    expect(shardFor('sale-1', 'SKU', 4)).toBe(shardFor('sale-1', 'SKU', 4));
    const hits = new Set(Array.from({ length: 200 }, (_, i) => shardFor(`sale-${i}`, 'SKU', 4)));
    expect([...hits].sort()).toEqual([0, 1, 2, 3]);
    expect(shardFor('sale-1', 'SKU', 1)).toBe(0);
  });
});

describe('evenSplit', () => {
  it('splits units evenly, the first items taking the remainder', () => {
    expect(evenSplit(10, 4)).toEqual([3, 3, 2, 2]);
    expect(evenSplit(0, 3)).toEqual([0, 0, 0]);
    expect(evenSplit(5, 1)).toEqual([5]);
  });
});

describe('planShortShardSale', () => {
  it('takes from the fullest items first', () => {
    const plan = planShortShardSale(7, states(0, 5, 1, 3), 4)!;
    expect(Object.fromEntries(plan.takes)).toEqual({ 1: 5, 3: 2 });
    expect(holdingAfter(states(0, 5, 1, 3), plan)).toEqual([0, 0, 1, 1]);
  });

  it('is undefined when the items together hold less than the sale', () => {
    expect(planShortShardSale(10, states(2, 3, 4, 0), 4)).toBeUndefined();
  });

  it('refills the empty shards from what the level item holds beyond its share, keeping the sum', () => {
    const before = states(40, 0, 0, 1);
    const plan = planShortShardSale(1, before, 4)!;
    const left = holdingAfter(before, plan);
    expect(left.reduce((a, b) => a + b, 0)).toBe(40);
    expect(left).toEqual([10, 10, 10, 10]);
    expect(left.every((a) => a >= 0)).toBe(true);
  });

  it('counts what the level item owes (an offline sale) against the shards, and never moves units it lacks', () => {
    expect(planShortShardSale(2, states(-3, 2, 0), 3)).toBeUndefined();
    const plan = planShortShardSale(2, states(-3, 4, 1), 3)!;
    expect(holdingAfter(states(-3, 4, 1), plan)).toEqual([-3, 2, 1]);
    expect(plan.moves.size).toBe(0);
  });
});

describe('planSpread', () => {
  it('spreads a level item over new shards', () => {
    const moves = planSpread(states(102), 4);
    expect(Object.fromEntries(moves)).toEqual({ 0: -76, 1: 26, 2: 25, 3: 25 });
  });

  it('merges shards back into the level item, which keeps what is below zero', () => {
    const before = states(-2, 5, 7, 1);
    const moves = planSpread(before, 1);
    expect(holdingAfter(before, { takes: new Map(), moves })).toEqual([11, 0, 0, 0]);
  });

  it("spreads only what is left after the level item's debt, and empties the shards when nothing is", () => {
    const owing = states(-3, 3, 2, 2);
    expect(holdingAfter(owing, { takes: new Map(), moves: planSpread(owing, 4) })).toEqual([1, 1, 1, 1]);
    const broke = states(-5, 1, 2, 0);
    expect(holdingAfter(broke, { takes: new Map(), moves: planSpread(broke, 4) })).toEqual([-2, 0, 0, 0]);
  });

  it('resizes, emptying the shards past the new count', () => {
    const before = states(3, 3, 3, 3);
    expect(holdingAfter(before, { takes: new Map(), moves: planSpread(before, 2) })).toEqual([6, 6, 0, 0]);
  });
});

describe('foldShards', () => {
  it('adds the shards to the units a level counts, and nothing else', () => {
    const level = { sku: 'A', onHand: 10, available: 4, reserved: 6, inventoryPosition: 9, version: 3 };
    expect(foldShards(level, [{ onHand: 5, available: 5, inventoryPosition: 5, version: 7 }])).toEqual({
      sku: 'A',
      onHand: 15,
      available: 9,
      reserved: 6,
      inventoryPosition: 14,
      version: 3,
    });
  });

  it('reads one ledger partition for anything never declared hot', () => {
    expect(ledgerShardsOf(undefined)).toBe(1);
    expect(ledgerShardsOf({ ledgerShards: 4 })).toBe(4);
  });
});

import { describe, expect, it } from 'vitest';
import { defaultConfig, defaultNoise, noNoise, scaleNoise } from '../../../simulator/config.ts';
import { randomFrom } from '../../../simulator/random.ts';
import { blockShare, catalogue, demandPlan, epcOf, PhysicalChain, tradingBlocks } from '../../../simulator/world.ts';
import { decodeEpc } from '../../../shared/domain/epc.ts';
import { isValidGtin } from '../../../shared/domain/gtin.ts';

describe('the simulated world', () => {
  it('draws the same month from the same seed, and forks that do not shift each other', () => {
    const a = randomFrom(42);
    const b = randomFrom(42);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
    const first = randomFrom(7).fork('demand').next();
    const other = randomFrom(7);
    other.fork('members').next();
    expect(other.fork('demand').next()).toBe(first);
  });

  it('draws Poisson counts with the mean asked for', () => {
    const random = randomFrom(1);
    const draws = Array.from({ length: 20_000 }, () => random.poisson(2.5));
    expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(2.5, 1);
    expect(random.poisson(0)).toBe(0);
  });

  it('makes a long-tail catalogue with valid GTINs whose tags decode back to them', () => {
    const products = catalogue({ skus: 200 }, randomFrom(42));
    const topFifth = products.slice(0, 40).reduce((sum, p) => sum + p.demandShare, 0);
    expect(topFifth).toBeGreaterThan(0.6);
    expect(products.reduce((sum, p) => sum + p.demandShare, 0)).toBeCloseTo(1, 10);
    for (const product of products) expect(isValidGtin(product.gtin), product.gtin).toBe(true);
    const decoded = decodeEpc(epcOf(products[7]!, 123));
    expect(decoded).toMatchObject({ ok: true });
  });

  it('plans demand by weekday, with promotions and one flash-sale day on a top seller', () => {
    const products = catalogue({ skus: 20 }, randomFrom(3));
    const monday = new Date('2026-12-07T00:00:00.000Z');
    const plan = demandPlan({ ...defaultConfig, stores: 2, skus: 20, days: 14 }, products, monday, randomFrom(3));
    // Saturday (day 5) sells more than Monday (day 0) for a SKU without promotion or flash sale that week.
    const plain = products.findIndex((p) => p.sku !== plan.flashSale?.sku && !plan.promotions.some((x) => x.sku === p.sku));
    expect(plan.expected(0, plain, 5)).toBeGreaterThan(plan.expected(0, plain, 0));
    const flash = plan.flashSale!;
    const index = products.findIndex((p) => p.sku === flash.sku);
    expect(plan.expected(1, index, flash.day)).toBeGreaterThan(5 * plan.expected(1, index, flash.day + 7 < 14 ? flash.day + 7 : flash.day - 7));
    expect(tradingBlocks.reduce((sum, _h, i) => sum + blockShare(i), 0)).toBeCloseTo(1, 10);
  });

  it('keeps units by serial: taken, stolen, misplaced and found again', () => {
    const world = new PhysicalChain();
    world.put('S', 'X', world.make('X', 5));
    expect(world.take('S', 'X', 2)).toEqual([1, 2]);
    expect(world.steal('S', 'X', 1)).toEqual([3]);
    expect(world.stolen.get('S|X')).toBe(1);
    world.misplace('S', 'X', 1, 3);
    expect(world.shelf('S', 'X')).toEqual([5]);
    expect(world.onHand('S', 'X')).toBe(2);
    world.findMisplaced(2);
    expect(world.shelf('S', 'X')).toHaveLength(1);
    world.findMisplaced(3);
    expect([...world.shelf('S', 'X')].sort()).toEqual([4, 5]);
    expect(world.make('X', 1)).toEqual([6]);
  });

  it('switches every noise source off, and scales them', () => {
    expect(Object.entries(noNoise).filter(([name, rate]) => rate !== 0 && name !== 'readRate' && name !== 'damageBooked')).toEqual([]);
    const doubled = scaleNoise(defaultNoise, 2);
    expect(doubled.theft).toBe(defaultNoise.theft * 2);
    expect(1 - doubled.readRate).toBeCloseTo(2 * (1 - defaultNoise.readRate), 10);
    expect(scaleNoise(defaultNoise, 0)).toMatchObject({ theft: 0, readRate: 1, damageBooked: 1, supplierErrors: 0 });
  });
});

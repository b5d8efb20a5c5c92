import { describe, expect, it } from 'vitest';
import { planWaves, waveMinutesOf } from '../../../shared/domain/stock-alerts.ts';
import { defaultBackInStockWaveMinutes, defaultProgram, type TierName } from '../../../shared/domain/tiers.ts';

const now = '2026-12-07T10:00:00.000Z';
const sub = (memberId: string, tier: TierName, subscribedAt: string) => ({ memberId, tier, subscribedAt });

describe('back-in-stock waves', () => {
  it('tells the highest tier waiting now and each next tier present one delay later, who asked first first', () => {
    const plan = planWaves(
      [
        sub('r1', 'REGULAR', '2026-12-01T00:00:00.000Z'),
        sub('g1', 'GOLD', '2026-12-03T00:00:00.000Z'),
        sub('p1', 'PLATINUM', '2026-12-05T00:00:00.000Z'),
        sub('r0', 'REGULAR', '2026-11-30T00:00:00.000Z'),
        sub('g0', 'GOLD', '2026-12-02T00:00:00.000Z'),
      ],
      now,
      15,
    );
    expect(plan.map((p) => [p.subscriber.memberId, p.wave, p.dueAt])).toEqual([
      ['p1', 0, now],
      ['g0', 1, '2026-12-07T10:15:00.000Z'],
      ['g1', 1, '2026-12-07T10:15:00.000Z'],
      ['r0', 2, '2026-12-07T10:30:00.000Z'],
      ['r1', 2, '2026-12-07T10:30:00.000Z'],
    ]);
  });

  it('makes no one wait behind a tier nobody waiting is in', () => {
    const plan = planWaves([sub('r', 'REGULAR', now), sub('s', 'SILVER', now)], now, 20);
    expect(plan.map((p) => [p.subscriber.memberId, p.dueAt])).toEqual([
      ['s', now],
      ['r', '2026-12-07T10:20:00.000Z'],
    ]);
  });

  it('with a delay of 0 tells everyone now, higher tiers first, and breaks ties by member id', () => {
    const plan = planWaves([sub('b', 'REGULAR', now), sub('a', 'REGULAR', now), sub('g', 'GOLD', now)], now, 0);
    expect(plan.map((p) => [p.subscriber.memberId, p.wave, p.dueAt])).toEqual([
      ['g', 0, now],
      ['a', 1, now],
      ['b', 1, now],
    ]);
    expect(planWaves([], now, 15)).toEqual([]);
  });

  it('takes the delay from the program, or its default', () => {
    expect(waveMinutesOf({ backInStockWaveMinutes: 0 })).toBe(0);
    expect(waveMinutesOf({})).toBe(defaultBackInStockWaveMinutes);
    expect(waveMinutesOf(defaultProgram)).toBe(defaultBackInStockWaveMinutes);
  });
});

/**
 * The chain simulator checks itself on tiny months (2 stores, 20 SKUs, 3
 * days): with no noise the product's books are the physical truth every
 * evening; with theft and no exit gate they are off by exactly what was
 * stolen; with an exit gate that reads every tag the theft is booked, and
 * the customers are the same ones the month without a gate had.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig, noNoise, type Policy, type SimulationConfig } from '../../simulator/config.ts';
import { runPolicyMonth } from '../../simulator/months.ts';
import { nextMonday } from '../../simulator/run.ts';

const tiny: SimulationConfig = { ...defaultConfig, stores: 2, skus: 20, days: 3, members: 10, noise: noNoise };

/** Each month in its own process with its own local cloud, as `npm run simulate` runs them. */
const month = (policy: Policy, config: SimulationConfig = tiny) => runPolicyMonth(config, policy, nextMonday(new Date()));
const stolenUnits = (stolen: Record<string, number>) => Object.values(stolen).reduce((a, b) => a + b, 0);
/** Units customers wanted over the month (every class: a class is the product's verdict, the units are the seed's). */
const demanded = (score: Awaited<ReturnType<typeof month>>['score']) => Object.values(score.final.service).reduce((sum, s) => sum + s.demanded, 0);
let demandWithoutGate: number | undefined;

describe('the chain simulator', { sequential: true, timeout: 240_000 }, () => {
  it('scores 100 % accuracy, no oversell and no duplicate booking on a month without noise, RFID gates and all', async () => {
    const { score, problems } = await month({ name: 'seed', abc: 'seed', rfid: true, counts: true });
    expect(problems).toEqual([]);
    expect(score.days.map((d) => d.accuracy)).toEqual([1, 1, 1]);
    expect(score.final.meanAbsoluteError).toBe(0);
    expect(score.final.oversell).toBe(0);
    expect(score.final.duplicateBookings).toBe(0);
    expect(score.final.phantomPositions).toBe(0);
    // It did sell, move and bill: a month with nothing in it would also score 100 %.
    const sold = Object.values(score.final.service).reduce((sum, s) => sum + s.sold, 0);
    expect(sold).toBeGreaterThan(100);
    expect(score.final.capacity.write).toBeGreaterThan(0);
    expect(score.members.gifts).toBeGreaterThanOrEqual(10);
  });

  it('shows the accuracy lost to theft without an exit gate: exactly the stolen units, at exactly the positions stolen from', async () => {
    const { score, stolen, problems } = await month(
      { name: 'theft, no gate', abc: 'seed', rfid: false, counts: false },
      { ...tiny, noise: { ...noNoise, theft: 0.05 } },
    );
    expect(problems).toEqual([]);
    const positions = 3 * 20;
    expect(stolenUnits(stolen)).toBeGreaterThan(0);
    expect(score.final.accuracy).toBeCloseTo(1 - Object.values(stolen).filter((n) => n > 0).length / positions, 10);
    expect(score.final.meanAbsoluteError * positions).toBeCloseTo(stolenUnits(stolen), 10);
    expect(score.final.oversell).toBe(0);
    demandWithoutGate = demanded(score);
  });

  it('books the same theft through an exit gate that reads every tag, and keeps the books right', async () => {
    const { score, stolen, problems } = await month(
      { name: 'theft, exit gate', abc: 'seed', rfid: true, counts: false },
      { ...tiny, noise: { ...noNoise, theft: 0.05 } },
    );
    expect(problems).toEqual([]);
    expect(stolenUnits(stolen)).toBeGreaterThan(0);
    expect(score.final.accuracy).toBe(1);
    // Common random numbers: the gate's reads draw from their own stream, so the customers are the month without a gate's.
    expect(demanded(score)).toEqual(demandWithoutGate);
  });
});

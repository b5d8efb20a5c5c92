/**
 * Cycle counts: when each SKU at a location is next due for counting.
 * The ABC class sets how often (`cycleCountsPerYear`: A 4, B 2, C 1 by
 * default); SKUs never counted get a fixed day inside their interval,
 * derived from the SKU and location, so a store's counts spread over the
 * year instead of falling due on one day. Events raise counts sooner.
 * Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import { addDays, dayMillis } from './time.ts';

export type CountReason = 'SCHEDULED' | 'NEGATIVE_AVAILABLE' | 'LARGE_VARIANCE' | 'GATE_DISCREPANCY';

/** The day cycles are counted from: a fixed date, so a SKU's count day never moves between reads. */
export const countCycleAnchor = '2026-01-01T00:00:00.000Z';

/** Days between two counts of a SKU counted this often a year. */
export const countIntervalDays = (countsPerYear: number): number => 365 / Math.max(1, countsPerYear);

/** The SKU's place inside its interval, in days: the same for every read, spread evenly across SKUs and locations. */
const phaseDays = (sku: string, locationId: string, intervalDays: number): number => {
  const hash = createHash('sha256').update(`${sku}|${locationId}`).digest().readUInt32BE(0);
  return (hash / 0x1_0000_0000) * intervalDays;
};

/**
 * When the SKU at the location is next due: one interval after its last
 * count; never counted, its slot in the current interval (which may lie
 * ahead).
 */
export const scheduledCountDue = (input: { sku: string; locationId: string; lastCountAt?: string; countsPerYear: number; now: string }): string => {
  const interval = countIntervalDays(input.countsPerYear);
  if (input.lastCountAt) return addDays(input.lastCountAt, interval);
  const anchor = Date.parse(countCycleAnchor);
  const cycles = Math.floor((Date.parse(input.now) - anchor) / (interval * dayMillis));
  return addDays(countCycleAnchor, cycles * interval + phaseDays(input.sku, input.locationId, interval));
};

/** A count that found this far off is checked again soon: at least 2 units and 10 % of what the books said. */
export const isLargeVariance = (expected: number, counted: number): boolean => {
  const variance = Math.abs(counted - expected);
  return variance >= 2 && variance >= 0.1 * Math.max(1, Math.abs(expected));
};

/** Days after a count with a large variance that the SKU is counted again. */
export const recountAfterDays = 7;

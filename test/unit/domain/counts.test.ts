import { describe, expect, it } from 'vitest';
import { countCycleAnchor, countIntervalDays, isLargeVariance, scheduledCountDue } from '../../../shared/domain/counts.ts';
import { addDays, dayMillis } from '../../../shared/domain/time.ts';

const now = '2026-12-06T12:00:00.000Z';

describe('scheduledCountDue', () => {
  it('counts again one class interval after the last count', () => {
    expect(countIntervalDays(4)).toBeCloseTo(91.25);
    expect(scheduledCountDue({ sku: 'A', locationId: 'S', lastCountAt: '2026-10-01T00:00:00.000Z', countsPerYear: 4, now })).toBe(
      addDays('2026-10-01T00:00:00.000Z', 91.25),
    );
    expect(scheduledCountDue({ sku: 'A', locationId: 'S', lastCountAt: now, countsPerYear: 1, now })).toBe(addDays(now, 365));
  });

  it('gives a never-counted SKU a fixed slot inside its current interval, the same on every read', () => {
    const due = scheduledCountDue({ sku: 'TEE', locationId: 'S', countsPerYear: 2, now });
    expect(scheduledCountDue({ sku: 'TEE', locationId: 'S', countsPerYear: 2, now })).toBe(due);
    const cycleStart = Date.parse(countCycleAnchor) + Math.floor((Date.parse(now) - Date.parse(countCycleAnchor)) / (182.5 * dayMillis)) * 182.5 * dayMillis;
    expect(Date.parse(due)).toBeGreaterThanOrEqual(cycleStart);
    expect(Date.parse(due)).toBeLessThan(cycleStart + 182.5 * dayMillis);
  });

  it('spreads a store of never-counted SKUs over the interval: a few a day, not all on one', () => {
    const days = Array.from({ length: 3650 }, (_, i) => scheduledCountDue({ sku: `SKU-${i}`, locationId: 'S', countsPerYear: 1, now }).slice(0, 10));
    const perDay = new Map<string, number>();
    for (const day of days) perDay.set(day, (perDay.get(day) ?? 0) + 1);
    // 3,650 SKUs over 365 days: about 10 a day; no day carries a tenth of them.
    expect(perDay.size).toBeGreaterThan(300);
    expect(Math.max(...perDay.values())).toBeLessThan(40);
  });
});

describe('isLargeVariance', () => {
  it('needs at least 2 units and 10 % of what the books said', () => {
    expect(isLargeVariance(20, 10)).toBe(true);
    expect(isLargeVariance(20, 19)).toBe(false);
    expect(isLargeVariance(100, 95)).toBe(false);
    expect(isLargeVariance(100, 89)).toBe(true);
    expect(isLargeVariance(0, 2)).toBe(true);
    expect(isLargeVariance(-1, 0)).toBe(false);
  });
});

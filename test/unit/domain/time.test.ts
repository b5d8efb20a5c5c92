import { describe, expect, it } from 'vitest';
import { addDays, addMonths, dayMillis, dayOf, daySeconds, epochSeconds, hourMillis, hourSeconds, minuteMillis, monthOf } from '../../../shared/domain/time.ts';

describe('units', () => {
  it('are the usual ones', () => {
    expect([minuteMillis, hourMillis, dayMillis]).toEqual([60_000, 3_600_000, 86_400_000]);
    expect([hourSeconds, daySeconds]).toEqual([3600, 86_400]);
  });
});

describe('addDays', () => {
  it('adds and subtracts whole days in UTC', () => {
    expect(addDays('2025-02-28T10:00:00.000Z', 1)).toBe('2025-03-01T10:00:00.000Z');
    expect(addDays('2024-02-28T10:00:00.000Z', 1)).toBe('2024-02-29T10:00:00.000Z');
    expect(addDays('2025-01-01T00:00:00.000Z', -1)).toBe('2024-12-31T00:00:00.000Z');
    expect(addDays('2025-01-01T00:00:00Z', 365)).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('addMonths', () => {
  it.each([
    ['2026-01-31T10:00:00.000Z', 1, '2026-02-28T10:00:00.000Z'],
    ['2028-01-31T10:00:00.000Z', 1, '2028-02-29T10:00:00.000Z'],
    ['2026-11-25T00:00:00.000Z', 12, '2027-11-25T00:00:00.000Z'],
    ['2026-12-15T08:30:00.000Z', 3, '2027-03-15T08:30:00.000Z'],
  ])('%s + %i months = %s (day clamped to the month)', (from, months, expected) => {
    expect(addMonths(from, months)).toBe(expected);
  });
});

describe('dayOf and monthOf', () => {
  it('take the UTC day and month of an ISO instant', () => {
    expect(dayOf('2025-03-31T23:59:59.999Z')).toBe('2025-03-31');
    expect(monthOf('2025-03-31T23:59:59.999Z')).toBe('2025-03');
  });

  it('of an instant days later agree with the calendar', () => {
    expect(dayOf(addDays('2024-12-31T12:00:00.000Z', 1))).toBe('2025-01-01');
    expect(monthOf(addDays('2024-02-28T12:00:00.000Z', 2))).toBe('2024-03');
  });
});

describe('epochSeconds', () => {
  it('counts whole seconds, rounding down', () => {
    expect(epochSeconds('1970-01-01T00:00:00.000Z')).toBe(0);
    expect(epochSeconds('1970-01-02T00:00:00.999Z')).toBe(daySeconds);
  });
});

import { describe, expect, it } from 'vitest';
import { birthdayIn, birthdayPartitionsAt, datesOnEarth, isBirthdayOn, isLeapYear, localDay } from '../../../shared/domain/member-days.ts';

describe('localDay', () => {
  it('is the date on the wall calendar of the zone', () => {
    expect(localDay('2026-12-06T13:53:00.000Z', 'UTC')).toBe('2026-12-06');
    expect(localDay('2026-12-06T13:53:00.000Z', 'Pacific/Kiritimati')).toBe('2026-12-07');
    expect(localDay('2026-12-06T13:53:00.000Z', 'Pacific/Pago_Pago')).toBe('2026-12-06');
  });

  it('turns at local midnight in UTC+14 (Pacific/Kiritimati)', () => {
    expect(localDay('2026-12-06T09:59:59.999Z', 'Pacific/Kiritimati')).toBe('2026-12-06');
    expect(localDay('2026-12-06T10:00:00.000Z', 'Pacific/Kiritimati')).toBe('2026-12-07');
    expect(localDay('2026-12-07T09:59:59.999Z', 'Pacific/Kiritimati')).toBe('2026-12-07');
  });

  it('turns at local midnight in UTC-11 (Pacific/Pago_Pago)', () => {
    expect(localDay('2026-12-06T10:59:59.999Z', 'Pacific/Pago_Pago')).toBe('2026-12-05');
    expect(localDay('2026-12-06T11:00:00.000Z', 'Pacific/Pago_Pago')).toBe('2026-12-06');
    expect(localDay('2026-12-07T10:59:59.999Z', 'Pacific/Pago_Pago')).toBe('2026-12-06');
  });

  it('crosses the year where the zone does', () => {
    expect(localDay('2026-12-31T10:00:00.000Z', 'Pacific/Kiritimati')).toBe('2027-01-01');
    expect(localDay('2027-01-01T10:00:00.000Z', 'Pacific/Pago_Pago')).toBe('2026-12-31');
  });

  it('counts an unknown zone as UTC', () => {
    expect(localDay('2026-12-06T23:00:00.000Z', 'Not/AZone')).toBe('2026-12-06');
  });
});

describe('datesOnEarth', () => {
  it('spans UTC-12 to UTC+14: three dates between 10:00 and 12:00 UTC, two otherwise', () => {
    expect(datesOnEarth('2026-12-06T13:53:00.000Z')).toEqual(['2026-12-06', '2026-12-07']);
    expect(datesOnEarth('2026-12-06T10:30:00.000Z')).toEqual(['2026-12-05', '2026-12-06', '2026-12-07']);
    expect(datesOnEarth('2026-12-06T09:59:00.000Z')).toEqual(['2026-12-05', '2026-12-06']);
    expect(datesOnEarth('2026-12-06T12:00:00.000Z')).toEqual(['2026-12-06', '2026-12-07']);
    expect(datesOnEarth('2026-12-31T23:00:00.000Z')).toEqual(['2026-12-31', '2027-01-01']);
  });

  it("holds every zone's local date, every hour", () => {
    const zones = ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Etc/GMT+12', 'Etc/GMT-14', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns', 'UTC'];
    for (let hour = 0; hour < 48; hour++) {
      const at = new Date(Date.parse('2027-02-27T00:00:00.000Z') + hour * 3_600_000).toISOString();
      for (const zone of zones) expect(datesOnEarth(at)).toContain(localDay(at, zone));
    }
  });
});

describe('birthdays', () => {
  it('falls on 28 February in years without a 29th', () => {
    expect(isLeapYear(2027)).toBe(false);
    expect(isLeapYear(2028)).toBe(true);
    expect(isLeapYear(2100)).toBe(false);
    expect(isLeapYear(2000)).toBe(true);
    expect(birthdayIn('2000-02-29', 2027)).toBe('2027-02-28');
    expect(birthdayIn('2000-02-29', 2028)).toBe('2028-02-29');
    expect(birthdayIn('1990-02-28', 2028)).toBe('2028-02-28');
    expect(birthdayIn('12-07', 2026)).toBe('2026-12-07');
    expect(isBirthdayOn('2000-02-29', '2027-02-28')).toBe(true);
    expect(isBirthdayOn('2000-02-29', '2027-03-01')).toBe(false);
    expect(isBirthdayOn('2000-02-29', '2028-02-28')).toBe(false);
    expect(isBirthdayOn('2000-02-29', '2028-02-29')).toBe(true);
    expect(isBirthdayOn('1980-12-07', '2026-12-07')).toBe(true);
  });

  it('reads the partitions of every date that is today somewhere', () => {
    expect(birthdayPartitionsAt('2026-12-06T13:53:00.000Z')).toEqual(['12-06', '12-07']);
    expect(birthdayPartitionsAt('2026-12-06T11:30:00.000Z')).toEqual(['12-05', '12-06', '12-07']);
    // 28 February in a common year brings the 29 February partition along; a leap year reads it on its own day.
    expect(birthdayPartitionsAt('2027-02-28T11:00:00.000Z')).toEqual(['02-27', '02-28', '02-29', '03-01']);
    expect(birthdayPartitionsAt('2028-02-28T13:00:00.000Z')).toEqual(['02-28', '02-29']);
  });
});

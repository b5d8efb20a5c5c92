/**
 * Dated member occasions (a birthday, a holiday, a notice day) fall on the
 * member's own calendar: the date in their time zone, not the UTC date. A
 * job that runs at least hourly finds every member on their day: at any
 * instant the local dates on Earth (UTC-12 to UTC+14) are two or three
 * consecutive calendar dates, and a member's local date is one of them.
 * Pure: the instant and the zone come in as arguments.
 */
import { dayOf, hourMillis } from './time.ts';

/** The westernmost and easternmost offsets in use (Etc/GMT+12, Pacific/Kiritimati). */
const westmostOffset = -12 * hourMillis;
const eastmostOffset = 14 * hourMillis;

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

/**
 * The calendar date (`YYYY-MM-DD`) of an instant on the wall calendar of a
 * zone. An unknown zone counts as UTC (records are validated on the way in;
 * this only keeps a job from stopping on a bad one).
 */
export const localDay = (iso: string, timeZone: string): string => {
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = formatterFor(timeZone);
  } catch {
    return dayOf(new Date(iso).toISOString());
  }
  const parts = formatter.formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
};

/** The dates (`YYYY-MM-DD`, oldest first) that are today somewhere on Earth at the instant: two or three. */
export const datesOnEarth = (iso: string): string[] => {
  const at = Date.parse(iso);
  const first = dayOf(new Date(at + westmostOffset).toISOString());
  const last = dayOf(new Date(at + eastmostOffset).toISOString());
  const dates = [first];
  while (dates[dates.length - 1]! < last) {
    dates.push(dayOf(new Date(Date.parse(`${dates[dates.length - 1]!}T00:00:00Z`) + 24 * hourMillis).toISOString()));
  }
  return dates;
};

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * The day a birthday (`YYYY-MM-DD` or `MM-DD`) is celebrated in a year:
 * 29 February birthdays fall on 28 February in years without one.
 */
export const birthdayIn = (birthday: string, year: number): string => {
  const mmdd = birthday.slice(-5);
  const day = mmdd === '02-29' && !isLeapYear(year) ? '02-28' : mmdd;
  return `${String(year).padStart(4, '0')}-${day}`;
};

/** Whether the local date `day` (`YYYY-MM-DD`) is the birthday's day that year. */
export const isBirthdayOn = (birthday: string, day: string): boolean => birthdayIn(birthday, Number(day.slice(0, 4))) === day;

/**
 * The birthday index partitions (`MM-DD`) holding every member whose
 * birthday is today somewhere on Earth at the instant (a 28 February in a
 * year without a 29th reads the 02-29 partition too).
 */
export const birthdayPartitionsAt = (iso: string): string[] => {
  const partitions = new Set<string>();
  for (const date of datesOnEarth(iso)) {
    const mmdd = date.slice(5);
    partitions.add(mmdd);
    if (mmdd === '02-28' && !isLeapYear(Number(date.slice(0, 4)))) partitions.add('02-29');
  }
  return [...partitions];
};

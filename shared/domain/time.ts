/**
 * Time as StockClub counts it: UTC, instants as ISO-8601 strings, days as
 * `YYYY-MM-DD` and months as `YYYY-MM` (their prefixes). Pure: the clock
 * comes in as an argument.
 *
 * One clock convention for use-cases and the db layer: the ISO instant of
 * the request as a string (`now`, or `at` where the record calls it so),
 * read once by the handler or job (or defaulted to `nowIso()` of shared/clock.ts)
 * and passed down, so every item a request writes carries the same time, a
 * write retried on contention keeps it, and tests pass a fixed instant.
 */

export const secondMillis = 1000;
export const minuteMillis = 60 * secondMillis;
export const hourMillis = 60 * minuteMillis;
export const dayMillis = 24 * hourMillis;

/** For DynamoDB TTL attributes, which count epoch seconds. */
export const hourSeconds = 3600;
export const daySeconds = 24 * hourSeconds;

/** The instant whole days (of 24 hours) later; negative days go back. */
export const addDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * dayMillis).toISOString();

/** Calendar months later, the day clamped to the month's end (31 January + 1 month = 28/29 February). */
export const addMonths = (iso: string, months: number): string => {
  const date = new Date(iso);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.toISOString();
};

/** The UTC day (`YYYY-MM-DD`) of an ISO instant. */
export const dayOf = (iso: string): string => iso.slice(0, 10);

/** The UTC month (`YYYY-MM`) of an ISO instant. */
export const monthOf = (iso: string): string => iso.slice(0, 7);

/** Whole seconds since the epoch, as DynamoDB TTL attributes want them. */
export const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / secondMillis);

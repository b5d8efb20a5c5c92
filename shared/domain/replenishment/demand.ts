/**
 * Daily demand statistics from the sales buckets the stream consumer keeps
 * per SKU and location. Days without a sale have no bucket but are real
 * demand of zero: leaving them out would overstate the mean and understate
 * the variation, and so the safety stock of slow, lumpy movers.
 */
import { ValidationFailed } from '../errors.ts';
import { dayMillis, dayOf } from '../time.ts';
import { requireInt, requireNumber } from './validate.ts';

/** Units sold on one UTC calendar day (`YYYY-MM-DD`). */
export interface DemandBucket {
  readonly day: string;
  readonly units: number;
}

/** The days the statistics cover: `days` consecutive days starting at `firstDay`. */
export interface DemandWindow {
  readonly firstDay: string;
  readonly days: number;
}

export interface DemandStats {
  readonly days: number;
  readonly totalUnits: number;
  /** Mean units per day over the whole window, zero days included. */
  readonly meanDaily: number;
  /** Sample standard deviation (n - 1) of units per day; 0 for a one-day window. */
  readonly stdDevDaily: number;
}

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

/** Days since the epoch of a `YYYY-MM-DD` date; refuses anything else. */
const dayNumber = (path: string, day: string): number => {
  const ms = dayPattern.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || dayOf(new Date(ms).toISOString()) !== day) {
    throw new ValidationFailed(`${path} must be a YYYY-MM-DD date`, [{ path, message: 'must be a YYYY-MM-DD date' }]);
  }
  return ms / dayMillis;
};

/**
 * Mean and sample standard deviation of daily demand over the window.
 * Buckets outside the window are ignored; several buckets for one day are
 * summed (a consumer may split a day). The caller picks the window, so the
 * result never depends on the clock.
 */
export const dailyDemandStats = (buckets: readonly DemandBucket[], window: DemandWindow): DemandStats => {
  const days = requireInt('window.days', window.days, 1);
  const first = dayNumber('window.firstDay', window.firstDay);
  const perDay = new Map<number, number>();
  buckets.forEach((bucket, i) => {
    const offset = dayNumber(`buckets[${i}].day`, bucket.day) - first;
    requireNumber(`buckets[${i}].units`, bucket.units, Number.NEGATIVE_INFINITY);
    if (offset >= 0 && offset < days) perDay.set(offset, (perDay.get(offset) ?? 0) + bucket.units);
  });
  let totalUnits = 0;
  for (const units of perDay.values()) totalUnits += units;
  const meanDaily = totalUnits / days;
  if (days === 1) return { days, totalUnits, meanDaily, stdDevDaily: 0 };
  let squares = (days - perDay.size) * meanDaily * meanDaily;
  for (const units of perDay.values()) squares += (units - meanDaily) ** 2;
  return { days, totalUnits, meanDaily, stdDevDaily: Math.sqrt(squares / (days - 1)) };
};

/** A forecast read over fewer days than a week would not see the weekly cycle (and one busy opening day would set it). */
export const minimumForecastDays = 7;

/**
 * The days a forecast reads, ending today: the class's window, shortened for
 * a level that has not had stock that long. Dividing a new item's few days of
 * sales by a 28- or 56-day window under-forecasts it by window / days
 * stocked, and its first reorder comes too late (the chain-month simulator's
 * week-two stock-outs). So a level's history starts on the day it was first
 * stocked, and is read over no fewer than `minimumForecastDays` (nor more
 * than the window). The whole window is read, as before, for a level with no
 * first-stocked day, and for one whose window has demand from before that day
 * (history migrated from before StockClub: the item was trading already).
 */
export const forecastWindow = (input: {
  readonly windowDays: number;
  readonly today: string;
  readonly firstStockedDay?: string;
  readonly firstDemandDay?: string;
}): DemandWindow => {
  const windowDays = requireInt('windowDays', input.windowDays, 1);
  const today = dayNumber('today', input.today);
  const stocked = input.firstStockedDay === undefined ? undefined : dayNumber('firstStockedDay', input.firstStockedDay);
  const tradedBefore = stocked !== undefined && input.firstDemandDay !== undefined && dayNumber('firstDemandDay', input.firstDemandDay) < stocked;
  const history = stocked === undefined || tradedBefore ? windowDays : today - stocked + 1;
  const days = Math.min(windowDays, Math.max(Math.min(minimumForecastDays, windowDays), history));
  return { firstDay: dayOf(new Date((today - days + 1) * dayMillis).toISOString()), days };
};

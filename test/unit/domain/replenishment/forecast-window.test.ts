import { describe, expect, it } from 'vitest';
import { forecastWindow, minimumForecastDays } from '../../../../shared/domain/replenishment/demand.ts';

describe('forecastWindow: the days a forecast reads', () => {
  it('reads the whole class window for a level stocked longer than it', () => {
    expect(forecastWindow({ windowDays: 28, today: '2026-03-31', firstStockedDay: '2026-01-02' })).toEqual({ firstDay: '2026-03-04', days: 28 });
  });

  it('reads the whole window for a level with no first-stocked day (stocked before the day was kept)', () => {
    expect(forecastWindow({ windowDays: 56, today: '2026-03-31' })).toEqual({ firstDay: '2026-02-04', days: 56 });
  });

  it('reads a new item from the day it was first stocked, that day included', () => {
    expect(forecastWindow({ windowDays: 28, today: '2026-03-20', firstStockedDay: '2026-03-10' })).toEqual({ firstDay: '2026-03-10', days: 11 });
  });

  it('never reads fewer than a week, so one opening day does not set the forecast', () => {
    expect(forecastWindow({ windowDays: 56, today: '2026-03-11', firstStockedDay: '2026-03-10' })).toEqual({
      firstDay: '2026-03-05',
      days: minimumForecastDays,
    });
    // Nor more than the window, for a window shorter than a week.
    expect(forecastWindow({ windowDays: 3, today: '2026-03-11', firstStockedDay: '2026-03-10' })).toEqual({ firstDay: '2026-03-09', days: 3 });
  });

  it('reads the whole window when the window has demand from before the first stocked day (history migrated from before StockClub)', () => {
    expect(forecastWindow({ windowDays: 28, today: '2026-03-20', firstStockedDay: '2026-03-18', firstDemandDay: '2026-03-01' })).toEqual({
      firstDay: '2026-02-21',
      days: 28,
    });
    // Demand from the stocking day on is the new item's own.
    expect(forecastWindow({ windowDays: 28, today: '2026-03-20', firstStockedDay: '2026-03-10', firstDemandDay: '2026-03-10' })).toEqual({
      firstDay: '2026-03-10',
      days: 11,
    });
  });

  it('crosses month and leap-day boundaries by calendar days', () => {
    expect(forecastWindow({ windowDays: 28, today: '2028-03-01', firstStockedDay: '2028-02-20' })).toEqual({ firstDay: '2028-02-20', days: 11 });
  });

  it('refuses a day that is not a date', () => {
    expect(() => forecastWindow({ windowDays: 28, today: '2026-02-30', firstStockedDay: '2026-02-01' })).toThrow(/today must be a YYYY-MM-DD date/);
  });
});

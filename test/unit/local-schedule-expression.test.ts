import { describe, expect, it } from 'vitest';
import { nextRun } from '../../infra/local/schedule-expression.ts';
import { scheduleList } from '../../infra/schedules.ts';

const at = (iso: string) => new Date(iso);

describe('EventBridge schedule expressions, locally', () => {
  it('runs rate() schedules at fixed intervals from the first run', () => {
    const first = at('2026-11-25T10:00:00Z');
    expect(nextRun('rate(1 minute)', 'UTC', at('2026-11-25T10:00:30Z'), first)).toEqual(at('2026-11-25T10:01:00Z'));
    expect(nextRun('rate(2 hours)', 'UTC', at('2026-11-25T11:00:00Z'), first)).toEqual(at('2026-11-25T12:00:00Z'));
  });

  it('runs cron() in the schedule\'s time zone, across daylight saving time', () => {
    // 08:00 in Berlin is 07:00 UTC in winter and 06:00 UTC in summer.
    expect(nextRun('cron(0 8 * * ? *)', 'Europe/Berlin', at('2026-11-25T09:00:00Z'))).toEqual(at('2026-11-26T07:00:00Z'));
    expect(nextRun('cron(0 8 * * ? *)', 'Europe/Berlin', at('2026-07-01T09:00:00Z'))).toEqual(at('2026-07-02T06:00:00Z'));
  });

  it('understands day names, ranges, lists and steps', () => {
    // 2026-11-25 is a Wednesday; the next Monday-to-Friday 06:30 after Friday evening is Monday.
    expect(nextRun('cron(30 6 ? * MON-FRI *)', 'UTC', at('2026-11-27T20:00:00Z'))).toEqual(at('2026-11-30T06:30:00Z'));
    expect(nextRun('cron(0/15 * * * ? *)', 'UTC', at('2026-11-25T10:16:00Z'))).toEqual(at('2026-11-25T10:30:00Z'));
    expect(nextRun('cron(0 9 1,15 * ? *)', 'UTC', at('2026-11-25T00:00:00Z'))).toEqual(at('2026-12-01T09:00:00Z'));
    // 29 February: only in leap years.
    expect(nextRun('cron(0 0 29 FEB ? *)', 'UTC', at('2026-03-01T00:00:00Z'))).toEqual(at('2028-02-29T00:00:00Z'));
  });

  it('refuses what is not an EventBridge expression', () => {
    expect(() => nextRun('every minute', 'UTC', new Date())).toThrow(/not an EventBridge/);
    expect(() => nextRun('cron(0 8 * * *)', 'UTC', new Date())).toThrow(/six fields/);
  });

  it.each(scheduleList())('understands the schedule of %s', (_name, schedule) => {
    const now = new Date();
    expect(nextRun(schedule.expression, schedule.timeZone, now).getTime()).toBeGreaterThan(now.getTime());
  });
});

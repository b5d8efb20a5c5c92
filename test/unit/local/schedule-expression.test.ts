import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextRun } from '../../../infra/local/schedule-expression.ts';
import { scheduleList } from '../../../infra/schedules.ts';

const at = (iso: string) => new Date(iso);

describe('EventBridge schedule expressions, locally', () => {
  it('runs rate() schedules at the start and then at fixed intervals', () => {
    const first = at('2026-11-25T10:00:00Z');
    expect(nextRun('rate(1 minute)', 'UTC', at('2026-11-25T09:59:59.999Z'), first)).toEqual(first);
    expect(nextRun('rate(1 minute)', 'UTC', first, first)).toEqual(at('2026-11-25T10:01:00Z'));
    expect(nextRun('rate(1 minute)', 'UTC', at('2026-11-25T10:00:30Z'), first)).toEqual(at('2026-11-25T10:01:00Z'));
    expect(nextRun('rate(2 hours)', 'UTC', at('2026-11-25T11:00:00Z'), first)).toEqual(at('2026-11-25T12:00:00Z'));
    // A day is 24 hours on the clock, even across a daylight-saving change.
    expect(nextRun('rate(1 day)', 'Europe/Berlin', at('2026-10-25T00:30:00Z'), at('2026-10-24T01:00:00Z'))).toEqual(at('2026-10-25T01:00:00Z'));
  });

  it('refuses rate() units EventBridge refuses', () => {
    expect(() => nextRun('rate(1 minutes)', 'UTC', new Date())).toThrow(/bad rate/);
    expect(() => nextRun('rate(5 minute)', 'UTC', new Date())).toThrow(/bad rate/);
    expect(() => nextRun('rate(0 minutes)', 'UTC', new Date())).toThrow(/bad rate/);
    expect(() => nextRun('rate(30 seconds)', 'UTC', new Date())).toThrow(/not an EventBridge/);
  });

  it("runs cron() in the schedule's time zone, across daylight saving time", () => {
    // 08:00 in Berlin is 07:00 UTC in winter and 06:00 UTC in summer.
    expect(nextRun('cron(0 8 * * ? *)', 'Europe/Berlin', at('2026-11-25T09:00:00Z'))).toEqual(at('2026-11-26T07:00:00Z'));
    expect(nextRun('cron(0 8 * * ? *)', 'Europe/Berlin', at('2026-07-01T09:00:00Z'))).toEqual(at('2026-07-02T06:00:00Z'));
    expect(nextRun('cron(0 8 * * ? *)', 'America/New_York', at('2026-11-25T09:00:00Z'))).toEqual(at('2026-11-25T13:00:00Z'));
  });

  it('skips a local time that does not exist and runs a repeated one once', () => {
    // 29 March 2026: Berlin jumps from 02:00 to 03:00, so 02:30 happens the next day.
    expect(nextRun('cron(30 2 * * ? *)', 'Europe/Berlin', at('2026-03-28T12:00:00Z'))).toEqual(at('2026-03-30T00:30:00Z'));
    // 25 October 2026: Berlin goes from 03:00 back to 02:00, so 02:30 happens twice; only the first counts.
    const first = nextRun('cron(30 2 * * ? *)', 'Europe/Berlin', at('2026-10-24T12:00:00Z'));
    expect(first).toEqual(at('2026-10-25T00:30:00Z'));
    expect(nextRun('cron(30 2 * * ? *)', 'Europe/Berlin', first)).toEqual(at('2026-10-26T01:30:00Z'));
  });

  it('understands day names, ranges, lists and steps', () => {
    // 2026-11-25 is a Wednesday; the next Monday-to-Friday 06:30 after Friday evening is Monday.
    expect(nextRun('cron(30 6 ? * MON-FRI *)', 'UTC', at('2026-11-27T20:00:00Z'))).toEqual(at('2026-11-30T06:30:00Z'));
    // Day-of-week counts from 1 = Sunday.
    expect(nextRun('cron(0 12 ? * 1 *)', 'UTC', at('2026-11-25T00:00:00Z'))).toEqual(at('2026-11-29T12:00:00Z'));
    expect(nextRun('cron(0/15 * * * ? *)', 'UTC', at('2026-11-25T10:16:00Z'))).toEqual(at('2026-11-25T10:30:00Z'));
    expect(nextRun('cron(5,35 8-9 * * ? *)', 'UTC', at('2026-11-25T08:36:00Z'))).toEqual(at('2026-11-25T09:05:00Z'));
    expect(nextRun('cron(0 9 1,15 * ? *)', 'UTC', at('2026-11-25T00:00:00Z'))).toEqual(at('2026-12-01T09:00:00Z'));
    expect(nextRun('cron(0 0 1 JAN ? 2028)', 'UTC', at('2026-11-25T00:00:00Z'))).toEqual(at('2028-01-01T00:00:00Z'));
    // 29 February: only in leap years.
    expect(nextRun('cron(0 0 29 FEB ? *)', 'UTC', at('2026-03-01T00:00:00Z'))).toEqual(at('2028-02-29T00:00:00Z'));
  });

  it('refuses what EventBridge refuses or this parser does not support', () => {
    expect(() => nextRun('every minute', 'UTC', new Date())).toThrow(/not an EventBridge/);
    expect(() => nextRun('cron(0 8 * * *)', 'UTC', new Date())).toThrow(/six fields/);
    expect(() => nextRun('cron(0 8 * * * *)', 'UTC', new Date())).toThrow(/exactly one/);
    expect(() => nextRun('cron(0 8 ? * ? *)', 'UTC', new Date())).toThrow(/exactly one/);
    expect(() => nextRun('cron(0 24 * * ? *)', 'UTC', new Date())).toThrow(/outside 0-23/);
    expect(() => nextRun('cron(0 8 L * ? *)', 'UTC', new Date())).toThrow(/not supported locally/);
    expect(() => nextRun('cron(0 8 ? * MON#2 *)', 'UTC', new Date())).toThrow(/not supported locally/);
    expect(() => nextRun('cron(0 0 30 FEB ? *)', 'UTC', new Date())).toThrow(/never fires/);
  });

  it('agrees with a minute-by-minute walk for expressions that fire at least weekly', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'];
    const weekdays = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
    const list = (max: number) => fc.uniqueArray(fc.integer({ min: 0, max }), { minLength: 1, maxLength: 3 }).map((v) => v.join(','));
    fc.assert(
      fc.property(
        list(59),
        fc.oneof(list(23), fc.constant('*')),
        fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 6 })),
        fc.constantFrom(...zones),
        fc.date({ min: at('2026-01-01T00:00:00Z'), max: at('2027-12-31T00:00:00Z'), noInvalidDate: true }),
        (minutes, hours, weekday, zone, after) => {
          const expression = `cron(${minutes} ${hours} ${weekday === undefined ? '*' : '?'} * ${weekday === undefined ? '?' : weekdays[weekday]} *)`;
          const format = new Intl.DateTimeFormat('en-US', {
            timeZone: zone,
            hourCycle: 'h23',
            hour: 'numeric',
            minute: 'numeric',
            weekday: 'short',
            day: 'numeric',
          });
          const local = (t: number) => Object.fromEntries(format.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
          const fires = (t: number) => {
            const p = local(t);
            const before = local(t - 3_600_000);
            const repeated = before.day === p.day && before.hour === p.hour && before.minute === p.minute;
            return (
              !repeated &&
              minutes.split(',').includes(String(Number(p.minute))) &&
              (hours === '*' || hours.split(',').includes(String(Number(p.hour)))) &&
              (weekday === undefined || p.weekday === weekdays[weekday]!.charAt(0) + weekdays[weekday]!.slice(1).toLowerCase())
            );
          };
          let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
          while (!fires(t)) t += 60_000;
          expect(nextRun(expression, zone, after), expression).toEqual(new Date(t));
        },
      ),
      { numRuns: 40 },
    );
  });

  it.each(scheduleList())('understands the schedule of %s', (_name, schedule) => {
    const now = new Date();
    expect(nextRun(schedule.expression, schedule.timeZone, now).getTime()).toBeGreaterThan(now.getTime());
  });
});

/**
 * EventBridge Scheduler expressions for the local scheduler: `rate(5 minutes)`
 * and six-field `cron(minutes hours day-of-month month day-of-week year)`
 * evaluated in the schedule's time zone, with the scheduler's daylight-saving
 * rules: a time that does not exist (spring forward) is skipped, a time that
 * happens twice (fall back) runs once. Supports `*`, `?`, lists, ranges,
 * steps and day/month names; not `L`, `W` or `#`.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */
const rateUnits: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

type Field = Set<number> | 'any';

const parseField = (text: string, min: number, max: number, names: string[] = [], nameBase = min): Field => {
  if (text === '*' || text === '?') return 'any';
  const values = new Set<number>();
  const value = (v: string) => {
    const named = names.indexOf(v.toUpperCase());
    if (named < 0 && !/^\d+$/.test(v)) throw new Error(`cron value '${v}' not understood (L, W and # are not supported locally)`);
    const n = named >= 0 ? named + nameBase : Number(v);
    if (n < min || n > max) throw new Error(`cron value ${v} outside ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad cron step in ${part}`);
    const [from, to] = range === '*' ? [min, max] : range!.includes('-') ? range!.split('-').map(value) : [value(range!), stepText ? max : value(range!)];
    for (let n = from!; n <= to!; n += step) values.add(n);
  }
  return values;
};

const fieldHas = (field: Field, value: number) => field === 'any' || field.has(value);

interface Cron {
  minutes: Field;
  hours: Field;
  dayOfMonth: Field;
  month: Field;
  dayOfWeek: Field;
  year: Field;
}

export const parseCron = (body: string): Cron => {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`cron needs six fields, got ${parts.length}: ${body}`);
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts as [string, string, string, string, string, string];
  // EventBridge refuses an expression that sets both day fields, or neither: one of them must be `?`.
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) throw new Error(`cron needs ? in exactly one of day-of-month and day-of-week: ${body}`);
  return {
    minutes: parseField(minutes, 0, 59),
    hours: parseField(hours, 0, 23),
    dayOfMonth: parseField(dayOfMonth, 1, 31),
    month: parseField(month, 1, 12, monthNames, 1),
    // EventBridge counts days of the week from 1 = Sunday.
    dayOfWeek: parseField(dayOfWeek, 1, 7, dayNames, 1),
    year: parseField(year, 1970, 2199),
  };
};

const zonedParts = (date: Date, format: Intl.DateTimeFormat) => {
  const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: dayNames.indexOf(String(parts.weekday).toUpperCase()) + 1,
  };
};

/** The second occurrence of a local time when clocks fall back an hour: the scheduler runs only the first. */
const repeatedWallClock = (t: number, p: ReturnType<typeof zonedParts>, format: Intl.DateTimeFormat): boolean => {
  const hourBefore = zonedParts(new Date(t - 3_600_000), format);
  return hourBefore.day === p.day && hourBefore.hour === p.hour && hourBefore.minute === p.minute;
};

/**
 * The first time strictly after `after` that the expression fires. Rate
 * schedules run at `firstRunAt` (the scheduler's start, as a schedule
 * without StartDate starts at once) and every interval after it.
 */
export const nextRun = (expression: string, timeZone: string, after: Date, firstRunAt = after): Date => {
  const rate = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(expression.trim());
  if (rate) {
    const count = Number(rate[1]);
    // EventBridge wants the singular unit for 1 and the plural otherwise.
    if (count < 1 || (count === 1) !== (rate[3] === '')) throw new Error(`bad rate expression ${expression}`);
    const every = count * rateUnits[rate[2]!]!;
    if (after.getTime() < firstRunAt.getTime()) return firstRunAt;
    return new Date(firstRunAt.getTime() + (Math.floor((after.getTime() - firstRunAt.getTime()) / every) + 1) * every);
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new Error(`not an EventBridge schedule expression: ${expression}`);
  const spec = parseCron(cron[1]!);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
  });
  const start = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
  // Walk forward in zone-local time, skipping whole days and hours that cannot match; five years covers any sane expression.
  for (let t = start; t < start + 5 * 366 * 86_400_000; ) {
    const p = zonedParts(new Date(t), format);
    const dayMatches = fieldHas(spec.year, p.year) && fieldHas(spec.month, p.month) && fieldHas(spec.dayOfMonth, p.day) && fieldHas(spec.dayOfWeek, p.weekday);
    if (!dayMatches) {
      // Land an hour short of local midnight first, so a daylight-saving shift tonight cannot carry us past it.
      const toMidnight = (23 - p.hour) * 60 + (60 - p.minute);
      t += (toMidnight > 60 ? toMidnight - 60 : toMidnight) * 60_000;
      continue;
    }
    if (!fieldHas(spec.hours, p.hour)) {
      t += (60 - p.minute) * 60_000;
      continue;
    }
    if (fieldHas(spec.minutes, p.minute) && !repeatedWallClock(t, p, format)) return new Date(t);
    t += 60_000;
  }
  throw new Error(`${expression} never fires`);
};

/**
 * The local twin of EventBridge Scheduler: runs each job of
 * infra/schedules.ts on its expression, in its time zone, with the default
 * notification the scheduler sends a target that has no Input. A failed run
 * goes to the failure log (AWS: the function's on-failure queue after its
 * retries). `runNow` serves POST /_local/jobs/{name}; `advanceTo` serves
 * POST /_local/clock and runs what fell due in the time skipped.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { type ScheduleDefinition, scheduleList } from '../schedules.ts';
import { localAwsEnv } from './dynamodb.ts';
import { ClockMovesForwardOnly, type LocalClock } from './clock.ts';
import type { FailureLog } from './failure-log.ts';
import { lambdaContext } from './gateway.ts';
import { loadHandler } from './handlers.ts';
import { nextRun } from './schedule-expression.ts';

type JobHandler = (event: unknown, context: Context) => Promise<unknown>;

export const scheduledEvent = (name: string, time: Date) => {
  const region = process.env.AWS_REGION ?? localAwsEnv.AWS_REGION;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: '000000000000',
    time: time.toISOString(),
    region,
    resources: [`arn:aws:scheduler:${region}:000000000000:schedule/default/${name}`],
    detail: {},
  };
};

export interface LocalScheduler {
  readonly jobs: readonly string[];
  /** Runs a job at once, as `aws lambda invoke` would: the caller gets its result or its error. */
  runNow(name: string): Promise<unknown>;
  /**
   * Moves the clock to `at`, running on the way what fell due (with the clock
   * set to each run's time): every run of a cron job, the last run of a rate
   * job (rate jobs sweep whatever is due, so one run does what the skipped
   * ones would have). Returns the runs, in order.
   */
  advanceTo(at: Date): Promise<{ name: string; time: string; millis: number }[]>;
  /** Cancels what is planned and waits for scheduled runs under way. */
  stop(): Promise<void>;
}

export const startScheduler = (options: { failures: FailureLog; clock: LocalClock; enabled?: boolean }): LocalScheduler => {
  const { clock } = options;
  const enabled = options.enabled ?? true;
  const definitions = new Map<string, ScheduleDefinition>(scheduleList());
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  const started = clock.now();

  const invoke = async (name: string, time: Date) => {
    const definition = definitions.get(name)!;
    const handler = await loadHandler<JobHandler>(definition.entry, name, definition);
    return handler(scheduledEvent(name, time), lambdaContext(name));
  };

  // The next run is planned when a run ends, so runs of one job never overlap locally.
  const plan = (name: string, definition: ScheduleDefinition, after: Date) => {
    const next = nextRun(definition.expression, definition.timeZone, after, started);
    const timer = setTimeout(
      () => {
        const run = invoke(name, next)
          .catch((error: Error) => options.failures.record({ source: 'schedule', name, reason: error.message, payload: { time: next.toISOString() } }))
          .finally(() => {
            running.delete(run);
            if (timers.has(name)) plan(name, definition, new Date(Math.max(clock.now().getTime(), next.getTime())));
          });
        running.add(run);
      },
      Math.max(0, next.getTime() - clock.now().getTime()),
    );
    // A pending job must not keep a finished process (a test run, a script) alive.
    timer.unref();
    timers.set(name, timer);
  };

  const planAll = (after: Date) => {
    for (const [name, definition] of definitions) plan(name, definition, after);
  };
  const cancelAll = () => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  };

  // Just before the start, so that a rate schedule's first run is the start itself, as in AWS.
  if (enabled) planAll(new Date(started.getTime() - 1));

  return {
    jobs: [...definitions.keys()],
    runNow: (name) => {
      if (!definitions.has(name)) return Promise.reject(new Error(`No job named ${name}`));
      return invoke(name, clock.now());
    },
    advanceTo: async (at) => {
      const from = clock.now();
      if (at < from) throw new ClockMovesForwardOnly(from, at);
      if (!enabled) {
        clock.moveTo(at);
        return [];
      }
      cancelAll();
      await Promise.allSettled([...running]);
      const due: { name: string; time: Date }[] = [];
      for (const [name, definition] of definitions) {
        const times: Date[] = [];
        for (
          let next = nextRun(definition.expression, definition.timeZone, from, started);
          next <= at;
          next = nextRun(definition.expression, definition.timeZone, next, started)
        )
          times.push(next);
        const rate = definition.expression.startsWith('rate(');
        for (const time of rate ? times.slice(-1) : times) due.push({ name, time });
      }
      due.sort((a, b) => a.time.getTime() - b.time.getTime() || a.name.localeCompare(b.name));
      const ran: { name: string; time: string; millis: number }[] = [];
      for (const run of due) {
        clock.moveTo(run.time);
        const started = performance.now();
        await invoke(run.name, run.time).catch((error: Error) =>
          options.failures.record({ source: 'schedule', name: run.name, reason: error.message, payload: { time: run.time.toISOString() } }),
        );
        ran.push({ name: run.name, time: run.time.toISOString(), millis: Math.round(performance.now() - started) });
      }
      clock.moveTo(at);
      planAll(clock.now());
      return ran;
    },
    stop: async () => {
      cancelAll();
      await Promise.allSettled([...running]);
    },
  };
};

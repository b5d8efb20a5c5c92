/**
 * The local twin of EventBridge Scheduler: runs each job of
 * infra/schedules.ts on its expression, in its time zone, with the default
 * notification the scheduler sends a target that has no Input. A failed run
 * goes to the failure log (AWS: the function's on-failure queue after its
 * retries). `runNow` serves POST /_local/jobs/{name}.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { type ScheduleDefinition, scheduleList } from '../schedules.ts';
import { localAwsEnv } from './dynamodb.ts';
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
  /** Cancels what is planned and waits for scheduled runs under way. */
  stop(): Promise<void>;
}

export const startScheduler = (options: { failures: FailureLog; enabled?: boolean }): LocalScheduler => {
  const definitions = new Map<string, ScheduleDefinition>(scheduleList());
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  const started = new Date();

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
            if (timers.has(name)) plan(name, definition, new Date(Math.max(Date.now(), next.getTime())));
          });
        running.add(run);
      },
      Math.max(0, next.getTime() - Date.now()),
    );
    // A pending job must not keep a finished process (a test run, a script) alive.
    timer.unref();
    timers.set(name, timer);
  };

  // Just before the start, so that a rate schedule's first run is the start itself, as in AWS.
  if (options.enabled ?? true) for (const [name, definition] of definitions) plan(name, definition, new Date(started.getTime() - 1));

  return {
    jobs: [...definitions.keys()],
    runNow: (name) => {
      if (!definitions.has(name)) return Promise.reject(new Error(`No job named ${name}`));
      return invoke(name, new Date());
    },
    stop: async () => {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
};

/**
 * The local twin of EventBridge Scheduler: runs each job of
 * infra/schedules.ts on its expression, in its time zone, with the event
 * shape the scheduler sends. A failed run goes to the failure log (AWS: the
 * schedule's dead-letter queue). `runNow` serves POST /_local/jobs/{name}.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { type ScheduleDefinition, scheduleList } from '../schedules.ts';
import type { FailureLog } from './failure-log.ts';
import { lambdaContext } from './gateway.ts';
import { loadHandler } from './handlers.ts';
import { nextRun } from './schedule-expression.ts';

type JobHandler = (event: unknown, context: Context) => Promise<unknown>;

export const scheduledEvent = (name: string, time: Date) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  account: '000000000000',
  time: time.toISOString(),
  region: 'local',
  resources: [`arn:aws:scheduler:local:000000000000:schedule/default/${name}`],
  detail: {},
});

export interface LocalScheduler {
  readonly jobs: readonly string[];
  runNow(name: string): Promise<unknown>;
  stop(): void;
}

export const startScheduler = (options: { failures: FailureLog; enabled?: boolean }): LocalScheduler => {
  const definitions = new Map<string, ScheduleDefinition>(scheduleList());
  const timers = new Map<string, NodeJS.Timeout>();
  const started = new Date();

  const invoke = async (name: string, time: Date) => {
    const definition = definitions.get(name)!;
    const handler = await loadHandler<JobHandler>(definition.entry, name);
    return handler(scheduledEvent(name, time), lambdaContext(name));
  };

  const plan = (name: string, definition: ScheduleDefinition, after: Date) => {
    const next = nextRun(definition.expression, definition.timeZone, after, started);
    const timer = setTimeout(() => {
      invoke(name, next)
        .catch((error: Error) => options.failures.record({ source: 'schedule', name, reason: error.message, payload: { time: next.toISOString() } }))
        .finally(() => timers.has(name) && plan(name, definition, new Date(Math.max(Date.now(), next.getTime()))));
    }, Math.max(0, next.getTime() - Date.now()));
    timer.unref();
    timers.set(name, timer);
  };

  if (options.enabled ?? true) for (const [name, definition] of definitions) plan(name, definition, started);

  return {
    jobs: [...definitions.keys()],
    runNow: (name) => {
      if (!definitions.has(name)) return Promise.reject(new Error(`No job named ${name}`));
      return invoke(name, new Date());
    },
    stop: () => {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
};

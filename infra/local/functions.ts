/**
 * Every function the stack deploys, by name, as the declaration files list
 * them, with the trigger that invokes it in AWS. `npm run invoke` runs any of
 * them in the local cloud with a sample event (events/). Routes are listed
 * by route name and run their own handler: in AWS each runs inside its API
 * function (one per set of grants, infra/api-functions.ts), whose router
 * picks it by the event's routeKey, as the local gateway does.
 */
import type { Context } from 'aws-lambda';
import type { Grants } from '../grants.ts';
import { notificationConsumerList } from '../notifications.ts';
import { queueList } from '../queues.ts';
import { routeList } from '../routes.ts';
import { scheduleList } from '../schedules.ts';
import { streamConsumerList } from '../streams.ts';
import { topicRules } from '../topics.ts';
import { lambdaContext } from './gateway.ts';
import { loadHandler } from './handlers.ts';

export type Trigger = 'api' | 'stream' | 'schedule' | 'sqs' | 'iot' | 'sns';

export interface LocalFunction {
  readonly name: string;
  readonly trigger: Trigger;
  readonly entry: string;
  readonly grants: Grants<string>;
}

export const localFunctions = (): ReadonlyMap<string, LocalFunction> => {
  const all: LocalFunction[] = [
    ...routeList().map(([name, route]) => ({ name, trigger: 'api' as const, entry: route.entry, grants: route })),
    ...streamConsumerList().map(([name, consumer]) => ({ name, trigger: 'stream' as const, entry: consumer.entry, grants: consumer })),
    ...scheduleList().map(([name, schedule]) => ({ name, trigger: 'schedule' as const, entry: schedule.entry, grants: schedule })),
    ...queueList().map(([name, queue]) => ({ name, trigger: 'sqs' as const, entry: queue.entry, grants: queue })),
    ...Object.entries(topicRules).map(([name, rule]) => ({ name, trigger: 'iot' as const, entry: rule.entry, grants: rule })),
    ...notificationConsumerList().map(([name, consumer]) => ({ name, trigger: 'sns' as const, entry: consumer.entry, grants: consumer })),
  ];
  const byName = new Map<string, LocalFunction>();
  for (const fn of all) {
    // Names are unique across every kind: `npm run invoke <name>` and the capacity meter name one function or route.
    if (byName.has(fn.name)) throw new Error(`Two functions are named ${fn.name}`);
    byName.set(fn.name, fn);
  }
  return byName;
};

/** Runs one function with an event, as its trigger would: the handler's answer, or what it threw. */
export const invokeLocally = async (name: string, event: unknown): Promise<unknown> => {
  const fn = localFunctions().get(name);
  if (!fn) throw new UnknownFunction(name);
  const handler = await loadHandler<(event: unknown, context: Context) => Promise<unknown>>(fn.entry, name, fn.grants);
  return handler(event, lambdaContext(name));
};

export class UnknownFunction extends Error {
  constructor(name: string) {
    super(`No function ${name}; functions: ${[...localFunctions().keys()].sort().join(', ')}`);
  }
}

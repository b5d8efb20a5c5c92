/**
 * What one function may touch. Every definition (route, stream consumer,
 * topic rule, schedule, queue worker, notification consumer) states it in
 * full: the stack grants exactly this (IAM, table and queue environment
 * variables, SES/SMS settings), and the local cloud refuses anything else
 * with the AccessDeniedException IAM would give (infra/local/grants.ts).
 */
import type { QueueName } from './queues.ts';
import type { TableAccess } from './tables.ts';

export interface Grants<Queue extends string = QueueName> {
  /** Tables it reads (`read`) or also writes (`readWrite`); `{}` for none. */
  readonly tables: TableAccess;
  /** Work queues it sends to: it gets their URLs and sqs:SendMessage. */
  readonly sendsTo?: readonly Queue[];
  /** It sends member messages: it gets the SES and SMS settings and the right to send. */
  readonly sendsMessages?: boolean;
  /** It removes members' push devices: sns:DeleteEndpoint on the endpoints of the configured platform applications (senders have it already). */
  readonly managesPushDevices?: boolean;
  /** It checks signed unsubscribe links: it gets the signing key. */
  readonly verifiesUnsubscribeLinks?: boolean;
  /** It answers gates on their events topics: iot:Publish there, and the IoT data endpoint. */
  readonly publishesToGates?: boolean;
  /** It pushes level changes to the live topics (`stockclub/live/levels/*`): iot:Publish there, and the IoT data endpoint. */
  readonly publishesLiveLevels?: boolean;
}

/**
 * Every field of Grants, so a field added there cannot be left out of
 * grantsKey (the type fails to compile until it is listed here): two routes
 * that differ in a grant the key did not see would share one function and role.
 */
const grantFields: Record<keyof Grants, true> = {
  tables: true,
  sendsTo: true,
  sendsMessages: true,
  managesPushDevices: true,
  verifiesUnsubscribeLinks: true,
  publishesToGates: true,
  publishesLiveLevels: true,
};

/** The grants as one string, whatever order they were written in: equal strings mean equal roles. */
export const grantsKey = (grants: Grants<string>): string =>
  JSON.stringify(
    (Object.keys(grantFields) as (keyof Grants)[]).map((field) => {
      const value = grants[field];
      // No queues and an empty list of queues are the same grant.
      if (Array.isArray(value)) return value.length > 0 ? [...value].sort() : false;
      if (typeof value === 'object') return Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
      return Boolean(value);
    }),
  );

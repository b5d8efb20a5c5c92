/**
 * SQS work queues, declared once: the stack makes each queue (with its
 * dead-letter queue) and the worker function it feeds; the local cloud
 * serves the same queues on loopback and runs the same workers. Producers
 * say which queues they send to (`sendsTo` on a route, schedule or queue),
 * and get the queue's URL in `envVar` and the right to send.
 */
import type { Grants } from './grants.ts';

// Grants<string>: a queue naming its own queue in sendsTo would make QueueName circular.
export interface QueueDefinition extends Grants<string> {
  readonly entry: string;
  readonly description: string;
  /** Environment variable through which producers learn the queue's URL. */
  readonly envVar: string;
  readonly batchSize: number;
  /** The worker's timeout; the queue's visibility timeout is six times it, as AWS advises for Lambda sources. */
  readonly timeoutSeconds: number;
  /** Receives before a message goes to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Workers at once: keeps the sends under the SES and SMS rate quotas. */
  readonly maxConcurrency: number;
}

export const queues = {
  campaignPages: {
    entry: 'functions/queues/campaign-pages.ts',
    description: 'Sends a campaign to one page of members and queues the next page: a million members never fit one run',
    envVar: 'CAMPAIGN_PAGES_QUEUE_URL',
    batchSize: 1,
    timeoutSeconds: 300,
    maxReceiveCount: 5,
    maxConcurrency: 10,
    tables: { members: 'readWrite' },
    sendsMessages: true,
    sendsTo: ['campaignPages'],
  },
  memberBatches: {
    entry: 'functions/queues/member-batches.ts',
    description: 'Goes on with a daily member job (birthdays, points reminders and expiry, tier review) where its run stopped, page after page',
    envVar: 'MEMBER_BATCHES_QUEUE_URL',
    batchSize: 1,
    timeoutSeconds: 300,
    maxReceiveCount: 5,
    maxConcurrency: 5,
    tables: { members: 'readWrite' },
    sendsMessages: true,
    sendsTo: ['memberBatches'],
  },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = keyof typeof queues;

export const queueList = (): [QueueName, QueueDefinition][] => Object.entries(queues) as [QueueName, QueueDefinition][];

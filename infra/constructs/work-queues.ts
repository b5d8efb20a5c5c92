import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queueList, type QueueName } from '../queues.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

/** The SQS work queues of infra/queues.ts, each with its dead-letter queue; producers and workers live elsewhere. */
export class WorkQueues extends Construct {
  readonly queues: Readonly<Record<QueueName, Queue>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queues = Object.fromEntries(
      queueList().map(([name, queue]) => {
        const deadLetters = deadLetterQueue(this, `${name}DeadLetters`, `Messages of ${name} that failed ${queue.maxReceiveCount} receives`);
        return [
          name,
          new Queue(this, `${name}Queue`, {
            encryption: QueueEncryption.SQS_MANAGED,
            enforceSSL: true,
            // Six times the worker's timeout, as AWS advises for Lambda sources.
            visibilityTimeout: Duration.seconds(queue.timeoutSeconds * 6),
            retentionPeriod: Duration.days(4),
            deadLetterQueue: { queue: deadLetters, maxReceiveCount: queue.maxReceiveCount },
          }),
        ];
      }),
    ) as Record<QueueName, Queue>;
  }
}

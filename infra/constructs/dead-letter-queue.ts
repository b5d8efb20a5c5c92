import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** A queue that keeps what failed every retry for two weeks; `purpose` says whose failures, for cdk-nag's record too. */
export const deadLetterQueue = (scope: Construct, id: string, purpose: string): Queue => {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: `${purpose}: this queue is itself the dead-letter queue.` });
  return queue;
};

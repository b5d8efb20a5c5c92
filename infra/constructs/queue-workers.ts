import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { queueList } from '../queues.ts';
import { type FunctionBindings, StockClubFunction } from './function.ts';

/** The worker of each work queue: partial batch failures and a concurrency cap (the SES and SMS rate quotas). */
export class QueueWorkers extends Construct {
  constructor(scope: Construct, id: string, props: { readonly bindings: FunctionBindings }) {
    super(scope, id);
    for (const [name, queue] of queueList()) {
      const handler = new StockClubFunction(this, {
        name,
        entry: queue.entry,
        description: queue.description,
        grants: queue,
        bindings: props.bindings,
        timeout: Duration.seconds(queue.timeoutSeconds),
      });
      handler.function.addEventSource(
        new SqsEventSource(props.bindings.queues[name], { batchSize: queue.batchSize, reportBatchItemFailures: true, maxConcurrency: queue.maxConcurrency }),
      );
    }
  }
}

import { Duration } from 'aws-cdk-lib';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { notificationConsumerList } from '../notifications.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { type FunctionBindings, StockClubFunction } from './function.ts';

/** The functions that read what SES and SMS report (infra/notifications.ts), each subscribed to its topic of MemberMessaging. */
export class NotificationConsumers extends Construct {
  constructor(scope: Construct, id: string, props: { readonly bindings: FunctionBindings }) {
    super(scope, id);
    for (const [name, consumer] of notificationConsumerList()) {
      const handler = new StockClubFunction(this, {
        name,
        entry: consumer.entry,
        description: consumer.description,
        grants: consumer,
        bindings: props.bindings,
        timeout: Duration.seconds(30),
      });
      props.bindings.messaging.topics[name].addSubscription(
        new LambdaSubscription(handler.function, {
          deadLetterQueue: deadLetterQueue(this, `${name}Failures`, `${name} notifications the function refused every retry`),
        }),
      );
    }
  }
}

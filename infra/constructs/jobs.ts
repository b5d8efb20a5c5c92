import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { scheduleList } from '../schedules.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { type FunctionBindings, StockClubFunction } from './function.ts';

/** The scheduled jobs of infra/schedules.ts: an EventBridge Scheduler schedule and a function each. */
export class Jobs extends Construct {
  constructor(scope: Construct, id: string, props: { readonly bindings: FunctionBindings }) {
    super(scope, id);
    const stack = Stack.of(this);
    // Scheduler's dead-letter queue takes runs it could not deliver; the function's
    // on-failure destination (the same queue) takes runs that failed every retry.
    const failures = deadLetterQueue(this, 'Failures', 'Scheduled runs that could not be delivered or failed every retry');
    for (const [name, schedule] of scheduleList()) {
      const handler = new StockClubFunction(this, {
        name,
        entry: schedule.entry,
        description: schedule.description,
        grants: schedule,
        bindings: props.bindings,
        timeout: Duration.minutes(5),
        onFailure: failures,
      });
      const role = new Role(this, `${name}SchedulerRole`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      });
      handler.function.grantInvoke(role);
      failures.grantSendMessages(role);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(handler.function.node.defaultChild as never)}.Arn>:*]`,
        reason: 'grantInvoke covers the function and its versions; the wildcard is limited to this one function.',
      });
      new CfnSchedule(this, `${name}Schedule`, {
        description: schedule.description,
        scheduleExpression: schedule.expression,
        scheduleExpressionTimezone: schedule.timeZone,
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: handler.function.functionArn,
          roleArn: role.roleArn,
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 300 },
          deadLetterConfig: { arn: failures.queueArn },
        },
      });
    }
  }
}

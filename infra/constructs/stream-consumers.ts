import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { liveLevelsTopic } from '../../shared/domain/live.ts';
import { streamConsumerList, streamConsumerTimeoutSeconds } from '../streams.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { type FunctionBindings, StockClubFunction } from './function.ts';

/**
 * The DynamoDB stream consumers of infra/streams.ts: filtered, partial batch
 * failures, bisecting, bounded retries and record age, and one queue for
 * the records that failed every retry (each names its function).
 */
export class StreamConsumers extends Construct {
  constructor(scope: Construct, id: string, props: { readonly bindings: FunctionBindings; readonly iotDataEndpoint?: string }) {
    super(scope, id);
    const failures = deadLetterQueue(this, 'Failures', 'Stream records that failed every retry');
    for (const [name, consumer] of streamConsumerList()) {
      const handler = new StockClubFunction(this, {
        name,
        entry: consumer.entry,
        description: consumer.description,
        grants: consumer,
        bindings: props.bindings,
        timeout: Duration.seconds(streamConsumerTimeoutSeconds),
        environment: 'publishesLiveLevels' in consumer && props.iotDataEndpoint ? { AWS_ENDPOINT_URL_IOT_DATA_PLANE: `https://${props.iotDataEndpoint}` } : {},
      });
      if ('publishesLiveLevels' in consumer && consumer.publishesLiveLevels) {
        const liveTopics = Stack.of(this).formatArn({ service: 'iot', resource: 'topic', resourceName: liveLevelsTopic('*') });
        handler.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['iot:Publish'], resources: [liveTopics] }));
        Validations.of(handler.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:topic/${liveLevelsTopic('*')}]`,
          reason: "The live feed publishes every location's level changes, one topic per location; it may publish under stockclub/live/levels/ only.",
        });
      }
      handler.function.addEventSource(
        new DynamoEventSource(props.bindings.tables[consumer.table], {
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: consumer.batchSize,
          maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
          retryAttempts: consumer.retryAttempts,
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          maxRecordAge: Duration.days(1),
          filters: consumer.filters.map((pattern) => FilterCriteria.filter(pattern)),
          onFailure: new SqsDlq(failures),
        }),
      );
      Validations.of(handler.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: "dynamodb:ListStreams has no resource-level permissions; reading records is scoped to this table's stream.",
      });
    }
  }
}

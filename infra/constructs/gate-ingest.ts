import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPolicy, CfnTopicRule } from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import { gatePublishPrefix, topicRules, topicRuleSql } from '../topics.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { type FunctionBindings, StockClubFunction } from './function.ts';

export interface GateIngestProps {
  readonly bindings: FunctionBindings;
  /** The account's IoT data endpoint, where functions that answer gates publish. */
  readonly iotDataEndpoint?: string;
}

/**
 * RFID gateways into the stock: the IoT topic rules of infra/topics.ts with
 * their functions, and the policy that lets a gateway (a thing named after
 * its gate, its location a thing attribute) use only its own topics.
 */
export class GateIngest extends Construct {
  constructor(scope: Construct, id: string, props: GateIngestProps) {
    super(scope, id);
    const stack = Stack.of(this);
    for (const [name, rule] of Object.entries(topicRules)) {
      // The rule invokes the function asynchronously: its error action only sees failed
      // invocations, so the function's own on-failure destination is the same queue,
      // and a message the function rejects on every retry is kept there too.
      const errors = deadLetterQueue(this, `${name}Errors`, 'Gate messages the topic rule could not deliver or the function could not process');
      const handler = new StockClubFunction(this, {
        name,
        entry: rule.entry,
        description: rule.description,
        grants: rule,
        bindings: props.bindings,
        timeout: Duration.seconds(30),
        environment: rule.publishesToGates && props.iotDataEndpoint ? { AWS_ENDPOINT_URL_IOT_DATA_PLANE: `https://${props.iotDataEndpoint}` } : {},
        onFailure: errors,
        maxEventAge: Duration.hours(1),
      });
      if (rule.publishesToGates) {
        handler.role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['iot:Publish'],
            resources: [
              stack.formatArn({ service: 'iot', resource: 'topic', resourceName: 'stockclub/*/gates/*/events' }),
              stack.formatArn({ service: 'iot', resource: 'topic', resourceName: 'stockclub/live/gates/*' }),
            ],
          }),
        );
        Validations.of(handler.role).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:topic/stockclub/*/gates/*/events]',
          reason: 'The ingest function answers every gate on its own events topic; it may publish to gate events topics only.',
        });
        Validations.of(handler.role).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:topic/stockclub/live/gates/*]',
          reason: "The ingest function tells every location's consoles of its gates' events, one live topic per location; it may publish there only.",
        });
      }
      const errorRole = new Role(this, `${name}ErrorRole`, {
        assumedBy: new ServicePrincipal('iot.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'iot', resource: 'rule', resourceName: rule.ruleName }) },
          },
        }),
      });
      errors.grantSendMessages(errorRole);
      const topicRule = new CfnTopicRule(this, `${name}Rule`, {
        ruleName: rule.ruleName,
        topicRulePayload: {
          sql: topicRuleSql(rule),
          awsIotSqlVersion: '2016-03-23',
          ruleDisabled: false,
          description: rule.description,
          actions: [{ lambda: { functionArn: handler.function.functionArn } }],
          errorAction: { sqs: { queueUrl: errors.queueUrl, roleArn: errorRole.roleArn, useBase64: false } },
        },
      });
      handler.function.addPermission(`${name}FromIot`, {
        principal: new ServicePrincipal('iot.amazonaws.com'),
        sourceArn: topicRule.attrArn,
        sourceAccount: stack.account,
      });
    }

    const thingTopic = (suffix: string) =>
      stack.formatArn({
        service: 'iot',
        resource: 'topic',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: IoT policy variables, filled in by IoT Core
        resourceName: `${gatePublishPrefix('${iot:Connection.Thing.Attributes[locationId]}', '${iot:Connection.Thing.ThingName}')}${suffix}`,
      });
    new CfnPolicy(this, 'GatewayPolicy', {
      policyName: 'stockclub-gateway',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'iot:Connect',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable, filled in by IoT Core
            Resource: stack.formatArn({ service: 'iot', resource: 'client', resourceName: '${iot:Connection.Thing.ThingName}' }),
          },
          { Effect: 'Allow', Action: 'iot:Publish', Resource: thingTopic('reads') },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: thingTopic('events').replace(':topic/', ':topicfilter/') },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: thingTopic('events') },
        ],
      },
    });
  }
}

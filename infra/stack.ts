/**
 * The AWS stack, built entirely from the single-source definitions in
 * infra/: tables, routes, stream consumers, topic rules and schedules. The
 * local runtime (infra/local/) reads the same definitions.
 */
import { resolve } from 'node:path';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnStage, HttpApi, HttpMethod, HttpNoneAuthorizer, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPolicy, CfnTopicRule } from 'aws-cdk-lib/aws-iot';
import { Architecture, FilterCriteria, Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, EmailSendingEvent, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnConfigurationSet as CfnSmsConfigurationSet, CfnOptOutList, CfnPool } from 'aws-cdk-lib/aws-smsvoice';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type RouteDefinition, routeList, routeTimeoutSeconds } from './routes.ts';
import { notificationConsumerList, type NotificationConsumerName } from './notifications.ts';
import { queueList, type QueueName, queues as queueDefinitions } from './queues.ts';
import { scheduleList } from './schedules.ts';
import { streamConsumerList, streamConsumerTimeoutSeconds } from './streams.ts';
import { type TableAccess, type TableDefinition, type TableKey, tables } from './tables.ts';
import { gatePublishPrefix, topicRules, topicRuleSql } from './topics.ts';

const repoRoot = resolve(import.meta.dirname, '..');

/** API Gateway's default-route throttle: a sane ceiling per account and stage, well above a chain's tills. */
export const apiThrottle = { rateLimit: 500, burstLimit: 1000 } as const;

/** HTTP API access log: one JSON line per request, HTTP API context variables only. */
export const accessLogFields = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  sub: '$context.authorizer.claims.sub',
} as const;

interface FunctionOptions {
  readonly timeout?: Duration;
  /** Extra environment variables, for this function only. */
  readonly environment?: Record<string, string>;
  /** Asynchronous invocations that fail every retry (or grow older than maxEventAge) go here. */
  readonly onFailure?: Queue;
  /** Work queues the function sends to: it gets their URLs and the right to send. */
  readonly sendsTo?: readonly QueueName[];
  readonly maxEventAge?: Duration;
}

/**
 * Which tables a function touches and how: it gets IAM grants and the
 * table-name environment variable for these tables and no others.
 */
export type Access = TableAccess;

/**
 * A definition in routes.ts, streams.ts, topics.ts or schedules.ts may
 * declare `tables: { members: 'readWrite', ... }`; it then replaces the
 * default below. Until the definitions carry it, the defaults hold what
 * today's handlers use (everything lives in the inventory table).
 */
const declaredAccess = (definition: object): Access | undefined =>
  'tables' in definition ? (definition.tables as Access) : undefined;

const routeAccess = (route: RouteDefinition): Access => {
  const declared = declaredAccess(route);
  if (declared) return declared;
  if (route.auth === 'public') return {};
  return { inventory: route.method === 'GET' ? 'read' : 'readWrite' };
};

export interface StockClubStackProps extends StackProps {
  /** Issuer and audience of the chain's identity provider (cdk.json context by default). */
  readonly jwtIssuer?: string;
  readonly jwtAudience?: string;
  /** The account's IoT data endpoint (`aws iot describe-endpoint --endpoint-type iot:Data-ATS`). */
  readonly iotDataEndpoint?: string;
}

export class StockClubStack extends Stack {
  readonly tables: Record<TableKey, Table>;

  constructor(scope: Construct, id: string, props: StockClubStackProps = {}) {
    super(scope, id, props);
    Tags.of(this).add('app', 'stockclub');
    const jwtIssuer = props.jwtIssuer ?? String(this.node.tryGetContext('jwtIssuer') ?? '');
    const jwtAudience = props.jwtAudience ?? String(this.node.tryGetContext('jwtAudience') ?? '');
    const iotDataEndpoint = props.iotDataEndpoint ?? (this.node.tryGetContext('iotDataEndpoint') as string | undefined);

    this.tables = Object.fromEntries(
      (Object.entries(tables) as [TableKey, TableDefinition][]).map(([key, definition]) => [key, this.table(definition)]),
    ) as Record<TableKey, Table>;

    if (!jwtIssuer || !jwtAudience) throw new Error('StockClubStack needs jwtIssuer and jwtAudience (cdk.json context or -c key=value)');
    // RFC 2606 reserves .example: cdk.json ships such a placeholder.
    if (new URL(jwtIssuer).hostname.endsWith('.example')) {
      Annotations.of(this).addWarningV2('stockclub:jwtIssuer', `jwtIssuer ${jwtIssuer} is a placeholder: the API will refuse every token. Deploy with -c jwtIssuer=<your identity provider's issuer URL>.`);
    }

    const baseEnvironment = {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'stockclub',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    if (!iotDataEndpoint) {
      Annotations.of(this).addWarningV2(
        'stockclub:iotDataEndpoint',
        'No iotDataEndpoint context: gate acknowledgements and alarms cannot be published. Deploy with -c iotDataEndpoint=$(aws iot describe-endpoint --endpoint-type iot:Data-ATS --query endpointAddress --output text).',
      );
    }
    /*
     * One log group for every function: CloudFormation allows 500 resources a
     * stack, and a group per function was a fifth of them. Lambda names the
     * streams of a shared group after the function, and Powertools puts the
     * function name in every line, so logs still separate by function.
     */
    const functionLogs = new LogGroup(this, 'FunctionLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    // One dead-letter queue per kind of asynchronous source, for the same reason; each message names its function.
    const streamFailures = this.deadLetterQueue('StreamFailures', 'Stream records that failed every retry');
    const scheduleFailures = this.deadLetterQueue('ScheduleFailures', 'Scheduled runs that could not be delivered or failed every retry');

    // Work queues first: producers defined below get their URLs.
    const workQueues = Object.fromEntries(queueList().map(([name, queue]) => {
      const deadLetters = this.deadLetterQueue(`${name}DeadLetters`, `Messages of ${name} that failed ${queue.maxReceiveCount} receives`);
      return [name, new Queue(this, `${name}Queue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(queue.timeoutSeconds * 6),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetters, maxReceiveCount: queue.maxReceiveCount },
      })];
    })) as Record<QueueName, Queue>;

    /**
     * One function: its own role, the shared log group, the table names (and only
     * those) it is granted, and, for asynchronous callers (IoT rules,
     * Scheduler), an on-failure queue so an invocation that fails every
     * retry is kept, not dropped.
     */
    const fn = (name: string, entry: string, description: string, access: Access, options: FunctionOptions = {}) => {
      const environment: Record<string, string> = {
        ...baseEnvironment,
        ...Object.fromEntries((Object.keys(access) as TableKey[]).map((key) => [tables[key].envVar, this.tables[key].tableName])),
        ...Object.fromEntries((options.sendsTo ?? []).map((queue) => [queueDefinitions[queue].envVar, workQueues[queue].queueUrl])),
        ...options.environment,
      };
      // An own role per function instead of the managed basic-execution policy: logs go to the functions' group only.
      const role = new Role(this, `${name}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      functionLogs.grantWrite(role);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(functionLogs.node.defaultChild as never)}.Arn>:*]`,
        reason: 'Log streams are created at run time; the wildcard covers streams of this function\'s own log group only.',
      });
      const func = new NodejsFunction(this, name, {
        entry: resolve(repoRoot, entry),
        handler: name,
        description,
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: 1024,
        timeout: options.timeout ?? Duration.seconds(routeTimeoutSeconds),
        role,
        logGroup: functionLogs,
        environment,
        ...(options.onFailure
          ? { onFailure: new SqsDestination(options.onFailure), retryAttempts: 2, maxEventAge: options.maxEventAge ?? Duration.hours(6) }
          : {}),
        projectRoot: repoRoot,
        depsLockFilePath: resolve(repoRoot, 'package-lock.json'),
        bundling: {
          format: OutputFormat.ESM,
          minify: true,
          sourceMap: true,
          target: 'node22',
          mainFields: ['module', 'main'],
          // The SDK version the tests ran against, not whichever the runtime ships.
          bundleAwsSDK: true,
          // Some dependencies still call require(); ESM bundles need it defined.
          banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
        },
      });
      Validations.of(func).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime the code and its bundles target (the development machines run Node 20); move to 24 after testing there.',
      });
      for (const queue of options.sendsTo ?? []) workQueues[queue].grantSendMessages(role);
      for (const [key, mode] of Object.entries(access) as [TableKey, 'read' | 'readWrite'][]) {
        const table = this.tables[key];
        if (mode === 'read') table.grantReadData(role);
        else table.grantReadWriteData(role);
        if (tables[key].indexes.length > 0) {
          Validations.of(role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(table.node.defaultChild as never)}.Arn>/index/*]`,
            reason: 'Queries go through this table\'s own GSIs; the wildcard covers that table\'s indexes only.',
          });
        }
      }
      return func;
    };

    // Signs the unsubscribe links in marketing email; the public unsubscribe route checks them.
    const unsubscribeKey = new Secret(this, 'UnsubscribeKey', {
      description: 'HMAC key of the one-click unsubscribe links in member email',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(unsubscribeKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the key would break the unsubscribe links in every email already sent; it is rotated by hand with a grace period if it ever leaks.',
    });
    const unsubscribeSecret = { UNSUBSCRIBE_SECRET: unsubscribeKey.secretValue.unsafeUnwrap() };

    // ---- HTTP API
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    const api = new HttpApi(this, 'Api', { apiName: 'stockclub', createDefaultStage: false });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: apiThrottle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(JSON.stringify(accessLogFields)) },
    });
    const jwt = new HttpJwtAuthorizer('Jwt', jwtIssuer, { jwtAudience: [jwtAudience] });
    // ---- Member messages: SES for email, End User Messaging SMS for texts
    const emailFrom = String(this.node.tryGetContext('emailFrom') ?? 'StockClub <club@stockclub.example>');
    const emailDomain = /@([^>\s]+)>?$/.exec(emailFrom)?.[1] ?? 'stockclub.example';
    if (emailDomain.endsWith('.example')) {
      Annotations.of(this).addWarningV2('stockclub:emailFrom', `emailFrom ${emailFrom} is a placeholder: deploy with -c emailFrom="Name <club@your-verified-domain>".`);
    }
    // Bounces and complaints suppress the address account-wide; the configuration set carries tags to event destinations.
    const mail = new ConfigurationSet(this, 'MemberMail', { reputationMetrics: true, suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS });
    const smsOptOuts = new CfnOptOutList(this, 'SmsOptOuts', {});
    const smsConfig = new CfnSmsConfigurationSet(this, 'MemberSms', {});
    const smsNumbers = String(this.node.tryGetContext('smsOriginationNumbers') ?? '').split(',').filter(Boolean);
    const smsPool = smsNumbers.length
      ? new CfnPool(this, 'SmsPool', {
          originationIdentities: smsNumbers,
          // AWS answers STOP and HELP and keeps opted-out numbers in the list; sends to them are refused.
          optOutListName: smsOptOuts.ref,
          selfManagedOptOutsEnabled: false,
          mandatoryKeywords: { help: { message: 'StockClub member messages. Reply STOP to opt out.' }, stop: { message: 'You will get no more StockClub texts.' } },
        })
      : undefined;
    if (!smsPool) {
      Annotations.of(this).addWarningV2('stockclub:smsOriginationNumbers', 'No smsOriginationNumbers context: member texts cannot be sent. Register numbers, then deploy with -c smsOriginationNumbers=<phone number ARN>[,...].');
    }
    const messagingEnvironment = {
      EMAIL_FROM: emailFrom,
      SES_CONFIGURATION_SET: mail.configurationSetName,
      SMS_ORIGINATION_IDENTITY: smsPool?.attrArn ?? '',
      SMS_CONFIGURATION_SET: smsConfig.ref,
      UNSUBSCRIBE_URL: `${api.apiEndpoint}/unsubscribe`,
      // The spend guard: marketing messages per day across the chain (context marketingDailyCap).
      MARKETING_DAILY_CAP: String(this.node.tryGetContext('marketingDailyCap') ?? 50_000),
      ...unsubscribeSecret,
    };
    const allowMessages = (role: Role) => {
      role.addToPolicy(new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          this.formatArn({ service: 'ses', resource: 'identity', resourceName: emailDomain }),
          this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: mail.configurationSetName }),
        ],
      }));
      if (smsPool) {
        role.addToPolicy(new PolicyStatement({ actions: ['sms-voice:SendTextMessage'], resources: [smsPool.attrArn, smsConfig.attrArn] }));
      }
    };

    for (const [name, route] of routeList()) {
      const verifiesLinks = 'verifiesUnsubscribeLinks' in route && route.verifiesUnsubscribeLinks;
      const sends = 'sendsMessages' in route && route.sendsMessages;
      const handler = fn(name, route.entry, route.summary, routeAccess(route), {
        ...(sends ? { environment: messagingEnvironment } : verifiesLinks ? { environment: unsubscribeSecret } : {}),
        ...('sendsTo' in route ? { sendsTo: route.sendsTo } : {}),
      });
      if (sends) allowMessages(handler.role as Role);
      const [created] = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${name}Integration`, handler),
        authorizer: route.auth === 'public' ? new HttpNoneAuthorizer() : jwt,
      });
      if (route.auth === 'public' && created) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by design (liveness and the API description); it reads no data.`,
        });
      }
    }

    // ---- DynamoDB stream consumers
    for (const [name, consumer] of streamConsumerList()) {
      const sends = 'sendsMessages' in consumer && consumer.sendsMessages;
      const handler = fn(name, consumer.entry, consumer.description, declaredAccess(consumer) ?? { [consumer.table]: 'readWrite' }, {
        timeout: Duration.seconds(streamConsumerTimeoutSeconds),
        ...(sends ? { environment: messagingEnvironment } : {}),
      });
      if (sends) allowMessages(handler.role as Role);
      handler.addEventSource(
        new DynamoEventSource(this.tables[consumer.table], {
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: consumer.batchSize,
          maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
          retryAttempts: consumer.retryAttempts,
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          maxRecordAge: Duration.days(1),
          filters: consumer.filters.map((pattern) => FilterCriteria.filter(pattern)),
          onFailure: new SqsDlq(streamFailures),
        }),
      );
      Validations.of(handler.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'dynamodb:ListStreams has no resource-level permissions; reading records is scoped to this table\'s stream.',
      });
    }

    // ---- IoT: gateways publish reads, a topic rule hands them to the ingest function
    for (const [name, rule] of Object.entries(topicRules)) {
      // The rule invokes the function asynchronously: its error action only sees failed
      // invocations, so the function's own on-failure destination is the same queue,
      // and a message the function rejects on every retry is kept there too.
      const errors = this.deadLetterQueue(`${name}Errors`, 'Gate messages the topic rule could not deliver or the function could not process');
      const handler = fn(name, rule.entry, rule.description, declaredAccess(rule) ?? { inventory: 'readWrite', rfid: 'readWrite' }, {
        timeout: Duration.seconds(30),
        environment: iotDataEndpoint ? { AWS_ENDPOINT_URL_IOT_DATA_PLANE: `https://${iotDataEndpoint}` } : {},
        onFailure: errors,
        maxEventAge: Duration.hours(1),
      });
      handler.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['iot:Publish'],
          resources: [this.formatArn({ service: 'iot', resource: 'topic', resourceName: 'stockclub/*/gates/*/events' })],
        }),
      );
      Validations.of(handler.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:topic/stockclub/*/gates/*/events]`,
        reason: 'The ingest function answers every gate on its own events topic; it may publish to gate events topics only.',
      });
      const errorRole = new Role(this, `${name}ErrorRole`, {
        assumedBy: new ServicePrincipal('iot.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': this.account },
            ArnLike: { 'aws:SourceArn': this.formatArn({ service: 'iot', resource: 'rule', resourceName: rule.ruleName }) },
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
          actions: [{ lambda: { functionArn: handler.functionArn } }],
          errorAction: { sqs: { queueUrl: errors.queueUrl, roleArn: errorRole.roleArn, useBase64: false } },
        },
      });
      handler.addPermission(`${name}FromIot`, { principal: new ServicePrincipal('iot.amazonaws.com'), sourceArn: topicRule.attrArn, sourceAccount: this.account });
    }

    // A gateway is a thing named after its gate, with its location as a thing attribute.
    const thingTopic = (suffix: string) =>
      this.formatArn({
        service: 'iot', resource: 'topic',
        resourceName: `${gatePublishPrefix('${iot:Connection.Thing.Attributes[locationId]}', '${iot:Connection.Thing.ThingName}')}${suffix}`,
      });
    new CfnPolicy(this, 'GatewayPolicy', {
      policyName: 'stockclub-gateway',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'iot:Connect', Resource: this.formatArn({ service: 'iot', resource: 'client', resourceName: '${iot:Connection.Thing.ThingName}' }) },
          { Effect: 'Allow', Action: 'iot:Publish', Resource: thingTopic('reads') },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: thingTopic('events').replace(':topic/', ':topicfilter/') },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: thingTopic('events') },
        ],
      },
    });

    // ---- What SES and SMS report back: bounces, complaints, STOP replies
    const notificationKey = new Key(this, 'NotificationKey', { enableKeyRotation: true, description: 'Encrypts the SES report and inbound SMS topics' });
    const topics = {} as Record<NotificationConsumerName, Topic>;
    for (const [name, consumer] of notificationConsumerList()) {
      const topic = new Topic(this, `${name}Topic`, { masterKey: notificationKey, enforceSSL: true, displayName: consumer.description.slice(0, 100) });
      const handler = fn(name, consumer.entry, consumer.description, consumer.tables, { timeout: Duration.seconds(30) });
      topic.addSubscription(new LambdaSubscription(handler, { deadLetterQueue: this.deadLetterQueue(`${name}Failures`, `${name} notifications the function refused every retry`) }));
      topics[name] = topic;
    }
    notificationKey.grantEncryptDecrypt(new ServicePrincipal('ses.amazonaws.com'));
    notificationKey.grantEncryptDecrypt(new ServicePrincipal('sms-voice.amazonaws.com'));
    mail.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(topics.mailEvents),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    new CfnOutput(this, 'InboundSmsTopicArn', { value: topics.inboundSms.topicArn, description: 'Point the two-way channel of the member phone numbers here' });

    // ---- Queue workers
    for (const [name, queue] of queueList()) {
      const handler = fn(name, queue.entry, queue.description, declaredAccess(queue) ?? {}, {
        timeout: Duration.seconds(queue.timeoutSeconds),
        ...(queue.sendsMessages ? { environment: messagingEnvironment } : {}),
        ...(queue.sendsTo ? { sendsTo: queue.sendsTo as readonly QueueName[] } : {}),
      });
      if (queue.sendsMessages) allowMessages(handler.role as Role);
      handler.addEventSource(new SqsEventSource(workQueues[name], { batchSize: queue.batchSize, reportBatchItemFailures: true, maxConcurrency: queue.maxConcurrency }));
    }

    // ---- Scheduled jobs
    for (const [name, schedule] of scheduleList()) {
      // Scheduler's dead-letter queue takes runs it could not deliver; the function's
      // on-failure destination (the same queue) takes runs that failed every retry.
      const sends = 'sendsMessages' in schedule && schedule.sendsMessages;
      const handler = fn(name, schedule.entry, schedule.description, declaredAccess(schedule) ?? { inventory: 'readWrite' }, {
        timeout: Duration.minutes(5),
        onFailure: scheduleFailures,
        ...(sends ? { environment: messagingEnvironment } : {}),
        ...('sendsTo' in schedule ? { sendsTo: schedule.sendsTo } : {}),
      });
      if (sends) allowMessages(handler.role as Role);
      const role = new Role(this, `${name}SchedulerRole`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      });
      handler.grantInvoke(role);
      scheduleFailures.grantSendMessages(role);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(handler.node.defaultChild as never)}.Arn>:*]`,
        reason: 'grantInvoke covers the function and its versions; the wildcard is limited to this one function.',
      });
      new CfnSchedule(this, `${name}Schedule`, {
        description: schedule.description,
        scheduleExpression: schedule.expression,
        scheduleExpressionTimezone: schedule.timeZone,
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: handler.functionArn,
          roleArn: role.roleArn,
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 300 },
          deadLetterConfig: { arn: scheduleFailures.queueArn },
        },
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'StageName', { value: (stage.node.defaultChild as CfnStage).stageName });
  }

  private table(definition: TableDefinition): Table {
    const table = new Table(this, definition.id, {
      partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
      ...(definition.sortKey ? { sortKey: { name: definition.sortKey, type: AttributeType.STRING } } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(definition.stream ? { stream: StreamViewType[definition.stream] } : {}),
      ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
    });
    for (const index of definition.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }

  private deadLetterQueue(id: string, purpose: string): Queue {
    const queue = new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: `${purpose}: this queue is itself the dead-letter queue.` });
    return queue;
  }
}

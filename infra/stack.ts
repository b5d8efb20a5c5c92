/**
 * The AWS side, built entirely from the declaration files in infra/ (tables,
 * routes, stream consumers, topic rules, schedules, queues, notifications),
 * which the local cloud (infra/local/) reads too. What holds data lives
 * apart from what does not:
 *
 * - Data (stateful): the tables, the unsubscribe signing key, the KMS key of
 *   the report topics. Retained, deletion-protected; deploys rarely.
 * - Messaging: SES, SMS and push (SNS) channels, their report topics, the work queues.
 * - Api: the HTTP API and one function per set of route grants (infra/api-functions.ts).
 * - Workers: stream consumers, gate ingest, jobs, queue workers, report consumers.
 *
 * Later stacks receive earlier ones' resources as props (cross-stack
 * references), so every stack stays well under CloudFormation's 500 resources.
 */
import { Annotations, type App, CfnOutput, Fn, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type { CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { AttributeType, BillingMode, type ITable, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { FunctionBindings } from './constructs/function.ts';
import { ConsoleHosting } from './constructs/console-hosting.ts';
import { GateIngest } from './constructs/gate-ingest.ts';
import { HttpApiRoutes } from './constructs/http-api.ts';
import { Jobs } from './constructs/jobs.ts';
import { LiveStockAuthorizer } from './constructs/live-stock.ts';
import { MemberMessaging } from './constructs/member-messaging.ts';
import { NotificationConsumers } from './constructs/notification-consumers.ts';
import { QueueWorkers } from './constructs/queue-workers.ts';
import { StreamConsumers } from './constructs/stream-consumers.ts';
import { WorkQueues } from './constructs/work-queues.ts';
import { type TableDefinition, type TableKey, tables } from './tables.ts';
import { corsOrigins } from './cors.ts';

/** Tables, keys and secrets: what must outlive any deploy of the rest. */
export class DataStack extends Stack {
  readonly tables: Readonly<Record<TableKey, Table>>;
  /** Signs the unsubscribe links in marketing email; the public unsubscribe route checks them. */
  readonly unsubscribeKey: Secret;
  /** Encrypts the topics SES and SMS report to. */
  readonly notificationKey: Key;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.tables = Object.fromEntries(
      (Object.entries(tables) as [TableKey, TableDefinition][]).map(([key, definition]) => [key, this.table(definition)]),
    ) as Record<TableKey, Table>;
    this.unsubscribeKey = new Secret(this, 'UnsubscribeKey', {
      description: 'HMAC key of the one-click unsubscribe links in member email',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(this.unsubscribeKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the key would break the unsubscribe links in every email already sent; it is rotated by hand with a grace period if it ever leaks.',
    });
    this.notificationKey = new Key(this, 'NotificationKey', { enableKeyRotation: true, description: 'Encrypts the SES report and inbound SMS topics' });
    this.notificationKey.grantEncryptDecrypt(new ServicePrincipal('ses.amazonaws.com'));
    this.notificationKey.grantEncryptDecrypt(new ServicePrincipal('sms-voice.amazonaws.com'));
    for (const [key, table] of Object.entries(this.tables) as [TableKey, Table][]) {
      this.exportValue(table.tableArn, { name: this.exportName(key, 'Arn') });
      if (table.tableStreamArn) this.exportValue(table.tableStreamArn, { name: this.exportName(key, 'StreamArn') });
    }
  }

  /**
   * The tables as another stack sees them: through exports named here, so a
   * grant's resource reads `<stack>-<Table>Arn` and its cdk-nag
   * acknowledgement can name it (CDK's generated export names cannot be known
   * before synthesis).
   */
  tablesFor(consumer: Stack): Record<TableKey, ITable> {
    return Object.fromEntries(
      (Object.entries(tables) as [TableKey, TableDefinition][]).map(([key, definition]) => [
        key,
        Table.fromTableAttributes(consumer, `${definition.id}Table`, {
          tableArn: Fn.importValue(this.exportName(key, 'Arn')),
          ...(definition.stream ? { tableStreamArn: Fn.importValue(this.exportName(key, 'StreamArn')) } : {}),
          grantIndexPermissions: definition.indexes.length > 0,
        }),
      ]),
    ) as Record<TableKey, ITable>;
  }

  private exportName(key: TableKey, attribute: 'Arn' | 'StreamArn'): string {
    return `${this.stackName}-${tables[key].id}Table${attribute}`;
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
}

/** The member message channels and the work queues, which functions of the later stacks use. */
export class MessagingStack extends Stack {
  readonly messaging: MemberMessaging;
  readonly workQueues: WorkQueues;

  constructor(scope: Construct, id: string, props: StackProps & { readonly data: DataStack }) {
    super(scope, id, props);
    this.messaging = new MemberMessaging(this, 'MemberMessaging', { notificationKey: props.data.notificationKey });
    this.workQueues = new WorkQueues(this, 'WorkQueues');
  }
}

/**
 * One log group for all functions of a stack: Lambda names the streams of a
 * shared group after the function, and Powertools puts the function name in
 * every line, so logs still separate by function.
 */
const functionLogs = (stack: Stack) => new LogGroup(stack, 'FunctionLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });

const bindingsOf = (stack: Stack, data: DataStack, messaging: MessagingStack): Omit<FunctionBindings, 'unsubscribeUrl'> => ({
  tables: data.tablesFor(stack),
  queues: messaging.workQueues.queues,
  logs: functionLogs(stack),
  messaging: messaging.messaging,
  unsubscribeKey: data.unsubscribeKey,
});

export interface ApiStackProps extends StackProps {
  readonly data: DataStack;
  readonly messaging: MessagingStack;
  /** Issuer and audience of the chain's identity provider (cdk.json context by default). */
  readonly jwtIssuer?: string;
  readonly jwtAudience?: string;
  /** Origins browsers may call from, comma-separated (cdk.json context `corsOrigins`; `*` when unset). */
  readonly corsOrigins?: string;
}

export class ApiStack extends Stack {
  readonly httpApi: HttpApiRoutes;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const jwtIssuer = props.jwtIssuer ?? String(this.node.tryGetContext('jwtIssuer') ?? '');
    const jwtAudience = props.jwtAudience ?? String(this.node.tryGetContext('jwtAudience') ?? '');
    if (!jwtIssuer || !jwtAudience) throw new Error('StockClub needs jwtIssuer and jwtAudience (cdk.json context or -c key=value)');
    // RFC 2606 reserves .example: cdk.json ships such a placeholder.
    if (new URL(jwtIssuer).hostname.endsWith('.example')) {
      Annotations.of(this).addWarningV2(
        'stockclub:jwtIssuer',
        `jwtIssuer ${jwtIssuer} is a placeholder: the API will refuse every token. Deploy with -c jwtIssuer=<your identity provider's issuer URL>.`,
      );
    }
    const origins = corsOrigins(props.corsOrigins ?? (this.node.tryGetContext('corsOrigins') as string | undefined));
    const bindings = bindingsOf(this, props.data, props.messaging);
    this.httpApi = new HttpApiRoutes(this, 'HttpApi', {
      jwtIssuer,
      jwtAudience,
      corsOrigins: origins,
      bindings,
    });
    // Browsers watch live stock with the same tokens (docs/live-stock.md).
    const live = new LiveStockAuthorizer(this, 'LiveStock', { jwtIssuer, jwtAudience, bindings });
    new CfnOutput(this, 'LiveAuthorizerName', { value: live.authorizer.authorizerName ?? '' });
    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.api.apiEndpoint });
    new CfnOutput(this, 'StageName', { value: (this.httpApi.stage.node.defaultChild as CfnStage).stageName });
  }
}

export interface WorkersStackProps extends StackProps {
  readonly data: DataStack;
  readonly messaging: MessagingStack;
  readonly api: ApiStack;
  /** The account's IoT data endpoint (`aws iot describe-endpoint --endpoint-type iot:Data-ATS`). */
  readonly iotDataEndpoint?: string;
}

/** Everything that runs without a caller waiting: streams, gates, schedules, queues, reports. */
export class WorkersStack extends Stack {
  constructor(scope: Construct, id: string, props: WorkersStackProps) {
    super(scope, id, props);
    const iotDataEndpoint = props.iotDataEndpoint ?? (this.node.tryGetContext('iotDataEndpoint') as string | undefined);
    if (!iotDataEndpoint) {
      Annotations.of(this).addWarningV2(
        'stockclub:iotDataEndpoint',
        'No iotDataEndpoint context: gate acknowledgements and alarms cannot be published. Deploy with -c iotDataEndpoint=$(aws iot describe-endpoint --endpoint-type iot:Data-ATS --query endpointAddress --output text).',
      );
    }
    const bindings = { ...bindingsOf(this, props.data, props.messaging), unsubscribeUrl: props.api.httpApi.unsubscribeUrl };
    new StreamConsumers(this, 'StreamConsumers', { bindings, iotDataEndpoint });
    new GateIngest(this, 'GateIngest', { bindings, iotDataEndpoint });
    new Jobs(this, 'Jobs', { bindings });
    new QueueWorkers(this, 'QueueWorkers', { bindings });
    new NotificationConsumers(this, 'NotificationConsumers', { bindings });
  }
}

export interface ConsoleStackProps extends StackProps {
  readonly api: ApiStack;
  /** The account's IoT data endpoint: the console's live feed connects there (cdk.json context `iotDataEndpoint`). */
  readonly iotDataEndpoint?: string;
}

/** The HQ console: static files in S3 behind CloudFront (docs/console.md). Its own stack: it deploys with every console change. */
export class ConsoleStack extends Stack {
  readonly hosting: ConsoleHosting;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const iotDataEndpoint = props.iotDataEndpoint ?? (this.node.tryGetContext('iotDataEndpoint') as string | undefined);
    this.hosting = new ConsoleHosting(this, 'Console', { apiUrl: props.api.httpApi.api.apiEndpoint, iotDataEndpoint });
  }
}

export interface StockClubProps {
  readonly jwtIssuer?: string;
  readonly jwtAudience?: string;
  readonly iotDataEndpoint?: string;
}

export interface StockClubStacks {
  readonly data: DataStack;
  readonly messaging: MessagingStack;
  readonly api: ApiStack;
  readonly workers: WorkersStack;
}

/** The four stacks of StockClub, named `${prefix}Data`, `${prefix}Messaging`, `${prefix}Api`, `${prefix}Workers`. */
export const createStockClub = (app: App, prefix: string, props: StockClubProps = {}): StockClubStacks => {
  const description = (part: string) => `StockClub (${part}): inventory and membership API for retail chains`;
  const data = new DataStack(app, `${prefix}Data`, { description: description('tables, keys, secrets') });
  const messaging = new MessagingStack(app, `${prefix}Messaging`, { description: description('member message channels, work queues'), data });
  const api = new ApiStack(app, `${prefix}Api`, {
    description: description('HTTP API'),
    data,
    messaging,
    jwtIssuer: props.jwtIssuer,
    jwtAudience: props.jwtAudience,
  });
  const workers = new WorkersStack(app, `${prefix}Workers`, {
    description: description('streams, gates, jobs, queues'),
    data,
    messaging,
    api,
    iotDataEndpoint: props.iotDataEndpoint,
  });
  const stacks = { data, messaging, api, workers };
  for (const stack of Object.values(stacks)) Tags.of(stack).add('app', 'stockclub');
  // The console calls the API like any frontend; apart from the four above (its deployment brings the CDK's own functions).
  const hosted = new ConsoleStack(app, `${prefix}Console`, { description: description('HQ console'), api, iotDataEndpoint: props.iotDataEndpoint });
  Tags.of(hosted).add('app', 'stockclub');
  return stacks;
};

import { resolve } from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundling } from '../bundling.ts';
import type { Grants } from '../grants.ts';
import { type QueueName, queues } from '../queues.ts';
import { routeTimeoutSeconds } from '../routes/definition.ts';
import { type TableKey, tables } from '../tables.ts';
import type { MemberMessaging } from './member-messaging.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

/** What a stack hands its functions: each function takes from it exactly what its grants name. */
export interface FunctionBindings {
  readonly tables: Readonly<Record<TableKey, ITable>>;
  readonly queues: Readonly<Record<QueueName, IQueue>>;
  /** The stack's one log group for all its functions (a group per function was a fifth of the resources). */
  readonly logs: LogGroup;
  readonly messaging: MemberMessaging;
  /** Signs the unsubscribe links in marketing email. */
  readonly unsubscribeKey: ISecret;
  /** Where the links in marketing email point. */
  readonly unsubscribeUrl: string;
}

export interface StockClubFunctionProps {
  /** The function's name, and its handler's export unless `handler` names another. */
  readonly name: string;
  readonly entry: string;
  /** The export Lambda calls, where it is not named like the function (the API's routers all export `handler`). */
  readonly handler?: string;
  readonly description: string;
  readonly grants: Grants<string>;
  readonly bindings: FunctionBindings;
  readonly timeout?: Duration;
  /** Extra environment variables, for this function only. */
  readonly environment?: Record<string, string>;
  /** Asynchronous invocations that fail every retry (or grow older than maxEventAge) go here. */
  readonly onFailure?: IQueue;
  readonly maxEventAge?: Duration;
}

const baseEnvironment = {
  NODE_OPTIONS: '--enable-source-maps',
  POWERTOOLS_SERVICE_NAME: 'stockclub',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};

/**
 * A function's role, made in `scope` as `id`: logs to the stack's group, and
 * IAM exactly as the grants say (tables, queues, message sending, push
 * endpoint removal).
 */
const functionRole = (scope: Construct, id: string, grants: Grants<string>, bindings: Omit<FunctionBindings, 'unsubscribeUrl'>): Role => {
  // An own role instead of the managed basic-execution policy: logs go to the stack's functions' group only.
  const role = new Role(scope, id, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  bindings.logs.grantWrite(role);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${Stack.of(bindings.logs).getLogicalId(bindings.logs.node.defaultChild as never)}.Arn>:*]`,
    reason: "Log streams are created at run time; the wildcard covers streams of this function's own log group only.",
  });
  for (const queue of (grants.sendsTo ?? []) as readonly QueueName[]) bindings.queues[queue].grantSendMessages(role);
  for (const key of Object.keys(grants.tables) as TableKey[]) {
    const table = bindings.tables[key];
    if (grants.tables[key] === 'read') table.grantReadData(role);
    else table.grantReadWriteData(role);
    if (tables[key].indexes.length > 0) {
      Validations.of(role).acknowledge({
        // The table lives in the data stack: cdk-nag names its ARN by the export (`Fn::ImportValue`) it comes through.
        id: `AwsSolutions-IAM5[Resource::${(Stack.of(scope).resolve(table.tableArn) as { 'Fn::ImportValue': string })['Fn::ImportValue']}/index/*]`,
        reason: "Queries go through this table's own GSIs; the wildcard covers that table's indexes only.",
      });
    }
  }
  if (grants.sendsMessages) bindings.messaging.grantSend(role);
  else if (grants.managesPushDevices) bindings.messaging.grantRemovePushEndpoints(role);
  return role;
};

/**
 * One function, bound to what its definition declares and nothing else: IAM
 * grants (its own role, or a shared one made for the same grants) and the
 * table-name and queue-URL variables of its tables and queues, the SES/SMS
 * settings if it sends member messages, the unsubscribe key if it checks
 * links; logs to the stack's group; for asynchronous callers (IoT rules,
 * Scheduler) an on-failure queue so an invocation that fails every retry is
 * kept, not dropped.
 */
export class StockClubFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, props: StockClubFunctionProps) {
    super(scope, props.name);
    const { grants, bindings } = props;
    const tableKeys = Object.keys(grants.tables) as TableKey[];
    const queueNames = (grants.sendsTo ?? []) as readonly QueueName[];
    const unsubscribeSecret = { UNSUBSCRIBE_SECRET: bindings.unsubscribeKey.secretValue.unsafeUnwrap() };
    const environment: Record<string, string> = {
      ...baseEnvironment,
      ...Object.fromEntries(tableKeys.map((key) => [tables[key].envVar, bindings.tables[key].tableName])),
      ...Object.fromEntries(queueNames.map((queue) => [queues[queue].envVar, bindings.queues[queue].queueUrl])),
      ...(grants.sendsMessages
        ? { ...bindings.messaging.settings, UNSUBSCRIBE_URL: bindings.unsubscribeUrl, ...unsubscribeSecret }
        : grants.verifiesUnsubscribeLinks
          ? unsubscribeSecret
          : {}),
      ...props.environment,
    };

    this.role = functionRole(this, 'Role', grants, bindings);
    this.function = new NodejsFunction(this, 'Function', {
      entry: resolve(repoRoot, props.entry),
      handler: props.handler ?? props.name,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 1024,
      timeout: props.timeout ?? Duration.seconds(routeTimeoutSeconds),
      role: this.role,
      logGroup: bindings.logs,
      environment,
      ...(props.onFailure ? { onFailure: new SqsDestination(props.onFailure), retryAttempts: 2, maxEventAge: props.maxEventAge ?? Duration.hours(6) } : {}),
      projectRoot: repoRoot,
      depsLockFilePath: resolve(repoRoot, 'package-lock.json'),
      // infra/bundling.ts: options shared with bench/lambda.ts; the map is cut to the project's own files after esbuild.
      bundling: {
        ...bundling,
        mainFields: [...bundling.mainFields],
        // CDK renders `--alias:<package>` as `--alias:<package>=<file>`; the file is relative to projectRoot, where the local esbuild (a devDependency) runs.
        // CDK's Docker fallback would run in '/' and need `workingDirectory: '/asset-input'`.
        esbuildArgs: Object.fromEntries(Object.entries(bundling.alias).map(([from, to]) => [`--alias:${from}`, to])),
        format: OutputFormat.ESM,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => [`npx tsx "${inputDir}/infra/bundling.ts" "${outputDir}/index.mjs.map"`],
        },
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the code and its bundles target (the development machines run Node 20); move to 24 after testing there.',
    });
  }
}

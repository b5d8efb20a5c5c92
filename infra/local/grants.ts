/**
 * The local IAM: every handler the local cloud invokes runs as its function,
 * with the grants its definition declares (infra/grants.ts), and an AWS SDK
 * call outside them fails as it would in AWS, with AccessDeniedException.
 * So a missing grant fails `npm test`, not the first deploy.
 *
 * The check sits on the SDK's one `send` (every client, the DynamoDB
 * document client included) and on the outbox, which stands in for SES and
 * SMS off AWS. Only the local cloud installs it; outside an invocation (tests
 * calling shared/db, seeding) nothing is checked.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { outbox } from '../../shared/messaging/outbox.ts';
import type { Grants } from '../grants.ts';
import { queues, type QueueName } from '../queues.ts';
import { type TableKey, tables } from '../tables.ts';

interface Invocation {
  readonly functionName: string;
  readonly grants: Grants<string>;
}

const invocation = new AsyncLocalStorage<Invocation>();

/** Runs `work` as the function `functionName` with `grants`: SDK calls inside it are checked. */
export const runWithGrants = <T>(functionName: string, grants: Grants<string>, work: () => T): T => {
  installGrantChecks();
  return invocation.run({ functionName, grants }, work);
};

/** What the SDK throws when IAM refuses a call. */
export class AccessDeniedException extends Error {
  override readonly name = 'AccessDeniedException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
}

const account = '000000000000';
const region = () => process.env.AWS_REGION ?? 'eu-west-1';

/** One IAM action on one resource, as the request asks for it. */
interface Request {
  readonly action: string;
  readonly resource: string;
}

// The actions CDK's grantReadData and grantReadWriteData allow (the stream actions are the poller's, not the handler's).
const readActions = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'ConditionCheckItem', 'DescribeTable']);
const writeActions = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
// lib-dynamodb's commands are named without "Item".
const documentCommands: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};
const transactActions: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

const tableArn = (name: string) => `arn:aws:dynamodb:${region()}:${account}:table/${name}`;

/** The table-level actions a DynamoDB call needs: a transaction needs each item's action on each item's table, as IAM checks it. */
// biome-ignore lint/suspicious/noExplicitAny: a DynamoDB command input of any operation
const dynamoRequests = (operation: string, input: Record<string, any>): Request[] => {
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    return (input.TransactItems as Record<string, { TableName: string }>[]).flatMap((item) =>
      Object.entries(item).map(([kind, part]) => ({ action: `dynamodb:${transactActions[kind] ?? kind}`, resource: tableArn(part.TableName) })),
    );
  }
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    return Object.keys(input.RequestItems as object).map((name) => ({ action: `dynamodb:${operation}`, resource: tableArn(name) }));
  }
  return [{ action: `dynamodb:${operation}`, resource: tableArn(String(input.TableName)) }];
};

const tableKeyOf = (arn: string): TableKey | undefined => {
  const name = arn.slice(arn.indexOf(':table/') + ':table/'.length);
  return (Object.keys(tables) as TableKey[]).find((key) => process.env[tables[key].envVar] === name);
};

const queueArn = (url: string) => `arn:aws:sqs:${region()}:${account}:${url.slice(url.lastIndexOf('/') + 1)}`;

/** The IAM requests of one SDK call, by the client's service. */
// biome-ignore lint/suspicious/noExplicitAny: a command input of any AWS service
const requestsOf = (serviceId: string, operation: string, input: Record<string, any>): Request[] => {
  switch (serviceId) {
    case 'DynamoDB':
      return dynamoRequests(documentCommands[operation] ?? operation, input);
    case 'SQS':
      // SendMessageBatch is authorized as sqs:SendMessage.
      return [{ action: `sqs:${operation === 'SendMessageBatch' ? 'SendMessage' : operation}`, resource: queueArn(String(input.QueueUrl)) }];
    case 'SESv2':
      return [{ action: `ses:${operation}`, resource: `arn:aws:ses:${region()}:${account}:identity/*` }];
    case 'IoT Data Plane':
      return [{ action: `iot:${operation}`, resource: `arn:aws:iot:${region()}:${account}:topic/${String(input.topic)}` }];
    default:
      return [{ action: `${serviceId.toLowerCase().replaceAll(' ', '-')}:${operation}`, resource: '*' }];
  }
};

// The stack's iot:Publish resources for the ingest, topic/stockclub/*/gates/*/events (IAM's * spans slashes) and topic/stockclub/live/gates/*.
const gateEventsTopic = /:topic\/stockclub\/(.+\/gates\/.+\/events|live\/gates\/.+)$/;
// The stack's iot:Publish resource for the live feed, topic/stockclub/live/levels/*.
const liveLevelsTopic = /:topic\/stockclub\/live\/levels\/.+$/;

const queueUrlOf = (queue: string): string | undefined => process.env[queues[queue as QueueName].envVar];

/** Whether the grants allow one request: what the stack's IAM policies allow, and nothing else. */
const allows = (grants: Grants<string>, { action, resource }: Request): boolean => {
  const [service, operation = ''] = action.split(':');
  switch (service) {
    case 'dynamodb': {
      const key = tableKeyOf(resource);
      const mode = key && grants.tables[key];
      return mode === 'readWrite' ? readActions.has(operation) || writeActions.has(operation) : mode === 'read' && readActions.has(operation);
    }
    case 'sqs':
      return (
        operation === 'SendMessage' &&
        (grants.sendsTo ?? []).some((queue) => {
          const url = queueUrlOf(queue);
          return url !== undefined && queueArn(url) === resource;
        })
      );
    case 'ses':
      return operation === 'SendEmail' && grants.sendsMessages === true;
    case 'sms-voice':
      return operation === 'SendTextMessage' && grants.sendsMessages === true;
    case 'sns':
      return (
        ((operation === 'Publish' || operation === 'CreatePlatformEndpoint') && grants.sendsMessages === true) ||
        (operation === 'DeleteEndpoint' && (grants.sendsMessages === true || grants.managesPushDevices === true))
      );
    case 'iot':
      return (
        operation === 'Publish' &&
        ((grants.publishesToGates === true && gateEventsTopic.test(resource)) || (grants.publishesLiveLevels === true && liveLevelsTopic.test(resource)))
      );
    default:
      return false;
  }
};

/** Throws what AWS answers when the current function may not make these requests; outside an invocation, nothing. */
const check = (requests: readonly Request[]): void => {
  const current = invocation.getStore();
  if (!current) return;
  const denied = requests.find((request) => !allows(current.grants, request));
  if (denied) {
    throw new AccessDeniedException(
      `User: arn:aws:sts::${account}:assumed-role/${current.functionName}Role/${current.functionName} is not authorized to perform: ` +
        `${denied.action} on resource: ${denied.resource} because no identity-based policy allows the ${denied.action} action`,
    );
  }
};

let installed = false;

/** Puts the check on every SDK client's `send` and on the outbox; once per process, on the first invocation. */
const installGrantChecks = (): void => {
  if (installed) return;
  installed = true;
  // Every v3 client (and DynamoDBDocumentClient) inherits send from the one smithy Client.
  // biome-ignore lint/suspicious/noExplicitAny: the shared smithy client send, whatever the command
  const smithyClient = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (command: any, ...rest: unknown[]) => unknown };
  const send = smithyClient.send;
  smithyClient.send = function checkedSend(
    this: { config: { serviceId: string } },
    // biome-ignore lint/suspicious/noExplicitAny: any SDK command of any client passes through here
    command: { constructor: { name: string }; input: Record<string, any> },
    ...rest: unknown[]
  ) {
    const operation = command.constructor.name.replace(/Command$/, '');
    try {
      check(requestsOf(this.config.serviceId, operation, command.input));
    } catch (error) {
      // A callback-style call gets its error as the SDK would hand it; a promise call a rejection.
      const callback = rest.find((arg) => typeof arg === 'function') as ((error: unknown) => void) | undefined;
      if (callback) return callback(error);
      return Promise.reject(error);
    }
    return send.call(this, command, ...rest);
  };
  // Off AWS the messaging adapters deliver to the outbox instead of SES (in tests) and SMS.
  const add = outbox.add.bind(outbox);
  outbox.add = (message) => {
    check([
      message.channel === 'email'
        ? { action: 'ses:SendEmail', resource: `arn:aws:ses:${region()}:${account}:identity/*` }
        : message.channel === 'push'
          ? { action: 'sns:Publish', resource: `arn:aws:sns:${region()}:${account}:endpoint/*` }
          : { action: 'sms-voice:SendTextMessage', resource: `arn:aws:sms-voice:${region()}:${account}:pool/*` },
    ]);
    return add(message);
  };
};

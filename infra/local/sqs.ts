/**
 * The queues of infra/queues.ts on loopback: an endpoint that speaks the
 * SQS JSON protocol for SendMessage and SendMessageBatch (so producers use
 * the real @aws-sdk/client-sqs through AWS_ENDPOINT_URL_SQS and the queue
 * URL), and a pump that hands messages to the queue's worker as Lambda's
 * SQS event source would: batches of `batchSize`, at most `maxConcurrency`
 * at once, `batchItemFailures` honoured, a failed message received again
 * until `maxReceiveCount`, then kept in the failure log (AWS: the
 * dead-letter queue).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type QueueDefinition, queueList } from '../queues.ts';
import { type FailureLog, thrownReason } from './failure-log.ts';
import { lambdaContext } from './gateway.ts';
import { loadHandler } from './handlers.ts';

// biome-ignore lint/suspicious/noConfusingVoidType: a Lambda handler may answer nothing
type QueueWorker = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

interface Pending {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receives: number;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

// Locally a failed message is seen again after a second, not after the visibility timeout.
const redeliveryDelayMs = 1_000;
const account = '000000000000';

export interface LocalQueues {
  /** The SQS endpoint's URL (AWS_ENDPOINT_URL_SQS). */
  readonly url: string;
  /** Environment variables with each queue's URL. */
  readonly env: Record<string, string>;
  /** Resolves when every message sent so far has been handled or given up on. */
  idle(): Promise<void>;
  /** Messages sent and not yet handled or given up on. */
  pending(): number;
  close(): Promise<void>;
}

export const startLocalQueues = async (options: { failures: FailureLog; region: string }): Promise<LocalQueues> => {
  const definitions = new Map<string, QueueDefinition>(queueList());
  const waiting = new Map<string, Pending[]>([...definitions.keys()].map((name) => [name, []]));
  const running = new Map<string, number>([...definitions.keys()].map((name) => [name, 0]));
  const timers = new Map<NodeJS.Timeout, () => void>();
  const inFlight = new Set<Promise<void>>();
  let outstanding = 0;
  let idleWaiters: (() => void)[] = [];
  let closed = false;

  const settle = () => {
    outstanding--;
    if (outstanding === 0) {
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    }
  };

  const recordOf = (name: string, message: Pending): SQSRecord => ({
    messageId: message.messageId,
    receiptHandle: randomUUID(),
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receives),
      SentTimestamp: String(message.sentAt),
      SenderId: account,
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: md5(message.body),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${options.region}:${account}:${name}`,
    awsRegion: options.region,
  });

  const pump = (name: string) => {
    const definition = definitions.get(name)!;
    const queue = waiting.get(name)!;
    while (!closed && queue.length > 0 && running.get(name)! < definition.maxConcurrency) {
      const batch = queue.splice(0, definition.batchSize);
      for (const message of batch) message.receives++;
      running.set(name, running.get(name)! + 1);
      const run = invoke(name, definition, batch).finally(() => {
        inFlight.delete(run);
        running.set(name, running.get(name)! - 1);
        pump(name);
      });
      inFlight.add(run);
    }
  };

  const invoke = async (name: string, definition: QueueDefinition, batch: Pending[]) => {
    let failed: Set<string>;
    let reason = 'reported in batchItemFailures';
    try {
      const worker = await loadHandler<QueueWorker>(definition.entry, name, definition);
      const response = await worker({ Records: batch.map((m) => recordOf(name, m)) }, lambdaContext(name, definition.timeoutSeconds * 1000));
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      // A thrown error fails the whole batch, as in Lambda.
      failed = new Set(batch.map((m) => m.messageId));
      reason = thrownReason(error);
    }
    for (const message of batch) {
      if (!failed.has(message.messageId)) settle();
      else if (message.receives >= definition.maxReceiveCount) {
        options.failures.record({ source: 'queue', name, reason, payload: parsedOrText(message.body) });
        settle();
      } else {
        const timer = setTimeout(() => {
          timers.delete(timer);
          waiting.get(name)!.push(message);
          pump(name);
        }, redeliveryDelayMs);
        timer.unref();
        // Closing settles a message waiting to come again: nothing will receive it.
        timers.set(timer, settle);
      }
    }
  };

  const accept = (name: string, body: string): string => {
    const messageId = randomUUID();
    outstanding++;
    waiting.get(name)!.push({ messageId, body, sentAt: Date.now(), receives: 0 });
    // After the answer, as SQS: the sender never waits for the worker.
    setImmediate(() => pump(name));
    return messageId;
  };

  const parsedOrText = (body: string): unknown => {
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  };

  const server = createServer((req, res) => {
    // Errors in the shape the SDK's JSON protocol reads.
    const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
    const fault = (type: string, message: string) => answer(400, { __type: `com.amazonaws.sqs#${type}`, message });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const action = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
      let input: { QueueUrl?: string; MessageBody?: string; Entries?: { Id: string; MessageBody: string }[] };
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return fault('InvalidParameterValue', 'The body is not JSON');
      }
      const name = input.QueueUrl?.split('/').at(-1) ?? '';
      if (!definitions.has(name)) return fault('QueueDoesNotExist', `No queue ${input.QueueUrl}`);
      if (action === 'SendMessage' && typeof input.MessageBody === 'string') {
        return answer(200, { MessageId: accept(name, input.MessageBody), MD5OfMessageBody: md5(input.MessageBody) });
      }
      if (action === 'SendMessageBatch' && Array.isArray(input.Entries)) {
        if (input.Entries.length === 0 || input.Entries.length > 10) return fault('TooManyEntriesInBatchRequest', 'A batch holds 1 to 10 messages');
        return answer(200, {
          Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: accept(name, e.MessageBody), MD5OfMessageBody: md5(e.MessageBody) })),
          Failed: [],
        });
      }
      return fault('UnsupportedOperation', `Only SendMessage and SendMessageBatch are served here, not ${action}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    env: Object.fromEntries([...definitions].map(([name, d]) => [d.envVar, `${url}/${account}/${name}`])),
    idle: () => (outstanding === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    pending: () => outstanding,
    close: async () => {
      closed = true;
      for (const [timer, settleIt] of timers) {
        clearTimeout(timer);
        settleIt();
      }
      timers.clear();
      // Messages never received are dropped with the queue, as when a queue is deleted.
      for (const queue of waiting.values()) for (const _ of queue.splice(0)) settle();
      await Promise.allSettled([...inFlight]);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
};

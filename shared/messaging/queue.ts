/**
 * Hands work to an SQS queue of infra/queues.ts. In AWS the URL comes from
 * the stack; locally from the local cloud's SQS endpoint: the same client
 * and the same requests either way.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type QueueName, queues } from '../../infra/queues.ts';

// Built on first send: most functions that import this never send (a client costs ~5-10 ms of init; BENCHMARKS.md, Lean cold starts).
let sqs: SQSClient | undefined;
// SendMessageBatch takes at most 10 messages.
const batchLimit = 10;

export const enqueue = async (queue: QueueName, bodies: readonly unknown[]): Promise<void> => {
  const url = process.env[queues[queue].envVar];
  if (!url) throw new Error(`${queues[queue].envVar} is not set: this function does not declare sendsTo ${queue}`);
  for (let start = 0; start < bodies.length; start += batchLimit) {
    const batch = bodies.slice(start, start + batchLimit);
    sqs ??= new SQSClient({});
    const output = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: batch.map((body, i) => ({ Id: String(i), MessageBody: JSON.stringify(body) })),
      }),
    );
    if (output.Failed?.length)
      throw new Error(`${queue}: ${output.Failed.length} message(s) refused: ${output.Failed.map((f) => f.Message ?? f.Code).join('; ')}`);
  }
};

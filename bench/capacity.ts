/**
 * Capacity units an operation would cost in AWS, computed from the calls it
 * makes and the sizes of the items it touches. DynamoDB Local answers
 * ReturnConsumedCapacity, but with its own figures, so cost is computed here
 * with AWS's published rules rather than read from it:
 * - write: 1 WCU per 1 KB of item, 2 per KB inside a transaction;
 * - strongly consistent read: 1 RCU per 4 KB (BatchGet: per item), eventually
 *   consistent half that; Query: per 4 KB of items read in total.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

const valueSize = (value: AttributeValue): number => {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.B !== undefined) return value.B.length;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueSize(v), 0);
  return 0;
};

/** An item's size as DynamoDB bills it: attribute names plus values. */
export const itemSize = (item: Record<string, unknown>): number =>
  Object.entries(marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true })).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value),
    0,
  );

export interface CapacityMeter {
  readonly read: number;
  readonly write: number;
  /** DynamoDB calls made (a transaction or batch is one), failed ones included. */
  readonly requests: number;
  /** Of `write`, what conditional writes that failed cost: AWS bills them (1 WCU each; a cancelled transaction 2 per item it carried). */
  readonly failedWrites: number;
  reset(): void;
}

/** On-demand prices (USD per million request units, us-east-1 standard table class, as cut in November 2024). */
export const onDemandUsdPerMillion = { write: 0.625, read: 0.125 } as const;

/** What capacity costs on demand, in USD. */
export const onDemandUsd = (capacity: { read: number; write: number }): number =>
  (capacity.write * onDemandUsdPerMillion.write + capacity.read * onDemandUsdPerMillion.read) / 1_000_000;

/**
 * Counts the capacity of every call a document client makes. Writes are
 * sized from the item written (Put) or, for updates, assumed to stay under
 * `updatedItemKb`, which the caller measures from the real items.
 */
export const meterCapacity = (client: DynamoDBDocumentClient, updatedItemKb = 1): CapacityMeter => {
  const totals = { read: 0, write: 0, requests: 0, failedWrites: 0 };
  const kb = (item: Record<string, unknown>) => Math.max(1, Math.ceil(itemSize(item) / 1024));
  // One meter per client: a later benchmark in the same run replaces an earlier one's.
  client.middlewareStack.remove('capacityMeter');
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      totals.requests++;
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        const name = (error as Error).name;
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        const failed =
          name === 'ConditionalCheckFailedException'
            ? 1
            : name === 'TransactionCanceledException' && reasons.some((r) => r.Code === 'ConditionalCheckFailed')
              ? 2 * reasons.length
              : 0;
        totals.write += failed;
        totals.failedWrites += failed;
        throw error;
      }
      const output = result.output as Record<string, any>;
      // The document client runs the low-level commands: names are theirs, items still native here.
      switch (context.commandName) {
        case 'TransactWriteItemsCommand':
          for (const item of input.TransactItems as Record<string, any>[]) {
            totals.write += 2 * (item.Put ? kb(item.Put.Item) : item.Update ? updatedItemKb : 1);
          }
          break;
        case 'PutItemCommand':
          totals.write += kb(input.Item);
          break;
        case 'BatchWriteItemCommand':
          for (const requests of Object.values(input.RequestItems as Record<string, Record<string, any>[]>)) {
            for (const request of requests) totals.write += request.PutRequest ? kb(request.PutRequest.Item) : 1;
          }
          break;
        case 'UpdateItemCommand':
        case 'DeleteItemCommand':
          totals.write += updatedItemKb;
          break;
        case 'GetItemCommand':
          totals.read += (input.ConsistentRead ? 1 : 0.5) * Math.max(1, Math.ceil(itemSize(output.Item ?? {}) / 4096));
          break;
        case 'BatchGetItemCommand':
          for (const [table, items] of Object.entries(output.Responses ?? {})) {
            const consistent = input.RequestItems[table]?.ConsistentRead ? 1 : 0.5;
            for (const item of items as Record<string, unknown>[]) totals.read += consistent * Math.max(1, Math.ceil(itemSize(item) / 4096));
          }
          break;
        // A Scan pays for every item it reads, filtered out or not; only the returned ones are seen here.
        case 'ScanCommand':
        case 'QueryCommand': {
          const bytes = (output.Items ?? []).reduce((sum: number, item: Record<string, unknown>) => sum + itemSize(item), 0);
          totals.read += (input.ConsistentRead ? 1 : 0.5) * Math.max(1, Math.ceil(bytes / 4096));
          break;
        }
      }
      return result;
    },
    { step: 'initialize', name: 'capacityMeter' },
  );
  return {
    get read() {
      return totals.read;
    },
    get write() {
      return totals.write;
    },
    get requests() {
      return totals.requests;
    },
    get failedWrites() {
      return totals.failedWrites;
    },
    reset: () => {
      totals.read = 0;
      totals.write = 0;
      totals.requests = 0;
      totals.failedWrites = 0;
    },
  };
};

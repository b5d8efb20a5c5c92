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

/** Where one call's capacity went: the table and kind of item (its partition key's prefix, e.g. `STOCK`, `LEDGER`, `WINDOW`). */
export interface Charge {
  readonly table: string;
  readonly kind: string;
  readonly read: number;
  readonly write: number;
}

/** One row of a meter's breakdown: what one caller spent through one operation on one kind of item. */
export interface CapacityUse {
  /** The function running the call (`api:createSale`, `stream:reorderCheck`...), or `outside` when none is. */
  readonly caller: string;
  /** The SDK operation, as DynamoDB names it: `TransactWriteItems`, `PutItem`, `UpdateItem`, `Query`... */
  readonly operation: string;
  readonly table: string;
  readonly kind: string;
  read: number;
  write: number;
  requests: number;
  failedWrites: number;
}

export interface CapacityMeter {
  readonly read: number;
  readonly write: number;
  /** DynamoDB calls made (a transaction or batch is one), failed ones included. */
  readonly requests: number;
  /** Of `write`, what conditional writes that failed cost: AWS bills them (1 WCU each; a cancelled transaction 2 per item it carried). */
  readonly failedWrites: number;
  /**
   * The same figures split by caller, operation, table and kind of item. A
   * transaction's or batch's items are charged to their own tables and kinds;
   * the request itself is counted once, on its first item's row.
   */
  breakdown(): CapacityUse[];
  reset(): void;
}

export interface MeterOptions {
  /** Names the function a call runs in (the local cloud knows: `runningFunction`); calls outside any are `outside`. */
  readonly caller?: () => string | undefined;
}

/** On-demand prices (USD per million request units, us-east-1 standard table class, as cut in November 2024). */
export const onDemandUsdPerMillion = { write: 0.625, read: 0.125 } as const;

/** What capacity costs on demand, in USD. */
export const onDemandUsd = (capacity: { read: number; write: number }): number =>
  (capacity.write * onDemandUsdPerMillion.write + capacity.read * onDemandUsdPerMillion.read) / 1_000_000;

/** A DynamoDB command input or output of any operation, read loosely by field. */
type Loose = Record<string, any>;

/** An item's kind: its partition key's first segment (`STOCK#SKU-1` -> `STOCK`), the way keys.ts builds them. */
export const kindOf = (key: Loose | undefined): string => {
  const pk = key?.pk ?? Object.values(key ?? {}).find((value) => typeof value === 'string');
  return typeof pk === 'string' ? (pk.split('#')[0] ?? pk) : '?';
};

/** A query's kind: its index and the prefix of the partition value it asks for. */
const queryKind = (input: Loose): string => {
  const value = Object.values((input.ExpressionAttributeValues ?? {}) as Loose).find((v) => typeof v === 'string') as string | undefined;
  return `${input.IndexName ? `${input.IndexName}:` : ''}${value === undefined ? '?' : (value.split('#')[0] ?? value)}`;
};

const kbOf = (item: Loose) => Math.max(1, Math.ceil(itemSize(item) / 1024));
const readUnits = (consistent: boolean, bytes: number) => (consistent ? 1 : 0.5) * Math.max(1, Math.ceil(bytes / 4096));

/**
 * What one successful call costs, item by item, by AWS's rules (see the top
 * of this file). `commandName` is the low-level command's (`PutItemCommand`);
 * updates and deletes are assumed to stay under `updatedItemKb`.
 */
export const chargesOf = (commandName: string, input: Loose, output: Loose, updatedItemKb = 1): Charge[] => {
  const write = (table: string, kind: string, units: number): Charge => ({ table, kind, read: 0, write: units });
  const read = (table: string, kind: string, units: number): Charge => ({ table, kind, read: units, write: 0 });
  switch (commandName) {
    case 'TransactWriteItemsCommand':
      return (input.TransactItems as Loose[]).map((item) => {
        const [kind, part] = Object.entries(item)[0] as [string, Loose];
        const units = kind === 'Put' ? kbOf(part.Item) : kind === 'Update' ? updatedItemKb : 1;
        return write(part.TableName, kindOf(kind === 'Put' ? part.Item : part.Key), 2 * units);
      });
    case 'PutItemCommand':
      return [write(input.TableName, kindOf(input.Item), kbOf(input.Item))];
    case 'BatchWriteItemCommand':
      return Object.entries(input.RequestItems as Record<string, Loose[]>).flatMap(([table, requests]) =>
        requests.map((request) =>
          request.PutRequest
            ? write(table, kindOf(request.PutRequest.Item), kbOf(request.PutRequest.Item))
            : write(table, kindOf(request.DeleteRequest?.Key), 1),
        ),
      );
    case 'UpdateItemCommand':
    case 'DeleteItemCommand':
      return [write(input.TableName, kindOf(input.Key), updatedItemKb)];
    case 'GetItemCommand':
      return [read(input.TableName, kindOf(input.Key), readUnits(Boolean(input.ConsistentRead), itemSize(output.Item ?? {})))];
    case 'BatchGetItemCommand':
      return Object.entries((output.Responses ?? {}) as Record<string, Loose[]>).flatMap(([table, items]) =>
        items.map((item) => read(table, kindOf(item), readUnits(Boolean(input.RequestItems[table]?.ConsistentRead), itemSize(item)))),
      );
    // A Scan pays for every item it reads, filtered out or not; only the returned ones are seen here.
    case 'ScanCommand':
    case 'QueryCommand': {
      const bytes = ((output.Items ?? []) as Loose[]).reduce((sum, item) => sum + itemSize(item), 0);
      return [read(input.TableName, commandName === 'ScanCommand' ? 'scan' : queryKind(input), readUnits(Boolean(input.ConsistentRead), bytes))];
    }
    default:
      return [];
  }
};

/** What a call that failed costs: a failed conditional write 1 WCU, a transaction cancelled by a condition 2 per item it carried. */
export const failedChargesOf = (commandName: string, input: Loose, error: unknown): Charge[] => {
  const name = (error as Error).name;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  if (name === 'ConditionalCheckFailedException') return [{ table: input.TableName ?? '?', kind: kindOf(input.Key ?? input.Item), read: 0, write: 1 }];
  if (name === 'TransactionCanceledException' && reasons.some((r) => r.Code === 'ConditionalCheckFailed') && commandName === 'TransactWriteItemsCommand')
    return (input.TransactItems as Loose[]).slice(0, Math.max(1, reasons.length)).map((item) => {
      const [kind, part] = Object.entries(item)[0] as [string, Loose];
      return { table: part.TableName, kind: kindOf(kind === 'Put' ? part.Item : part.Key), read: 0, write: 2 };
    });
  return [];
};

/** The first table and kind a call touches, for a call that charged nothing (a failed read, an unknown command). */
const firstTarget = (input: Loose): { table: string; kind: string } => {
  if (input.TableName) return { table: input.TableName, kind: kindOf(input.Key ?? input.Item) };
  const first = (input.TransactItems as Loose[] | undefined)?.[0];
  if (first) {
    const part = Object.values(first)[0] as Loose;
    return { table: part.TableName, kind: kindOf(part.Key ?? part.Item) };
  }
  const table = Object.keys(input.RequestItems ?? {})[0];
  return { table: table ?? '?', kind: '?' };
};

/**
 * Counts the capacity of every call a document client makes. Writes are
 * sized from the item written (Put) or, for updates, assumed to stay under
 * `updatedItemKb`, which the caller measures from the real items. With
 * `options.caller`, the breakdown names the function each call ran in.
 *
 * @example
 * const meter = meterCapacity(documentClient, 1, { caller: runningFunction });
 * // ... run the load ...
 * console.log(topConsumers(meter.breakdown(), ['caller', 'operation'], 10));
 */
export const meterCapacity = (client: DynamoDBDocumentClient, updatedItemKb = 1, options: MeterOptions = {}): CapacityMeter => {
  const totals = { read: 0, write: 0, requests: 0, failedWrites: 0 };
  const rows = new Map<string, CapacityUse>();
  const charge = (caller: string, operation: string, charges: readonly Charge[], failed: boolean, input: Loose) => {
    const targets = charges.length > 0 ? charges : [{ ...firstTarget(input), read: 0, write: 0 }];
    targets.forEach((c, index) => {
      const key = `${caller}|${operation}|${c.table}|${c.kind}`;
      let row = rows.get(key);
      if (!row) {
        row = { caller, operation, table: c.table, kind: c.kind, read: 0, write: 0, requests: 0, failedWrites: 0 };
        rows.set(key, row);
      }
      row.read += c.read;
      row.write += c.write;
      if (failed) row.failedWrites += c.write;
      if (index === 0) row.requests++;
      totals.read += c.read;
      totals.write += c.write;
      if (failed) totals.failedWrites += c.write;
    });
    totals.requests++;
  };
  // One meter per client: a later benchmark in the same run replaces an earlier one's.
  client.middlewareStack.remove('capacityMeter');
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Loose;
      const caller = options.caller?.() ?? 'outside';
      // The document client runs the low-level commands: names are theirs, items still native here.
      const commandName = context.commandName ?? '?';
      const operation = commandName.replace(/Command$/, '');
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        charge(caller, operation, failedChargesOf(commandName, input, error), true, input);
        throw error;
      }
      charge(caller, operation, chargesOf(commandName, input, result.output as Loose, updatedItemKb), false, input);
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
    breakdown: () => [...rows.values()].map((row) => ({ ...row })),
    reset: () => {
      totals.read = 0;
      totals.write = 0;
      totals.requests = 0;
      totals.failedWrites = 0;
      rows.clear();
    },
  };
};

export type CapacityDimension = 'caller' | 'operation' | 'table' | 'kind';

/** A breakdown summed over the dimensions not in `by`, largest write first (then read): the top `limit` rows. */
export const topConsumers = (rows: readonly CapacityUse[], by: readonly CapacityDimension[], limit = 10): CapacityUse[] => {
  const summed = new Map<string, CapacityUse>();
  for (const row of rows) {
    const key = by.map((d) => row[d]).join('|');
    let total = summed.get(key);
    if (!total) {
      total = { caller: '*', operation: '*', table: '*', kind: '*', read: 0, write: 0, requests: 0, failedWrites: 0 };
      for (const d of by) (total as Record<CapacityDimension, string>)[d] = row[d];
      summed.set(key, total);
    }
    total.read += row.read;
    total.write += row.write;
    total.requests += row.requests;
    total.failedWrites += row.failedWrites;
  }
  return [...summed.values()].sort((a, b) => b.write - a.write || b.read - a.read).slice(0, limit);
};

/** Subtracts an earlier breakdown from a later one of the same meter: what was spent in between (a day). */
export const breakdownSince = (now: readonly CapacityUse[], before: readonly CapacityUse[]): CapacityUse[] => {
  const key = (row: CapacityUse) => `${row.caller}|${row.operation}|${row.table}|${row.kind}`;
  const earlier = new Map(before.map((row) => [key(row), row]));
  return now
    .map((row) => {
      const was = earlier.get(key(row));
      return was
        ? {
            ...row,
            read: row.read - was.read,
            write: row.write - was.write,
            requests: row.requests - was.requests,
            failedWrites: row.failedWrites - was.failedWrites,
          }
        : { ...row };
    })
    .filter((row) => row.requests > 0 || row.write > 0 || row.read > 0);
};

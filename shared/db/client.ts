import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from '../../infra/tables.ts';
import { type CursorScope, decodeCursor, encodeCursor } from './cursor.ts';

/**
 * One client per container, created at module load so a warm Lambda reuses
 * its connections. Locally `AWS_ENDPOINT_URL_DYNAMODB` points it at
 * DynamoDB Local; the code path is the one AWS runs.
 */
export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

/** The physical name of a table, as the stack (or local runtime) passed it. */
export const tableName = (table: TableDefinition): string => {
  const name = process.env[table.envVar];
  if (!name) throw new Error(`${table.envVar} is not set`);
  return name;
};

/** Every item a query matches, page after page. */
export const queryAll = async (input: QueryCommandInput): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const output = await documentClient.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(output.Items ?? []));
    start = output.LastEvaluatedKey;
  } while (start);
  return items;
};

/** Round trips a filtered page may take to find one item more than it returns, before it hands out DynamoDB's own cursor. */
const filteredPageReads = 10;

/**
 * One page of a query for a client: at most `limit` items, and a cursor only
 * when more follow. It reads one item more than it returns, so a last page
 * never hands out a cursor to an empty one; a filtered query (whose Limit
 * counts items before the filter) reads on until it has that item or the
 * partition ends, up to a few round trips.
 */
export const queryPage = async (
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  limit: number,
  scope: CursorScope,
  cursor: string | undefined,
): Promise<{ items: Record<string, unknown>[]; cursor?: string }> => {
  const items: Record<string, unknown>[] = [];
  let start = decodeCursor(cursor, scope);
  for (let read = 0; read < filteredPageReads; read++) {
    const output = await documentClient.send(new QueryCommand({ ...input, Limit: limit + 1 - items.length, ExclusiveStartKey: start }));
    items.push(...(output.Items ?? []));
    start = output.LastEvaluatedKey;
    if (items.length > limit) {
      const last = items[limit - 1]!;
      return { items: items.slice(0, limit), cursor: encodeCursor(Object.fromEntries(scope.attributes.map((name) => [name, last[name]]))) };
    }
    if (!start) return { items };
  }
  return { items, cursor: encodeCursor(start) };
};

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from '../../infra/tables.ts';

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

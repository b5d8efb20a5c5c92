import type { TableDefinition } from '../../infra/tables.ts';
import { ValidationFailed } from '../domain/errors.ts';

/** Pagination cursors are DynamoDB's LastEvaluatedKey, opaque to clients. */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;

/** The query a cursor must belong to: its key attributes and the partition it reads. */
export interface CursorScope {
  /** Every attribute of LastEvaluatedKey: the table's keys plus the index's. */
  readonly attributes: readonly string[];
  /** The partition a Query reads; a Scan has none. */
  readonly partition?: { readonly name: string; readonly value: string };
}

/** The scope of a query on `table` (or one of its indexes) over one partition. */
export const cursorScope = (table: TableDefinition, indexName: string | undefined, partitionValue: string): CursorScope => {
  const index = table.indexes.find((i) => i.indexName === indexName);
  if (indexName && !index) throw new Error(`${table.id} has no index ${indexName}`);
  const tableKeys = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
  return {
    attributes: [...tableKeys, ...(index ? [index.partitionKey, index.sortKey] : [])],
    partition: { name: index?.partitionKey ?? table.partitionKey, value: partitionValue },
  };
};

export const invalidCursor = () => new ValidationFailed('Invalid cursor', [{ path: 'query.cursor', message: 'use the cursor from the previous page' }]);

/**
 * A cursor from another list (or made up) would reach DynamoDB as a start
 * key it refuses with a ValidationException; it is refused here as bad input.
 */
/** A cursor's JSON, or 400 for one that is not base64url JSON. */
export const parseCursor = (cursor: string): unknown => {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
};

export const decodeCursor = (cursor: string | undefined, scope: CursorScope): Record<string, unknown> | undefined => {
  if (cursor === undefined) return undefined;
  const key = parseCursor(cursor);
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalidCursor();
  const entries = Object.entries(key);
  const expected = new Set(scope.attributes);
  if (entries.length !== expected.size || entries.some(([name, value]) => !expected.has(name) || typeof value !== 'string' || value === '')) {
    throw invalidCursor();
  }
  if (scope.partition && (key as Record<string, unknown>)[scope.partition.name] !== scope.partition.value) throw invalidCursor();
  return key as Record<string, unknown>;
};

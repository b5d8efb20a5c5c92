import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { queryPage } from './client.ts';
import { type CursorScope, decodeCursor, encodeCursor, invalidCursor, parseCursor } from './cursor.ts';

type Partition = { value: string; scope: CursorScope };

/**
 * Where a merged read stands: just after this item (its key) of partition
 * `p`. Items are merged by sort key, ties in partition order, so every item
 * before it is known without one position per partition, and the cursor is
 * as short as a single partition's (query strings stay short).
 */
interface Position {
  p: number;
  key: Record<string, unknown>;
}

const keyOf = (item: Record<string, unknown>, scope: CursorScope) => Object.fromEntries(scope.attributes.map((name) => [name, item[name]]));

const encodePosition = (position: Position): string => Buffer.from(JSON.stringify({ after: position }), 'utf8').toString('base64url');

const decodePosition = (cursor: string | undefined, partitions: readonly Partition[], sortKey: string): Position | undefined => {
  if (cursor === undefined) return undefined;
  const parsed = parseCursor(cursor);
  const after = (parsed as { after?: unknown } | null)?.after as Partial<Position> | undefined;
  if (typeof parsed !== 'object' || parsed === null || Object.keys(parsed).length !== 1 || typeof after !== 'object' || after === null) throw invalidCursor();
  if (Object.keys(after).length !== 2 || !Number.isInteger(after.p) || after.p! < 0 || after.p! >= partitions.length) throw invalidCursor();
  if (typeof after.key !== 'object' || after.key === null) throw invalidCursor();
  // The key passes the single-partition checks, so DynamoDB never gets a start key from another list.
  const key = decodeCursor(encodeCursor(after.key), partitions[after.p!]!.scope)!;
  if (typeof key[sortKey] !== 'string') throw invalidCursor();
  return { p: after.p!, key };
};

/** Merge order: by sort key, ties by partition. */
const before = (a: { sort: string; p: number }, b: { sort: string; p: number }) => a.sort < b.sort || (a.sort === b.sort && a.p < b.p);

/**
 * One page over several partitions of one table or index, merged in
 * sort-key order (ties: partition order). The key condition must bound the
 * sort key with `BETWEEN :from AND :to`: a partition other than the
 * cursor's resumes from the cursor's sort key (after it, for partitions
 * before the cursor's, whose items with that key came first).
 */
export const queryMergedPage = async (
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey' | 'ExpressionAttributeValues'> & { ExpressionAttributeValues: Record<string, unknown> },
  partitions: readonly Partition[],
  sortKey: string,
  limit: number,
  cursor: string | undefined,
): Promise<{ items: Record<string, unknown>[]; cursor?: string }> => {
  const forPartition = (value: string, from?: string) => ({
    ...input,
    ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':pk': value, ...(from !== undefined ? { ':from': from } : {}) },
  });
  if (partitions.length === 0) throw new Error('queryMergedPage needs at least one partition');
  // One partition keeps queryPage's cursors, so lists read before a SKU was sharded go on paging.
  if (partitions.length === 1) return queryPage(forPartition(partitions[0]!.value), limit, partitions[0]!.scope, cursor);

  const position = decodePosition(cursor, partitions, sortKey);
  const at = position ? String(position.key[sortKey]) : undefined;
  const from = String(input.ExpressionAttributeValues[':from'] ?? '');
  const pages = await Promise.all(
    partitions.map((partition, q) => {
      if (!position || at === undefined) return queryPage(forPartition(partition.value), limit, partition.scope, undefined);
      if (q === position.p) return queryPage(forPartition(partition.value), limit, partition.scope, encodeCursor(position.key));
      // '\u0000' makes the smallest string after the sort key: a partition before the cursor's already gave its items with that key.
      const resume = q < position.p ? `${at}\u0000` : at;
      // Strings: the later of the two bounds (Math.max would compare numbers).
      const start = [from, resume].sort()[1]!;
      return queryPage(forPartition(partition.value, start), limit, partition.scope, undefined);
    }),
  );
  // A partition read to a stop (its page is full, or a filtered read gave up) bounds the page: what it has not read may sort after its stop only.
  const bounds = pages
    .map((page, p) => (page.cursor ? { p, key: decodeCursor(page.cursor, partitions[p]!.scope)! } : undefined))
    .filter((b): b is Position => b !== undefined)
    .map((b) => ({ ...b, sort: String(b.key[sortKey]) }));
  const bound = bounds.reduce<(typeof bounds)[number] | undefined>((min, b) => (!min || before(b, min) ? b : min), undefined);

  const taken = partitions.map(() => 0);
  const items: Record<string, unknown>[] = [];
  let last: Position | undefined;
  while (items.length < limit) {
    let next: { sort: string; p: number } | undefined;
    for (const [p, page] of pages.entries()) {
      const item = page.items[taken[p]!];
      if (item && (!next || before({ sort: String(item[sortKey]), p }, next))) next = { sort: String(item[sortKey]), p };
    }
    if (!next || (bound && next.p !== bound.p && before(bound, next))) break;
    const item = pages[next.p]!.items[taken[next.p]!++]!;
    items.push(item);
    last = { p: next.p, key: keyOf(item, partitions[next.p]!.scope) };
  }
  const more = pages.some((page, p) => taken[p]! < page.items.length);
  if (items.length === limit && last && (more || bound)) return { items, cursor: encodePosition(last) };
  // Everything up to the nearest stop was returned: go on from that stop (past items a filter left out).
  if (bound) return { items, cursor: encodePosition({ p: bound.p, key: bound.key }) };
  return { items };
};

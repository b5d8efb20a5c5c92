import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../infra/tables.ts';
import { documentClient, queryAll, queryPage, tableName } from '../../shared/db/client.ts';
import { cursorScope } from '../../shared/db/cursor.ts';
import { queryMergedPage } from '../../shared/db/merged-query.ts';
import { ValidationFailed } from '../../shared/domain/errors.ts';

const run = randomUUID();
const table = () => tableName(tables.inventory);
const shards = (base: string) => [base, `${base}#SHARD#1`, `${base}#SHARD#2`];
const basePartitions = shards(`MQ#${run}#loc`);
const gsiPartitions = shards(`MQ_SKU#${run}`);
const sparsePartitions = shards(`MQ#${run}#sparse`);

const write = async (items: Record<string, unknown>[]) => {
  for (let i = 0; i < items.length; i += 25) {
    await documentClient.send(new BatchWriteCommand({ RequestItems: { [table()]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
};

const base = () => ({
  partitions: basePartitions.map((value) => ({ value, scope: cursorScope(tables.inventory, undefined, value) })),
  sortKey: 'sk',
  input: {
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':from': '0', ':to': '~' } as Record<string, unknown>,
  },
});
const gsi1 = () => ({
  partitions: gsiPartitions.map((value) => ({ value, scope: cursorScope(tables.inventory, 'gsi1', value) })),
  sortKey: 'gsi1sk',
  input: {
    TableName: table(),
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':from': '0', ':to': '~' } as Record<string, unknown>,
  },
});
type Read = ReturnType<typeof base>;

/** Every page of a merged read, concatenated; fails on a runaway cursor. */
const pageThrough = async (read: Read, limit: number, extra: Record<string, unknown> = {}) => {
  const input = { ...read.input, ...extra, ExpressionAttributeValues: { ...read.input.ExpressionAttributeValues, ...(extra.ExpressionAttributeValues ?? {}) } };
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 500; pages++) {
    const page = await queryMergedPage(input, read.partitions, read.sortKey, limit, cursor);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.cursor;
    if (!cursor) return items;
  }
  throw new Error('cursor never ended');
};

/** The merged order, independently: each partition in full, stably sorted by the sort key (ties keep partition order). */
const expected = async (read: Read, filter?: (item: Record<string, unknown>) => boolean) => {
  const all = (
    await Promise.all(
      read.partitions.map((p) => queryAll({ ...read.input, ExpressionAttributeValues: { ...read.input.ExpressionAttributeValues, ':pk': p.value } })),
    )
  ).flat();
  return all
    .filter(filter ?? (() => true))
    .sort((a, b) => (String(a[read.sortKey]) < String(b[read.sortKey]) ? -1 : String(a[read.sortKey]) > String(b[read.sortKey]) ? 1 : 0));
};

const ids = (items: Record<string, unknown>[]) => items.map((item) => item.id);

beforeAll(async () => {
  const items: Record<string, unknown>[] = [];
  for (let k = 0; k < 16; k++) {
    for (let p = 0; p < 3; p++) {
      // Interleaved, with runs in one partition and sort keys shared by two or three partitions.
      if ((k * 5 + p * 3) % 7 < 3) continue;
      items.push({
        pk: basePartitions[p],
        sk: `T#${String(k).padStart(2, '0')}`,
        id: `${p}:${k}`,
        parity: k % 2,
        // On gsi1 the shards are rotated and sort keys repeat within a partition too.
        gsi1pk: gsiPartitions[(p + 1) % 3],
        gsi1sk: `G#${String(Math.floor(k / 3)).padStart(2, '0')}`,
      });
    }
  }
  // Partition 0 has a long run the filter rejects, longer than one filtered page reads, before its only match.
  for (let k = 0; k < 60; k++) items.push({ pk: sparsePartitions[0], sk: `S#${String(k).padStart(2, '0')}`, id: `s0:${k}`, wanted: k === 35 });
  for (const k of [10, 50]) items.push({ pk: sparsePartitions[1], sk: `S#${k}`, id: `s1:${k}`, wanted: true });
  await write(items);
});

describe('queryMergedPage', () => {
  it.each([1, 2, 7, 1000])('pages the base table shards in merged order with limit %i', async (limit) => {
    const want = await expected(base());
    expect(want.length).toBeGreaterThan(20);
    // Equal sort keys across partitions are part of the data, and come in partition order.
    expect(new Set(want.map((item) => item.sk)).size).toBeLessThan(want.length);
    const got = await pageThrough(base(), limit);
    expect(ids(got)).toEqual(ids(want));
    expect(new Set(ids(got)).size).toBe(got.length);
  });

  it.each([1, 2, 7, 1000])('pages the gsi1 shards in merged order with limit %i', async (limit) => {
    const want = await expected(gsi1());
    const got = await pageThrough(gsi1(), limit);
    expect(ids(got)).toEqual(ids(want));
    expect(new Set(ids(got)).size).toBe(got.length);
  });

  it.each([1, 2, 7])('honours a FilterExpression across pages with limit %i', async (limit) => {
    const filter = { FilterExpression: 'parity = :odd', ExpressionAttributeValues: { ':odd': 1 } };
    const read = base();
    const want = await expected(read, (item) => item.parity === 1);
    expect(ids(await pageThrough(read, limit, filter))).toEqual(ids(want));
    const readGsi = gsi1();
    expect(ids(await pageThrough(readGsi, limit, filter))).toEqual(ids(await expected(readGsi, (item) => item.parity === 1)));
  });

  it.each([1, 2, 3])('waits for a partition whose filtered read stopped short, with limit %i', async (limit) => {
    const read = {
      ...base(),
      partitions: sparsePartitions.map((value) => ({ value, scope: cursorScope(tables.inventory, undefined, value) })),
    };
    const got = await pageThrough(read, limit, { FilterExpression: 'wanted = :yes', ExpressionAttributeValues: { ':yes': true } });
    expect(ids(got)).toEqual(['s1:10', 's0:35', 's1:50']);
  });

  it('behaves like queryPage on one partition, cursors included', async () => {
    const read = base();
    const input = { ...read.input, ExpressionAttributeValues: { ...read.input.ExpressionAttributeValues, ':pk': read.partitions[0]!.value } };
    const first = await queryPage(input, 3, read.partitions[0]!.scope, undefined);
    const merged = await queryMergedPage(read.input, read.partitions.slice(0, 1), 'sk', 3, undefined);
    expect(merged).toEqual(first);
    const second = await queryMergedPage(read.input, read.partitions.slice(0, 1), 'sk', 3, first.cursor);
    expect(second).toEqual(await queryPage(input, 3, read.partitions[0]!.scope, first.cursor));
  });

  it('refuses cursors it did not hand out for this read', async () => {
    const read = base();
    const page = await queryMergedPage(read.input, read.partitions, 'sk', 4, undefined);
    expect(page.cursor).toBeDefined();
    const decoded = JSON.parse(Buffer.from(page.cursor!, 'base64url').toString('utf8'));
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const single = await queryPage(
      { ...read.input, ExpressionAttributeValues: { ...read.input.ExpressionAttributeValues, ':pk': read.partitions[0]!.value } },
      2,
      read.partitions[0]!.scope,
      undefined,
    );
    // The cursor names a position in one partition: the key of the last item given.
    expect(Object.keys(decoded)).toEqual(['after']);
    expect(page.cursor!.length).toBeLessThan(200);
    const tampered = structuredClone(decoded);
    tampered.after.key.pk = read.partitions[(decoded.after.p + 1) % 3]!.value;
    const bad = [
      'garbage!!',
      encode('after'),
      encode({ after: { ...decoded.after, p: 3 } }),
      encode({ after: { ...decoded.after, p: -1 } }),
      encode({ after: { ...decoded.after, p: 0.5 } }),
      encode({ after: { p: decoded.after.p } }),
      encode({ after: { ...decoded.after, key: 7 } }),
      encode({ after: { ...decoded.after, extra: 1 } }),
      encode({ ...decoded, extra: 1 }),
      single.cursor!,
      encode(tampered),
    ];
    for (const cursor of bad) {
      await expect(queryMergedPage(read.input, read.partitions, 'sk', 4, cursor), cursor).rejects.toBeInstanceOf(ValidationFailed);
    }
    // A cursor in the third partition on a two-partition read.
    await expect(
      queryMergedPage(
        read.input,
        read.partitions.slice(0, 2),
        'sk',
        4,
        encode({ after: { ...decoded.after, p: 2, key: { ...decoded.after.key, pk: read.partitions[2]!.value } } }),
      ),
    ).rejects.toBeInstanceOf(ValidationFailed);
    // The cursor itself still works.
    await expect(queryMergedPage(read.input, read.partitions, 'sk', 4, page.cursor)).resolves.toBeDefined();
  });
});

/**
 * Purchase history and the counts recommendations rank by: each member
 * sale counted once into the buyer index, bought-together counts, tier
 * favourites and the member's stores, and the reads of those items. The
 * stream consumer and the GET are in shared/app/recommendations.ts;
 * choices and bounds: docs/recommendations.md.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { transactionItemLimit } from '../domain/limits.ts';
import { daySeconds, epochSeconds, monthOf } from '../domain/time.ts';
import { batchGetItems } from './catalog.ts';
import { documentClient, tableName } from './client.ts';
import { entities, memberKeys, recommendationKeys, salesKeys, tierFavouriteShards } from './keys.ts';
import { membersTable } from './members.ts';
import { TransactionCancelled, type TransactItem, transactWrite } from './transact.ts';

const inventory = () => tableName(tables.inventory);

// Counters live as top-level attributes named prefix + id: ADD creates them,
// where a nested map would have to exist before a path into it can be set.
const partnerPrefix = 'with#';
const unitsPrefix = 'units#';
const salesPrefix = 'sales#';

const countsOf = (item: Record<string, unknown> | undefined, prefix: string): Record<string, number> =>
  Object.fromEntries(
    Object.entries(item ?? {})
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, n]) => [name.slice(prefix.length), n as number]),
  );

// ---- counting a sale (stream consumer)

/** Of a sale's SKUs, at most this many (by units) have their pairs counted: 10 SKUs, 10 items of 9 counters each. */
export const maxPairedSkus = 10;
/** Each chunk: its guard, its SKUs' buyer items and favourite shards; the first also the stores item and the pairs. */
export const skusPerChunk = transactionItemLimit - 1 - tierFavouriteShards - 1 - maxPairedSkus;
/** Stream retries end within a day; the guards only need to outlive them. */
const guardTtlSeconds = 30 * daySeconds;

export interface MemberSale {
  saleId: string;
  memberId: string;
  locationId: string;
  at: string;
  /** The member's tier at the sale (its receipt): their segment. */
  tier?: string;
  lines: readonly { sku: string; qty: number }[];
}

/**
 * A counter update: sets `fields`, adds `counts`. Every name is aliased:
 * SKUs and location ids become attribute names, and some fields are reserved words.
 */
const counterUpdate = (table: string, key: { pk: string; sk: string }, fields: Record<string, unknown>, counts: Record<string, number>): TransactItem => {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(fields).map(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    return `#f${i} = :f${i}`;
  });
  const adds = Object.entries(counts).map(([name, n], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = n;
    return `#c${i} :c${i}`;
  });
  return {
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
};

/**
 * The buyer index item (who bought a SKU; campaigns read it too). Sales can
 * arrive out of order (each is its own stream partition), so the first and
 * last purchase move only outward, checked against what was read: a
 * concurrent sale that moved them fails the condition and the chunk is read
 * and written again.
 */
const buyerUpdate = (sale: MemberSale, sku: string, qty: number, seen: Record<string, unknown> | undefined): TransactItem => {
  const sets = ['entity = :entity', 'memberId = :member', 'sku = :sku'];
  const conditions: string[] = [];
  const last = seen?.lastBoughtAt as string | undefined;
  const first = seen?.firstBoughtAt as string | undefined;
  if (!last || sale.at > last) {
    sets.push('lastBoughtAt = :at');
    conditions.push('(attribute_not_exists(lastBoughtAt) OR lastBoughtAt <= :at)');
  }
  if (!first || sale.at < first) {
    sets.push('firstBoughtAt = :at');
    conditions.push('(attribute_not_exists(firstBoughtAt) OR firstBoughtAt >= :at)');
  }
  return {
    Update: {
      TableName: membersTable(),
      Key: memberKeys.buyer(sku, sale.memberId),
      UpdateExpression: `SET ${sets.join(', ')} ADD units :qty`,
      ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
      ExpressionAttributeValues: {
        ':entity': entities.buyer,
        ':member': sale.memberId,
        ':sku': sku,
        ':qty': qty,
        ...(conditions.length ? { ':at': sale.at } : {}),
      },
    },
  };
};

const favouriteUpdates = (tier: string, month: string, units: readonly [string, number][]): TransactItem[] => {
  const byShard = new Map<string, { key: { pk: string; sk: string }; counts: Record<string, number> }>();
  for (const [sku, qty] of units) {
    const key = recommendationKeys.tierFavourites(tier, month, sku);
    const shard = byShard.get(key.sk) ?? { key, counts: {} };
    shard.counts[`${unitsPrefix}${sku}`] = qty;
    byShard.set(key.sk, shard);
  }
  return [...byShard.values()].map(({ key, counts }) => counterUpdate(inventory(), key, { entity: entities.tierFavourites, tier, month }, counts));
};

const boughtWithUpdates = (month: string, skus: readonly string[]): TransactItem[] =>
  skus.length < 2
    ? []
    : skus.map((sku) =>
        counterUpdate(
          inventory(),
          recommendationKeys.boughtWith(sku, month),
          { entity: entities.boughtWith, sku, month },
          Object.fromEntries(skus.filter((other) => other !== sku).map((other) => [`${partnerPrefix}${other}`, 1])),
        ),
      );

/**
 * Counts one chunk of a member sale's SKUs in one transaction with its own
 * guard item; the first chunk also counts the member's store and the SKUs
 * `paired` as bought together. Returns false when the guard shows the chunk
 * was counted already (a redelivered record, or a retried batch).
 */
export const countPurchaseChunk = async (
  sale: MemberSale,
  chunk: number,
  part: readonly [string, number][],
  paired: readonly string[],
  now: string,
): Promise<boolean> => {
  const month = monthOf(sale.at);
  const expiresAt = epochSeconds(now) + guardTtlSeconds;
  for (let attempt = 1; ; attempt++) {
    const seen = await batchGetItems(
      membersTable(),
      part.map(([sku]) => memberKeys.buyer(sku, sale.memberId)),
    );
    const seenBySku = new Map(seen.map((item) => [item.sku as string, item]));
    const items: TransactItem[] = [
      {
        Put: {
          TableName: membersTable(),
          Item: {
            ...recommendationKeys.countedSale(sale.memberId, sale.saleId, chunk),
            entity: entities.countedSale,
            memberId: sale.memberId,
            saleId: sale.saleId,
            chunk,
            expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...part.map(([sku, qty]) => buyerUpdate(sale, sku, qty, seenBySku.get(sku))),
      ...(sale.tier ? favouriteUpdates(sale.tier, month, part) : []),
      ...(chunk === 0
        ? [
            counterUpdate(
              membersTable(),
              recommendationKeys.memberStores(sale.memberId),
              { entity: entities.memberStores, memberId: sale.memberId },
              { [`${salesPrefix}${sale.locationId}`]: 1 },
            ),
            ...boughtWithUpdates(month, paired),
          ]
        : []),
    ];
    try {
      await transactWrite(items);
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (error.failedAt(0)) return false;
      // Else a concurrent sale of the same member moved a first or last purchase: read again.
      if (attempt >= 3 || !error.reasons.some((r) => r.code === 'ConditionalCheckFailed')) throw error;
    }
  }
};

// ---- reading the counts

/** The member's latest sales that make up "what they bought lately". */
const recentSales = 20;

export interface MemberHistory {
  profile?: Record<string, unknown>;
  /** Newest first. */
  sales: { locationId: string; lines: { sku: string }[] }[];
  /** Sales per location id. */
  storeSales: Record<string, number>;
}

/** The member's profile, latest sales and sales per store, read in parallel. */
export const memberHistory = async (memberId: string): Promise<MemberHistory> => {
  const [profile, sales, stores] = await Promise.all([
    documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.profile(memberId) })).then((o) => o.Item),
    documentClient
      .send(
        new QueryCommand({
          TableName: inventory(),
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': salesKeys.memberPurchasesOf(memberId) },
          ProjectionExpression: 'locationId, #lines',
          ExpressionAttributeNames: { '#lines': 'lines' },
          ScanIndexForward: false,
          Limit: recentSales,
        }),
      )
      .then((o) => (o.Items ?? []) as { locationId: string; lines: { sku: string }[] }[]),
    documentClient.send(new GetCommand({ TableName: membersTable(), Key: recommendationKeys.memberStores(memberId) })).then((o) => o.Item),
  ]);
  return { profile, sales, storeSales: countsOf(stores, salesPrefix) };
};

const sumCounts = (items: readonly Record<string, unknown>[], prefix: string): Record<string, number> => {
  const total: Record<string, number> = {};
  for (const item of items) for (const [id, n] of Object.entries(countsOf(item, prefix))) total[id] = (total[id] ?? 0) + n;
  return total;
};

/** What was bought together with each of `skus`, and the favourites of `tier`, summed over `months`. */
export const purchaseCounts = async (
  skus: readonly string[],
  tier: string,
  months: readonly string[],
): Promise<{ boughtWith: Map<string, Record<string, number>>; segmentFavourites: Record<string, number> }> => {
  const [together, favourites] = await Promise.all([
    batchGetItems(
      inventory(),
      skus.flatMap((sku) => months.map((month) => recommendationKeys.boughtWith(sku, month))),
    ),
    batchGetItems(
      inventory(),
      months.flatMap((month) => recommendationKeys.tierFavouritesOf(tier, month)),
    ),
  ]);
  const boughtWith = new Map(
    skus.map((sku) => [
      sku,
      sumCounts(
        together.filter((item) => item.sku === sku),
        partnerPrefix,
      ),
    ]),
  );
  return { boughtWith, segmentFavourites: sumCounts(favourites, unitsPrefix) };
};

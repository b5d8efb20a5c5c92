/**
 * Purchase history and recommendations. The `purchaseHistory` stream
 * consumer counts each member sale once into the buyer index, bought-together
 * counts, tier favourites and the member's stores; the GET reads a bounded
 * handful of those items and ranks with shared/domain/recommendations.ts.
 * Choices and bounds: docs/recommendations.md.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { NotFound } from '../domain/errors.ts';
import { assertMemberAccess, type Principal } from '../domain/principal.ts';
import { pairedSkus, pickRecommendations, type Recommendation, scoreCandidates, usualLocation } from '../domain/recommendations.ts';
import { transactionItemLimit } from '../domain/limits.ts';
import { effectiveTier, ruleOf, type TierName, type TierState, tierRank } from '../domain/tiers.ts';
import { addMonths, daySeconds, epochSeconds, monthOf } from '../domain/time.ts';
import { batchGetItems } from './catalog.ts';
import { documentClient, tableName } from './client.ts';
import { entities, inventoryKeys, memberKeys, recommendationKeys, salesKeys, tierFavouriteShards } from './keys.ts';
import { loadProgram, membersTable } from './members.ts';
import { readLevels } from './stock.ts';
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
 * Counts one member sale into the purchase history, once. Its SKUs are cut
 * into chunks that each fit one transaction with their own guard item, so a
 * big basket is counted fully and a redelivered record (or a batch retried
 * after some chunks were written) counts no chunk twice. Returns the chunks
 * counted now.
 */
export const recordPurchase = async (sale: MemberSale, now = new Date().toISOString()): Promise<number> => {
  const units = new Map<string, number>();
  for (const line of sale.lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.qty);
  // Sorted, so a redelivery cuts the same chunks and finds the same guards.
  const lines = [...units].sort(([a], [b]) => a.localeCompare(b));
  const month = monthOf(sale.at);
  const expiresAt = epochSeconds(now) + guardTtlSeconds;
  let counted = 0;
  for (let chunk = 0; chunk * skusPerChunk < lines.length; chunk++) {
    const part = lines.slice(chunk * skusPerChunk, (chunk + 1) * skusPerChunk);
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
              ...boughtWithUpdates(month, pairedSkus(units, maxPairedSkus)),
            ]
          : []),
      ];
      try {
        await transactWrite(items);
        counted++;
        break;
      } catch (error) {
        if (!(error instanceof TransactionCancelled)) throw error;
        if (error.failedAt(0)) break;
        // Else a concurrent sale of the same member moved a first or last purchase: read again.
        if (attempt >= 3 || !error.reasons.some((r) => r.code === 'ConditionalCheckFailed')) throw error;
      }
    }
  }
  return counted;
};

// ---- recommending

/** The member's latest sales that make up "what they bought lately". */
const recentSales = 20;
/** Of those purchases, the most recent ones whose bought-together counts are read. */
const sourceSkus = 10;
/** Candidates checked for stock and catalogue per recommendation asked for: the best ones may be unavailable. */
const candidatesPerPick = 3;

export interface RecommendationItem extends Recommendation {
  name: string;
}

export interface Recommendations {
  memberId: string;
  locationId?: string;
  items: RecommendationItem[];
}

/** Two months of counts: this one (still filling up) and the last full one. */
const monthsToRead = (now: string) => [monthOf(now), monthOf(addMonths(`${monthOf(now)}-01T00:00:00.000Z`, -1))];

const sumCounts = (items: readonly Record<string, unknown>[], prefix: string): Record<string, number> => {
  const total: Record<string, number> = {};
  for (const item of items) for (const [id, n] of Object.entries(countsOf(item, prefix))) total[id] = (total[id] ?? 0) + n;
  return total;
};

const canBuyExclusive = (product: Record<string, unknown>, tier: TierName, exclusiveAccess: boolean): boolean => {
  const terms = product.memberExclusive as { minTier: TierName } | undefined;
  return !terms || (exclusiveAccess && tierRank(tier) >= tierRank(terms.minTier));
};

/**
 * What to offer a member: bought together with their latest purchases and
 * favourites of their tier, in stock where they usually shop, never what they
 * bought lately. A member without history gets their tier's favourites; with
 * nothing counted at all, an empty list.
 */
export const recommendationsFor = async (memberId: string, principal: Principal, limit: number, now = new Date().toISOString()): Promise<Recommendations> => {
  assertMemberAccess(principal, memberId);
  const [profile, sales, stores, program] = await Promise.all([
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
    loadProgram(),
  ]);
  if (!profile) throw new NotFound(`Member ${memberId} not found`);
  const tier = effectiveTier(profile as unknown as TierState, now);
  const purchased = [...new Set(sales.flatMap((sale) => sale.lines.map((line) => line.sku)))];
  const locationId = usualLocation(countsOf(stores, salesPrefix)) ?? sales[0]?.locationId;
  const months = monthsToRead(now);

  const sources = purchased.slice(0, sourceSkus);
  const [together, favourites] = await Promise.all([
    batchGetItems(
      inventory(),
      sources.flatMap((sku) => months.map((month) => recommendationKeys.boughtWith(sku, month))),
    ),
    batchGetItems(
      inventory(),
      months.flatMap((month) => recommendationKeys.tierFavouritesOf(tier, month)),
    ),
  ]);
  const boughtWith = new Map(
    sources.map((sku) => [
      sku,
      sumCounts(
        together.filter((item) => item.sku === sku),
        partnerPrefix,
      ),
    ]),
  );
  const candidates = scoreCandidates({ purchased, boughtWith, segmentFavourites: sumCounts(favourites, unitsPrefix) }).slice(0, limit * candidatesPerPick);

  const skus = candidates.map((c) => c.sku);
  const [levels, products] = await Promise.all([
    locationId ? readLevels(skus.map((sku) => ({ sku, locationId }))) : Promise.resolve(undefined),
    batchGetItems(
      inventory(),
      skus.map((sku) => inventoryKeys.product(sku)),
    ),
  ]);
  const available = new Set(levels?.filter((level) => level.available > 0).map((level) => level.sku));
  const product = new Map(products.map((item) => [item.sku as string, item]));
  const exclusiveAccess = ruleOf(program, tier).exclusiveAccess;
  const picked = pickRecommendations(
    candidates,
    {
      // Without a location (no sale yet) there is no store to check.
      outOfStock: new Set(levels ? skus.filter((sku) => !available.has(sku)) : []),
      notForMember: new Set(skus.filter((sku) => !product.has(sku) || !canBuyExclusive(product.get(sku)!, tier, exclusiveAccess))),
    },
    limit,
  );
  return {
    memberId,
    ...(locationId ? { locationId } : {}),
    items: picked.map((r) => ({ ...r, name: product.get(r.sku)!.name as string })),
  };
};

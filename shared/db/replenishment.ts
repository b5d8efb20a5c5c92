/**
 * Replenishment repository: demand buckets, suggestions, purchase orders and
 * the ABC report — their keys, queries and transactions. The decisions and
 * the access scoping that use them are in shared/app/replenishment.ts.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { Conflict } from '../domain/errors.ts';
import type { LevelChange } from '../domain/movements.ts';
import type { AbcClass, AbcEntry, AbcPolicy } from '../domain/replenishment/abc.ts';
import type { DemandBucket } from '../domain/replenishment/demand.ts';
import { addMonths, dayOf, monthOf } from '../domain/time.ts';
import { getInventoryItem, type Page } from './catalog.ts';
import { documentClient, queryPage, tableName } from './client.ts';
import { cursorScope } from './cursor.ts';
import { entities, inventoryKeys, memberKeys, replenishmentKeys, withoutKeys } from './keys.ts';
import { foldPartition, withShards } from './level-shards.ts';
import { levelUpdate, type MovementCommand, movementItems } from './stock.ts';
import { labelled, TransactionCancelled, type TransactItem, transactLabelled, transactWrite } from './transact.ts';
import type { AbcReport, PurchaseOrder, PurchaseOrderLine, ReplenishmentSuggestion } from '../schemas/replenishment.ts';

const inventory = () => tableName(tables.inventory);

// ---- demand from the stream

/**
 * Counts a SALE ledger entry into its day and month. The day bucket keeps
 * the movement ids it counted and refuses one it has seen, in the same
 * transaction as the month, so a redelivered record counts once.
 */
export const recordDemand = async (entry: { sku: string; locationId: string; movementId: string; onHandDelta: number; at: string }): Promise<boolean> => {
  const units = -entry.onHandDelta;
  if (units <= 0) return false;
  try {
    await transactWrite([
      {
        Update: {
          TableName: inventory(),
          Key: replenishmentKeys.demandDay(entry.sku, entry.locationId, dayOf(entry.at)),
          UpdateExpression: 'SET entity = :entity, sku = :sku, locationId = :loc, #day = :day ADD units :units, counted :ids',
          ConditionExpression: 'NOT contains(counted, :id)',
          ExpressionAttributeNames: { '#day': 'day' },
          ExpressionAttributeValues: {
            ':entity': entities.demandDay,
            ':sku': entry.sku,
            ':loc': entry.locationId,
            ':day': dayOf(entry.at),
            ':units': units,
            ':ids': new Set([entry.movementId]),
            ':id': entry.movementId,
          },
        },
      },
      {
        Update: {
          TableName: inventory(),
          Key: replenishmentKeys.demandMonth(entry.sku, monthOf(entry.at)),
          UpdateExpression: 'SET entity = :entity, sku = :sku ADD units :units',
          ExpressionAttributeValues: { ':entity': entities.demandMonth, ':sku': entry.sku, ':units': units },
        },
      },
    ]);
    return true;
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedAt(0)) return false;
    throw error;
  }
};

/** Segment units are top-level attributes of the day bucket, one per key. */
const segmentPrefix = 'segment_';

/**
 * Counts a member sale's units into the same day buckets under each of its
 * segment keys: the member's tier (`segment_GOLD`), and the tags and demand
 * segments it was in (`segment_tag:young-parents`, `segment_segment:{id}`).
 * One update per SKU adds them all, conditioned on the sale id not being in
 * the bucket's `countedSales`, so a redelivered sale counts once under every
 * key or not at all.
 */
export const recordMemberDemand = async (sale: {
  saleId: string;
  locationId: string;
  at: string;
  tier: string;
  /** `tag:{name}` and `segment:{segmentId}` keys; none by default. */
  groups?: readonly string[];
  lines: { sku: string; qty: number }[];
}): Promise<number> => {
  let counted = 0;
  const units = new Map<string, number>();
  for (const line of sale.lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.qty);
  const keys = [...new Set([sale.tier, ...(sale.groups ?? [])])];
  const names = Object.fromEntries(keys.map((key, i) => [`#s${i}`, `${segmentPrefix}${key}`]));
  for (const line of [...units].map(([sku, qty]) => ({ sku, qty }))) {
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: inventory(),
          Key: replenishmentKeys.demandDay(line.sku, sale.locationId, dayOf(sale.at)),
          UpdateExpression: `SET entity = :entity, sku = :sku, locationId = :loc, #day = :day ADD ${keys.map((_, i) => `#s${i} :units`).join(', ')}, countedSales :ids`,
          ConditionExpression: 'NOT contains(countedSales, :id)',
          ExpressionAttributeNames: { '#day': 'day', ...names },
          ExpressionAttributeValues: {
            ':entity': entities.demandDay,
            ':sku': line.sku,
            ':loc': sale.locationId,
            ':day': dayOf(sale.at),
            ':units': line.qty,
            ':ids': new Set([sale.saleId]),
            ':id': sale.saleId,
          },
        }),
      );
      counted++;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
  return counted;
};

const memberFields = ['memberId', 'tags', 'qualifiedTier', 'qualifiedSince', 'paidTier', 'paidUntil', 'birthday', 'spendByMonth', 'visitsByMonth'];

/**
 * What the demand consumer matches a member against: tags, tier state, and
 * the rolling spend and visits. One eventually consistent read per member
 * sale; a member who no longer exists counts by tier only.
 */
export const memberForDemand = async (memberId: string): Promise<Record<string, unknown> | undefined> =>
  (
    await documentClient.send(
      new GetCommand({
        TableName: tableName(tables.members),
        Key: memberKeys.profile(memberId),
        ProjectionExpression: memberFields.map((_, i) => `#f${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(memberFields.map((f, i) => [`#f${i}`, f])),
      }),
    )
  ).Item;

export interface DayDemand extends DemandBucket {
  /** Units by segment key: `GOLD`, `tag:young-parents`, `segment:{segmentId}`. */
  segments: Record<string, number>;
}

/**
 * The day buckets of one SKU at one location from `firstDay` to `lastDay`,
 * both included. The segment keys are not known beforehand, so the whole
 * bucket is read (a projection would not lower the read units: they are
 * charged by item size) and the `segment_` attributes picked out.
 */
export const demandHistory = async (sku: string, locationId: string, firstDay: string, lastDay: string): Promise<DayDemand[]> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': replenishmentKeys.demandOf(sku, locationId),
        ':from': replenishmentKeys.demandDaySk(firstDay),
        ':to': replenishmentKeys.demandDaySk(lastDay),
      },
    }),
  );
  return (output.Items ?? []).map((item) => ({
    day: item.day as string,
    units: (item.units as number | undefined) ?? 0,
    segments: Object.fromEntries(
      Object.entries(item)
        .filter(([k, v]) => k.startsWith(segmentPrefix) && typeof v === 'number')
        .map(([k, v]) => [k.slice(segmentPrefix.length), v as number]),
    ),
  }));
};

// ---- suggestions and the levels they are decided from

export type SuggestionStatus = 'OPEN' | 'ORDERED' | 'CLOSED';

/** What the reorder decision reads of a product. */
export interface Product {
  sku: string;
  unitCost: number;
  packSize?: number;
  minOrderQty?: number;
  supplierId?: string;
  leadTimeDays?: number;
  orderingCost?: number;
  holdingCostPerUnitYear?: number;
  serviceLevel?: number;
  reorder?: { min: number; max: number };
  abcClass?: AbcClass;
  abcPolicy?: AbcPolicy;
}

const suggestionView = (item: Record<string, unknown>): ReplenishmentSuggestion => withoutKeys<ReplenishmentSuggestion>(item);

/** Everything one reorder decision starts from: the level, its product and the suggestion already written. */
export const reorderState = async (
  sku: string,
  locationId: string,
): Promise<{ level?: Record<string, unknown>; product?: Product; suggestion?: ReplenishmentSuggestion }> => {
  const [level, product, suggestion] = await Promise.all([
    getInventoryItem(inventoryKeys.level(sku, locationId)).then(async (item) => (item ? (await withShards([item]))[0] : undefined)),
    getInventoryItem(inventoryKeys.product(sku)),
    getInventoryItem(replenishmentKeys.suggestion(sku, locationId)),
  ]);
  return { level, product: product as unknown as Product | undefined, suggestion: suggestion ? suggestionView(suggestion) : undefined };
};

export const setLevelReorderPoint = (sku: string, locationId: string, value: number) =>
  documentClient.send(
    new UpdateCommand({
      TableName: inventory(),
      Key: inventoryKeys.level(sku, locationId),
      UpdateExpression: 'SET reorderPoint = :rop',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':rop': value },
    }),
  );

/**
 * Every location's level item of a SKU, one page (read consistently when a
 * transfer rests on it); unlike stock's levelsOfSku it does not ask for the product.
 */
export const levelsAcrossChain = async (sku: string, consistentRead = false): Promise<Record<string, unknown>[]> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': inventoryKeys.levelsOfSku(sku) },
      ...(consistentRead ? { ConsistentRead: true } : {}),
    }),
  );
  // A hot SKU's shards are in the same partition: each level is read with its shards summed in.
  return foldPartition(output.Items ?? []);
};

/** Suggestions with `status`: at one location (optionally one SKU), else across the chain. */
export const findSuggestions = async (query: {
  locationId?: string;
  sku?: string;
  status: SuggestionStatus;
  limit: number;
  cursor?: string;
}): Promise<Page<ReplenishmentSuggestion>> => {
  const { locationId } = query;
  const [index, partition, values, condition] = locationId
    ? query.sku
      ? ['gsi1', replenishmentKeys.suggestionsAt(locationId), { ':sk': `${query.status}#${query.sku}` }, 'gsi1sk = :sk']
      : ['gsi1', replenishmentKeys.suggestionsAt(locationId), { ':prefix': `${query.status}#` }, 'begins_with(gsi1sk, :prefix)']
    : ['gsi2', replenishmentKeys.suggestionsWithStatus(query.status), {}, undefined];
  const page = await queryPage(
    {
      TableName: inventory(),
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk${condition ? ` AND ${condition}` : ''}`,
      ...(!locationId && query.sku ? { FilterExpression: 'sku = :sku' } : {}),
      ExpressionAttributeValues: { ':pk': partition, ...values, ...(!locationId && query.sku ? { ':sku': query.sku } : {}) },
    },
    query.limit,
    cursorScope(tables.inventory, index, partition),
    query.cursor,
  );
  return { items: page.items.map(suggestionView), cursor: page.cursor };
};

/** The products of these SKUs that exist, by SKU. */
// ---- purchase orders

const incomingChange = (sku: string, locationId: string, delta: number): LevelChange => ({
  sku,
  locationId,
  ledgerType: 'RECEIPT',
  onHandDelta: 0,
  reservedDelta: 0,
  availableDrop: 0,
  incomingDelta: delta,
});

const poView = (item: Record<string, unknown>): PurchaseOrder => withoutKeys<PurchaseOrder>(item, ['fingerprint']);

/** The order with the fingerprint of the request that opened it. */
export const findPurchaseOrder = async (purchaseOrderId: string): Promise<{ order: PurchaseOrder; fingerprint: unknown } | undefined> => {
  const item = await getInventoryItem(replenishmentKeys.purchaseOrder(purchaseOrderId));
  return item ? { order: poView(item), fingerprint: item.fingerprint } : undefined;
};

/**
 * Opens a purchase order: the order, `incoming` raised on every level it
 * delivers to, and the open suggestions it answers marked ORDERED — one
 * transaction. False when the order id was taken meanwhile; a suggestion no
 * longer open is a Conflict naming it.
 */
export const insertPurchaseOrder = async (
  order: PurchaseOrder,
  fingerprint: string,
  products: ReadonlyMap<string, Record<string, unknown>>,
  now: string,
): Promise<boolean> => {
  const { lines } = order;
  const answered = lines.filter((l) => order.fromSuggestions.includes(`${l.sku}@${l.locationId}`));
  const items = [
    ...labelled('order', [
      {
        Put: {
          TableName: inventory(),
          Item: { ...replenishmentKeys.purchaseOrder(order.purchaseOrderId), entity: entities.purchaseOrder, ...order, fingerprint },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]),
    ...labelled(
      'levels',
      lines.map((l) => levelUpdate(incomingChange(l.sku, l.locationId, l.qty), products.get(l.sku), now)),
    ),
    ...labelled(
      'suggestions',
      answered.map(
        (l): TransactItem => ({
          Update: {
            TableName: inventory(),
            Key: replenishmentKeys.suggestion(l.sku, l.locationId),
            UpdateExpression: 'SET #status = :ordered, purchaseOrderId = :po, updatedAt = :now, gsi1sk = :gsi1sk, gsi2pk = :gsi2pk',
            ConditionExpression: '#status = :open',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':ordered': 'ORDERED',
              ':open': 'OPEN',
              ':po': order.purchaseOrderId,
              ':now': now,
              ':gsi1sk': replenishmentKeys.suggestionIndexes(l.sku, l.locationId, 'ORDERED').gsi1sk,
              ':gsi2pk': replenishmentKeys.suggestionIndexes(l.sku, l.locationId, 'ORDERED').gsi2pk,
            },
          },
        }),
      ),
    ),
  ];
  try {
    await transactLabelled(items);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAtLabel('order')) return false;
    const stale = error.failuresAt('suggestions').map((i) => `${answered[i]!.sku}@${answered[i]!.locationId}`);
    if (stale.length > 0) throw new Conflict(`No open suggestion for ${stale.join(', ')}`, { suggestions: stale });
    throw error;
  }
  return true;
};

/** The movement a receipt was booked as, if it was. */
export const bookedMovement = (locationId: string, movementId: string) => getInventoryItem(inventoryKeys.movement(locationId, movementId));

const poUpdate = (order: PurchaseOrder, set: Partial<PurchaseOrder>, now: string): TransactItem => ({
  Update: {
    TableName: inventory(),
    Key: replenishmentKeys.purchaseOrder(order.purchaseOrderId),
    UpdateExpression: 'SET #lines = :lines, #status = :status, updatedAt = :now, #version = #version + :one',
    ConditionExpression: '#version = :version',
    ExpressionAttributeNames: { '#lines': 'lines', '#status': 'status', '#version': 'version' },
    ExpressionAttributeValues: { ':lines': set.lines ?? order.lines, ':status': set.status ?? order.status, ':now': now, ':one': 1, ':version': order.version },
  },
});

/** True unless a condition failed: the order or a suggestion it answered changed meanwhile. */
const writeUnlessChanged = async (items: TransactItem[]): Promise<boolean> => {
  try {
    await transactWrite(items);
    return true;
  } catch (error) {
    if (error instanceof TransactionCancelled && error.reasons.some((r) => r.code === 'ConditionalCheckFailed')) return false;
    throw error;
  }
};

/**
 * A receipt in one transaction: the order's new lines and status (if its
 * version is still the one read), the RECEIPT movement with its level and
 * ledger writes, and the suggestions of the lines it completed closed.
 * False when something changed meanwhile.
 */
export const bookReceipt = async (receipt: {
  order: PurchaseOrder;
  set: Pick<PurchaseOrder, 'lines' | 'status'>;
  movement: MovementCommand;
  changes: readonly LevelChange[];
  products: ReadonlyMap<string, Record<string, unknown>>;
  fingerprint: string;
  by: string;
  completed: readonly PurchaseOrderLine[];
  /** The reconciliation writes of the receipt's tagged SKUs (shared/app/reconcile.ts). */
  reconciliation: readonly TransactItem[];
  now: string;
}): Promise<boolean> => {
  const { order, now } = receipt;
  return writeUnlessChanged([
    poUpdate(order, receipt.set, now),
    ...movementItems(receipt.movement, receipt.changes, receipt.products, receipt.fingerprint, receipt.by, now).map(({ item }) => item),
    ...(await closeAnsweredSuggestions(order, receipt.completed, `received on purchase order ${order.purchaseOrderId}`, now)),
    ...receipt.reconciliation,
  ]);
};

/**
 * Cancels an order in one transaction: its status, `incoming` lowered by
 * what is still outstanding, the suggestions it answered closed. False when
 * something changed meanwhile.
 */
export const cancelOutstanding = async (
  order: PurchaseOrder,
  outstanding: readonly PurchaseOrderLine[],
  products: ReadonlyMap<string, Record<string, unknown>>,
  now: string,
): Promise<boolean> =>
  writeUnlessChanged([
    poUpdate(order, { status: 'CANCELLED' }, now),
    ...outstanding.map((l) => levelUpdate(incomingChange(l.sku, l.locationId, -(l.qty - l.received)), products.get(l.sku), now)),
    ...(await closeAnsweredSuggestions(order, outstanding, `purchase order ${order.purchaseOrderId} cancelled`, now)),
  ]);
/**
 * Closes the ORDERED suggestions an order answered, for lines it has now
 * settled; the next reorder check opens a new one if stock is still short.
 */
const closeAnsweredSuggestions = async (order: PurchaseOrder, settled: readonly PurchaseOrderLine[], reason: string, now: string): Promise<TransactItem[]> => {
  const answered = settled.filter((l) => order.fromSuggestions.includes(`${l.sku}@${l.locationId}`));
  const current = await Promise.all(answered.map((l) => getInventoryItem(replenishmentKeys.suggestion(l.sku, l.locationId))));
  return answered
    .filter((_, i) => current[i]?.status === 'ORDERED' && current[i]?.purchaseOrderId === order.purchaseOrderId)
    .map((l): TransactItem => {
      const indexes = replenishmentKeys.suggestionIndexes(l.sku, l.locationId, 'CLOSED');
      return {
        Update: {
          TableName: inventory(),
          Key: replenishmentKeys.suggestion(l.sku, l.locationId),
          UpdateExpression: 'SET #status = :closed, reason = :reason, updatedAt = :now, gsi1sk = :gsi1sk, gsi2pk = :gsi2pk',
          ConditionExpression: '#status = :ordered AND purchaseOrderId = :po',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':closed': 'CLOSED',
            ':ordered': 'ORDERED',
            ':po': order.purchaseOrderId,
            ':reason': reason,
            ':now': now,
            ':gsi1sk': indexes.gsi1sk,
            ':gsi2pk': indexes.gsi2pk,
          },
        },
      };
    });
};

// ---- ABC

/** Annual units of a SKU across the chain: the last twelve monthly buckets. */
export const annualUnits = async (sku: string, now: string): Promise<number> => {
  // Eleven months back by calendar month (clamped: on 31 March it is April, not May).
  const from = monthOf(addMonths(now, -11));
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: { ':pk': replenishmentKeys.demandMonthsOf(sku), ':from': replenishmentKeys.demandMonthSk(from) },
    }),
  );
  return (output.Items ?? []).reduce((sum, i) => sum + (i.units as number), 0);
};

/** Writes a product's class, policy and value figures; the product must exist. */
export const setProductAbc = (entry: AbcEntry, now: string) =>
  documentClient.send(
    new UpdateCommand({
      TableName: inventory(),
      Key: inventoryKeys.product(entry.sku),
      UpdateExpression: 'SET abcClass = :class, abcPolicy = :policy, abc = :abc',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':class': entry.abcClass,
        ':policy': entry.policy,
        ':abc': { rank: entry.rank, value: entry.value, valueShare: entry.valueShare, cumulativeShare: entry.cumulativeShare, classifiedAt: now },
      },
    }),
  );

export const putAbcReport = (report: AbcReport) =>
  documentClient.send(new PutCommand({ TableName: inventory(), Item: { ...replenishmentKeys.abcReport, entity: entities.abcReport, ...report } }));

export const latestAbcReport = async (): Promise<AbcReport | undefined> => {
  const item = await getInventoryItem(replenishmentKeys.abcReport);
  return item ? withoutKeys<AbcReport>(item) : undefined;
};

// ---- HQ ordering runs

/** A run's plan: the orders it decided on (and answers with), under the fingerprint of the request that made it. */
export interface HqRunRecord<T> {
  runId: string;
  fingerprint: string;
  answer: T;
  createdAt: string;
}

export const findHqRun = async <T>(runId: string): Promise<HqRunRecord<T> | undefined> => {
  const item = await getInventoryItem(replenishmentKeys.hqRun(runId));
  return item ? withoutKeys<HqRunRecord<T>>(item) : undefined;
};

/** Stores a run's plan once. False when another call stored one first: read and follow that one. */
export const insertHqRun = async <T>(run: HqRunRecord<T>): Promise<boolean> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: inventory(),
        Item: { ...replenishmentKeys.hqRun(run.runId), entity: entities.hqRun, ...run },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return false;
  }
};

// ---- transfer promises: a donor's surplus is promised once

/**
 * A donor's promises of one SKU as read: the units each recipient's
 * suggestion takes, and the version a write is conditioned on (0: no item
 * yet). Only recipients whose suggestion still takes units from this donor
 * count; entries left by a path that closed a suggestion without releasing
 * its promise (a purchase order, a receipt) are dropped on read.
 */
export interface TransferPromises {
  readonly sku: string;
  readonly donorLocationId: string;
  readonly promised: Readonly<Record<string, number>>;
  readonly version: number;
}

/**
 * The units a suggestion takes from `donorLocationId`: an OPEN TRANSFER its
 * quantity, a split PURCHASE (OPEN or ORDERED: ordering buys only the other
 * part) its transferQuantity. A TRANSFER marked ORDERED is bought instead,
 * and a CLOSED one takes nothing.
 */
export const transferUnitsOf = (suggestion: ReplenishmentSuggestion | undefined, donorLocationId: string): number => {
  if (!suggestion || suggestion.fromLocationId !== donorLocationId) return 0;
  if (suggestion.kind === 'TRANSFER') return suggestion.status === 'OPEN' ? suggestion.quantity : 0;
  return suggestion.status === 'CLOSED' ? 0 : (suggestion.transferQuantity ?? 0);
};

/** Reads a donor's promises of a SKU consistently, keeping only those a recipient's suggestion still holds. */
export const transferPromises = async (sku: string, donorLocationId: string): Promise<TransferPromises> => {
  const item = await getInventoryItem(replenishmentKeys.transferPromises(sku, donorLocationId));
  const entries = Object.entries((item?.promised as Record<string, number> | undefined) ?? {});
  const held = await Promise.all(
    entries.map(async ([recipient, units]) => {
      const suggestion = await getInventoryItem(replenishmentKeys.suggestion(sku, recipient));
      return transferUnitsOf(suggestion ? suggestionView(suggestion) : undefined, donorLocationId) > 0 ? ([[recipient, units]] as const) : [];
    }),
  );
  return { sku, donorLocationId, promised: Object.fromEntries(held.flat()), version: (item?.version as number | undefined) ?? 0 };
};

/** A donor's promises to write with a suggestion: the map as read (`before`, whose version conditions the write) and as it becomes. */
export interface PromiseChange {
  readonly before: TransferPromises;
  readonly after: Readonly<Record<string, number>>;
}

/**
 * Writes a suggestion and the promises of the donors it takes from or
 * releases in one transaction: the suggestion if its status is still the
 * one read (a stream consumer and the sweep racing on one SKU cannot both
 * open one), each promise item if its version is still
 * the one read, and (for a new promise) the donor's level still holding
 * `atLeast` available. Two checks racing for one donor's surplus cannot both
 * promise the same units: the later one's transaction fails, and it
 * re-plans (`stale`). When the suggestion itself was written meanwhile, the
 * newer one stands and is returned.
 */
export const writeSuggestionWithPromises = async (
  suggestion: ReplenishmentSuggestion,
  expectedStatus: SuggestionStatus | undefined,
  promises: readonly PromiseChange[],
  donorLevel?: { readonly locationId: string; readonly atLeast: number },
): Promise<{ suggestion: ReplenishmentSuggestion; stale: boolean }> => {
  const items = [
    ...labelled('suggestion', [
      {
        Put: {
          TableName: inventory(),
          Item: {
            ...replenishmentKeys.suggestion(suggestion.sku, suggestion.locationId),
            ...replenishmentKeys.suggestionIndexes(suggestion.sku, suggestion.locationId, suggestion.status),
            entity: entities.suggestion,
            ...suggestion,
          },
          ConditionExpression: expectedStatus ? '#status = :expected' : 'attribute_not_exists(pk)',
          ...(expectedStatus ? { ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':expected': expectedStatus } } : {}),
        },
      },
    ]),
    ...labelled(
      'promises',
      promises.map(
        ({ before, after }): TransactItem => ({
          Put: {
            TableName: inventory(),
            Item: {
              ...replenishmentKeys.transferPromises(before.sku, before.donorLocationId),
              entity: entities.transferPromises,
              sku: before.sku,
              locationId: before.donorLocationId,
              promised: after,
              version: before.version + 1,
            },
            ...(before.version === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: '#version = :version',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':version': before.version },
                }),
          },
        }),
      ),
    ),
    ...labelled(
      'donorLevel',
      donorLevel
        ? [
            {
              ConditionCheck: {
                TableName: inventory(),
                Key: inventoryKeys.level(suggestion.sku, donorLevel.locationId),
                ConditionExpression: 'available >= :atLeast',
                ExpressionAttributeValues: { ':atLeast': donorLevel.atLeast },
              },
            },
          ]
        : [],
    ),
  ];
  try {
    await transactLabelled(items);
    return { suggestion, stale: false };
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAtLabel('suggestion')) {
      // Someone else wrote it first from a newer state; theirs stands and the next check sees it.
      const now = await getInventoryItem(replenishmentKeys.suggestion(suggestion.sku, suggestion.locationId));
      return { suggestion: suggestionView(now!), stale: false };
    }
    if (error.failedAtLabel('promises') || error.failedAtLabel('donorLevel')) return { suggestion, stale: true };
    throw error;
  }
};

/**
 * Replenishment: demand history from the stream, one suggestion per SKU and
 * location computed from the current state (so retries, duplicate stream
 * records and sweeps repeat the same answer instead of adding to it), and
 * purchase orders that raise and settle `incoming`.
 */
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../domain/errors.ts';
import type { LevelChange } from '../domain/movements.ts';
import { derivedId } from '../domain/ids.ts';
import { assertLocationAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import { type AbcClass, type AbcPolicy, classifyAbc, defaultAbcConfig } from '../domain/replenishment/abc.ts';
import { chooseDonor, combinePurchaseSuggestions, type DonorCandidate, type HqOrder } from '../domain/replenishment/chain.ts';
import { dailyDemandStats, type DemandBucket } from '../domain/replenishment/demand.ts';
import { economicOrderQuantity } from '../domain/replenishment/eoq.ts';
import { type Overstock, overstockOf, type OverstockPolicy } from '../domain/replenishment/overstock.ts';
import { replenishmentReason } from '../domain/replenishment/reason.ts';
import { type ReorderPlan, reorderPoint } from '../domain/replenishment/reorder-point.ts';
import { type OrderPolicy, suggestOrder } from '../domain/replenishment/suggestion.ts';
import { memberDemandUplift } from '../domain/replenishment/uplift.ts';
import { addDays, addMonths, dayOf, monthOf } from '../domain/time.ts';
import { batchGetInventory, getInventoryItem, type Page } from './catalog.ts';
import { documentClient, tableName } from './client.ts';
import { cursorScope, decodeCursor, encodeCursor } from './cursor.ts';
import { assertSameRequest, requestFingerprint } from './fingerprint.ts';
import { entities, inventoryKeys, replenishmentKeys, withoutKeys } from './keys.ts';
import { levelUpdate, loadReferences, movementItems, readLevels, type StockLevel } from './stock.ts';
import { TransactionCancelled, type TransactItem, transactWrite } from './transact.ts';

const inventory = () => tableName(tables.inventory);

/** Days of history behind the forecast: two four-week periods, so member demand growth can be measured too. */
export const demandWindowDays = 56;
const defaultLeadTimeDays = 7;
const defaultServiceLevel = 0.95;

const daysBefore = (iso: string, days: number) => dayOf(addDays(iso, -days));

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

/**
 * Counts a member sale's units by the member's tier (the segment) into the
 * same day buckets, once per sale: the forecast raises demand where a
 * segment's buying grows.
 */
export const recordMemberDemand = async (sale: {
  saleId: string;
  locationId: string;
  at: string;
  tier: string;
  lines: { sku: string; qty: number }[];
}): Promise<number> => {
  let counted = 0;
  const units = new Map<string, number>();
  for (const line of sale.lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.qty);
  for (const line of [...units].map(([sku, qty]) => ({ sku, qty }))) {
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: inventory(),
          Key: replenishmentKeys.demandDay(line.sku, sale.locationId, dayOf(sale.at)),
          UpdateExpression: 'SET entity = :entity, sku = :sku, locationId = :loc, #day = :day ADD #segment :units, countedSales :ids',
          ConditionExpression: 'NOT contains(countedSales, :id)',
          ExpressionAttributeNames: { '#day': 'day', '#segment': `segment_${sale.tier}` },
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

interface DayDemand extends DemandBucket {
  segments: Record<string, number>;
}

const demandHistory = async (sku: string, locationId: string, now: string): Promise<DayDemand[]> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': replenishmentKeys.demandOf(sku, locationId),
        ':from': replenishmentKeys.demandDaySk(daysBefore(now, demandWindowDays - 1)),
        ':to': replenishmentKeys.demandDaySk(dayOf(now)),
      },
      ProjectionExpression: `#day, units, ${['REGULAR', 'SILVER', 'GOLD', 'PLATINUM'].map((t) => `segment_${t}`).join(', ')}`,
      ExpressionAttributeNames: { '#day': 'day' },
    }),
  );
  return (output.Items ?? []).map((item) => ({
    day: item.day as string,
    units: (item.units as number | undefined) ?? 0,
    segments: Object.fromEntries(
      Object.entries(item)
        .filter(([k]) => k.startsWith('segment_'))
        .map(([k, v]) => [k.slice('segment_'.length), v as number]),
    ),
  }));
};

// ---- the forecast and the reorder decision

export interface Forecast {
  meanDailyDemand: number;
  stdDevDailyDemand: number;
  upliftReason: string;
}

const forecastOf = (history: readonly DayDemand[], now: string): Forecast => {
  const firstDay = daysBefore(now, demandWindowDays - 1);
  const stats = dailyDemandStats(history, { firstDay, days: demandWindowDays });
  const split = daysBefore(now, demandWindowDays / 2 - 1);
  const recent = history.filter((d) => d.day >= split);
  const previous = history.filter((d) => d.day < split);
  const segments = [...new Set(history.flatMap((d) => Object.keys(d.segments)))].map((segment) => ({
    segment,
    recentUnits: recent.reduce((sum, d) => sum + (d.segments[segment] ?? 0), 0),
    previousUnits: previous.reduce((sum, d) => sum + (d.segments[segment] ?? 0), 0),
  }));
  const uplift = memberDemandUplift({
    baseForecast: stats.meanDaily,
    recentTotalUnits: recent.reduce((sum, d) => sum + d.units, 0),
    segments,
  });
  return { meanDailyDemand: uplift.forecast, stdDevDailyDemand: stats.stdDevDaily, upliftReason: uplift.reason };
};

export type SuggestionStatus = 'OPEN' | 'ORDERED' | 'CLOSED';

export interface ReplenishmentSuggestion {
  sku: string;
  locationId: string;
  kind: 'PURCHASE' | 'TRANSFER';
  quantity: number;
  reorderPoint: number;
  eoq?: number;
  /** TRANSFER: where the units come from. */
  fromLocationId?: string;
  supplierId?: string;
  reason: string;
  status: SuggestionStatus;
  inputs: Record<string, unknown>;
  purchaseOrderId?: string;
  updatedAt: string;
}

interface Product {
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

/** How much to order: min/max when the product fixes it, EOQ when its costs are known, else up to twice the reorder point. */
const orderPolicyOf = (product: Product, plan: ReorderPlan, meanDailyDemand: number): OrderPolicy => {
  if (plan.kind === 'MIN_MAX') return { kind: 'ORDER_UP_TO', max: plan.orderUpTo };
  if (product.orderingCost !== undefined && product.holdingCostPerUnitYear !== undefined && product.holdingCostPerUnitYear > 0) {
    return {
      kind: 'EOQ',
      eoq: economicOrderQuantity({
        annualDemand: meanDailyDemand * 365,
        orderingCost: product.orderingCost,
        holdingCostPerUnitYear: product.holdingCostPerUnitYear,
        packSize: product.packSize,
        minOrderQty: product.minOrderQty,
      }),
    };
  }
  return { kind: 'ORDER_UP_TO', max: Math.max(1, plan.reorderPoint * 2) };
};

const planFor = (product: Product, forecast: Forecast): ReorderPlan =>
  reorderPoint({
    meanDailyDemand: forecast.meanDailyDemand,
    stdDevDailyDemand: forecast.stdDevDailyDemand,
    leadTimeDays: product.leadTimeDays ?? defaultLeadTimeDays,
    serviceLevel: product.abcPolicy?.serviceLevel ?? product.serviceLevel ?? defaultServiceLevel,
    safetyStockFactor: product.abcPolicy?.safetyStockFactor ?? 1,
    reorder: product.reorder,
  });

/** Days of demand a location keeps before it gives stock away: lead time plus the class's review period. */
const targetDaysOfCover = (product: Product) => (product.leadTimeDays ?? defaultLeadTimeDays) + (product.abcPolicy?.reviewPeriodDays ?? 14);

const suggestionView = (item: Record<string, unknown>): ReplenishmentSuggestion => withoutKeys<ReplenishmentSuggestion>(item);

export interface ReorderCheck {
  reorderPoint: number;
  suggestion?: ReplenishmentSuggestion;
  /** What the check did: opened or updated the open suggestion, closed it, or nothing. */
  outcome: 'SUGGESTED' | 'CLOSED' | 'UNCHANGED';
}

/**
 * Recomputes the reorder point of one SKU at one location from its demand
 * history and, when available + incoming <= reorder point, writes the one
 * open suggestion for it (a transfer from a location with surplus, else a
 * purchase). Everything is derived from current state, so running it again
 * — a retried stream batch, a duplicate record, the sweep — rewrites the
 * same suggestion rather than adding a second one or adding to it.
 */
export const checkReorder = async (sku: string, locationId: string, now = new Date().toISOString()): Promise<ReorderCheck | undefined> => {
  const [level, productItem, existing] = await Promise.all([
    getInventoryItem(inventoryKeys.level(sku, locationId)),
    getInventoryItem(inventoryKeys.product(sku)),
    getInventoryItem(replenishmentKeys.suggestion(sku, locationId)),
  ]);
  if (!level || !productItem) return undefined;
  const product = productItem as unknown as Product;
  const forecast = forecastOf(await demandHistory(sku, locationId, now), now);
  const plan = planFor(product, forecast);
  const available = level.available as number;
  const incoming = (level.incoming as number | undefined) ?? 0;
  if (level.reorderPoint !== plan.reorderPoint) await setLevelReorderPoint(sku, locationId, plan.reorderPoint);

  const order = orderPolicyOf(product, plan, forecast.meanDailyDemand);
  const decision = suggestOrder({ available, incoming, reorderPoint: plan.reorderPoint, order, packSize: product.packSize, minOrderQty: product.minOrderQty });
  const reason = replenishmentReason({
    available,
    incoming,
    plan,
    order,
    suggestion: decision,
    packSize: product.packSize,
    minOrderQty: product.minOrderQty,
    upliftReason: forecast.upliftReason,
  });
  const current = existing ? suggestionView(existing) : undefined;

  if (!decision.needed) {
    if (current?.status !== 'OPEN') return { reorderPoint: plan.reorderPoint, outcome: 'UNCHANGED' };
    const closed = await writeSuggestion({ ...current, status: 'CLOSED', reason, updatedAt: now }, 'OPEN');
    return { reorderPoint: plan.reorderPoint, suggestion: closed, outcome: 'CLOSED' };
  }
  const donor = await donorFor(product, locationId, decision.quantity, now);
  const suggestion: ReplenishmentSuggestion = {
    sku,
    locationId,
    kind: donor ? 'TRANSFER' : 'PURCHASE',
    quantity: donor ? donor.quantity : decision.quantity,
    reorderPoint: plan.reorderPoint,
    ...(order.kind === 'EOQ' ? { eoq: order.eoq.quantity } : {}),
    ...(donor ? { fromLocationId: donor.locationId } : product.supplierId ? { supplierId: product.supplierId } : {}),
    reason: donor
      ? `${reason}; transfer from ${donor.locationId}, which holds ${donor.surplus} beyond its ${targetDaysOfCover(product)} days of cover`
      : reason,
    status: 'OPEN',
    inputs: {
      available,
      incoming,
      meanDailyDemand: round(forecast.meanDailyDemand),
      stdDevDailyDemand: round(forecast.stdDevDailyDemand),
      leadTimeDays: product.leadTimeDays ?? defaultLeadTimeDays,
      plan: plan.kind,
      basis: decision.basis,
      rule: decision.rule,
      ...(product.abcClass ? { abcClass: product.abcClass } : {}),
    },
    updatedAt: now,
  };
  if (current?.status === 'OPEN' && sameSuggestion(current, suggestion)) return { reorderPoint: plan.reorderPoint, suggestion: current, outcome: 'UNCHANGED' };
  // An ORDERED suggestion whose order did not lift the position enough is replaced by a new open one.
  const written = await writeSuggestion(suggestion, current?.status);
  return { reorderPoint: plan.reorderPoint, suggestion: written, outcome: 'SUGGESTED' };
};

const round = (value: number) => Math.round(value * 1000) / 1000;

const sameSuggestion = (a: ReplenishmentSuggestion, b: ReplenishmentSuggestion) =>
  requestFingerprint({ ...a, updatedAt: undefined }) === requestFingerprint({ ...b, updatedAt: undefined });

const setLevelReorderPoint = (sku: string, locationId: string, value: number) =>
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
 * Writes the suggestion if its status is still what was read: a stream
 * consumer and the sweep racing on one SKU cannot both open one.
 */
const writeSuggestion = async (suggestion: ReplenishmentSuggestion, expectedStatus: SuggestionStatus | undefined): Promise<ReplenishmentSuggestion> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: inventory(),
        Item: {
          ...replenishmentKeys.suggestion(suggestion.sku, suggestion.locationId),
          ...replenishmentKeys.suggestionIndexes(suggestion.sku, suggestion.locationId, suggestion.status),
          entity: entities.suggestion,
          ...suggestion,
        },
        ConditionExpression: expectedStatus ? '#status = :expected' : 'attribute_not_exists(pk)',
        ...(expectedStatus ? { ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':expected': expectedStatus } } : {}),
      }),
    );
    return suggestion;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    // Someone else wrote it first from a newer state; theirs stands and the next check sees it.
    const now = await getInventoryItem(replenishmentKeys.suggestion(suggestion.sku, suggestion.locationId));
    return suggestionView(now!);
  }
};

/** Another location of the chain with more than its days of cover, able to give the whole quantity. */
const donorFor = async (product: Product, locationId: string, quantity: number, now: string) => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': inventoryKeys.levelsOfSku(product.sku) },
      ConsistentRead: true,
    }),
  );
  const others = (output.Items ?? []).filter((l) => l.locationId !== locationId && (l.available as number) > quantity);
  const candidates: DonorCandidate[] = await Promise.all(
    others.map(async (level) => {
      const forecast = forecastOf(await demandHistory(product.sku, level.locationId as string, now), now);
      return {
        locationId: level.locationId as string,
        available: level.available as number,
        meanDailyDemand: forecast.meanDailyDemand,
        targetDaysOfCover: targetDaysOfCover(product),
        reorderPoint: (level.reorderPoint as number | undefined) ?? planFor(product, forecast).reorderPoint,
      };
    }),
  );
  return chooseDonor({ locationId, quantity }, candidates);
};

/** The chain's days of cover for a SKU: every location's available stock against its forecast. */
export const chainCoverOf = async (sku: string, policy: OverstockPolicy, now = new Date().toISOString()): Promise<Overstock> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': inventoryKeys.levelsOfSku(sku) },
    }),
  );
  const levels = await Promise.all(
    (output.Items ?? []).map(async (level) => ({
      available: level.available as number,
      meanDailyDemand: forecastOf(await demandHistory(sku, level.locationId as string, now), now).meanDailyDemand,
    })),
  );
  return overstockOf(levels, policy);
};

// ---- reading suggestions

/** Open suggestions (or those with `status`); HQ sees every location, store staff their own. */
export const listSuggestions = async (
  query: { locationId?: string; sku?: string; status: SuggestionStatus; limit: number; cursor?: string },
  principal: Principal,
): Promise<Page<ReplenishmentSuggestion>> => {
  const visible = visibleLocations(principal);
  if (query.locationId) assertLocationAccess(principal, query.locationId);
  if (!query.locationId && visible && visible.length !== 1) {
    throw new ValidationFailed('Store staff ask for one of their locations', [{ path: 'query.locationId', message: 'required for store staff' }]);
  }
  const locationId = query.locationId ?? visible?.[0];
  const [index, partition, values, condition] = locationId
    ? query.sku
      ? ['gsi1', replenishmentKeys.suggestionsAt(locationId), { ':sk': `${query.status}#${query.sku}` }, 'gsi1sk = :sk']
      : ['gsi1', replenishmentKeys.suggestionsAt(locationId), { ':prefix': `${query.status}#` }, 'begins_with(gsi1sk, :prefix)']
    : ['gsi2', replenishmentKeys.suggestionsWithStatus(query.status), {}, undefined];
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk${condition ? ` AND ${condition}` : ''}`,
      ...(!locationId && query.sku ? { FilterExpression: 'sku = :sku' } : {}),
      ExpressionAttributeValues: { ':pk': partition, ...values, ...(!locationId && query.sku ? { ':sku': query.sku } : {}) },
      Limit: query.limit,
      ExclusiveStartKey: decodeCursor(query.cursor, cursorScope(tables.inventory, index, partition)),
    }),
  );
  return { items: (output.Items ?? []).map(suggestionView), cursor: encodeCursor(output.LastEvaluatedKey) };
};

// ---- purchase orders

export interface PurchaseOrderLine {
  sku: string;
  locationId: string;
  qty: number;
  received: number;
}

export interface PurchaseOrder {
  purchaseOrderId: string;
  supplierId?: string;
  status: 'OPEN' | 'PARTIALLY_RECEIVED' | 'RECEIVED' | 'CANCELLED';
  lines: PurchaseOrderLine[];
  /** Suggestions this order answers (sku@location). */
  fromSuggestions: string[];
  rules?: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
  by: string;
}

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

/**
 * Opens a purchase order: the order, `incoming` raised on every level it
 * delivers to, and the open suggestions it answers marked ORDERED — one
 * transaction. The order id is the idempotency key.
 */
export const createPurchaseOrder = async (
  command: {
    purchaseOrderId: string;
    supplierId?: string;
    lines: { sku: string; locationId: string; qty: number }[];
    fromSuggestions?: boolean;
    rules?: string[];
  },
  principal: Principal,
  now = new Date().toISOString(),
): Promise<{ order: PurchaseOrder; created: boolean }> => {
  for (const line of command.lines) assertLocationAccess(principal, line.locationId);
  const merged = new Map<string, PurchaseOrderLine>();
  for (const line of command.lines) {
    const key = `${line.sku}@${line.locationId}`;
    merged.set(key, { sku: line.sku, locationId: line.locationId, qty: (merged.get(key)?.qty ?? 0) + line.qty, received: 0 });
  }
  const lines = [...merged.values()];
  if (lines.length > 45)
    throw new ValidationFailed('A purchase order holds at most 45 SKU/location lines', [{ path: 'body.lines', message: 'split the order' }]);
  const fingerprint = requestFingerprint({ ...command, purchaseOrderId: undefined });
  const existing = await getInventoryItem(replenishmentKeys.purchaseOrder(command.purchaseOrderId));
  if (existing) {
    // Another store's order id is refused without its lines: only who may act at all of its locations hears more.
    const foreign = (existing.lines as PurchaseOrderLine[]).some((line) => visibleLocations(principal)?.includes(line.locationId) === false);
    if (foreign) throw new Forbidden(`Purchase order id ${command.purchaseOrderId} is not available to you; choose another`);
    assertSameRequest(existing.fingerprint, fingerprint, `Purchase order ${command.purchaseOrderId}`);
    return { order: poView(existing), created: false };
  }
  const { products } = await loadReferences([...new Set(lines.map((l) => l.sku))], [...new Set(lines.map((l) => l.locationId))]);
  const suggestions = command.fromSuggestions ? lines.map((l) => `${l.sku}@${l.locationId}`) : [];
  const order: PurchaseOrder = {
    purchaseOrderId: command.purchaseOrderId,
    ...(command.supplierId ? { supplierId: command.supplierId } : {}),
    status: 'OPEN',
    lines,
    fromSuggestions: suggestions,
    ...(command.rules ? { rules: command.rules } : {}),
    version: 1,
    createdAt: now,
    updatedAt: now,
    by: principal.subject,
  };
  const items: TransactItem[] = [
    {
      Put: {
        TableName: inventory(),
        Item: { ...replenishmentKeys.purchaseOrder(command.purchaseOrderId), entity: entities.purchaseOrder, ...order, fingerprint },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...lines.map((l) => levelUpdate(incomingChange(l.sku, l.locationId, l.qty), products.get(l.sku), now)),
    ...lines
      .filter(() => command.fromSuggestions)
      .map(
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
              ':po': command.purchaseOrderId,
              ':now': now,
              ':gsi1sk': replenishmentKeys.suggestionIndexes(l.sku, l.locationId, 'ORDERED').gsi1sk,
              ':gsi2pk': replenishmentKeys.suggestionIndexes(l.sku, l.locationId, 'ORDERED').gsi2pk,
            },
          },
        }),
      ),
  ];
  try {
    await transactWrite(items);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAt(0)) return createPurchaseOrder(command, principal, now);
    const stale = lines.filter((_, i) => error.failedAt(1 + lines.length + i)).map((l) => `${l.sku}@${l.locationId}`);
    if (stale.length > 0) throw new Conflict(`No open suggestion for ${stale.join(', ')}`, { suggestions: stale });
    throw error;
  }
  return { order, created: true };
};

export const getPurchaseOrder = async (purchaseOrderId: string, principal: Principal): Promise<PurchaseOrder> => {
  const item = await getInventoryItem(replenishmentKeys.purchaseOrder(purchaseOrderId));
  if (!item) throw new NotFound(`Purchase order ${purchaseOrderId} not found`);
  const order = poView(item);
  const visible = visibleLocations(principal);
  // Staff outside the order's locations get 403, as everywhere else: they know orders exist.
  if (visible && !order.lines.some((l) => visible.includes(l.locationId)))
    throw new Forbidden(`Purchase order ${purchaseOrderId} delivers to none of your locations`);
  return order;
};

const statusAfter = (lines: readonly PurchaseOrderLine[]): PurchaseOrder['status'] =>
  lines.every((l) => l.received >= l.qty) ? 'RECEIVED' : lines.some((l) => l.received > 0) ? 'PARTIALLY_RECEIVED' : 'OPEN';

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

/**
 * Books goods arriving against an order at one location: a RECEIPT
 * movement whose level updates also lower `incoming` by what was still
 * outstanding (an over-delivery adds stock but cannot lower incoming below
 * what this order raised). The movement id `po:{order}:{receipt}` makes it
 * idempotent.
 */
export const receivePurchaseOrder = async (
  purchaseOrderId: string,
  command: { receiptId: string; locationId: string; lines: { sku: string; qty: number }[] },
  principal: Principal,
  now = new Date().toISOString(),
): Promise<{ order: PurchaseOrder; levels: StockLevel[]; replayed: boolean }> => {
  assertLocationAccess(principal, command.locationId);
  const movementId = derivedId('po', purchaseOrderId, command.receiptId);
  const booked = await getInventoryItem(inventoryKeys.movement(command.locationId, movementId));
  const order = await getPurchaseOrder(purchaseOrderId, principal);
  if (booked) {
    assertSameRequest(booked.fingerprint, requestFingerprint(command), `Receipt ${command.receiptId} of purchase order ${purchaseOrderId}`);
    return { order, levels: [], replayed: true };
  }
  if (order.status === 'CANCELLED' || order.status === 'RECEIVED') throw new Conflict(`Purchase order ${purchaseOrderId} is ${order.status.toLowerCase()}`);
  const quantities = new Map<string, number>();
  for (const line of command.lines) quantities.set(line.sku, (quantities.get(line.sku) ?? 0) + line.qty);
  const unknown = [...quantities.keys()].filter((sku) => !order.lines.some((l) => l.sku === sku && l.locationId === command.locationId));
  if (unknown.length > 0) {
    throw new ValidationFailed(
      'The receipt names SKUs this order does not deliver here',
      unknown.map((sku) => ({ path: 'body.lines', message: `${sku} is not on the order for ${command.locationId}` })),
    );
  }
  const lines = order.lines.map((l) =>
    l.locationId === command.locationId && quantities.has(l.sku) ? { ...l, received: l.received + quantities.get(l.sku)! } : l,
  );
  const changes: LevelChange[] = [...quantities].map(([sku, qty]) => {
    const line = order.lines.find((l) => l.sku === sku && l.locationId === command.locationId)!;
    const settled = Math.min(qty, Math.max(0, line.qty - line.received));
    return { sku, locationId: command.locationId, ledgerType: 'RECEIPT', onHandDelta: qty, reservedDelta: 0, availableDrop: 0, incomingDelta: -settled };
  });
  const { products } = await loadReferences([...quantities.keys()], [command.locationId]);
  const movement = { movementId, type: 'RECEIPT' as const, locationId: command.locationId, lines: [...quantities].map(([sku, qty]) => ({ sku, qty })) };
  const status = statusAfter(lines);
  const completed = lines.filter((l, i) => l.received >= l.qty && order.lines[i]!.received < order.lines[i]!.qty);
  try {
    await transactWrite([
      poUpdate(order, { lines, status }, now),
      ...movementItems(movement, changes, products, requestFingerprint(command), principal.subject, now),
      ...(await closeAnsweredSuggestions(order, completed, `received on purchase order ${purchaseOrderId}`, now)),
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelled && error.reasons.some((r) => r.code === 'ConditionalCheckFailed')) {
      // A concurrent receipt changed the order (or this one was just booked): decide again from the new state.
      return receivePurchaseOrder(purchaseOrderId, command, principal, now);
    }
    throw error;
  }
  const levels = await readLevels(changes);
  return { order: { ...order, lines, status, version: order.version + 1, updatedAt: now }, levels, replayed: false };
};

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

/** Cancels what is still outstanding: `incoming` drops by it on every level; received goods stay. */
export const cancelPurchaseOrder = async (purchaseOrderId: string, principal: Principal, now = new Date().toISOString()): Promise<PurchaseOrder> => {
  const order = await getPurchaseOrder(purchaseOrderId, principal);
  if (order.status === 'CANCELLED') return order;
  if (order.status === 'RECEIVED') throw new Conflict(`Purchase order ${purchaseOrderId} is already received`);
  for (const line of order.lines) assertLocationAccess(principal, line.locationId);
  const outstanding = order.lines.filter((l) => l.qty > l.received);
  const { products } = await loadReferences([...new Set(outstanding.map((l) => l.sku))], []);
  try {
    await transactWrite([
      poUpdate(order, { status: 'CANCELLED' }, now),
      ...outstanding.map((l) => levelUpdate(incomingChange(l.sku, l.locationId, -(l.qty - l.received)), products.get(l.sku), now)),
      ...(await closeAnsweredSuggestions(order, outstanding, `purchase order ${purchaseOrderId} cancelled`, now)),
    ]);
  } catch (error) {
    // The order or a suggestion it answered changed meanwhile: decide again from the new state.
    if (error instanceof TransactionCancelled && error.reasons.some((r) => r.code === 'ConditionalCheckFailed'))
      return cancelPurchaseOrder(purchaseOrderId, principal, now);
    throw error;
  }
  return { ...order, status: 'CANCELLED', version: order.version + 1, updatedAt: now };
};

/**
 * HQ buying: every open purchase suggestion, grouped by supplier into one
 * order each, lines rounded up to the pack multiple and raised to the
 * supplier's minimum; each order is then opened like any other. `runId`
 * makes the order ids, so running it again opens nothing twice.
 */
export const placeHqOrders = async (
  runId: string,
  principal: Principal,
  now = new Date().toISOString(),
): Promise<{ orders: (HqOrder & { purchaseOrderId: string })[] }> => {
  const open: ReplenishmentSuggestion[] = [];
  let cursor: string | undefined;
  do {
    const page = await listSuggestions({ status: 'OPEN', limit: 100, cursor }, principal);
    open.push(...page.items.filter((s) => s.kind === 'PURCHASE' && s.supplierId));
    cursor = page.cursor;
  } while (cursor);
  const products = new Map(
    (await batchGetInventory([...new Set(open.map((s) => s.sku))].map((sku) => inventoryKeys.product(sku)))).map((p) => [
      p.sku as string,
      p as unknown as Product,
    ]),
  );
  const combined = combinePurchaseSuggestions(
    open.map((s) => ({
      supplierId: s.supplierId!,
      sku: s.sku,
      locationId: s.locationId,
      quantity: s.quantity,
      unitCost: products.get(s.sku)?.unitCost ?? 0,
      packSize: products.get(s.sku)?.packSize,
    })),
  );
  const orders = [];
  for (const hq of combined) {
    const purchaseOrderId = derivedId('hq', runId, hq.supplierId);
    // The rounding extra goes to the location that asked for most: the HQ delivery plan.
    const lines = hq.lines.flatMap((line) => {
      const extra = line.quantity - line.requested;
      const biggest = [...line.locations].sort((a, b) => b.quantity - a.quantity || a.locationId.localeCompare(b.locationId))[0]!.locationId;
      return line.locations.map((l) => ({ sku: line.sku, locationId: l.locationId, qty: l.quantity + (l.locationId === biggest ? extra : 0) }));
    });
    await createPurchaseOrder({ purchaseOrderId, supplierId: hq.supplierId, lines, fromSuggestions: true, rules: [...hq.rules] }, principal, now);
    orders.push({ ...hq, purchaseOrderId });
  }
  return { orders };
};

// ---- ABC

export interface AbcReport {
  classifiedAt: string;
  totalValue: number;
  skus: number;
  changed: number;
  pareto: ReturnType<typeof classifyAbc>['pareto'];
}

/** Annual units of a SKU across the chain: the last twelve monthly buckets. */
const annualUnits = async (sku: string, now: string): Promise<number> => {
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

/**
 * Classifies every product by annual consumption value and writes its class
 * and policy back where it changed; the report keeps the Pareto figures.
 */
export const reclassifyAbc = async (
  products: readonly { sku: string; unitCost: number; abcClass?: AbcClass }[],
  now = new Date().toISOString(),
): Promise<AbcReport> => {
  const inputs = [];
  for (const p of products) inputs.push({ sku: p.sku, annualUnits: await annualUnits(p.sku, now), unitCost: p.unitCost });
  const result = classifyAbc(inputs, defaultAbcConfig);
  const before = new Map(products.map((p) => [p.sku, p.abcClass]));
  let changed = 0;
  for (const entry of result.entries) {
    const was = before.get(entry.sku);
    await documentClient.send(
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
    if (was !== entry.abcClass) changed++;
  }
  const report: AbcReport = { classifiedAt: now, totalValue: result.totalValue, skus: result.entries.length, changed, pareto: result.pareto };
  await documentClient.send(new PutCommand({ TableName: inventory(), Item: { ...replenishmentKeys.abcReport, entity: entities.abcReport, ...report } }));
  return report;
};

export const latestAbcReport = async (): Promise<AbcReport | undefined> => {
  const item = await getInventoryItem(replenishmentKeys.abcReport);
  return item ? withoutKeys<AbcReport>(item) : undefined;
};

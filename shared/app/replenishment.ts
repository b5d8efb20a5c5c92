/**
 * Replenishment use-cases: demand counting, the reorder decision for one SKU
 * and location (stream, sweep), chain cover, suggestions, purchase orders,
 * HQ orders and ABC. Access scoping happens here; the repository
 * (shared/db/replenishment.ts) holds keys, queries and transactions. One
 * suggestion per SKU and location is computed from the current state, so
 * retries, duplicate stream records and sweeps repeat the same answer
 * instead of adding to it.
 */
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../domain/errors.ts';
import type { LevelChange } from '../domain/movements.ts';
import { derivedId } from '../domain/ids.ts';
import { assertLocationAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import { type AbcClass, classifyAbc, defaultAbcConfig } from '../domain/replenishment/abc.ts';
import { chooseDonor, combinePurchaseSuggestions, type DonorCandidate, type HqOrder } from '../domain/replenishment/chain.ts';
import { dailyDemandStats } from '../domain/replenishment/demand.ts';
import { economicOrderQuantity } from '../domain/replenishment/eoq.ts';
import { type Overstock, overstockOf, type OverstockPolicy } from '../domain/replenishment/overstock.ts';
import { replenishmentReason } from '../domain/replenishment/reason.ts';
import { type ReorderPlan, reorderPoint } from '../domain/replenishment/reorder-point.ts';
import { type OrderPolicy, suggestOrder } from '../domain/replenishment/suggestion.ts';
import { memberDemandUplift } from '../domain/replenishment/uplift.ts';
import { addDays, dayOf } from '../domain/time.ts';
import { forEachSettled } from '../concurrency.ts';
import { logger } from '../observability.ts';
import { listLocations, listProducts, type Page } from '../db/catalog.ts';
import { entities } from '../db/keys.ts';
import { assertSameRequest, requestFingerprint } from '../db/fingerprint.ts';
import {
  annualUnits,
  bookedMovement,
  bookReceipt,
  cancelOutstanding,
  type DayDemand,
  demandHistory,
  findPurchaseOrder,
  findSuggestions,
  insertPurchaseOrder,
  latestAbcReport,
  levelsAcrossChain,
  type Product,
  productsBySku,
  putAbcReport,
  recordDemand,
  recordMemberDemand,
  reorderState,
  setLevelReorderPoint,
  setProductAbc,
  type SuggestionStatus,
  writeSuggestion,
} from '../db/replenishment.ts';
import { levelsAtLocation, loadReferences, readLevels } from '../db/stock.ts';
import type { AbcReport, PurchaseOrder, PurchaseOrderLine, ReplenishmentSuggestion } from '../schemas/replenishment.ts';
import type { StockLevel } from '../schemas/stock.ts';

/** Days of history behind the forecast: two four-week periods, so member demand growth can be measured too. */
export const demandWindowDays = 56;
const defaultLeadTimeDays = 7;
const defaultServiceLevel = 0.95;

const daysBefore = (iso: string, days: number) => dayOf(addDays(iso, -days));

// ---- demand from the stream

/**
 * A record of the demand stream: a SALE ledger entry counts its units, a
 * member's sale its units by tier. Both writes remember what they counted.
 */
// biome-ignore lint/suspicious/noExplicitAny: a SALE ledger entry or a member's sale, as the demand stream's filter lets through
export const countDemand = async (image: Record<string, any>): Promise<void> => {
  if (image.entity === entities.ledgerEntry) {
    await recordDemand({ sku: image.sku, locationId: image.locationId, movementId: image.movementId, onHandDelta: image.onHandDelta, at: image.at });
    return;
  }
  const tier = image.receipt?.member?.tier as string | undefined;
  if (!tier) return;
  const counted = await recordMemberDemand({ saleId: image.saleId, locationId: image.locationId, at: image.at, tier, lines: image.lines });
  logger.debug('Member demand counted', { saleId: image.saleId, tier, lines: counted });
};

/** The demand window ending today. */
const demandOf = (sku: string, locationId: string, now: string) => demandHistory(sku, locationId, daysBefore(now, demandWindowDays - 1), dayOf(now));

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
  const { level, product, suggestion: current } = await reorderState(sku, locationId);
  if (!level || !product) return undefined;
  const forecast = forecastOf(await demandOf(sku, locationId, now), now);
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
/** Another location of the chain with more than its days of cover, able to give the whole quantity. */
const donorFor = async (product: Product, locationId: string, quantity: number, now: string) => {
  const others = (await levelsAcrossChain(product.sku, true)).filter((l) => l.locationId !== locationId && (l.available as number) > quantity);
  const candidates: DonorCandidate[] = await Promise.all(
    others.map(async (level) => {
      const forecast = forecastOf(await demandOf(product.sku, level.locationId as string, now), now);
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
  const levels = await Promise.all(
    (await levelsAcrossChain(sku)).map(async (level) => ({
      available: level.available as number,
      meanDailyDemand: forecastOf(await demandOf(sku, level.locationId as string, now), now).meanDailyDemand,
    })),
  );
  return overstockOf(levels, policy);
};

/**
 * The daily sweep: every level of every location re-checked, what the stream
 * consumer would have done for a record it never got. One level's failure is
 * logged and counted; `outOfTime` stops it between locations (`more`).
 */
export const sweepReorderChecks = async (outOfTime: () => boolean) => {
  const summary = { levels: 0, suggested: 0, closed: 0, failed: 0, more: false };
  let locationCursor: string | undefined;
  do {
    const locations = await listLocations(100, locationCursor);
    for (const location of locations.items) {
      let cursor: string | undefined;
      do {
        const page = await levelsAtLocation(location.locationId, { limit: 100, cursor });
        summary.failed += await forEachSettled(
          page.items,
          1,
          async (level) => {
            const check = await checkReorder(level.sku, level.locationId);
            summary.levels++;
            if (check?.outcome === 'SUGGESTED') summary.suggested++;
            if (check?.outcome === 'CLOSED') summary.closed++;
          },
          (level, error) => logger.error('Reorder check failed for a level', { sku: level.sku, locationId: level.locationId, error }),
        );
        cursor = page.cursor;
      } while (cursor);
    }
    locationCursor = locations.cursor;
    summary.more = locationCursor !== undefined && outOfTime();
  } while (locationCursor && !summary.more);
  return summary;
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
  return findSuggestions({ ...query, locationId: query.locationId ?? visible?.[0] });
};

// ---- purchase orders

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
  const existing = await findPurchaseOrder(command.purchaseOrderId);
  if (existing) {
    // Another store's order id is refused without its lines: only who may act at all of its locations hears more.
    const foreign = existing.order.lines.some((line) => visibleLocations(principal)?.includes(line.locationId) === false);
    if (foreign) throw new Forbidden(`Purchase order id ${command.purchaseOrderId} is not available to you; choose another`);
    assertSameRequest(existing.fingerprint, fingerprint, `Purchase order ${command.purchaseOrderId}`);
    return { order: existing.order, created: false };
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
  // The id was taken meanwhile: answer as to a repeated request.
  if (!(await insertPurchaseOrder(order, fingerprint, products, now))) return createPurchaseOrder(command, principal, now);
  return { order, created: true };
};

export const getPurchaseOrder = async (purchaseOrderId: string, principal: Principal): Promise<PurchaseOrder> => {
  const found = await findPurchaseOrder(purchaseOrderId);
  if (!found) throw new NotFound(`Purchase order ${purchaseOrderId} not found`);
  const { order } = found;
  const visible = visibleLocations(principal);
  // Staff outside the order's locations get 403, as everywhere else: they know orders exist.
  if (visible && !order.lines.some((l) => visible.includes(l.locationId)))
    throw new Forbidden(`Purchase order ${purchaseOrderId} delivers to none of your locations`);
  return order;
};

const statusAfter = (lines: readonly PurchaseOrderLine[]): PurchaseOrder['status'] =>
  lines.every((l) => l.received >= l.qty) ? 'RECEIVED' : lines.some((l) => l.received > 0) ? 'PARTIALLY_RECEIVED' : 'OPEN';

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
  const booked = await bookedMovement(command.locationId, movementId);
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
  const booking = {
    order,
    set: { lines, status },
    movement,
    changes,
    products,
    fingerprint: requestFingerprint(command),
    by: principal.subject,
    completed,
    now,
  };
  // A concurrent receipt changed the order (or this one was just booked): decide again from the new state.
  if (!(await bookReceipt(booking))) return receivePurchaseOrder(purchaseOrderId, command, principal, now);
  const levels = await readLevels(changes);
  return { order: { ...order, lines, status, version: order.version + 1, updatedAt: now }, levels, replayed: false };
};

/** Cancels what is still outstanding: `incoming` drops by it on every level; received goods stay. */
export const cancelPurchaseOrder = async (purchaseOrderId: string, principal: Principal, now = new Date().toISOString()): Promise<PurchaseOrder> => {
  const order = await getPurchaseOrder(purchaseOrderId, principal);
  if (order.status === 'CANCELLED') return order;
  if (order.status === 'RECEIVED') throw new Conflict(`Purchase order ${purchaseOrderId} is already received`);
  for (const line of order.lines) assertLocationAccess(principal, line.locationId);
  const outstanding = order.lines.filter((l) => l.qty > l.received);
  const { products } = await loadReferences([...new Set(outstanding.map((l) => l.sku))], []);
  // The order or a suggestion it answered changed meanwhile: decide again from the new state.
  if (!(await cancelOutstanding(order, outstanding, products, now))) return cancelPurchaseOrder(purchaseOrderId, principal, now);
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
  const products = await productsBySku([...new Set(open.map((s) => s.sku))]);
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
    await setProductAbc(entry, now);
    if (was !== entry.abcClass) changed++;
  }
  const report: AbcReport = { classifiedAt: now, totalValue: result.totalValue, skus: result.entries.length, changed, pareto: result.pareto };
  await putAbcReport(report);
  return report;
};

/** The weekly job: every product of the catalogue, classified in one pass. */
export const reclassifyCatalogue = async (now = new Date().toISOString()): Promise<AbcReport> => {
  const products = [];
  let cursor: string | undefined;
  do {
    const page = await listProducts(100, cursor);
    products.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return reclassifyAbc(products, now);
};

/** `GET /analytics/abc`: a page of classified products with the last report's Pareto figures. */
export const abcAnalysis = async (query: { limit: number; cursor?: string }) => {
  const [report, page] = await Promise.all([latestAbcReport(), listProducts(query.limit, query.cursor)]);
  const items = page.items.flatMap((p) => (p.abcClass && p.abc ? [{ sku: p.sku, abcClass: p.abcClass, ...p.abc }] : []));
  return { ...(report ? { report } : {}), items, ...(page.cursor ? { cursor: page.cursor } : {}) };
};

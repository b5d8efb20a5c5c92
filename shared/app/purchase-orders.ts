/**
 * Purchase orders: opening one (raising incoming, answering the open
 * suggestions it names), receiving against it, cancelling it, and the HQ run
 * that consolidates the open PURCHASE suggestions per supplier into orders.
 */
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../domain/errors.ts';
import { type LevelChange, withoutConfirmed } from '../domain/movements.ts';
import { derivedId } from '../domain/ids.ts';
import { assertLocationAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import { combinePurchaseSuggestions, type HqOrder } from '../domain/replenishment/consolidate.ts';
import { assertSameRequest, requestFingerprint } from '../db/fingerprint.ts';
import { getProducts } from '../db/catalog.ts';
import { bookedMovement, bookReceipt, cancelOutstanding, findHqRun, findPurchaseOrder, insertHqRun, insertPurchaseOrder } from '../db/replenishment.ts';
import { loadReferences, readLevels } from '../db/stock.ts';
import type { PurchaseOrder, PurchaseOrderLine, ReplenishmentSuggestion } from '../schemas/replenishment.ts';
import type { StockLevel } from '../schemas/stock.ts';
import { planReconciliation } from './reconcile.ts';
import { listSuggestions } from './replenishment.ts';
import { nowIso } from '../clock.ts';

/** Days of history behind the forecast: two four-week periods, so member demand growth can be measured too. */

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
  now = nowIso(),
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
  now = nowIso(),
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
  const planned: LevelChange[] = [...quantities].map(([sku, qty]) => {
    const line = order.lines.find((l) => l.sku === sku && l.locationId === command.locationId)!;
    const settled = Math.min(qty, Math.max(0, line.qty - line.received));
    return { sku, locationId: command.locationId, ledgerType: 'RECEIPT', onHandDelta: qty, reservedDelta: 0, availableDrop: 0, incomingDelta: -settled };
  });
  const { products, locations } = await loadReferences([...quantities.keys()], [command.locationId]);
  const movement = { movementId, type: 'RECEIPT' as const, locationId: command.locationId, lines: [...quantities].map(([sku, qty]) => ({ sku, qty })) };
  // Tagged units the dock gate already read in were booked by that read: this receipt confirms them (it still settles what is on order).
  const reconciliation = await planReconciliation({
    side: 'DOCUMENT',
    direction: 'IN',
    locationId: command.locationId,
    ref: movementId,
    at: now,
    lines: movement.lines,
    products,
    location: locations.get(command.locationId),
    now,
  });
  const changes = withoutConfirmed(planned, reconciliation.confirmed, command.locationId);
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
    reconciliation: reconciliation.items,
    now,
  };
  // A concurrent receipt changed the order (or this one was just booked): decide again from the new state.
  if (!(await bookReceipt(booking))) return receivePurchaseOrder(purchaseOrderId, command, principal, now);
  const levels = await readLevels(changes);
  return { order: { ...order, lines, status, version: order.version + 1, updatedAt: now }, levels, replayed: false };
};

/** Cancels what is still outstanding: `incoming` drops by it on every level; received goods stay. */
export const cancelPurchaseOrder = async (purchaseOrderId: string, principal: Principal, now = nowIso()): Promise<PurchaseOrder> => {
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

/** The answer of an HQ run, as stored and replayed. */
export interface HqRunAnswer {
  runId: string;
  orders: (HqOrder & { purchaseOrderId: string })[];
}

/** Units a purchase suggestion needs before packs and minimums; suggestions written before `inputs.needed` existed give their quantity. */
const neededOf = (s: ReplenishmentSuggestion): number => {
  const needed = s.inputs.needed;
  return typeof needed === 'number' && Number.isSafeInteger(needed) && needed >= 0 ? needed : s.quantity;
};

/**
 * HQ buying: every open purchase suggestion (of the named suppliers, or all),
 * consolidated per supplier and SKU: the locations' NEEDS are summed, then
 * rounded once, to whole packs and then the SKU's supplier minimum, and the
 * extra is split over the locations by need (largest remainder), so the
 * placed quantities sum to what is ordered. Each supplier's order is then
 * opened like any other purchase order (`incoming` raised where it
 * delivers, the suggestions marked ORDERED; receiving it is a RECEIPT).
 *
 * `runId` is the idempotency key. The run's plan (the orders and their
 * lines) is stored under it before any order is opened; a replay, a
 * concurrent call or a retry after a crash reads that plan, opens whatever
 * of it is not open yet (the order ids derive from the run, so nothing opens
 * twice) and answers the same orders. The same runId with another request is
 * 422.
 */
export const placeHqOrders = async (
  runId: string,
  command: { supplierIds?: string[] },
  principal: Principal,
  now = nowIso(),
): Promise<{ answer: HqRunAnswer; replayed: boolean }> => {
  const supplierIds = command.supplierIds ? [...new Set(command.supplierIds)].sort() : undefined;
  const fingerprint = requestFingerprint({ supplierIds });
  let run = await findHqRun<HqRunAnswer>(runId);
  let replayed = run !== undefined;
  if (!run) {
    const planned = { runId, fingerprint, answer: await planHqOrders(runId, supplierIds, principal), createdAt: now };
    // Another call of this run stored its plan first: follow that one.
    replayed = !(await insertHqRun(planned));
    run = replayed ? await findHqRun<HqRunAnswer>(runId) : planned;
    if (!run) throw new Conflict(`HQ run ${runId} could not be read back; retry`);
  }
  assertSameRequest(run.fingerprint, fingerprint, `HQ run ${runId}`);
  for (const order of run.answer.orders) {
    const lines = order.lines.flatMap((line) =>
      line.locations.filter((l) => l.placed > 0).map((l) => ({ sku: line.sku, locationId: l.locationId, qty: l.placed })),
    );
    await createPurchaseOrder(
      { purchaseOrderId: order.purchaseOrderId, supplierId: order.supplierId, lines, fromSuggestions: true, rules: [...order.rules] },
      principal,
      run.createdAt,
    );
  }
  return { answer: run.answer, replayed };
};

/** The orders a run would open now: the open purchase suggestions' needs, consolidated per supplier. */
const planHqOrders = async (runId: string, supplierIds: readonly string[] | undefined, principal: Principal): Promise<HqRunAnswer> => {
  const open: ReplenishmentSuggestion[] = [];
  let cursor: string | undefined;
  do {
    const page = await listSuggestions({ status: 'OPEN', limit: 100, cursor }, principal);
    open.push(...page.items.filter((s) => s.kind === 'PURCHASE' && s.supplierId && (!supplierIds || supplierIds.includes(s.supplierId))));
    cursor = page.cursor;
  } while (cursor);
  const products = new Map((await getProducts([...new Set(open.map((s) => s.sku))])).map((p) => [p.sku, p]));
  const combined = combinePurchaseSuggestions(
    open.map((s) => ({
      supplierId: s.supplierId!,
      sku: s.sku,
      locationId: s.locationId,
      needed: neededOf(s),
      unitCost: products.get(s.sku)?.unitCost ?? 0,
      packSize: products.get(s.sku)?.packSize,
      minOrderQty: products.get(s.sku)?.minOrderQty,
    })),
  );
  // Refused before the plan is stored, so the run id stays free for a narrower run.
  const tooBig = combined.filter((hq) => hq.lines.reduce((n, l) => n + l.locations.filter((x) => x.placed > 0).length, 0) > 45);
  if (tooBig.length > 0)
    throw new ValidationFailed(
      'A purchase order holds at most 45 SKU/location lines',
      tooBig.map((hq) => ({ path: 'body.supplierIds', message: `supplier ${hq.supplierId} needs more lines than one order holds` })),
    );
  return { runId, orders: combined.map((hq) => ({ ...hq, purchaseOrderId: derivedId('hq', runId, hq.supplierId) })) };
};

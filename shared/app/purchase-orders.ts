/**
 * Purchase orders: opening one (raising incoming, answering the open
 * suggestions it names), receiving against it, cancelling it, and the HQ run
 * that consolidates the open PURCHASE suggestions per supplier into orders.
 */
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../domain/errors.ts';
import { type LevelChange, withoutConfirmed } from '../domain/movements.ts';
import { derivedId } from '../domain/ids.ts';
import { assertLocationAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import { combinePurchaseSuggestions, type HqOrder } from '../domain/replenishment/chain.ts';
import { assertSameRequest, requestFingerprint } from '../db/fingerprint.ts';
import { getProducts } from '../db/catalog.ts';
import { bookedMovement, bookReceipt, cancelOutstanding, findPurchaseOrder, insertPurchaseOrder } from '../db/replenishment.ts';
import { loadReferences, readLevels } from '../db/stock.ts';
import type { PurchaseOrder, PurchaseOrderLine, ReplenishmentSuggestion } from '../schemas/replenishment.ts';
import type { StockLevel } from '../schemas/stock.ts';
import { planReconciliation } from './reconcile.ts';
import { listSuggestions } from './replenishment.ts';

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
  const products = new Map((await getProducts([...new Set(open.map((s) => s.sku))])).map((p) => [p.sku, p]));
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

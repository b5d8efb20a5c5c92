/**
 * Each unit counts once: the bookings that may describe the same physical
 * units (documents: receipts, PO receipts, sales; gate reads) consult the
 * location's reconciliation of each RFID-tagged SKU before they move stock,
 * and write it back in their own transaction. Rules:
 * shared/domain/reconcile.ts; choices: docs/rfid.md.
 */
import { assertLocationAccess, type Principal } from '../domain/principal.ts';
import { bucketStatus, defaultWindowHours, type Direction, matchUnits, type Side, windowMillis } from '../domain/reconcile.ts';
import { getLocation } from '../db/catalog.ts';
import { readReconciliations, reconciliationPut, reconciliationsAt } from '../db/reconcile.ts';
import type { TransactItem } from '../db/transact.ts';
import type { Reconciliations } from '../schemas/stock.ts';
import { nowIso } from '../clock.ts';

export interface ReconcileInput {
  locationId: string;
  direction: Direction;
  side: Side;
  /** The booking's movement id, kept on the units it books so the other side can name what it confirmed. */
  ref: string;
  /** When the units moved (a document's or a read's own time). */
  at: string;
  lines: readonly { sku: string; qty: number }[];
  /** Units matched some other way (a sale's EPCs of serials an exit gate read out unsold): they take the other side's units, book none (matchUnits). */
  settled?: ReadonlyMap<string, number>;
  products: ReadonlyMap<string, Record<string, unknown>>;
  location: Record<string, unknown> | undefined;
  now: string;
}

export interface ReconcilePlan {
  /** Units per SKU the other side already booked: this booking confirms them and must not move them again. */
  confirmed: Map<string, number>;
  /** The reconciliation writes, for the booking's transaction. */
  items: TransactItem[];
}

export const noReconciliation: ReconcilePlan = { confirmed: new Map(), items: [] };

/** Only SKUs whose units carry RFID tags are read by gates, so only they are reconciled. */
export const isTagged = (product: Record<string, unknown> | undefined): boolean => product?.rfidTagged === true;

/** Plans a booking against the location's reconciliation of its tagged SKUs (read now; written in the booking's transaction). */
export const planReconciliation = async (input: ReconcileInput): Promise<ReconcilePlan> => {
  const totals = new Map<string, number>();
  for (const line of input.lines) if (isTagged(input.products.get(line.sku))) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.qty);
  for (const [sku, qty] of input.settled ?? []) if (qty > 0 && isTagged(input.products.get(sku))) totals.set(sku, totals.get(sku) ?? 0);
  if (totals.size === 0) return noReconciliation;
  const window = windowMillis(input.location?.reconcileWindowHours as number | undefined);
  const current = await readReconciliations(input.locationId, input.direction, [...totals.keys()]);
  const confirmed = new Map<string, number>();
  const items: TransactItem[] = [];
  for (const [sku, qty] of totals) {
    const matched = matchUnits(current.get(sku)!, input.side, qty, input.ref, input.at, window, input.settled?.get(sku) ?? 0);
    if (matched.confirmed > 0) confirmed.set(sku, matched.confirmed);
    items.push(reconciliationPut(input.locationId, input.direction, sku, matched.next, input.now));
  }
  return { confirmed, items };
};

/** A location's units waiting for the other side: documents no gate confirmed, gate reads no document named. */
export const reconciliationAt = async (locationId: string, principal: Principal, now = nowIso()): Promise<Reconciliations> => {
  assertLocationAccess(principal, locationId);
  const location = await getLocation(locationId);
  const windowHours = location.reconcileWindowHours ?? defaultWindowHours;
  const window = windowMillis(windowHours);
  const view = (buckets: readonly { ref: string; at: string; qty: number }[]) =>
    buckets.map((b) => ({ movementId: b.ref, at: b.at, qty: b.qty, status: bucketStatus(b, now, window) }));
  const items = (await reconciliationsAt(locationId))
    .filter((r) => r.documents.length > 0 || r.gateReads.length > 0)
    .map((r) => ({ sku: r.sku, direction: r.direction, notSeenByGate: view(r.documents), notOnDocument: view(r.gateReads) }));
  return { locationId, windowHours, items };
};

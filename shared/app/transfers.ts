/**
 * Transfers in transit (DESIGN.md, "Stock in the field"): reading a shipped
 * transfer, and receiving it at its destination. The story of a receipt:
 * `transferFor` (which transfer, may this caller act on it) -> replay of the
 * same receipt id -> `receiptPlan` (lines on the transfer, EPCs of their
 * SKU, not more than is open) -> `bookTransferReceipt` (one transaction:
 * TRANSFER_IN at the destination settling `incoming`, the transfer updated).
 * Shipping itself is a TRANSFER with `ship: true` (shared/app/stock.ts).
 */
import { Conflict, Forbidden, NotFound, TemporarilyUnavailable, ValidationFailed } from '../domain/errors.ts';
import { documentEpcProblems } from '../domain/epc.ts';
import { derivedId } from '../domain/ids.ts';
import { type LevelChange, withoutConfirmed } from '../domain/movements.ts';
import type { Principal } from '../domain/principal.ts';
import { assertSameRequest, requestFingerprint } from '../db/fingerprint.ts';
import { loadReferences } from '../db/stock.ts';
import { afterReceipt, bookedReceipt, bookTransferReceipt, findTransfer, openTransfersTo, transfersWithId } from '../db/transfers.ts';
import type { Transfer, TransferReceipt } from '../schemas/transfers.ts';
import { noReconciliation, planReconciliation } from './reconcile.ts';
import { nowIso } from '../clock.ts';

export interface ReceiptInput {
  receiptId: string;
  lines: { sku: string; qty: number; epcs?: string[] }[];
}

/** Whether the caller may see a transfer (either end), or receive it (its destination). */
const mayAct = (principal: Principal, transfer: Transfer, as: 'read' | 'receive'): boolean => {
  if (principal.role === 'admin' || principal.role === 'service') return true;
  if (principal.role !== 'store') return false;
  return principal.locations.includes(transfer.toLocationId) || (as === 'read' && principal.locations.includes(transfer.fromLocationId));
};

/**
 * The one transfer a movement id (and optionally its source) names that
 * the caller may act on: 404 when none was shipped under it, 403 when the
 * caller may act on none of them, 409 when two sources used the id and the
 * request does not say which.
 */
const transferFor = async (movementId: string, fromLocationId: string | undefined, principal: Principal, as: 'read' | 'receive'): Promise<Transfer> => {
  const shipped = (await transfersWithId(movementId)).filter((t) => !fromLocationId || t.fromLocationId === fromLocationId);
  if (shipped.length === 0)
    throw new NotFound(`No shipped transfer ${movementId}${fromLocationId ? ` from ${fromLocationId}` : ''}: only a TRANSFER with ship: true is received`);
  const allowed = shipped.filter((t) => mayAct(principal, t, as));
  if (allowed.length === 0) {
    throw new Forbidden(as === 'receive' ? `Only the destination receives transfer ${movementId}` : `Transfer ${movementId} is not between your locations`);
  }
  if (allowed.length > 1) {
    throw new Conflict(`Transfer id ${movementId} was shipped from several locations: name fromLocationId`, {
      fromLocationIds: allowed.map((t) => t.fromLocationId),
    });
  }
  return allowed[0]!;
};

/** A shipped transfer, for admin and the staff of either end. */
export const getTransfer = (movementId: string, fromLocationId: string | undefined, principal: Principal): Promise<Transfer> =>
  transferFor(movementId, fromLocationId, principal, 'read');

/** The EPCs of the receipt's lines: SGTINs of the line's product, each item once, at most one per unit. */
const receivedSerials = (quantities: ReadonlyMap<string, { qty: number; epcs: string[] }>, products: ReadonlyMap<string, Record<string, unknown>>): void => {
  const errors = documentEpcProblems(quantities, (sku) => products.get(sku)?.gtin as string | undefined).map((message) => ({
    path: 'body.lines.epcs',
    message,
  }));
  if (errors.length > 0) throw new ValidationFailed('The EPCs do not match the lines', errors);
};

/**
 * A receipt names more units than its transfer has open (another receipt took
 * them meanwhile): a 409 conflict like any other, told apart so a gate can
 * book the rest as found (shared/app/rfid.ts).
 */
export class OverReceived extends Conflict {}

const overReceived = (movementId: string, lines: { sku: string; requested: number; open: number }[]) =>
  new OverReceived(`More received than is open on transfer ${movementId}: ${lines.map((l) => `${l.sku} ${l.requested} of ${l.open} open`).join('; ')}`, {
    lines,
  });

/** A receipt contended with this many others on one transfer: past it the caller retries (503). */
const receiptAttempts = 50;

/**
 * Receives (part of) a shipped transfer at its destination: TRANSFER_IN
 * raises `onHand` and settles `incoming` by what arrived, and the transfer
 * counts it, in one transaction. More than is still open on a line is
 * refused with nothing written. The receipt id makes it idempotent: the
 * same receipt again gets the first answer, another body under it is 422.
 * Called by the HTTP route and, later, by the RFID ingest.
 */
export const receiveTransfer = async (
  movementId: string,
  fromLocationId: string | undefined,
  receipt: ReceiptInput,
  principal: Principal,
  now = nowIso(),
  options: { fromGate?: boolean } = {},
): Promise<{ transfer: Transfer; replayed: boolean }> => {
  let transfer = await transferFor(movementId, fromLocationId, principal, 'receive');
  const { toLocationId } = transfer;
  const receiptMovementId = derivedId('transfer', transfer.fromLocationId, movementId, receipt.receiptId);
  const lines = receipt.lines.map((l) => ({ sku: l.sku, qty: l.qty, ...(l.epcs ? { epcs: l.epcs.map((e) => e.toUpperCase()) } : {}) }));
  const fingerprint = requestFingerprint({ lines });

  for (let attempt = 1; attempt <= receiptAttempts; attempt++) {
    const booked = await bookedReceipt(toLocationId, receiptMovementId);
    if (booked) {
      assertSameRequest(booked.fingerprint, fingerprint, `Receipt ${receipt.receiptId} of transfer ${movementId}`);
      return { transfer: booked.response ?? transfer, replayed: true };
    }

    const quantities = new Map<string, { qty: number; epcs: string[] }>();
    for (const line of lines) {
      const seen = quantities.get(line.sku) ?? { qty: 0, epcs: [] };
      quantities.set(line.sku, { qty: seen.qty + line.qty, epcs: [...seen.epcs, ...(line.epcs ?? [])] });
    }
    const unknown = [...quantities.keys()].filter((sku) => !transfer.lines.some((l) => l.sku === sku));
    if (unknown.length > 0) {
      throw new ValidationFailed(
        `The receipt names SKUs transfer ${movementId} did not ship`,
        unknown.map((sku) => ({ path: 'body.lines', message: `${sku} is not on transfer ${movementId}` })),
      );
    }
    const over = [...quantities]
      .map(([sku, { qty }]) => ({ sku, requested: qty, open: transfer.lines.find((l) => l.sku === sku)!.missing }))
      .filter((l) => l.open < l.requested);
    if (over.length > 0) throw overReceived(movementId, over);
    const { products, locations } = await loadReferences([...quantities.keys()], [toLocationId]);
    receivedSerials(quantities, products);

    const counted = new Map([...quantities].map(([sku, { qty }]) => [sku, qty]));
    const record: TransferReceipt = {
      receiptId: receipt.receiptId,
      movementId: receiptMovementId,
      at: now,
      by: principal.subject,
      lines: [...quantities].map(([sku, { qty, epcs }]) => ({ sku, qty, ...(epcs.length > 0 ? { epcs } : {}) })),
    };
    const after = afterReceipt(transfer, record, counted, now);
    // Tagged units the destination's dock gate already read in were booked by that read: the receipt confirms them.
    // A receipt the destination's gate made is the gate's own read: nothing to reconcile it with.
    const reconciliation = options.fromGate
      ? noReconciliation
      : await planReconciliation({
          side: 'DOCUMENT',
          direction: 'IN',
          locationId: toLocationId,
          ref: receiptMovementId,
          at: now,
          lines: [...counted].map(([sku, qty]) => ({ sku, qty })),
          products,
          location: locations.get(toLocationId),
          now,
        });
    const planned: LevelChange[] = [...counted].map(([sku, qty]) => ({
      sku,
      locationId: toLocationId,
      ledgerType: 'TRANSFER_IN',
      onHandDelta: qty,
      reservedDelta: 0,
      availableDrop: 0,
      // The units were counted as incoming since they were shipped; arriving settles that.
      incomingDelta: -qty,
    }));
    const changes = withoutConfirmed(planned, reconciliation.confirmed, toLocationId);
    const outcome = await bookTransferReceipt({
      before: transfer,
      after,
      receipt: record,
      quantities: counted,
      movement: { movementId: receiptMovementId, type: 'TRANSFER', locationId: toLocationId, lines: [...counted].map(([sku, qty]) => ({ sku, qty })) },
      changes,
      products,
      fingerprint,
      by: principal.subject,
      reconciliation: reconciliation.items,
      now,
    });
    if (outcome.outcome === 'booked') return { transfer: after, replayed: false };
    if (outcome.outcome === 'over-received') throw overReceived(movementId, outcome.lines);
    // Another receipt landed first (or this very one, concurrently): read the transfer again and decide from there.
    const current = await findTransfer(movementId, transfer.fromLocationId);
    if (!current) throw new NotFound(`Transfer ${movementId} not found`);
    transfer = current;
  }
  throw new TemporarilyUnavailable(`Too many receipts at once on transfer ${movementId}; retry shortly`, 1);
};

/** Per SKU, the transfers to a location that still have units of it open, oldest first, with how many. */
export const openInboundBySku = async (locationId: string): Promise<Map<string, { transfer: Transfer; open: number }[]>> => {
  const bySku = new Map<string, { transfer: Transfer; open: number }[]>();
  for (const transfer of await openTransfersTo(locationId)) {
    for (const line of transfer.lines) {
      if (line.missing > 0) bySku.set(line.sku, [...(bySku.get(line.sku) ?? []), { transfer, open: line.missing }]);
    }
  }
  return bySku;
};

/**
 * Transfers in transit (DESIGN.md, "Stock in the field"): a TRANSFER booked
 * with `ship: true` is kept as a transfer the destination receives against.
 */
import * as z from 'zod';
import { LocationId, Quantity, RequestId, ResourceId, Sku, Timestamp } from './common.ts';
import { Epc } from './rfid.ts';

export const TransferParams = /* @__PURE__ */ z.object({ movementId: ResourceId });

export const TransferQuery = /* @__PURE__ */ z.object({
  fromLocationId: /* @__PURE__ */ LocationId.optional().meta({ description: 'The source location, when two sources used the same movement id' }),
});

export const TransferStatus = /* @__PURE__ */ z.enum(['IN_TRANSIT', 'PARTIALLY_RECEIVED', 'RECEIVED']).meta({ id: 'TransferStatus' });

const ReceivedLine = /* @__PURE__ */ z
  .strictObject({
    sku: Sku,
    qty: Quantity,
    /** RFID tags of the units received, kept on the receipt for reconciling with the gate's reads. */
    epcs: /* @__PURE__ */ z.array(Epc).max(50).optional(),
  })
  .refine((line) => line.epcs === undefined || line.epcs.length <= line.qty, { message: 'at most one EPC per unit received', path: ['epcs'] });

export const TransferReceiptRequest = /* @__PURE__ */ z
  .strictObject({
    receiptId: RequestId,
    fromLocationId: /* @__PURE__ */ LocationId.optional().meta({ description: 'The source location, when two sources used the same movement id' }),
    lines: /* @__PURE__ */ z.array(ReceivedLine).min(1).max(45),
  })
  .meta({ id: 'TransferReceiptRequest' });
export type TransferReceiptRequest = z.output<typeof TransferReceiptRequest>;

export const TransferLine = /* @__PURE__ */ z
  .object({
    sku: Sku,
    shipped: /* @__PURE__ */ z.int(),
    received: /* @__PURE__ */ z.int(),
    missing: /* @__PURE__ */ z.int().meta({ description: 'shipped - received: still on the way, or short' }),
  })
  .meta({ id: 'TransferLine' });
export type TransferLine = z.output<typeof TransferLine>;

export const TransferReceipt = /* @__PURE__ */ z
  .object({
    receiptId: /* @__PURE__ */ z.string(),
    /** The TRANSFER_IN movement the receipt was booked as, at the destination. */
    movementId: /* @__PURE__ */ z.string(),
    at: Timestamp,
    by: /* @__PURE__ */ z.string(),
    lines: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.object({ sku: Sku, qty: /* @__PURE__ */ z.int(), epcs: /* @__PURE__ */ z.array(/* @__PURE__ */ z.string()).optional() }),
    ),
  })
  .meta({ id: 'TransferReceipt' });
export type TransferReceipt = z.output<typeof TransferReceipt>;

export const Transfer = /* @__PURE__ */ z
  .object({
    movementId: /* @__PURE__ */ z.string(),
    fromLocationId: LocationId,
    toLocationId: LocationId,
    status: TransferStatus,
    lines: /* @__PURE__ */ z.array(TransferLine),
    shippedAt: Timestamp,
    receipts: /* @__PURE__ */ z.array(TransferReceipt),
    version: /* @__PURE__ */ z.int(),
    updatedAt: Timestamp,
  })
  .meta({ id: 'Transfer' });
export type Transfer = z.output<typeof Transfer>;

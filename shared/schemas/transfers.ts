/**
 * Transfers in transit (DESIGN.md, "Stock in the field"): a TRANSFER booked
 * with `ship: true` is kept as a transfer the destination receives against.
 */
import * as z from 'zod';
import { LocationId, Quantity, RequestId, ResourceId, Sku, Timestamp } from './common.ts';
import { Epc } from './rfid.ts';

export const TransferParams = z.object({ movementId: ResourceId });

export const TransferQuery = z.object({
  fromLocationId: LocationId.optional().meta({ description: 'The source location, when two sources used the same movement id' }),
});

export const TransferStatus = z.enum(['IN_TRANSIT', 'PARTIALLY_RECEIVED', 'RECEIVED']).meta({ id: 'TransferStatus' });

const ReceivedLine = z
  .strictObject({
    sku: Sku,
    qty: Quantity,
    /** RFID tags of the units received, kept on the receipt for reconciling with the gate's reads. */
    epcs: z.array(Epc).max(50).optional(),
  })
  .refine((line) => line.epcs === undefined || line.epcs.length <= line.qty, { message: 'at most one EPC per unit received', path: ['epcs'] });

export const TransferReceiptRequest = z
  .strictObject({
    receiptId: RequestId,
    fromLocationId: LocationId.optional().meta({ description: 'The source location, when two sources used the same movement id' }),
    lines: z.array(ReceivedLine).min(1).max(45),
  })
  .meta({ id: 'TransferReceiptRequest' });
export type TransferReceiptRequest = z.output<typeof TransferReceiptRequest>;

export const TransferLine = z
  .object({
    sku: Sku,
    shipped: z.int(),
    received: z.int(),
    missing: z.int().meta({ description: 'shipped - received: still on the way, or short' }),
  })
  .meta({ id: 'TransferLine' });
export type TransferLine = z.output<typeof TransferLine>;

export const TransferReceipt = z
  .object({
    receiptId: z.string(),
    /** The TRANSFER_IN movement the receipt was booked as, at the destination. */
    movementId: z.string(),
    at: Timestamp,
    by: z.string(),
    lines: z.array(z.object({ sku: Sku, qty: z.int(), epcs: z.array(z.string()).optional() })),
  })
  .meta({ id: 'TransferReceipt' });
export type TransferReceipt = z.output<typeof TransferReceipt>;

export const Transfer = z
  .object({
    movementId: z.string(),
    fromLocationId: LocationId,
    toLocationId: LocationId,
    status: TransferStatus,
    lines: z.array(TransferLine),
    shippedAt: Timestamp,
    receipts: z.array(TransferReceipt),
    version: z.int(),
    updatedAt: Timestamp,
  })
  .meta({ id: 'Transfer' });
export type Transfer = z.output<typeof Transfer>;

import { z } from 'zod';
import { LocationId, Page, Quantity, RequestId, ResourceId, Sku, Timestamp } from './common.ts';
import { StockLevel } from './stock.ts';

export const SuggestionStatus = z.enum(['OPEN', 'ORDERED', 'CLOSED']);

export const SuggestionsQuery = Page.extend({
  locationId: LocationId.optional(),
  sku: Sku.optional(),
  status: SuggestionStatus.default('OPEN'),
});

export const Suggestion = z
  .object({
    sku: Sku,
    locationId: LocationId,
    kind: z.enum(['PURCHASE', 'TRANSFER']),
    quantity: z.int(),
    reorderPoint: z.int(),
    eoq: z.int().optional(),
    fromLocationId: LocationId.optional(),
    supplierId: z.string().optional(),
    reason: z.string().meta({ description: 'One line: the inputs and the rule that gave this quantity' }),
    status: SuggestionStatus,
    inputs: z.record(z.string(), z.unknown()),
    purchaseOrderId: z.string().optional(),
    updatedAt: Timestamp,
  })
  .meta({ id: 'ReplenishmentSuggestion' });
/** Named as in the OpenAPI document. */
export type ReplenishmentSuggestion = z.output<typeof Suggestion>;

export const PurchaseOrderInput = z
  .strictObject({
    purchaseOrderId: RequestId.optional(),
    supplierId: z.string().min(1).max(64).optional(),
    lines: z
      .array(z.strictObject({ sku: Sku, locationId: LocationId, qty: Quantity }))
      .min(1)
      .max(45),
    /** Mark the open suggestions for these SKU/location pairs as ordered (they must exist). */
    fromSuggestions: z.boolean().optional(),
  })
  .meta({ id: 'PurchaseOrderInput' });

export const PurchaseOrder = z
  .object({
    purchaseOrderId: ResourceId,
    supplierId: z.string().optional(),
    status: z.enum(['OPEN', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED']),
    lines: z.array(z.object({ sku: Sku, locationId: LocationId, qty: z.int(), received: z.int() })),
    fromSuggestions: z.array(z.string()),
    rules: z.array(z.string()).optional(),
    version: z.int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    by: z.string(),
  })
  .meta({ id: 'PurchaseOrder' });
export type PurchaseOrder = z.output<typeof PurchaseOrder>;
export type PurchaseOrderLine = PurchaseOrder['lines'][number];

export const PurchaseOrderParams = z.object({ purchaseOrderId: ResourceId });

export const PurchaseOrderReceipt = z
  .strictObject({
    receiptId: RequestId.optional(),
    locationId: LocationId,
    lines: z
      .array(z.strictObject({ sku: Sku, qty: Quantity }))
      .min(1)
      .max(45),
  })
  .meta({ id: 'PurchaseOrderReceipt' });

export const ReceiptResult = z.object({ order: PurchaseOrder, levels: z.array(StockLevel) }).meta({ id: 'PurchaseOrderReceiptResult' });

export const HqOrdersInput = z.strictObject({ runId: RequestId.optional() }).meta({ id: 'HqOrdersInput' });

export const HqOrders = z
  .object({
    orders: z.array(
      z.object({
        purchaseOrderId: z.string(),
        supplierId: z.string(),
        totalQuantity: z.int(),
        totalValue: z.int(),
        rules: z.array(z.string()).meta({ description: 'Rounding applied: PACK_MULTIPLE (each line up to whole packs), SUPPLIER_MINIMUM_QTY / _VALUE' }),
        lines: z.array(
          z.object({
            sku: Sku,
            quantity: z.int(),
            requested: z.int(),
            packSize: z.int(),
            unitCost: z.int(),
            rule: z.string(),
            locations: z.array(z.object({ locationId: LocationId, quantity: z.int() })),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'HqOrders' });

const Pareto = z.object({ skuCount: z.int(), skuShare: z.number(), value: z.number(), valueShare: z.number() });

export const AbcAnalysis = z
  .object({
    report: z
      .object({ classifiedAt: Timestamp, totalValue: z.number(), skus: z.int(), changed: z.int(), pareto: z.object({ A: Pareto, B: Pareto, C: Pareto }) })
      .optional(),
    items: z.array(
      z.object({ sku: Sku, abcClass: z.enum(['A', 'B', 'C']), rank: z.int(), value: z.number(), valueShare: z.number(), cumulativeShare: z.number() }),
    ),
    cursor: z.string().optional(),
  })
  .meta({ id: 'AbcAnalysis' });
/** What the classification job reports: the analysis's header. */
export type AbcReport = NonNullable<z.output<typeof AbcAnalysis>['report']>;

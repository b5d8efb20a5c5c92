import * as z from 'zod';
import { LocationId, Page, Quantity, RequestId, ResourceId, Sku, Timestamp } from './common.ts';
import { StockLevel } from './stock.ts';
import { AbcConfigSchema } from './abc.ts';

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
    transferQuantity: z.int().optional().meta({
      description: 'PURCHASE only: the units also transferred from fromLocationId when no donor could give the whole need; quantity is what is bought',
    }),
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
    purchaseOrderId: RequestId,
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
    receiptId: RequestId,
    locationId: LocationId,
    lines: z
      .array(z.strictObject({ sku: Sku, qty: Quantity }))
      .min(1)
      .max(45),
  })
  .meta({ id: 'PurchaseOrderReceipt' });

export const ReceiptResult = z.object({ order: PurchaseOrder, levels: z.array(StockLevel) }).meta({ id: 'PurchaseOrderReceiptResult' });

export const HqOrdersInput = z
  .strictObject({
    runId: RequestId,
    supplierIds: z.array(z.string().min(1).max(64)).min(1).max(100).optional().meta({
      description:
        "Order only for these suppliers (default: every supplier with an open purchase suggestion). Part of the run's request: the same runId with other suppliers is 422.",
    }),
  })
  .meta({ id: 'HqOrdersInput' });

export const HqOrders = z
  .object({
    runId: z.string(),
    orders: z.array(
      z.object({
        purchaseOrderId: z.string(),
        supplierId: z.string(),
        totalQuantity: z.int(),
        totalValue: z.int(),
        rules: z.array(z.enum(['PACK_MULTIPLE', 'SUPPLIER_MINIMUM_QTY', 'SUPPLIER_MINIMUM_VALUE'])).meta({
          description: "Rounding applied once to the consolidated needs: PACK_MULTIPLE (a SKU's total up to whole packs), SUPPLIER_MINIMUM_QTY / _VALUE",
        }),
        lines: z.array(
          z.object({
            sku: Sku,
            quantity: z.int().meta({ description: 'Units ordered: the summed needs rounded once, to whole packs and then the minimum' }),
            needed: z.int().meta({ description: "Sum of the locations' needs (before any rounding)" }),
            extra: z.int().meta({ description: 'quantity - needed' }),
            packSize: z.int(),
            minOrderQty: z.int(),
            unitCost: z.int(),
            rule: z.enum(['EXACT', 'WHOLE_UNITS', 'PACK_MULTIPLE', 'SUPPLIER_MINIMUM']),
            placement: z.enum(['NONE', 'SPLIT_BY_NEED']).meta({
              description:
                'How the extra is placed: SPLIT_BY_NEED shares the ordered quantity out in proportion to the needs (largest remainder, ties to the smaller locationId)',
            }),
            locations: z
              .array(z.object({ locationId: LocationId, needed: z.int(), placed: z.int() }))
              .meta({ description: 'Per location: its need and what the order delivers there; placed sums to quantity' }),
            reason: z.string(),
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
      .object({
        classifiedAt: Timestamp,
        totalValue: z.number(),
        skus: z.int(),
        changed: z.int(),
        pareto: z.object({ A: Pareto, B: Pareto, C: Pareto }),
        config: AbcConfigSchema.optional().meta({ description: 'The configuration in force: the scheduled runs reuse it' }),
      })
      .optional(),
    items: z.array(
      z.object({
        sku: Sku,
        abcClass: z.enum(['A', 'B', 'C']),
        rank: z.int(),
        value: z.number(),
        valueShare: z.number(),
        cumulativeShare: z.number(),
        classifiedAt: Timestamp.meta({ description: 'When this product was last classified (a run over some SKUs leaves the others as they were)' }),
      }),
    ),
    cursor: z.string().optional(),
  })
  .meta({ id: 'AbcAnalysis' });
/** What the classification job reports: the analysis's header. */
export type AbcReport = NonNullable<z.output<typeof AbcAnalysis>['report']>;

import * as z from 'zod';
import { LocationId, Page, Quantity, RequestId, ResourceId, Sku, Timestamp } from './common.ts';
import { StockLevel } from './stock.ts';
import { AbcConfigSchema } from './abc.ts';

export const SuggestionStatus = /* @__PURE__ */ z.enum(['OPEN', 'ORDERED', 'CLOSED']);

export const SuggestionsQuery = /* @__PURE__ */ Page.extend({
  locationId: /* @__PURE__ */ LocationId.optional(),
  sku: /* @__PURE__ */ Sku.optional(),
  status: /* @__PURE__ */ SuggestionStatus.default('OPEN'),
});

export const Suggestion = /* @__PURE__ */ z
  .object({
    sku: Sku,
    locationId: LocationId,
    kind: /* @__PURE__ */ z.enum(['PURCHASE', 'TRANSFER']),
    quantity: /* @__PURE__ */ z.int(),
    reorderPoint: /* @__PURE__ */ z.int(),
    eoq: /* @__PURE__ */ z.int().optional(),
    fromLocationId: /* @__PURE__ */ LocationId.optional(),
    transferQuantity: /* @__PURE__ */ z.int().optional().meta({
      description: 'PURCHASE only: the units also transferred from fromLocationId when no donor could give the whole need; quantity is what is bought',
    }),
    supplierId: /* @__PURE__ */ z.string().optional(),
    reason: /* @__PURE__ */ z.string().meta({ description: 'One line: the inputs and the rule that gave this quantity' }),
    status: SuggestionStatus,
    inputs: /* @__PURE__ */ z.record(/* @__PURE__ */ z.string(), /* @__PURE__ */ z.unknown()),
    purchaseOrderId: /* @__PURE__ */ z.string().optional(),
    updatedAt: Timestamp,
  })
  .meta({ id: 'ReplenishmentSuggestion' });
/** Named as in the OpenAPI document. */
export type ReplenishmentSuggestion = z.output<typeof Suggestion>;

export const PurchaseOrderInput = /* @__PURE__ */ z
  .strictObject({
    purchaseOrderId: RequestId,
    supplierId: /* @__PURE__ */ z.string().min(1).max(64).optional(),
    lines: /* @__PURE__ */ z
      .array(/* @__PURE__ */ z.strictObject({ sku: Sku, locationId: LocationId, qty: Quantity }))
      .min(1)
      .max(45),
    /** Mark the open suggestions for these SKU/location pairs as ordered (they must exist). */
    fromSuggestions: /* @__PURE__ */ z.boolean().optional(),
  })
  .meta({ id: 'PurchaseOrderInput' });

export const PurchaseOrder = /* @__PURE__ */ z
  .object({
    purchaseOrderId: ResourceId,
    supplierId: /* @__PURE__ */ z.string().optional(),
    status: /* @__PURE__ */ z.enum(['OPEN', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED']),
    lines: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.object({ sku: Sku, locationId: LocationId, qty: /* @__PURE__ */ z.int(), received: /* @__PURE__ */ z.int() }),
    ),
    fromSuggestions: /* @__PURE__ */ z.array(/* @__PURE__ */ z.string()),
    rules: /* @__PURE__ */ z.array(/* @__PURE__ */ z.string()).optional(),
    version: /* @__PURE__ */ z.int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    by: /* @__PURE__ */ z.string(),
  })
  .meta({ id: 'PurchaseOrder' });
export type PurchaseOrder = z.output<typeof PurchaseOrder>;
export type PurchaseOrderLine = PurchaseOrder['lines'][number];

export const PurchaseOrderParams = /* @__PURE__ */ z.object({ purchaseOrderId: ResourceId });

export const PurchaseOrderReceipt = /* @__PURE__ */ z
  .strictObject({
    receiptId: RequestId,
    locationId: LocationId,
    lines: /* @__PURE__ */ z
      .array(/* @__PURE__ */ z.strictObject({ sku: Sku, qty: Quantity }))
      .min(1)
      .max(45),
  })
  .meta({ id: 'PurchaseOrderReceipt' });

export const ReceiptResult = /* @__PURE__ */ z
  .object({ order: PurchaseOrder, levels: /* @__PURE__ */ z.array(StockLevel) })
  .meta({ id: 'PurchaseOrderReceiptResult' });

export const HqOrdersInput = /* @__PURE__ */ z
  .strictObject({
    runId: RequestId,
    supplierIds: /* @__PURE__ */ z.array(/* @__PURE__ */ z.string().min(1).max(64)).min(1).max(100).optional().meta({
      description:
        "Order only for these suppliers (default: every supplier with an open purchase suggestion). Part of the run's request: the same runId with other suppliers is 422.",
    }),
  })
  .meta({ id: 'HqOrdersInput' });

export const HqOrders = /* @__PURE__ */ z
  .object({
    runId: /* @__PURE__ */ z.string(),
    orders: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.object({
        purchaseOrderId: /* @__PURE__ */ z.string(),
        supplierId: /* @__PURE__ */ z.string(),
        totalQuantity: /* @__PURE__ */ z.int(),
        totalValue: /* @__PURE__ */ z.int(),
        rules: /* @__PURE__ */ z.array(/* @__PURE__ */ z.enum(['PACK_MULTIPLE', 'SUPPLIER_MINIMUM_QTY', 'SUPPLIER_MINIMUM_VALUE'])).meta({
          description: "Rounding applied once to the consolidated needs: PACK_MULTIPLE (a SKU's total up to whole packs), SUPPLIER_MINIMUM_QTY / _VALUE",
        }),
        lines: /* @__PURE__ */ z.array(
          /* @__PURE__ */ z.object({
            sku: Sku,
            quantity: /* @__PURE__ */ z.int().meta({ description: 'Units ordered: the summed needs rounded once, to whole packs and then the minimum' }),
            needed: /* @__PURE__ */ z.int().meta({ description: "Sum of the locations' needs (before any rounding)" }),
            extra: /* @__PURE__ */ z.int().meta({ description: 'quantity - needed' }),
            packSize: /* @__PURE__ */ z.int(),
            minOrderQty: /* @__PURE__ */ z.int(),
            unitCost: /* @__PURE__ */ z.int(),
            rule: /* @__PURE__ */ z.enum(['EXACT', 'WHOLE_UNITS', 'PACK_MULTIPLE', 'SUPPLIER_MINIMUM']),
            placement: /* @__PURE__ */ z.enum(['NONE', 'SPLIT_BY_NEED']).meta({
              description:
                'How the extra is placed: SPLIT_BY_NEED shares the ordered quantity out in proportion to the needs (largest remainder, ties to the smaller locationId)',
            }),
            locations: /* @__PURE__ */ z
              .array(/* @__PURE__ */ z.object({ locationId: LocationId, needed: /* @__PURE__ */ z.int(), placed: /* @__PURE__ */ z.int() }))
              .meta({ description: 'Per location: its need and what the order delivers there; placed sums to quantity' }),
            reason: /* @__PURE__ */ z.string(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'HqOrders' });

const Pareto = /* @__PURE__ */ z.object({
  skuCount: /* @__PURE__ */ z.int(),
  skuShare: /* @__PURE__ */ z.number(),
  value: /* @__PURE__ */ z.number(),
  valueShare: /* @__PURE__ */ z.number(),
});

export const AbcAnalysis = /* @__PURE__ */ z
  .object({
    report: /* @__PURE__ */ z
      .object({
        classifiedAt: Timestamp,
        totalValue: /* @__PURE__ */ z.number(),
        skus: /* @__PURE__ */ z.int(),
        changed: /* @__PURE__ */ z.int(),
        pareto: /* @__PURE__ */ z.object({ A: Pareto, B: Pareto, C: Pareto }),
        config: /* @__PURE__ */ AbcConfigSchema.optional().meta({ description: 'The configuration in force: the scheduled runs reuse it' }),
      })
      .optional(),
    items: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.object({
        sku: Sku,
        abcClass: /* @__PURE__ */ z.enum(['A', 'B', 'C']),
        rank: /* @__PURE__ */ z.int(),
        value: /* @__PURE__ */ z.number(),
        valueShare: /* @__PURE__ */ z.number(),
        cumulativeShare: /* @__PURE__ */ z.number(),
        classifiedAt: /* @__PURE__ */ Timestamp.meta({
          description: 'When this product was last classified (a run over some SKUs leaves the others as they were)',
        }),
      }),
    ),
    cursor: /* @__PURE__ */ z.string().optional(),
  })
  .meta({ id: 'AbcAnalysis' });
/** What the classification job reports: the analysis's header. */
export type AbcReport = NonNullable<z.output<typeof AbcAnalysis>['report']>;

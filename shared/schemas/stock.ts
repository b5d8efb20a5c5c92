import * as z from 'zod';
import { gtinPattern, isValidGtin } from '../domain/gtin.ts';
import { maxHotShards } from '../domain/level-shards.ts';
import { tierNames } from '../domain/tiers.ts';
import { AbcPolicySchema } from './abc.ts';
import { Currency, LocationId, maxMovementQty, MinorUnits, Name, Page, Quantity, RequestId, ResourceId, Sku, Timestamp, TimeZone } from './common.ts';

export const LocationType = /* @__PURE__ */ z.enum(['WAREHOUSE', 'STORE']);

export const LocationInput = /* @__PURE__ */ z
  .strictObject({
    locationId: LocationId,
    name: /* @__PURE__ */ Name(200),
    type: LocationType,
    timeZone: TimeZone,
    reconcileWindowHours: /* @__PURE__ */ z
      .int()
      .min(1)
      .max(168)
      .optional()
      .meta({ description: 'How far apart a document and a gate read of the same units may be (hours, default 24)' }),
  })
  .meta({ id: 'LocationInput' });

export const LocationPatch = /* @__PURE__ */ LocationInput.omit({ locationId: true }).partial().meta({ id: 'LocationPatch' });

/** Read-only on a product and a location: how many partitions its ledger was ever written in (docs/hot-skus.md). */
const LedgerShards = /* @__PURE__ */ z.int().min(2).max(maxHotShards).optional().meta({
  description: 'Read-only: partitions its ledger entries were ever written in (a hot SKU sold over shards); the ledger reads merge them',
});

export const Location = /* @__PURE__ */ LocationInput.extend({
  ledgerShards: LedgerShards,
  version: /* @__PURE__ */ z.int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: 'Location' });
export type Location = z.output<typeof Location>;

export const Gtin = /* @__PURE__ */ z
  .string()
  .regex(gtinPattern, { message: 'GTIN-8, -12, -13 or -14 digits', abort: true })
  .refine(isValidGtin, 'GS1 check digit is wrong')
  .meta({ description: 'GS1 GTIN (barcode)' });

/** GET /products: a page of the catalogue, or with `gtin` the product that barcode names (any length of the same number). */
export const ProductsQuery = /* @__PURE__ */ Page.extend({
  gtin: /* @__PURE__ */ Gtin.optional().meta({
    description:
      'Barcode lookup: GTIN-8, -12, -13 or -14 with a valid check digit; finds the product whatever length its GTIN was stored in. Answers only that product (no cursor); limit and cursor are ignored.',
  }),
});

export const ServiceLevel = /* @__PURE__ */ z.number().gt(0.5).lt(1).meta({ description: 'Target cycle service level, e.g. 0.95' });

/** Stock set aside for members: who may buy it and how much each. The allocation itself is booked separately. */
export const MemberExclusive = /* @__PURE__ */ z.strictObject({
  minTier: /* @__PURE__ */ z.enum(tierNames),
  perMemberLimit: /* @__PURE__ */ z.int().min(1).max(1000).optional(),
});

export const ProductInput = /* @__PURE__ */ z
  .strictObject({
    sku: Sku,
    name: /* @__PURE__ */ Name(200),
    gtin: /* @__PURE__ */ Gtin.optional(),
    unitCost: MinorUnits,
    price: MinorUnits,
    currency: Currency,
    packSize: /* @__PURE__ */ z.int().min(1).max(100_000).optional(),
    supplierId: /* @__PURE__ */ z.string().min(1).max(64).optional(),
    minOrderQty: /* @__PURE__ */ z.int().min(1).max(maxMovementQty).optional(),
    leadTimeDays: /* @__PURE__ */ z.number().min(0).max(365).optional(),
    orderingCost: /* @__PURE__ */ MinorUnits.optional(),
    holdingCostPerUnitYear: /* @__PURE__ */ MinorUnits.optional(),
    serviceLevel: /* @__PURE__ */ ServiceLevel.optional(),
    reorder: /* @__PURE__ */ z
      .strictObject({ min: /* @__PURE__ */ z.int().min(0).max(maxMovementQty), max: /* @__PURE__ */ z.int().min(1).max(maxMovementQty) })
      .refine((r) => r.max >= r.min, 'max must be at least min')
      .optional(),
    memberExclusive: /* @__PURE__ */ MemberExclusive.optional(),
    rfidTagged: /* @__PURE__ */ z
      .boolean()
      .optional()
      .meta({ description: 'Units carry RFID tags: documents and gate reads of this SKU are reconciled, so each unit counts once' }),
    hotShards: /* @__PURE__ */ z.int().min(1).max(maxHotShards).optional().meta({
      description:
        'A hot SKU (a flash sale): each location level is spread over this many items so sales are not capped by one item (docs/hot-skus.md). Setting it spreads every level now; 1 merges them back',
    }),
  })
  .meta({ id: 'ProductInput' });

export const ProductPatch = /* @__PURE__ */ ProductInput.omit({ sku: true }).partial().meta({ id: 'ProductPatch' });

export const AbcClass = /* @__PURE__ */ z.enum(['A', 'B', 'C']);

export const Product = /* @__PURE__ */ ProductInput.extend({
  /** Set by the ABC classification job. */
  abcClass: /* @__PURE__ */ AbcClass.optional(),
  abc: /* @__PURE__ */ z
    .object({
      rank: /* @__PURE__ */ z.int(),
      value: /* @__PURE__ */ z.number(),
      valueShare: /* @__PURE__ */ z.number(),
      cumulativeShare: /* @__PURE__ */ z.number(),
      classifiedAt: Timestamp,
    })
    .optional(),
  /** Set by the ABC classification job with the class: read-only, the policy (service level, cover, counts) this product is planned with. */
  abcPolicy: /* @__PURE__ */ AbcPolicySchema.optional().meta({
    description: 'Read-only: the policy of its ABC class, set by the classification run; replenishment and counts plan with it',
  }),
  ledgerShards: LedgerShards,
  version: /* @__PURE__ */ z.int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: 'Product' });
export type Product = z.output<typeof Product>;

export const movementTypes = [
  'RECEIPT',
  'SALE',
  'RETURN',
  'TRANSFER',
  'ADJUSTMENT',
  'COUNT',
  'RESERVE',
  'RELEASE',
  'RFID_IN',
  'RFID_OUT',
  'STATE_CHANGE',
] as const;
export const MovementType = /* @__PURE__ */ z.enum(movementTypes);

/** Ledger entry kinds: a TRANSFER request books one OUT and one IN entry. */
export const ledgerTypes = [.../* @__PURE__ */ movementTypes.filter((t) => t !== 'TRANSFER'), 'TRANSFER_OUT', 'TRANSFER_IN'] as const;

export const adjustmentReasons = ['DAMAGED', 'LOST', 'STOLEN', 'EXPIRED', 'FOUND'] as const;

export const MovementLine = /* @__PURE__ */ z.strictObject({ sku: Sku, qty: Quantity });

/** Where a unit inside onHand stands; only AVAILABLE units can be sold, reserved or transferred. */
export const StockState = /* @__PURE__ */ z.enum(['AVAILABLE', 'DAMAGED', 'QUALITY_CONTROL', 'SAFETY_STOCK']).meta({ id: 'StockState' });
/** A receipt lands in available stock, or in quality control until it is checked. */
export const ReceiptLine = /* @__PURE__ */ MovementLine.extend({ to: /* @__PURE__ */ z.enum(['AVAILABLE', 'QUALITY_CONTROL']).optional() });
/** A write-off takes from available stock unless it names another state (damaged goods leave `damaged`). */
export const AdjustmentLine = /* @__PURE__ */ MovementLine.extend({ from: /* @__PURE__ */ StockState.optional() });
export const StateChangeLine = /* @__PURE__ */ MovementLine.extend({ from: StockState, to: StockState }).refine((l) => l.from !== l.to, {
  message: 'to must differ from from',
  path: ['to'],
});
/** A cycle count may find nothing on the shelf. */
export const CountLine = /* @__PURE__ */ z.strictObject({ sku: Sku, qty: /* @__PURE__ */ z.int().min(0).max(maxMovementQty) });

const lines = <T extends z.ZodType>(line: T) => z.array(line).min(1).max(100);

const base = {
  movementId: RequestId,
  locationId: LocationId,
  occurredAt: /* @__PURE__ */ Timestamp.optional().meta({
    description:
      'When it happened (a till that was offline posts later): default when it arrives; at most 2 minutes ahead of the server, at most 30 days old. A change dated at or before the latest count of its level is kept in the ledger, absorbed by that count.',
  }),
};

export const MovementRequest = /* @__PURE__ */ z
  .discriminatedUnion('type', [
    /* @__PURE__ */ z.strictObject({
      ...base,
      type: /* @__PURE__ */ z.enum(['SALE', 'RETURN', 'RFID_IN', 'RFID_OUT']),
      lines: /* @__PURE__ */ lines(MovementLine),
    }),
    /* @__PURE__ */ z.strictObject({ ...base, type: /* @__PURE__ */ z.literal('RECEIPT'), lines: /* @__PURE__ */ lines(ReceiptLine) }),
    /* @__PURE__ */ z.strictObject({
      ...base,
      type: /* @__PURE__ */ z.literal('TRANSFER'),
      toLocationId: LocationId,
      ship: /* @__PURE__ */ z
        .boolean()
        .optional()
        .meta({ description: 'true: the units travel; the destination receives them with POST /transfers/{movementId}/receipts' }),
      lines: /* @__PURE__ */ lines(MovementLine),
    }),
    /* @__PURE__ */ z.strictObject({
      ...base,
      type: /* @__PURE__ */ z.literal('ADJUSTMENT'),
      reason: /* @__PURE__ */ z.enum(adjustmentReasons),
      lines: /* @__PURE__ */ lines(AdjustmentLine),
    }),
    /* @__PURE__ */ z.strictObject({ ...base, type: /* @__PURE__ */ z.literal('STATE_CHANGE'), lines: /* @__PURE__ */ lines(StateChangeLine) }),
    /* @__PURE__ */ z.strictObject({ ...base, type: /* @__PURE__ */ z.literal('COUNT'), lines: /* @__PURE__ */ lines(CountLine) }),
    /* @__PURE__ */ z.strictObject({ ...base, type: /* @__PURE__ */ z.literal('RESERVE'), expiresAt: Timestamp, lines: /* @__PURE__ */ lines(MovementLine) }),
    /* @__PURE__ */ z.strictObject({ ...base, type: /* @__PURE__ */ z.literal('RELEASE'), reservationId: RequestId }),
  ])
  .meta({ id: 'MovementRequest' });
export type MovementRequest = z.output<typeof MovementRequest>;

export const StockLevel = /* @__PURE__ */ z
  .object({
    sku: Sku,
    locationId: LocationId,
    onHand: /* @__PURE__ */ z.int(),
    reserved: /* @__PURE__ */ z.int(),
    available: /* @__PURE__ */ z
      .int()
      .meta({ description: 'onHand - reserved - damaged - qualityControl - safetyStock; below zero only after offline sales (a count is then due)' }),
    incoming: /* @__PURE__ */ z.int(),
    damaged: /* @__PURE__ */ z.int(),
    qualityControl: /* @__PURE__ */ z.int(),
    safetyStock: /* @__PURE__ */ z.int(),
    reorderPoint: /* @__PURE__ */ z.int().optional(),
    version: /* @__PURE__ */ z.int(),
    updatedAt: Timestamp,
  })
  .meta({ id: 'StockLevel' });
export type StockLevel = z.output<typeof StockLevel>;

export const Hold = /* @__PURE__ */ z
  .object({
    reservationId: RequestId,
    locationId: LocationId,
    lines: /* @__PURE__ */ z.array(MovementLine),
    status: /* @__PURE__ */ z.enum(['ACTIVE', 'RELEASED', 'EXPIRED']),
    expiresAt: Timestamp,
  })
  .meta({ id: 'Hold' });
export type Hold = z.output<typeof Hold>;

export const MovementResult = /* @__PURE__ */ z
  .object({
    movementId: RequestId,
    type: MovementType,
    levels: /* @__PURE__ */ z.array(StockLevel),
    reservation: /* @__PURE__ */ Hold.optional(),
    confirmed: /* @__PURE__ */ z
      .array(/* @__PURE__ */ z.object({ sku: Sku, qty: /* @__PURE__ */ z.int() }))
      .optional()
      .meta({ description: 'RFID-tagged units the other side (gate reads, or a document) had already booked: confirmed, not moved again' }),
  })
  .meta({ id: 'MovementResult' });
export type MovementResult = z.output<typeof MovementResult>;

export const LedgerEntry = /* @__PURE__ */ z
  .object({
    movementId: ResourceId,
    type: /* @__PURE__ */ z.enum(ledgerTypes),
    sku: Sku,
    locationId: LocationId,
    onHandDelta: /* @__PURE__ */ z.int(),
    reservedDelta: /* @__PURE__ */ z.int(),
    reason: /* @__PURE__ */ z.string().optional(),
    counted: /* @__PURE__ */ z.int().optional(),
    stateDeltas: /* @__PURE__ */ z
      .object({
        damaged: /* @__PURE__ */ z.int().optional(),
        qualityControl: /* @__PURE__ */ z.int().optional(),
        safetyStock: /* @__PURE__ */ z.int().optional(),
      })
      .optional(),
    from: /* @__PURE__ */ StockState.optional(),
    to: /* @__PURE__ */ StockState.optional(),
    confirmed: /* @__PURE__ */ z
      .int()
      .optional()
      .meta({ description: 'Units the other side (a gate read, or a document) had already booked: confirmed by this entry, not moved again' }),
    absorbedBy: /* @__PURE__ */ ResourceId.optional().meta({ description: 'The COUNT (its movement id) that already saw this change: the level did not move' }),
    occurredAt: /* @__PURE__ */ Timestamp.meta({ description: 'When it happened' }),
    at: /* @__PURE__ */ Timestamp.meta({ description: 'When it was booked (arrived)' }),
    by: /* @__PURE__ */ z.string(),
  })
  .meta({ id: 'LedgerEntry' });
export type LedgerEntry = z.output<typeof LedgerEntry>;

export const CountsDue = /* @__PURE__ */ z
  .object({
    locationId: LocationId,
    items: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.object({
        sku: Sku,
        abcClass: /* @__PURE__ */ AbcClass.optional().meta({ description: 'Absent until the SKU has been classified' }),
        dueAt: Timestamp,
        reason: /* @__PURE__ */ z.enum(['SCHEDULED', 'NEGATIVE_AVAILABLE', 'LARGE_VARIANCE', 'GATE_DISCREPANCY']).meta({
          description:
            "SCHEDULED: the SKU's ABC class's cycle (A 4, B 2, C 1 a year by default); NEGATIVE_AVAILABLE: offline sales took available below zero; LARGE_VARIANCE: the last count found far from the books (recount a week on); GATE_DISCREPANCY: RFID-tagged units a gate and the documents still disagree on after the window",
        }),
      }),
    ),
  })
  .meta({ id: 'CountsDue', description: 'Blind count tasks: the expected quantity is not shown' });
export type CountsDue = z.output<typeof CountsDue>;

const WaitingUnits = /* @__PURE__ */ z.array(
  /* @__PURE__ */ z.object({
    movementId: ResourceId,
    at: Timestamp,
    qty: /* @__PURE__ */ z.int(),
    status: /* @__PURE__ */ z.enum(['WAITING', 'DISCREPANCY']).meta({ description: 'WAITING: inside the window; DISCREPANCY: the window passed unconfirmed' }),
  }),
);
export const Reconciliations = /* @__PURE__ */ z
  .object({
    locationId: LocationId,
    windowHours: /* @__PURE__ */ z.number(),
    items: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.object({
        sku: Sku,
        direction: /* @__PURE__ */ z.enum(['IN', 'OUT']),
        notSeenByGate: /* @__PURE__ */ WaitingUnits.meta({
          description: 'Document units (receipt, PO receipt, transfer receipt, sale) no gate read confirmed',
        }),
        notOnDocument: /* @__PURE__ */ WaitingUnits.meta({ description: 'Gate-read units no document named' }),
      }),
    ),
  })
  .meta({ id: 'Reconciliations' });
export type Reconciliations = z.output<typeof Reconciliations>;

export const CountsDueQuery = /* @__PURE__ */ z.object({
  days: /* @__PURE__ */ z.coerce
    .number()
    .int()
    .min(0)
    .max(366)
    .optional()
    .meta({ description: 'Counts due within this many days from now (default 1: what to count today; 0: overdue only)' }),
});

/** Where a product can be bought, as a member app shows it: stores only, what can be sold, nothing about costs or what is on order. */
export const Availability = /* @__PURE__ */ z
  .object({
    sku: Sku,
    name: /* @__PURE__ */ z.string(),
    price: /* @__PURE__ */ z.int(),
    currency: /* @__PURE__ */ z.string(),
    stores: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.object({
        locationId: LocationId,
        name: /* @__PURE__ */ z.string(),
        available: /* @__PURE__ */ z.int().min(0).meta({ description: 'Units that can be bought there now (never below zero)' }),
        inStock: /* @__PURE__ */ z.boolean(),
      }),
    ),
  })
  .meta({ id: 'Availability' });
export type Availability = z.output<typeof Availability>;

export const SkuParams = /* @__PURE__ */ z.object({ sku: Sku });
export const LocationParams = /* @__PURE__ */ z.object({ locationId: LocationId });
export const MovementParams = /* @__PURE__ */ z.object({ locationId: LocationId, movementId: RequestId });

export const StockOfSku = /* @__PURE__ */ z.object({ sku: Sku, levels: /* @__PURE__ */ z.array(StockLevel) }).meta({ id: 'StockOfSku' });

export const LocationStockQuery = /* @__PURE__ */ Page.extend({
  belowReorderPoint: /* @__PURE__ */ z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

export const MovementsQuery = /* @__PURE__ */ Page.extend({
  sku: /* @__PURE__ */ Sku.optional(),
  locationId: /* @__PURE__ */ LocationId.optional(),
  from: /* @__PURE__ */ Timestamp.optional(),
  to: /* @__PURE__ */ Timestamp.optional(),
  order: /* @__PURE__ */ z
    .enum(['arrival', 'occurredAt'])
    .optional()
    .meta({ description: 'arrival (default): as booked; occurredAt: as it happened, for one SKU at one location (give both)' }),
})
  .refine((q) => q.sku !== undefined || q.locationId !== undefined, {
    message: 'give sku, locationId or both',
    path: ['sku'],
  })
  .refine((q) => q.order !== 'occurredAt' || (q.sku !== undefined && q.locationId !== undefined), {
    message: 'order=occurredAt reads one SKU at one location: give sku and locationId',
    path: ['order'],
  })
  // Compared as instants: the two may carry different offsets.
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['to'],
  });

export const pageOf = <T extends z.ZodType>(item: T, id: string) => z.object({ items: z.array(item), cursor: z.string().optional() }).meta({ id });

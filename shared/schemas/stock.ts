import * as z from 'zod';
import { gtinPattern, isValidGtin } from '../domain/gtin.ts';
import { tierNames } from '../domain/tiers.ts';
import { AbcPolicySchema } from './abc.ts';
import { Currency, LocationId, maxMovementQty, MinorUnits, Name, Page, Quantity, RequestId, ResourceId, Sku, Timestamp, TimeZone } from './common.ts';

export const LocationType = z.enum(['WAREHOUSE', 'STORE']);

export const LocationInput = z
  .strictObject({
    locationId: LocationId,
    name: Name(200),
    type: LocationType,
    timeZone: TimeZone,
    reconcileWindowHours: z
      .int()
      .min(1)
      .max(168)
      .optional()
      .meta({ description: 'How far apart a document and a gate read of the same units may be (hours, default 24)' }),
  })
  .meta({ id: 'LocationInput' });

export const LocationPatch = LocationInput.omit({ locationId: true }).partial().meta({ id: 'LocationPatch' });

export const Location = LocationInput.extend({
  version: z.int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: 'Location' });
export type Location = z.output<typeof Location>;

export const Gtin = z
  .string()
  .regex(gtinPattern, { message: 'GTIN-8, -12, -13 or -14 digits', abort: true })
  .refine(isValidGtin, 'GS1 check digit is wrong')
  .meta({ description: 'GS1 GTIN (barcode)' });

/** GET /products: a page of the catalogue, or with `gtin` the product that barcode names (any length of the same number). */
export const ProductsQuery = Page.extend({
  gtin: Gtin.optional().meta({
    description:
      'Barcode lookup: GTIN-8, -12, -13 or -14 with a valid check digit; finds the product whatever length its GTIN was stored in. Answers only that product (no cursor); limit and cursor are ignored.',
  }),
});

export const ServiceLevel = z.number().gt(0.5).lt(1).meta({ description: 'Target cycle service level, e.g. 0.95' });

/** Stock set aside for members: who may buy it and how much each. The allocation itself is booked separately. */
export const MemberExclusive = z.strictObject({
  minTier: z.enum(tierNames),
  perMemberLimit: z.int().min(1).max(1000).optional(),
});

export const ProductInput = z
  .strictObject({
    sku: Sku,
    name: Name(200),
    gtin: Gtin.optional(),
    unitCost: MinorUnits,
    price: MinorUnits,
    currency: Currency,
    packSize: z.int().min(1).max(100_000).optional(),
    supplierId: z.string().min(1).max(64).optional(),
    minOrderQty: z.int().min(1).max(maxMovementQty).optional(),
    leadTimeDays: z.number().min(0).max(365).optional(),
    orderingCost: MinorUnits.optional(),
    holdingCostPerUnitYear: MinorUnits.optional(),
    serviceLevel: ServiceLevel.optional(),
    reorder: z
      .strictObject({ min: z.int().min(0).max(maxMovementQty), max: z.int().min(1).max(maxMovementQty) })
      .refine((r) => r.max >= r.min, 'max must be at least min')
      .optional(),
    memberExclusive: MemberExclusive.optional(),
    rfidTagged: z
      .boolean()
      .optional()
      .meta({ description: 'Units carry RFID tags: documents and gate reads of this SKU are reconciled, so each unit counts once' }),
  })
  .meta({ id: 'ProductInput' });

export const ProductPatch = ProductInput.omit({ sku: true }).partial().meta({ id: 'ProductPatch' });

export const AbcClass = z.enum(['A', 'B', 'C']);

export const Product = ProductInput.extend({
  /** Set by the ABC classification job. */
  abcClass: AbcClass.optional(),
  abc: z.object({ rank: z.int(), value: z.number(), valueShare: z.number(), cumulativeShare: z.number(), classifiedAt: Timestamp }).optional(),
  /** Set by the ABC classification job with the class: read-only, the policy (service level, cover, counts) this product is planned with. */
  abcPolicy: AbcPolicySchema.optional().meta({
    description: 'Read-only: the policy of its ABC class, set by the classification run; replenishment and counts plan with it',
  }),
  version: z.int(),
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
export const MovementType = z.enum(movementTypes);

/** Ledger entry kinds: a TRANSFER request books one OUT and one IN entry. */
export const ledgerTypes = [...movementTypes.filter((t) => t !== 'TRANSFER'), 'TRANSFER_OUT', 'TRANSFER_IN'] as const;

export const adjustmentReasons = ['DAMAGED', 'LOST', 'STOLEN', 'EXPIRED', 'FOUND'] as const;

export const MovementLine = z.strictObject({ sku: Sku, qty: Quantity });

/** Where a unit inside onHand stands; only AVAILABLE units can be sold, reserved or transferred. */
export const StockState = z.enum(['AVAILABLE', 'DAMAGED', 'QUALITY_CONTROL', 'SAFETY_STOCK']).meta({ id: 'StockState' });
/** A receipt lands in available stock, or in quality control until it is checked. */
export const ReceiptLine = MovementLine.extend({ to: z.enum(['AVAILABLE', 'QUALITY_CONTROL']).optional() });
/** A write-off takes from available stock unless it names another state (damaged goods leave `damaged`). */
export const AdjustmentLine = MovementLine.extend({ from: StockState.optional() });
export const StateChangeLine = MovementLine.extend({ from: StockState, to: StockState }).refine((l) => l.from !== l.to, {
  message: 'to must differ from from',
  path: ['to'],
});
/** A cycle count may find nothing on the shelf. */
export const CountLine = z.strictObject({ sku: Sku, qty: z.int().min(0).max(maxMovementQty) });

const lines = <T extends z.ZodType>(line: T) => z.array(line).min(1).max(100);

const base = {
  movementId: RequestId,
  locationId: LocationId,
  occurredAt: Timestamp.optional().meta({
    description:
      'When it happened (a till that was offline posts later): default when it arrives; at most 2 minutes ahead of the server, at most 30 days old. A change dated at or before the latest count of its level is kept in the ledger, absorbed by that count.',
  }),
};

export const MovementRequest = z
  .discriminatedUnion('type', [
    z.strictObject({ ...base, type: z.enum(['SALE', 'RETURN', 'RFID_IN', 'RFID_OUT']), lines: lines(MovementLine) }),
    z.strictObject({ ...base, type: z.literal('RECEIPT'), lines: lines(ReceiptLine) }),
    z.strictObject({
      ...base,
      type: z.literal('TRANSFER'),
      toLocationId: LocationId,
      ship: z.boolean().optional().meta({ description: 'true: the units travel; the destination receives them with POST /transfers/{movementId}/receipts' }),
      lines: lines(MovementLine),
    }),
    z.strictObject({ ...base, type: z.literal('ADJUSTMENT'), reason: z.enum(adjustmentReasons), lines: lines(AdjustmentLine) }),
    z.strictObject({ ...base, type: z.literal('STATE_CHANGE'), lines: lines(StateChangeLine) }),
    z.strictObject({ ...base, type: z.literal('COUNT'), lines: lines(CountLine) }),
    z.strictObject({ ...base, type: z.literal('RESERVE'), expiresAt: Timestamp, lines: lines(MovementLine) }),
    z.strictObject({ ...base, type: z.literal('RELEASE'), reservationId: RequestId }),
  ])
  .meta({ id: 'MovementRequest' });
export type MovementRequest = z.output<typeof MovementRequest>;

export const StockLevel = z
  .object({
    sku: Sku,
    locationId: LocationId,
    onHand: z.int(),
    reserved: z.int(),
    available: z
      .int()
      .meta({ description: 'onHand - reserved - damaged - qualityControl - safetyStock; below zero only after offline sales (a count is then due)' }),
    incoming: z.int(),
    damaged: z.int(),
    qualityControl: z.int(),
    safetyStock: z.int(),
    reorderPoint: z.int().optional(),
    version: z.int(),
    updatedAt: Timestamp,
  })
  .meta({ id: 'StockLevel' });
export type StockLevel = z.output<typeof StockLevel>;

export const Hold = z
  .object({
    reservationId: RequestId,
    locationId: LocationId,
    lines: z.array(MovementLine),
    status: z.enum(['ACTIVE', 'RELEASED', 'EXPIRED']),
    expiresAt: Timestamp,
  })
  .meta({ id: 'Hold' });
export type Hold = z.output<typeof Hold>;

export const MovementResult = z
  .object({
    movementId: RequestId,
    type: MovementType,
    levels: z.array(StockLevel),
    reservation: Hold.optional(),
    confirmed: z
      .array(z.object({ sku: Sku, qty: z.int() }))
      .optional()
      .meta({ description: 'RFID-tagged units the other side (gate reads, or a document) had already booked: confirmed, not moved again' }),
  })
  .meta({ id: 'MovementResult' });
export type MovementResult = z.output<typeof MovementResult>;

export const LedgerEntry = z
  .object({
    movementId: ResourceId,
    type: z.enum(ledgerTypes),
    sku: Sku,
    locationId: LocationId,
    onHandDelta: z.int(),
    reservedDelta: z.int(),
    reason: z.string().optional(),
    counted: z.int().optional(),
    stateDeltas: z.object({ damaged: z.int().optional(), qualityControl: z.int().optional(), safetyStock: z.int().optional() }).optional(),
    from: StockState.optional(),
    to: StockState.optional(),
    confirmed: z
      .int()
      .optional()
      .meta({ description: 'Units the other side (a gate read, or a document) had already booked: confirmed by this entry, not moved again' }),
    absorbedBy: ResourceId.optional().meta({ description: 'The COUNT (its movement id) that already saw this change: the level did not move' }),
    occurredAt: Timestamp.meta({ description: 'When it happened' }),
    at: Timestamp.meta({ description: 'When it was booked (arrived)' }),
    by: z.string(),
  })
  .meta({ id: 'LedgerEntry' });
export type LedgerEntry = z.output<typeof LedgerEntry>;

export const CountsDue = z
  .object({
    locationId: LocationId,
    items: z.array(
      z.object({
        sku: Sku,
        abcClass: AbcClass.optional().meta({ description: 'Absent until the SKU has been classified' }),
        dueAt: Timestamp,
        reason: z.enum(['SCHEDULED', 'NEGATIVE_AVAILABLE', 'LARGE_VARIANCE', 'GATE_DISCREPANCY']).meta({
          description:
            "SCHEDULED: the SKU's ABC class's cycle (A 4, B 2, C 1 a year by default); NEGATIVE_AVAILABLE: offline sales took available below zero; LARGE_VARIANCE: the last count found far from the books (recount a week on); GATE_DISCREPANCY: RFID-tagged units a gate and the documents still disagree on after the window",
        }),
      }),
    ),
  })
  .meta({ id: 'CountsDue', description: 'Blind count tasks: the expected quantity is not shown' });
export type CountsDue = z.output<typeof CountsDue>;

const WaitingUnits = z.array(
  z.object({
    movementId: ResourceId,
    at: Timestamp,
    qty: z.int(),
    status: z.enum(['WAITING', 'DISCREPANCY']).meta({ description: 'WAITING: inside the window; DISCREPANCY: the window passed unconfirmed' }),
  }),
);
export const Reconciliations = z
  .object({
    locationId: LocationId,
    windowHours: z.number(),
    items: z.array(
      z.object({
        sku: Sku,
        direction: z.enum(['IN', 'OUT']),
        notSeenByGate: WaitingUnits.meta({ description: 'Document units (receipt, PO receipt, transfer receipt, sale) no gate read confirmed' }),
        notOnDocument: WaitingUnits.meta({ description: 'Gate-read units no document named' }),
      }),
    ),
  })
  .meta({ id: 'Reconciliations' });
export type Reconciliations = z.output<typeof Reconciliations>;

export const CountsDueQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(0)
    .max(366)
    .optional()
    .meta({ description: 'Counts due within this many days from now (default 1: what to count today; 0: overdue only)' }),
});

/** Where a product can be bought, as a member app shows it: stores only, what can be sold, nothing about costs or what is on order. */
export const Availability = z
  .object({
    sku: Sku,
    name: z.string(),
    price: z.int(),
    currency: z.string(),
    stores: z.array(
      z.object({
        locationId: LocationId,
        name: z.string(),
        available: z.int().min(0).meta({ description: 'Units that can be bought there now (never below zero)' }),
        inStock: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'Availability' });
export type Availability = z.output<typeof Availability>;

export const SkuParams = z.object({ sku: Sku });
export const LocationParams = z.object({ locationId: LocationId });
export const MovementParams = z.object({ locationId: LocationId, movementId: RequestId });

export const StockOfSku = z.object({ sku: Sku, levels: z.array(StockLevel) }).meta({ id: 'StockOfSku' });

export const LocationStockQuery = Page.extend({
  belowReorderPoint: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

export const MovementsQuery = Page.extend({
  sku: Sku.optional(),
  locationId: LocationId.optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
  order: z
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

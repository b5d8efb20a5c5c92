import { z } from 'zod';
import { tierNames } from '../domain/tiers.ts';
import { Currency, LocationId, maxMovementQty, MinorUnits, Name, Page, Quantity, RequestId, Sku, Timestamp, TimeZone } from './common.ts';

export const LocationType = z.enum(['WAREHOUSE', 'STORE']);

export const LocationInput = z
  .strictObject({
    locationId: LocationId,
    name: Name(200),
    type: LocationType,
    timeZone: TimeZone,
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
  .regex(/^\d{8}$|^\d{12,14}$/, 'GTIN-8, -12, -13 or -14 digits')
  .meta({ description: 'GS1 GTIN (barcode)' });

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
  })
  .meta({ id: 'ProductInput' });

export const ProductPatch = ProductInput.omit({ sku: true }).partial().meta({ id: 'ProductPatch' });

export const AbcClass = z.enum(['A', 'B', 'C']);

export const Product = ProductInput.extend({
  /** Set by the ABC classification job. */
  abcClass: AbcClass.optional(),
  abc: z.object({ rank: z.int(), value: z.number(), valueShare: z.number(), cumulativeShare: z.number(), classifiedAt: Timestamp }).optional(),
  version: z.int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: 'Product' });
export type Product = z.output<typeof Product>;

export const movementTypes = ['RECEIPT', 'SALE', 'RETURN', 'TRANSFER', 'ADJUSTMENT', 'COUNT', 'RESERVE', 'RELEASE', 'RFID_IN', 'RFID_OUT'] as const;
export const MovementType = z.enum(movementTypes);

/** Ledger entry kinds: a TRANSFER request books one OUT and one IN entry. */
export const ledgerTypes = [...movementTypes.filter((t) => t !== 'TRANSFER'), 'TRANSFER_OUT', 'TRANSFER_IN'] as const;

export const adjustmentReasons = ['DAMAGED', 'LOST', 'STOLEN', 'EXPIRED', 'FOUND'] as const;

export const MovementLine = z.strictObject({ sku: Sku, qty: Quantity });
/** A cycle count may find nothing on the shelf. */
export const CountLine = z.strictObject({ sku: Sku, qty: z.int().min(0).max(maxMovementQty) });

const lines = <T extends z.ZodType>(line: T) => z.array(line).min(1).max(100);

const base = {
  movementId: RequestId.optional(),
  locationId: LocationId,
};

export const MovementRequest = z
  .discriminatedUnion('type', [
    z.strictObject({ ...base, type: z.enum(['RECEIPT', 'SALE', 'RETURN', 'RFID_IN', 'RFID_OUT']), lines: lines(MovementLine) }),
    z.strictObject({ ...base, type: z.literal('TRANSFER'), toLocationId: LocationId, lines: lines(MovementLine) }),
    z.strictObject({ ...base, type: z.literal('ADJUSTMENT'), reason: z.enum(adjustmentReasons), lines: lines(MovementLine) }),
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
    available: z.int(),
    incoming: z.int(),
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
  .object({ movementId: RequestId, type: MovementType, levels: z.array(StockLevel), reservation: Hold.optional() })
  .meta({ id: 'MovementResult' });
export type MovementResult = z.output<typeof MovementResult>;

export const LedgerEntry = z
  .object({
    movementId: RequestId,
    type: z.enum(ledgerTypes),
    sku: Sku,
    locationId: LocationId,
    onHandDelta: z.int(),
    reservedDelta: z.int(),
    reason: z.string().optional(),
    counted: z.int().optional(),
    at: Timestamp,
    by: z.string(),
  })
  .meta({ id: 'LedgerEntry' });
export type LedgerEntry = z.output<typeof LedgerEntry>;

export const SkuParams = z.object({ sku: Sku });
export const LocationParams = z.object({ locationId: LocationId });

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
})
  .refine((q) => q.sku !== undefined || q.locationId !== undefined, {
    message: 'give sku, locationId or both',
    path: ['sku'],
  })
  // Compared as instants: the two may carry different offsets.
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['to'],
  });

export const pageOf = <T extends z.ZodType>(item: T, id: string) => z.object({ items: z.array(item), cursor: z.string().optional() }).meta({ id });

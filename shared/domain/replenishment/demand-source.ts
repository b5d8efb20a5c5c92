/**
 * Which ledger entries are demand. A store's demand is what it sells (SALE).
 * A warehouse sells nothing: its demand is what it ships to the stores
 * (TRANSFER_OUT). Without that its forecast is zero, its reorder point zero,
 * and it reorders only once it is empty; every store need after that becomes
 * a purchase with the supplier's whole lead time (the chain-month
 * simulator's week-two stock-outs). Each entry is one movement's units of
 * one SKU at one location, so counting entries once per movement counts a
 * shipment once, as a sale is.
 */

/** The kind of location an entry was booked at (shared/schemas/catalog.ts). */
export type DemandLocationType = 'STORE' | 'WAREHOUSE' | (string & {});

/** The ledger entry types that can be demand, for the demand stream's filter. */
export const demandLedgerTypes = ['SALE', 'TRANSFER_OUT'] as const;

/**
 * Units of demand a ledger entry is: the units that left for a SALE
 * anywhere, or for a TRANSFER_OUT at a warehouse; 0 otherwise (a store's
 * transfer to another store moves stock within the chain, it is not demand,
 * and an entry that raised stock is no demand). `locationType` undefined
 * means the location is unknown: only sales count then.
 */
export const demandUnitsOf = (entry: { readonly type: string; readonly onHandDelta: number }, locationType: DemandLocationType | undefined): number => {
  const units = -entry.onHandDelta;
  if (!Number.isFinite(units) || units <= 0) return 0;
  if (entry.type === 'SALE') return units;
  if (entry.type === 'TRANSFER_OUT' && locationType === 'WAREHOUSE') return units;
  return 0;
};

/**
 * A location as a donor to another, as the transfer decision sees it
 * (chain.ts surplusUnits). A store keeps its days of cover and stays above
 * its reorder point. A warehouse's stock is there for the stores, and its
 * forecast and reorder point are now their pull (its shipments): keeping
 * days of cover or a reorder point computed from them back would have it
 * hoard the stock it exists to ship. So a warehouse keeps back only a fixed
 * minimum set on the product (`fixedMinimum`: a min/max plan, whose reorder
 * point is that min), else one unit, and a transfer taking it below its
 * reorder point is what makes it buy. A store never gives to a warehouse: a
 * warehouse is supplied by purchases (or another warehouse). Undefined: the
 * location does not donate to this recipient.
 */
export const asDonor = <C extends { readonly targetDaysOfCover: number; readonly reorderPoint: number }>(
  candidate: C,
  donor: { readonly type: DemandLocationType | undefined; readonly fixedMinimum: boolean },
  recipientType: DemandLocationType | undefined,
): C | undefined => {
  if (donor.type === 'WAREHOUSE') return { ...candidate, targetDaysOfCover: 0, reorderPoint: donor.fixedMinimum ? candidate.reorderPoint : 0 };
  if (recipientType === 'WAREHOUSE') return undefined;
  return candidate;
};

/**
 * Key patterns of every item StockClub stores. Nothing outside shared/db
 * builds a key string.
 */
export const inventoryKeys = {
  location: (locationId: string) => ({ pk: `LOCATION#${locationId}`, sk: 'LOCATION' }),
  product: (sku: string) => ({ pk: `PRODUCT#${sku}`, sk: 'PRODUCT' }),
  /** Reserves a GTIN for one SKU, so a barcode or RFID tag resolves to exactly one product. */
  gtin: (gtin: string) => ({ pk: `GTIN#${gtin}`, sk: 'GTIN' }),
  /** Levels of a SKU share a partition: HQ reads every location in one query. */
  level: (sku: string, locationId: string) => ({ pk: `STOCK#${sku}`, sk: `LOCATION#${locationId}` }),
  levelsOfSku: (sku: string) => `STOCK#${sku}`,
  /** gsi1: a location's levels in one query. */
  levelByLocation: (sku: string, locationId: string) => ({ gsi1pk: `LOCATION_STOCK#${locationId}`, gsi1sk: sku }),
  levelsOfLocation: (locationId: string) => `LOCATION_STOCK#${locationId}`,
  movement: (movementId: string) => ({ pk: `MOVEMENT#${movementId}`, sk: 'MOVEMENT' }),
  /**
   * Ledger entries, time-ordered three ways: per SKU and location (base
   * table), per SKU (gsi1) and per location (gsi2).
   */
  ledgerEntry: (sku: string, locationId: string, at: string, movementId: string) => ({
    pk: `LEDGER#${sku}#${locationId}`,
    sk: `${at}#${movementId}`,
    gsi1pk: `LEDGER_SKU#${sku}`,
    gsi1sk: `${at}#${locationId}#${movementId}`,
    gsi2pk: `LEDGER_LOCATION#${locationId}`,
    gsi2sk: `${at}#${sku}#${movementId}`,
  }),
  ledgerOfSkuAtLocation: (sku: string, locationId: string) => `LEDGER#${sku}#${locationId}`,
  ledgerOfSku: (sku: string) => `LEDGER_SKU#${sku}`,
  ledgerOfLocation: (locationId: string) => `LEDGER_LOCATION#${locationId}`,
  reservation: (reservationId: string) => ({ pk: `RESERVATION#${reservationId}`, sk: 'RESERVATION' }),
  /** gsi2: active holds ordered by expiry, for the sweep that releases them. */
  activeReservation: (expiresAt: string, reservationId: string) => ({
    gsi2pk: 'RESERVATIONS_ACTIVE',
    gsi2sk: `${expiresAt}#${reservationId}`,
  }),
  activeReservations: 'RESERVATIONS_ACTIVE',
  /** Catalogue listings: every product / location in one partition each, ordered by id. */
  productListing: (sku: string) => ({ gsi1pk: 'PRODUCTS', gsi1sk: sku }),
  productListingKey: 'PRODUCTS',
  locationListing: (locationId: string) => ({ gsi1pk: 'LOCATIONS', gsi1sk: locationId }),
  locationListingKey: 'LOCATIONS',
} as const;

/** The `entity` attribute names an item's kind; stream filters match on it. */
export const entities = {
  location: 'LOCATION',
  product: 'PRODUCT',
  gtin: 'GTIN',
  level: 'STOCK_LEVEL',
  movement: 'MOVEMENT',
  ledgerEntry: 'LEDGER_ENTRY',
  reservation: 'RESERVATION',
} as const;

const keyAttributes = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'expiresAt'];

/** An item as the API shows it: without key and bookkeeping attributes. */
export const withoutKeys = <T>(item: Record<string, unknown>, extraHidden: string[] = []): T => {
  const hidden = new Set([...keyAttributes, ...extraHidden]);
  return Object.fromEntries(Object.entries(item).filter(([k]) => !hidden.has(k))) as T;
};

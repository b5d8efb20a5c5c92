/**
 * Demo data for `npm start`: a warehouse, two stores, a handful of products
 * with barcodes, and stock booked as real movements through the API, so the
 * ledger explains every level. Fixed ids make it safe to run again on a
 * persisted `--data` directory: creates and movements are idempotent.
 */
import { signLocalToken } from './auth.ts';

export const demoLocations = [
  { locationId: 'WH-CENTRAL', name: 'Central warehouse', type: 'WAREHOUSE', timeZone: 'Europe/Berlin' },
  { locationId: 'STORE-BERLIN', name: 'Berlin Mitte', type: 'STORE', timeZone: 'Europe/Berlin' },
  { locationId: 'STORE-MUNICH', name: 'München Marienplatz', type: 'STORE', timeZone: 'Europe/Berlin' },
] as const;

export const demoProducts = [
  { sku: 'TEE-BLK-M', name: 'Organic T-shirt black M', gtin: '4006381333931', unitCost: 450, price: 1999, currency: 'EUR', packSize: 10, leadTimeDays: 7, orderingCost: 5000, holdingCostPerUnitYear: 100, serviceLevel: 0.95, reorder: { min: 12, max: 60 } },
  { sku: 'JEANS-32', name: 'Slim jeans 32/32', gtin: '4006381333948', unitCost: 1800, price: 7999, currency: 'EUR', packSize: 6, leadTimeDays: 14, orderingCost: 5000, holdingCostPerUnitYear: 400 },
  { sku: 'SNEAKER-42', name: 'Runner sneaker 42', gtin: '4006381333955', unitCost: 3500, price: 11999, currency: 'EUR', packSize: 4, leadTimeDays: 21, reorder: { min: 4, max: 16 } },
  { sku: 'SOCKS-3PK', name: 'Socks, three pack', gtin: '4006381333962', unitCost: 150, price: 999, currency: 'EUR', packSize: 24, leadTimeDays: 5 },
  { sku: 'CAP-RED', name: 'Baseball cap red', gtin: '4006381333979', unitCost: 300, price: 1499, currency: 'EUR', packSize: 12, leadTimeDays: 10, reorder: { min: 5, max: 20 } },
] as const;

const demoMovements = [
  { movementId: 'demo-receipt-1', type: 'RECEIPT', locationId: 'WH-CENTRAL', lines: [
    { sku: 'TEE-BLK-M', qty: 200 }, { sku: 'JEANS-32', qty: 60 }, { sku: 'SNEAKER-42', qty: 40 }, { sku: 'SOCKS-3PK', qty: 480 }, { sku: 'CAP-RED', qty: 48 },
  ] },
  { movementId: 'demo-transfer-berlin', type: 'TRANSFER', locationId: 'WH-CENTRAL', toLocationId: 'STORE-BERLIN', lines: [
    { sku: 'TEE-BLK-M', qty: 30 }, { sku: 'JEANS-32', qty: 12 }, { sku: 'SNEAKER-42', qty: 6 }, { sku: 'SOCKS-3PK', qty: 48 }, { sku: 'CAP-RED', qty: 6 },
  ] },
  { movementId: 'demo-transfer-munich', type: 'TRANSFER', locationId: 'WH-CENTRAL', toLocationId: 'STORE-MUNICH', lines: [
    { sku: 'TEE-BLK-M', qty: 20 }, { sku: 'JEANS-32', qty: 8 }, { sku: 'SNEAKER-42', qty: 4 }, { sku: 'CAP-RED', qty: 12 },
  ] },
  // Leaves the sneakers in Berlin at their reorder point, so the reorder views have something to show.
  { movementId: 'demo-sale-berlin-1', type: 'SALE', locationId: 'STORE-BERLIN', lines: [{ sku: 'SNEAKER-42', qty: 2 }, { sku: 'TEE-BLK-M', qty: 3 }] },
] as const;

export const seedDemoData = async (baseUrl: string): Promise<void> => {
  const token = await signLocalToken({ role: 'admin', subject: 'demo-seed' });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`Seeding ${path} failed: ${response.status} ${await response.text()}`);
  };
  for (const location of demoLocations) await post('/locations', location);
  for (const product of demoProducts) await post('/products', product);
  for (const movement of demoMovements) await post('/movements', movement);
};

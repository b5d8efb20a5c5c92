/**
 * Catalog use-cases: products and locations. Only reading locations is
 * scoped (store staff see their own); every other catalog call is the
 * repository's function as it is (shared/db/catalog.ts), re-exported here
 * so handlers reach the catalog through this layer.
 */
import * as catalog from '../db/catalog.ts';
import type { Page, ProductInput } from '../db/catalog.ts';
import { assertLocationAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import type { Location, Product } from '../schemas/stock.ts';
import { ledgerShardsOf } from '../domain/level-shards.ts';
import { spreadLevels } from './hot-stock.ts';

export { createLocation, createProduct, getProduct, listLocations, listProducts, updateLocation } from '../db/catalog.ts';

/**
 * Changes a product. Declaring it hot (`hotShards`) or merging it back
 * spreads every level of the SKU to the new count once the product is
 * written; its ledger count only grows, since entries stay where they were
 * written (docs/hot-skus.md).
 */
export const updateProduct = async (sku: string, patch: Partial<Omit<ProductInput, 'sku'>>, version: number, now: string): Promise<Product> => {
  if (patch.hotShards === undefined) return catalog.updateProduct(sku, patch, version, now);
  const current = await catalog.getProduct(sku);
  const ledgerShards = Math.max(ledgerShardsOf(current as unknown as Record<string, unknown>), patch.hotShards);
  const product = await catalog.updateProduct(sku, { ...patch, ...(ledgerShards > 1 ? { ledgerShards } : {}) }, version, now);
  await spreadLevels(sku, patch.hotShards, now);
  return product;
};

/** The locations a caller may see, a page of the chain or all of a store user's own. */
export const locationsVisibleTo = async (principal: Principal, query: { limit: number; cursor?: string }): Promise<Page<Location>> => {
  const visible = visibleLocations(principal);
  // Store staff work at a handful of locations: read those directly instead of paging the chain.
  if (visible) return { items: await catalog.getLocations(visible) };
  return catalog.listLocations(query.limit, query.cursor);
};

/**
 * GET /products: with a GTIN (any length, check digit already validated),
 * the one product that barcode names, read by key; without, a page of the
 * catalogue.
 */
export const findProducts = async (query: { limit: number; cursor?: string; gtin?: string }): Promise<Page<Product>> => {
  if (query.gtin === undefined) return catalog.listProducts(query.limit, query.cursor);
  const product = await catalog.productByGtin(query.gtin);
  return { items: product ? [product] : [] };
};

export const getLocation = async (locationId: string, principal: Principal): Promise<Location> => {
  assertLocationAccess(principal, locationId);
  return catalog.getLocation(locationId);
};

/**
 * Catalog use-cases: products and locations. Only reading locations is
 * scoped (store staff see their own); every other catalog call is the
 * repository's function as it is (shared/db/catalog.ts), re-exported here
 * so handlers reach the catalog through this layer.
 */
import * as catalog from '../db/catalog.ts';
import type { Page } from '../db/catalog.ts';
import { assertLocationAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import type { Location, Product } from '../schemas/stock.ts';

export { createLocation, createProduct, getProduct, listLocations, listProducts, updateLocation, updateProduct } from '../db/catalog.ts';

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

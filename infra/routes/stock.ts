/**
 * The routes functions/api/stock.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import {
  Availability,
  CountsDue,
  CountsDueQuery,
  Reconciliations,
  LocationParams,
  LocationStockQuery,
  pageOf,
  SkuParams,
  StockLevel,
  StockOfSku,
} from '../../shared/schemas/stock.ts';
import { staffAndService, everyone, readInventory, type RouteWithGrants } from './definition.ts';

export const getStockOfSku = {
  method: 'GET',
  path: '/stock/{sku}',
  entry: 'functions/api/stock.ts',
  auth: staffAndService,
  tag: 'stock',
  tables: readInventory,
  summary: 'A SKU at every location (store staff see their own)',
  params: SkuParams,
  success: { status: 200, schema: StockOfSku, description: 'Stock levels of the SKU' },
} as const satisfies RouteWithGrants;

export const getLocationStock = {
  method: 'GET',
  path: '/locations/{locationId}/stock',
  entry: 'functions/api/stock.ts',
  auth: staffAndService,
  tag: 'stock',
  tables: readInventory,
  summary: 'Stock at one location, optionally only at or below reorder point',
  params: LocationParams,
  query: LocationStockQuery,
  success: { status: 200, schema: /* @__PURE__ */ pageOf(StockLevel, 'StockLevelPage'), description: 'A page of stock levels' },
} as const satisfies RouteWithGrants;

export const getReconciliation = {
  method: 'GET',
  path: '/locations/{locationId}/reconciliation',
  entry: 'functions/api/stock.ts',
  auth: staffAndService,
  tag: 'stock',
  tables: readInventory,
  summary: 'RFID-tagged units one side booked and the other has not confirmed: documents no gate read, gate reads no document named',
  params: LocationParams,
  success: { status: 200, schema: Reconciliations, description: 'Units waiting for the other side, and discrepancies past the window' },
} as const satisfies RouteWithGrants;

export const listCountsDue = {
  method: 'GET',
  path: '/locations/{locationId}/counts-due',
  entry: 'functions/api/stock.ts',
  auth: staffAndService,
  tag: 'stock',
  tables: readInventory,
  summary: 'The SKUs to count at a location (blind: without the expected quantity); a COUNT completes its task',
  params: LocationParams,
  query: CountsDueQuery,
  success: { status: 200, schema: CountsDue, description: 'Counts due, soonest first' },
} as const satisfies RouteWithGrants;

export const getAvailability = {
  method: 'GET',
  path: '/products/{sku}/availability',
  entry: 'functions/api/stock.ts',
  auth: everyone,
  tag: 'stock',
  tables: readInventory,
  summary: 'Where a product can be bought: each store and the units available there, for member apps (no costs, holds or incoming)',
  params: SkuParams,
  success: { status: 200, schema: Availability, description: 'The product and its stores' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { getStockOfSku, getLocationStock, getReconciliation, listCountsDue, getAvailability };

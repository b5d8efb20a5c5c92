/**
 * The routes functions/api/products.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { pageOf, Product, ProductInput, ProductPatch, ProductsQuery, SkuParams } from '../../shared/schemas/stock.ts';
import { Allocation, AllocationInput, AllocationList, AllocationParams } from '../../shared/schemas/allocations.ts';
import { staffAndService, everyone, readInventory, writeInventory, type RouteWithGrants } from './definition.ts';

export const createProduct = {
  method: 'POST',
  path: '/products',
  entry: 'functions/api/products.ts',
  auth: ['admin'],
  tag: 'catalog',
  tables: writeInventory,
  summary: 'Create a product',
  body: ProductInput,
  location: '/products/{sku}',
  success: { status: 201, schema: Product, description: 'The product' },
} as const satisfies RouteWithGrants;

export const listProducts = {
  method: 'GET',
  path: '/products',
  entry: 'functions/api/products.ts',
  auth: staffAndService,
  tag: 'catalog',
  tables: readInventory,
  summary: 'Products, a page at a time, or the one a barcode (GTIN) names',
  query: ProductsQuery,
  success: {
    status: 200,
    schema: /* @__PURE__ */ pageOf(Product, 'ProductPage'),
    description: 'A page of products; with gtin, only the product with that GTIN (none: empty items)',
  },
} as const satisfies RouteWithGrants;

export const getProduct = {
  method: 'GET',
  path: '/products/{sku}',
  entry: 'functions/api/products.ts',
  auth: staffAndService,
  tag: 'catalog',
  tables: readInventory,
  summary: 'One product',
  params: SkuParams,
  success: { status: 200, schema: Product, description: 'The product' },
} as const satisfies RouteWithGrants;

export const updateProduct = {
  method: 'PATCH',
  path: '/products/{sku}',
  entry: 'functions/api/products.ts',
  auth: ['admin'],
  tag: 'catalog',
  tables: writeInventory,
  summary: 'Change a product (If-Match required)',
  params: SkuParams,
  body: ProductPatch,
  ifMatch: true,
  success: { status: 200, schema: Product, description: 'The updated product' },
} as const satisfies RouteWithGrants;

export const setAllocation = {
  method: 'PUT',
  path: '/products/{sku}/allocations/{scope}',
  entry: 'functions/api/products.ts',
  auth: ['admin'],
  tag: 'members',
  tables: writeInventory,
  summary: 'Set aside units of a member-exclusive product at a location (available to reserved) or for the chain (*); 409 out-of-stock if not there',
  params: AllocationParams,
  body: AllocationInput,
  success: { status: 200, schema: Allocation, description: 'The allocation with what is sold and what remains' },
} as const satisfies RouteWithGrants;

export const listAllocations = {
  method: 'GET',
  path: '/products/{sku}/allocations',
  entry: 'functions/api/products.ts',
  auth: everyone,
  tag: 'members',
  tables: readInventory,
  summary: 'Member-exclusive units of a product: set aside, sold, remaining',
  params: SkuParams,
  success: { status: 200, schema: AllocationList, description: 'Allocations per scope' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { createProduct, listProducts, getProduct, updateProduct, setAllocation, listAllocations };

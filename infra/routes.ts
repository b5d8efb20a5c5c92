/**
 * Every HTTP route, declared once. API Gateway (infra/stack.ts), the local
 * gateway (infra/local/gateway.ts), the handlers' validation and role checks
 * (shared/http) and the OpenAPI document all read this table.
 *
 * A route's handler is the export named like the route's key in the module
 * at `entry`; the CDK stack makes one Lambda function per route.
 */
import type { z } from 'zod';
import type { Role } from '../shared/domain/principal.ts';
import { Health, Page } from '../shared/schemas/common.ts';
import {
  LedgerEntry,
  Location,
  LocationInput,
  LocationParams,
  LocationPatch,
  LocationStockQuery,
  MovementRequest,
  MovementResult,
  MovementsQuery,
  pageOf,
  Product,
  ProductInput,
  ProductPatch,
  SkuParams,
  StockLevel,
  StockOfSku,
} from '../shared/schemas/stock.ts';

export type IdempotencyKeySource = 'movementId' | 'saleId' | 'returnId' | 'header';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/stock/{sku}`. */
  readonly path: string;
  /** Handler module, relative to the repository root. */
  readonly entry: string;
  /** Who may call; `public` needs no token. */
  readonly auth: 'public' | readonly Role[];
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** Where a write's idempotency key comes from: the body's id (backed or replaced by the Idempotency-Key header), or the header alone. */
  readonly idempotencyKey?: IdempotencyKeySource;
  /** Conditional updates need If-Match with the version from an ETag. */
  readonly ifMatch?: boolean;
  readonly success: { readonly status: number; readonly schema?: z.ZodType; readonly description: string };
}

const staff = ['admin', 'store'] as const;
const staffAndService = ['admin', 'store', 'service'] as const;

export const routes = {
  health: {
    method: 'GET', path: '/health', entry: 'functions/api/meta.ts', auth: 'public', tag: 'meta',
    summary: 'Liveness', success: { status: 200, schema: Health, description: 'The API answers' },
  },
  openApi: {
    method: 'GET', path: '/openapi.json', entry: 'functions/api/meta.ts', auth: 'public', tag: 'meta',
    summary: 'This API as OpenAPI 3.1', success: { status: 200, description: 'The OpenAPI document' },
  },

  createLocation: {
    method: 'POST', path: '/locations', entry: 'functions/api/locations.ts', auth: ['admin'], tag: 'catalog',
    summary: 'Create a store or warehouse', body: LocationInput,
    success: { status: 201, schema: Location, description: 'The location' },
  },
  listLocations: {
    method: 'GET', path: '/locations', entry: 'functions/api/locations.ts', auth: staffAndService, tag: 'catalog',
    summary: 'Locations (store staff see their own)', query: Page, success: { status: 200, schema: pageOf(Location, 'LocationPage'), description: 'A page of locations' },
  },
  getLocation: {
    method: 'GET', path: '/locations/{locationId}', entry: 'functions/api/locations.ts', auth: staffAndService, tag: 'catalog',
    summary: 'One location', params: LocationParams, success: { status: 200, schema: Location, description: 'The location' },
  },
  updateLocation: {
    method: 'PATCH', path: '/locations/{locationId}', entry: 'functions/api/locations.ts', auth: ['admin'], tag: 'catalog',
    summary: 'Change a location (If-Match required)', params: LocationParams, body: LocationPatch, ifMatch: true,
    success: { status: 200, schema: Location, description: 'The updated location' },
  },

  createProduct: {
    method: 'POST', path: '/products', entry: 'functions/api/products.ts', auth: ['admin'], tag: 'catalog',
    summary: 'Create a product', body: ProductInput,
    success: { status: 201, schema: Product, description: 'The product' },
  },
  listProducts: {
    method: 'GET', path: '/products', entry: 'functions/api/products.ts', auth: staffAndService, tag: 'catalog',
    summary: 'Products, a page at a time', query: Page, success: { status: 200, schema: pageOf(Product, 'ProductPage'), description: 'A page of products' },
  },
  getProduct: {
    method: 'GET', path: '/products/{sku}', entry: 'functions/api/products.ts', auth: staffAndService, tag: 'catalog',
    summary: 'One product', params: SkuParams, success: { status: 200, schema: Product, description: 'The product' },
  },
  updateProduct: {
    method: 'PATCH', path: '/products/{sku}', entry: 'functions/api/products.ts', auth: ['admin'], tag: 'catalog',
    summary: 'Change a product (If-Match required)', params: SkuParams, body: ProductPatch, ifMatch: true,
    success: { status: 200, schema: Product, description: 'The updated product' },
  },

  createMovement: {
    method: 'POST', path: '/movements', entry: 'functions/api/movements.ts', auth: staff, tag: 'stock',
    summary: 'Book a stock movement (all lines or none)', body: MovementRequest, idempotencyKey: 'movementId',
    success: { status: 201, schema: MovementResult, description: 'The movement and the stock levels it left' },
  },
  listMovements: {
    method: 'GET', path: '/movements', entry: 'functions/api/movements.ts', auth: staffAndService, tag: 'stock',
    summary: 'The movement ledger by SKU and/or location and time', query: MovementsQuery,
    success: { status: 200, schema: pageOf(LedgerEntry, 'LedgerPage'), description: 'Ledger entries, oldest first' },
  },
  getStockOfSku: {
    method: 'GET', path: '/stock/{sku}', entry: 'functions/api/stock.ts', auth: staffAndService, tag: 'stock',
    summary: 'A SKU at every location (store staff see their own)', params: SkuParams,
    success: { status: 200, schema: StockOfSku, description: 'Stock levels of the SKU' },
  },
  getLocationStock: {
    method: 'GET', path: '/locations/{locationId}/stock', entry: 'functions/api/stock.ts', auth: staffAndService, tag: 'stock',
    summary: 'Stock at one location, optionally only at or below reorder point', params: LocationParams, query: LocationStockQuery,
    success: { status: 200, schema: pageOf(StockLevel, 'StockLevelPage'), description: 'A page of stock levels' },
  },
} as const satisfies Record<string, RouteDefinition>;

export type RouteName = keyof typeof routes;

export const routeList = (): [RouteName, RouteDefinition][] =>
  Object.entries(routes) as [RouteName, RouteDefinition][];

export const routeKey = (route: RouteDefinition): string => `${route.method} ${route.path}`;

/**
 * The routes functions/api/locations.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { Page } from '../../shared/schemas/common.ts';
import { Location, LocationInput, LocationParams, LocationPatch, pageOf } from '../../shared/schemas/stock.ts';
import { staffAndService, readInventory, writeInventory, type RouteWithGrants } from './definition.ts';

export const createLocation = {
  method: 'POST',
  path: '/locations',
  entry: 'functions/api/locations.ts',
  auth: ['admin'],
  tag: 'catalog',
  tables: writeInventory,
  summary: 'Create a store or warehouse',
  body: LocationInput,
  location: '/locations/{locationId}',
  success: { status: 201, schema: Location, description: 'The location' },
} as const satisfies RouteWithGrants;

export const listLocations = {
  method: 'GET',
  path: '/locations',
  entry: 'functions/api/locations.ts',
  auth: staffAndService,
  tag: 'catalog',
  tables: readInventory,
  summary: 'Locations (store staff see their own)',
  query: Page,
  success: { status: 200, schema: /* @__PURE__ */ pageOf(Location, 'LocationPage'), description: 'A page of locations' },
} as const satisfies RouteWithGrants;

export const getLocation = {
  method: 'GET',
  path: '/locations/{locationId}',
  entry: 'functions/api/locations.ts',
  auth: staffAndService,
  tag: 'catalog',
  tables: readInventory,
  summary: 'One location',
  params: LocationParams,
  success: { status: 200, schema: Location, description: 'The location' },
} as const satisfies RouteWithGrants;

export const updateLocation = {
  method: 'PATCH',
  path: '/locations/{locationId}',
  entry: 'functions/api/locations.ts',
  auth: ['admin'],
  tag: 'catalog',
  tables: writeInventory,
  summary: 'Change a location (If-Match required)',
  params: LocationParams,
  body: LocationPatch,
  ifMatch: true,
  success: { status: 200, schema: Location, description: 'The updated location' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { createLocation, listLocations, getLocation, updateLocation };

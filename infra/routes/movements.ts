/**
 * The routes functions/api/movements.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { LedgerEntry, MovementParams, MovementRequest, MovementResult, MovementsQuery, pageOf } from '../../shared/schemas/stock.ts';
import { staff, staffAndService, readInventory, writeInventory, type RouteWithGrants } from './definition.ts';

export const createMovement = {
  method: 'POST',
  path: '/movements',
  entry: 'functions/api/movements.ts',
  auth: staff,
  tag: 'stock',
  tables: writeInventory,
  summary: 'Book a stock movement (all lines or none)',
  body: MovementRequest,
  idempotencyKey: 'movementId',
  location: '/locations/{locationId}/movements/{movementId}',
  success: { status: 201, schema: MovementResult, description: 'The movement and the stock levels it left' },
} as const satisfies RouteWithGrants;

export const getMovement = {
  method: 'GET',
  path: '/locations/{locationId}/movements/{movementId}',
  entry: 'functions/api/movements.ts',
  auth: staffAndService,
  tag: 'stock',
  tables: readInventory,
  summary: 'A booked movement, as its booking answered (the levels it left then)',
  params: MovementParams,
  success: { status: 200, schema: MovementResult, description: 'The movement and the stock levels it left' },
} as const satisfies RouteWithGrants;

export const listMovements = {
  method: 'GET',
  path: '/movements',
  entry: 'functions/api/movements.ts',
  auth: staffAndService,
  tag: 'stock',
  tables: readInventory,
  summary: 'The movement ledger by SKU and/or location and time',
  query: MovementsQuery,
  success: { status: 200, schema: /* @__PURE__ */ pageOf(LedgerEntry, 'LedgerPage'), description: 'Ledger entries, oldest first' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { createMovement, getMovement, listMovements };

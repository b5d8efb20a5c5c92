/**
 * The routes functions/api/sales.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { Receipt, ReturnReceipt, ReturnRequest, SaleParams, SaleRequest } from '../../shared/schemas/members.ts';
import { staff, everyone, type RouteWithGrants } from './definition.ts';

export const createSale = {
  method: 'POST',
  path: '/sales',
  entry: 'functions/api/sales.ts',
  auth: staff,
  tag: 'sales',
  tables: { inventory: 'readWrite', members: 'readWrite', rfid: 'readWrite' },
  summary: 'Checkout: stock, discount, points, spend and tier in one transaction',
  body: SaleRequest,
  idempotencyKey: 'saleId',
  location: '/sales/{saleId}',
  success: { status: 201, schema: Receipt, description: 'The receipt' },
} as const satisfies RouteWithGrants;

export const getSale = {
  method: 'GET',
  path: '/sales/{saleId}',
  entry: 'functions/api/sales.ts',
  auth: everyone,
  tag: 'sales',
  tables: { inventory: 'read' },
  summary: 'A receipt, with what has been returned so far',
  params: SaleParams,
  success: { status: 200, schema: Receipt, description: 'The receipt' },
} as const satisfies RouteWithGrants;

export const createReturn = {
  method: 'POST',
  path: '/sales/{saleId}/returns',
  entry: 'functions/api/sales.ts',
  auth: staff,
  tag: 'sales',
  tables: { inventory: 'readWrite', members: 'readWrite', rfid: 'readWrite' },
  summary: 'Take back all or part of a sale',
  params: SaleParams,
  body: ReturnRequest,
  idempotencyKey: 'returnId',
  location: '/sales/{saleId}',
  success: { status: 201, schema: ReturnReceipt, description: 'What was refunded and clawed back' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { createSale, getSale, createReturn };

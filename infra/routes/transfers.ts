/**
 * The routes functions/api/transfers.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { Transfer, TransferParams, TransferQuery, TransferReceiptRequest } from '../../shared/schemas/transfers.ts';
import { staff, staffAndService, readInventory, writeInventory, type RouteWithGrants } from './definition.ts';

export const getTransfer = {
  method: 'GET',
  path: '/transfers/{movementId}',
  entry: 'functions/api/transfers.ts',
  auth: staffAndService,
  tag: 'stock',
  tables: readInventory,
  summary: 'A shipped transfer: what was shipped, received and is still missing (staff of either end)',
  params: TransferParams,
  query: TransferQuery,
  success: { status: 200, schema: Transfer, description: 'The transfer' },
} as const satisfies RouteWithGrants;

export const receiveTransfer = {
  method: 'POST',
  path: '/transfers/{movementId}/receipts',
  entry: 'functions/api/transfers.ts',
  auth: staff,
  tag: 'stock',
  tables: writeInventory,
  summary: 'Receive a shipped transfer at its destination (TRANSFER_IN settling incoming; never more than was shipped)',
  params: TransferParams,
  query: TransferQuery,
  body: TransferReceiptRequest,
  idempotencyKey: 'receiptId',
  location: '/transfers/{movementId}',
  success: { status: 201, schema: Transfer, description: 'The transfer after the receipt' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { getTransfer, receiveTransfer };

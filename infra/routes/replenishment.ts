/**
 * The routes functions/api/replenishment.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { Page } from '../../shared/schemas/common.ts';
import { pageOf } from '../../shared/schemas/stock.ts';
import {
  AbcAnalysis,
  HqOrders,
  HqOrdersInput,
  PurchaseOrder,
  PurchaseOrderInput,
  PurchaseOrderParams,
  PurchaseOrderReceipt,
  ReceiptResult,
  Suggestion,
  SuggestionsQuery,
} from '../../shared/schemas/replenishment.ts';
import { staff, staffAndService, readInventory, writeInventory, type RouteWithGrants } from './definition.ts';

export const listSuggestions = {
  method: 'GET',
  path: '/replenishment/suggestions',
  entry: 'functions/api/replenishment.ts',
  auth: staffAndService,
  tag: 'replenishment',
  tables: readInventory,
  summary: 'Reorder suggestions (HQ: every location; store staff: their own)',
  query: SuggestionsQuery,
  success: { status: 200, schema: /* @__PURE__ */ pageOf(Suggestion, 'SuggestionPage'), description: 'A page of suggestions' },
} as const satisfies RouteWithGrants;

export const placeHqOrders = {
  method: 'POST',
  path: '/replenishment/hq-orders',
  entry: 'functions/api/replenishment.ts',
  auth: ['admin'],
  tag: 'replenishment',
  tables: writeInventory,
  summary: 'Combine open purchase suggestions into one order per supplier',
  body: HqOrdersInput,
  idempotencyKey: 'runId',
  success: { status: 201, schema: HqOrders, description: 'The purchase orders opened' },
} as const satisfies RouteWithGrants;

export const createPurchaseOrder = {
  method: 'POST',
  path: '/purchase-orders',
  entry: 'functions/api/replenishment.ts',
  auth: staff,
  tag: 'replenishment',
  tables: writeInventory,
  summary: 'Open a purchase order (raises incoming)',
  body: PurchaseOrderInput,
  idempotencyKey: 'purchaseOrderId',
  location: '/purchase-orders/{purchaseOrderId}',
  success: { status: 201, schema: PurchaseOrder, description: 'The purchase order' },
} as const satisfies RouteWithGrants;

export const getPurchaseOrder = {
  method: 'GET',
  path: '/purchase-orders/{purchaseOrderId}',
  entry: 'functions/api/replenishment.ts',
  auth: staffAndService,
  tag: 'replenishment',
  tables: readInventory,
  summary: 'A purchase order with what has been received',
  params: PurchaseOrderParams,
  success: { status: 200, schema: PurchaseOrder, description: 'The purchase order' },
} as const satisfies RouteWithGrants;

export const receivePurchaseOrder = {
  method: 'POST',
  path: '/purchase-orders/{purchaseOrderId}/receipts',
  entry: 'functions/api/replenishment.ts',
  auth: staff,
  tag: 'replenishment',
  tables: writeInventory,
  summary: 'Book goods received against an order (a RECEIPT movement that lowers incoming)',
  params: PurchaseOrderParams,
  body: PurchaseOrderReceipt,
  idempotencyKey: 'receiptId',
  location: '/purchase-orders/{purchaseOrderId}',
  success: { status: 201, schema: ReceiptResult, description: 'The order and the levels after the receipt' },
} as const satisfies RouteWithGrants;

export const cancelPurchaseOrder = {
  method: 'POST',
  path: '/purchase-orders/{purchaseOrderId}/cancel',
  entry: 'functions/api/replenishment.ts',
  auth: staff,
  tag: 'replenishment',
  tables: writeInventory,
  summary: 'Cancel what is still outstanding (lowers incoming)',
  params: PurchaseOrderParams,
  success: { status: 200, schema: PurchaseOrder, description: 'The cancelled order' },
} as const satisfies RouteWithGrants;

export const getAbcAnalysis = {
  method: 'GET',
  path: '/analytics/abc',
  entry: 'functions/api/replenishment.ts',
  auth: ['admin', 'service'],
  tag: 'replenishment',
  tables: readInventory,
  summary: 'ABC class per SKU with value shares, and the Pareto figures of the last classification',
  query: Page,
  success: { status: 200, schema: AbcAnalysis, description: 'Classes and Pareto figures' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { listSuggestions, placeHqOrders, createPurchaseOrder, getPurchaseOrder, receivePurchaseOrder, cancelPurchaseOrder, getAbcAnalysis };

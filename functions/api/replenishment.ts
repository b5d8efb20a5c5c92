import * as routes from '../../infra/routes/replenishment.ts';
import * as abc from '../../shared/app/abc.ts';
import * as purchaseOrders from '../../shared/app/purchase-orders.ts';
import * as replenishment from '../../shared/app/replenishment.ts';
import { httpHandler, replayHeaders } from '../../shared/http/handler.ts';

export const listSuggestions = /* @__PURE__ */ httpHandler(routes.listSuggestions, async ({ query, principal }) => ({
  body: await replenishment.listSuggestions(query, principal),
}));

export const placeHqOrders = /* @__PURE__ */ httpHandler(routes.placeHqOrders, async ({ body, principal, idempotencyKey }) => {
  const { answer, replayed } = await purchaseOrders.placeHqOrders(idempotencyKey, { supplierIds: body.supplierIds }, principal);
  return { body: answer, headers: replayHeaders(replayed) };
});

export const createPurchaseOrder = /* @__PURE__ */ httpHandler(routes.createPurchaseOrder, async ({ body, principal, idempotencyKey }) => {
  const { order, created } = await purchaseOrders.createPurchaseOrder({ ...body, purchaseOrderId: idempotencyKey }, principal);
  return { body: order, headers: replayHeaders(!created) };
});

export const getPurchaseOrder = /* @__PURE__ */ httpHandler(routes.getPurchaseOrder, async ({ params, principal }) => ({
  body: await purchaseOrders.getPurchaseOrder(params.purchaseOrderId, principal),
}));

export const receivePurchaseOrder = /* @__PURE__ */ httpHandler(routes.receivePurchaseOrder, async ({ params, body, principal, idempotencyKey }) => {
  const { order, levels, replayed } = await purchaseOrders.receivePurchaseOrder(params.purchaseOrderId, { ...body, receiptId: idempotencyKey }, principal);
  return { body: { order, levels }, headers: replayHeaders(replayed) };
});

export const cancelPurchaseOrder = /* @__PURE__ */ httpHandler(routes.cancelPurchaseOrder, async ({ params, principal }) => ({
  body: await purchaseOrders.cancelPurchaseOrder(params.purchaseOrderId, principal),
}));

export const getAbcAnalysis = /* @__PURE__ */ httpHandler(routes.getAbcAnalysis, async ({ query }) => ({
  body: await abc.abcAnalysis(query),
}));

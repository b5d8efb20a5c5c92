import * as routes from '../../infra/routes/stock.ts';
import { countsDue } from '../../shared/app/counts.ts';
import { reconciliationAt } from '../../shared/app/reconcile.ts';
import { availabilityOf, stockAtLocation, stockOfSku } from '../../shared/app/stock.ts';
import { httpHandler } from '../../shared/http/handler.ts';

export const getStockOfSku = /* @__PURE__ */ httpHandler(routes.getStockOfSku, async ({ params, principal }) => ({
  body: await stockOfSku(params.sku, principal),
}));

export const getLocationStock = /* @__PURE__ */ httpHandler(routes.getLocationStock, async ({ params, query, principal }) => ({
  body: await stockAtLocation(params.locationId, principal, query),
}));

export const listCountsDue = /* @__PURE__ */ httpHandler(routes.listCountsDue, async ({ params, query, principal }) => ({
  body: await countsDue(params.locationId, principal, query),
}));

export const getReconciliation = /* @__PURE__ */ httpHandler(routes.getReconciliation, async ({ params, principal }) => ({
  body: await reconciliationAt(params.locationId, principal),
}));

export const getAvailability = /* @__PURE__ */ httpHandler(routes.getAvailability, async ({ params }) => ({
  body: await availabilityOf(params.sku),
}));

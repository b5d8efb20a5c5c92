import { routes } from '../../infra/routes/stock.ts';
import { countsDue } from '../../shared/app/counts.ts';
import { reconciliationAt } from '../../shared/app/reconcile.ts';
import { availabilityOf, stockAtLocation, stockOfSku } from '../../shared/app/stock.ts';
import { httpHandler } from '../../shared/http/handler.ts';

export const getStockOfSku = httpHandler(routes.getStockOfSku, async ({ params, principal }) => ({
  body: await stockOfSku(params.sku, principal),
}));

export const getLocationStock = httpHandler(routes.getLocationStock, async ({ params, query, principal }) => ({
  body: await stockAtLocation(params.locationId, principal, query),
}));

export const listCountsDue = httpHandler(routes.listCountsDue, async ({ params, query, principal }) => ({
  body: await countsDue(params.locationId, principal, query),
}));

export const getReconciliation = httpHandler(routes.getReconciliation, async ({ params, principal }) => ({
  body: await reconciliationAt(params.locationId, principal),
}));

export const getAvailability = httpHandler(routes.getAvailability, async ({ params }) => ({
  body: await availabilityOf(params.sku),
}));

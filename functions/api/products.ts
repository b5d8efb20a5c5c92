import * as routes from '../../infra/routes/products.ts';
import * as catalog from '../../shared/app/catalog.ts';
import * as sales from '../../shared/app/sales.ts';
import { etag, httpHandler, replayHeaders } from '../../shared/http/handler.ts';
import { nowIso } from '../../shared/clock.ts';

const now = () => nowIso();

export const createProduct = /* @__PURE__ */ httpHandler(routes.createProduct, async ({ body }) => {
  const { value, created } = await catalog.createProduct(body, now());
  // A repeat gets the first answer with the same status (DESIGN.md, HTTP conventions), marked as a replay.
  return { status: 201, body: value, headers: { ...etag(value.version), ...replayHeaders(!created) } };
});

export const listProducts = /* @__PURE__ */ httpHandler(routes.listProducts, async ({ query }) => ({
  body: await catalog.findProducts(query),
}));

export const getProduct = /* @__PURE__ */ httpHandler(routes.getProduct, async ({ params }) => {
  const product = await catalog.getProduct(params.sku);
  return { body: product, headers: etag(product.version) };
});

export const updateProduct = /* @__PURE__ */ httpHandler(routes.updateProduct, async ({ params, body, ifMatch }) => {
  const product = await catalog.updateProduct(params.sku, body, ifMatch, now());
  return { body: product, headers: etag(product.version) };
});

export const setAllocation = /* @__PURE__ */ httpHandler(routes.setAllocation, async ({ params, body, principal }) => ({
  body: await sales.setAllocation(params.sku, params.scope, body.quantity, principal.subject, now()),
}));

export const listAllocations = /* @__PURE__ */ httpHandler(routes.listAllocations, async ({ params }) => {
  await catalog.getProduct(params.sku);
  return { body: { sku: params.sku, items: await sales.allocationsOf(params.sku) } };
});

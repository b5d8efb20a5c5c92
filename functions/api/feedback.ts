import * as routes from '../../infra/routes/feedback.ts';
import * as feedback from '../../shared/app/feedback.ts';
import { httpHandler, replayHeaders } from '../../shared/http/handler.ts';
import { nowIso } from '../../shared/clock.ts';

export const giveFeedback = /* @__PURE__ */ httpHandler(routes.giveFeedback, async ({ body, idempotencyKey, principal }) => {
  const { value, created } = await feedback.giveFeedback(body, idempotencyKey, principal, nowIso());
  return { status: 201, body: value, headers: replayHeaders(!created) };
});

export const getProductRatings = /* @__PURE__ */ httpHandler(routes.getProductRatings, async ({ params, principal }) => ({
  body: await feedback.productRatings(params.sku, principal),
}));

export const getStoreRatings = /* @__PURE__ */ httpHandler(routes.getStoreRatings, async ({ params, principal }) => ({
  body: await feedback.storeRatings(params.locationId, principal),
}));

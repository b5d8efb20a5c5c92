import * as routes from '../../infra/routes/promotions.ts';
import { quoteSale } from '../../shared/app/checkout.ts';
import * as promotions from '../../shared/app/promotions.ts';
import { httpHandler, replayHeaders } from '../../shared/http/handler.ts';
import { nowIso } from '../../shared/clock.ts';

const now = () => nowIso();

export const createPromotion = /* @__PURE__ */ httpHandler(routes.createPromotion, async ({ body, principal }) => {
  const { value, created } = await promotions.createPromotion(body, principal.subject, now());
  return { status: 201, body: value, headers: replayHeaders(!created) };
});

export const listPromotions = /* @__PURE__ */ httpHandler(routes.listPromotions, async ({ query }) => ({
  body: { items: await promotions.listPromotions(query) },
}));

export const getPromotion = /* @__PURE__ */ httpHandler(routes.getPromotion, async ({ params }) => ({
  body: await promotions.getPromotion(params.ruleId),
}));

export const setPromotionStatus = /* @__PURE__ */ httpHandler(routes.setPromotionStatus, async ({ params, body }) => ({
  body: await promotions.setPromotionStatus(params.ruleId, body.status, now()),
}));

export const issuePromotionCodes = /* @__PURE__ */ httpHandler(routes.issuePromotionCodes, async ({ params, body }) => ({
  body: await promotions.issueCodes(params.ruleId, body, now()),
}));

export const dryRunPromotions = /* @__PURE__ */ httpHandler(routes.dryRunPromotions, async ({ body, principal }) => ({
  body: await quoteSale(body, principal, now()),
}));

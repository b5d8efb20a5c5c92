import { routes } from '../../infra/routes/promotions.ts';
import { quoteSale } from '../../shared/app/checkout.ts';
import * as promotions from '../../shared/app/promotions.ts';
import { httpHandler, replayHeaders } from '../../shared/http/handler.ts';
import { nowIso } from '../../shared/clock.ts';

const now = () => nowIso();

export const createPromotion = httpHandler(routes.createPromotion, async ({ body, principal }) => {
  const { value, created } = await promotions.createPromotion(body, principal.subject, now());
  return { status: 201, body: value, headers: replayHeaders(!created) };
});

export const listPromotions = httpHandler(routes.listPromotions, async ({ query }) => ({
  body: { items: await promotions.listPromotions(query) },
}));

export const getPromotion = httpHandler(routes.getPromotion, async ({ params }) => ({
  body: await promotions.getPromotion(params.ruleId),
}));

export const setPromotionStatus = httpHandler(routes.setPromotionStatus, async ({ params, body }) => ({
  body: await promotions.setPromotionStatus(params.ruleId, body.status, now()),
}));

export const issuePromotionCodes = httpHandler(routes.issuePromotionCodes, async ({ params, body }) => ({
  body: await promotions.issueCodes(params.ruleId, body, now()),
}));

export const dryRunPromotions = httpHandler(routes.dryRunPromotions, async ({ body, principal }) => ({
  body: await quoteSale(body, principal, now()),
}));

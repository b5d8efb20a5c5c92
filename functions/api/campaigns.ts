import * as routes from '../../infra/routes/campaigns.ts';
import * as campaigns from '../../shared/app/campaigns.ts';
import { httpHandler, replayHeaders } from '../../shared/http/handler.ts';

export const createCampaign = /* @__PURE__ */ httpHandler(routes.createCampaign, async ({ body, principal, idempotencyKey }) => {
  const { campaign, created } = await campaigns.createCampaign({ ...body, campaignId: idempotencyKey }, principal.subject);
  return { body: campaign, headers: replayHeaders(!created) };
});

export const getCampaign = /* @__PURE__ */ httpHandler(routes.getCampaign, async ({ params }) => ({
  body: await campaigns.getCampaign(params.campaignId),
}));

export const dryRunCampaign = /* @__PURE__ */ httpHandler(routes.dryRunCampaign, async ({ params, query }) => ({
  body: await campaigns.dryRun(params.campaignId, query.cursor),
}));

export const dispatchCampaign = /* @__PURE__ */ httpHandler(routes.dispatchCampaign, async ({ params, query }) => ({
  body: await campaigns.dispatchPage(params.campaignId, query.cursor),
}));

export const startCampaign = /* @__PURE__ */ httpHandler(routes.startCampaign, async ({ params }) => ({
  body: await campaigns.startCampaign(params.campaignId),
}));

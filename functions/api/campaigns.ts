import { routes } from '../../infra/routes/campaigns.ts';
import * as campaigns from '../../shared/app/campaigns.ts';
import { httpHandler, replayHeaders } from '../../shared/http/handler.ts';

export const createCampaign = httpHandler(routes.createCampaign, async ({ body, principal, idempotencyKey }) => {
  const { campaign, created } = await campaigns.createCampaign({ ...body, campaignId: idempotencyKey }, principal.subject);
  return { body: campaign, headers: replayHeaders(!created) };
});

export const getCampaign = httpHandler(routes.getCampaign, async ({ params }) => ({
  body: await campaigns.getCampaign(params.campaignId),
}));

export const dryRunCampaign = httpHandler(routes.dryRunCampaign, async ({ params, query }) => ({
  body: await campaigns.dryRun(params.campaignId, query.cursor),
}));

export const dispatchCampaign = httpHandler(routes.dispatchCampaign, async ({ params, query }) => ({
  body: await campaigns.dispatchPage(params.campaignId, query.cursor),
}));

export const startCampaign = httpHandler(routes.startCampaign, async ({ params }) => ({
  body: await campaigns.startCampaign(params.campaignId),
}));

import * as z from 'zod';
import { runCampaignPage } from '../../shared/app/campaigns.ts';
import { logger } from '../../shared/observability.ts';
import { ResourceId } from '../../shared/schemas/common.ts';
import { queueHandler } from '../../shared/triggers.ts';

const CampaignPage = z.strictObject({
  campaignId: ResourceId,
  source: z.union([z.strictObject({ scan: z.int().min(0), of: z.int().min(1).max(1000) }), z.strictObject({ buyers: z.string().min(1).max(64) })]),
  cursor: z.string().max(2048).optional(),
  giftsOnly: z.boolean().optional(),
});

/**
 * One page of a campaign's members per message: sends, queues the next page
 * and records the page as done. A message that fails is received again (the
 * page's sends are keyed, so nothing goes twice) and after five receives
 * lands in the dead-letter queue.
 */
export const campaignPages = queueHandler(CampaignPage, async (page) => {
  const result = await runCampaignPage(page);
  logger.info('Campaign page', {
    campaignId: page.campaignId,
    source: page.source,
    counts: result.counts,
    more: result.next !== undefined,
    duplicate: result.duplicate,
  });
});

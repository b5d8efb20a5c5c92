import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { runCampaignPage } from '../../shared/db/campaigns.ts';
import { logger } from '../../shared/http/logger.ts';
import { ResourceId } from '../../shared/schemas/common.ts';

const processor = new BatchProcessor(EventType.SQS);

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
const sendPage = async (record: SQSRecord): Promise<void> => {
  const page = CampaignPage.parse(JSON.parse(record.body));
  const result = await runCampaignPage(page);
  logger.info('Campaign page', { campaignId: page.campaignId, source: page.source, counts: result.counts, more: result.next !== undefined, duplicate: result.duplicate });
};

export const campaignPages = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, sendPage, processor, { context });

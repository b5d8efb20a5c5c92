import type { ScheduledEvent } from 'aws-lambda';
import { dueCampaigns, startCampaign } from '../../shared/app/campaigns.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';
import { nowIso } from '../../shared/clock.ts';

/**
 * Every few minutes: campaigns whose `sendAt` has come are fanned out to the
 * campaign-pages queue. Starting is idempotent, so a run that overlaps or
 * repeats another queues nothing twice that a worker would act on.
 */
export const startCampaigns = eventHandler(async (_event: ScheduledEvent) => {
  const now = nowIso();
  const started: string[] = [];
  const failed: string[] = [];
  for (const campaignId of await dueCampaigns(now)) {
    try {
      await startCampaign(campaignId, now);
      started.push(campaignId);
    } catch (error) {
      // It stays in the index until its pages are queued: the next run tries again.
      failed.push(campaignId);
      logger.error('Campaign start failed', { campaignId, error });
    }
  }
  if (started.length || failed.length) logger.info('Campaigns started', { started, failed });
  return { started, failed };
});

import type { ScheduledEvent } from 'aws-lambda';
import { createCampaign, startCampaign } from '../../shared/app/campaigns.ts';
import { loadProgram } from '../../shared/app/members.ts';
import { forEachSettled } from '../../shared/concurrency.ts';
import { IdempotencyKeyReused } from '../../shared/domain/errors.ts';
import { derivedId } from '../../shared/domain/ids.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';
import { nowIso } from '../../shared/clock.ts';

/**
 * Daily: a holiday of the program that falls today becomes a campaign to
 * its segment (every member by default) (id `holiday:{holidayId}:{year}`, so a second run the same
 * day starts the same campaign, and no admin's campaign can take it) with the tier's gift, fanned out through the
 * campaign-pages queue. The send gate holds each message until the end of
 * quiet hours in the member's zone; the offer lasts until the next day ends.
 */
export const holidayOffers = eventHandler(async (_event: ScheduledEvent) => {
  const now = nowIso();
  const today = now.slice(5, 10);
  const year = now.slice(0, 4);
  const started: string[] = [];
  const todays = ((await loadProgram(true)).holidays ?? []).filter((holiday) => holiday.date === today);
  // One holiday's trouble is logged and counted; the others still start.
  const failed = await forEachSettled(
    todays,
    1,
    async (holiday) => {
      const campaignId = derivedId('holiday', holiday.holidayId, year);
      const expiresAt = new Date(Date.UTC(Number(year), Number(today.slice(0, 2)) - 1, Number(today.slice(3)) + 2)).toISOString();
      try {
        await createCampaign(
          {
            campaignId,
            name: `${holiday.name} ${year}`,
            segment: holiday.segment ?? {},
            channels: ['email', 'sms'],
            headline: holiday.headline,
            text: holiday.text,
            expiresAt,
            ...(holiday.pointsByTier ? { gift: { pointsByTier: holiday.pointsByTier } } : {}),
          },
          'system:holiday-offers',
          now,
        );
      } catch (error) {
        // The program's text changed since the first run today: the campaign that exists is the one that goes.
        if (!(error instanceof IdempotencyKeyReused)) throw error;
      }
      await startCampaign(campaignId, now);
      started.push(campaignId);
    },
    (holiday, error) => logger.error('Holiday offer failed', { holidayId: holiday.holidayId, error }),
  );
  logger.info('Holiday offers', { started, failed });
  return { started, failed };
});

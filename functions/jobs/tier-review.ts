import type { Context, ScheduledEvent } from 'aws-lambda';
import { membersDueForReview, reviewMemberTier } from '../../shared/db/members.ts';
import { logger } from '../../shared/http/logger.ts';

/** Days looked back, so a week of missed runs is caught up. */
const catchUpDays = 7;
const reserveMillis = 30_000;

/**
 * Daily: members whose review is due (indexed by day when their tier was
 * reached or last kept, never a scan) are reviewed: at most one step down,
 * never inside the grace period. Each review schedules the next one, so a
 * member leaves the day's partition as soon as they are reviewed.
 */
export const tierReview = async (_event: ScheduledEvent, context: Context) => {
  const now = new Date().toISOString();
  const summary = { reviewed: 0, lowered: 0, failed: 0, more: false };
  for (let back = catchUpDays - 1; back >= 0 && !summary.more; back--) {
    const day = new Date(Date.parse(now) - back * 86_400_000).toISOString().slice(0, 10);
    for (;;) {
      // Reviewed members move to a later day, so the first page is always what is left.
      const page = await membersDueForReview(day, now);
      for (const memberId of page.items) {
        try {
          const { before, after } = await reviewMemberTier(memberId, () => now);
          summary.reviewed++;
          if (after !== before) summary.lowered++;
        } catch (error) {
          summary.failed++;
          logger.error('Tier review failed for a member', { memberId, error });
        }
      }
      summary.more = page.cursor !== undefined && context.getRemainingTimeInMillis() <= reserveMillis;
      if (!page.cursor || summary.more || summary.failed > 0) break;
    }
  }
  logger.info('Tier review', summary);
  return summary;
};

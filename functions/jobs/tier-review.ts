import type { Context, ScheduledEvent } from 'aws-lambda';
import { tierReviewPage } from '../../shared/app/tiers.ts';
import { catchUpDays, drainPartitions } from '../../shared/batches.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';
import { nowIso } from '../../shared/clock.ts';

/** Days looked back, so a week of missed runs is caught up. */
const catchUpWindow = 7;
const reserveMillis = 30_000;

/**
 * Daily: members whose review is due (indexed by the day their tier was
 * reached or last kept, never a scan); a day that does not fit the run goes
 * on through the memberBatches queue.
 */
export const tierReview = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const runAt = nowIso();
  const {
    counts: { reviewed = 0, lowered = 0, failed = 0 },
    more,
  } = await drainPartitions('tierReview', catchUpDays(runAt, catchUpWindow), tierReviewPage, runAt, () => context.getRemainingTimeInMillis(), reserveMillis);
  const summary = { reviewed, lowered, failed, more };
  logger.info('Tier review', summary);
  return summary;
});

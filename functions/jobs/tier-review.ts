import type { Context, ScheduledEvent } from 'aws-lambda';
import { deliver } from '../../shared/db/messages.ts';
import { loadProgram, membersDueForReview, readMemberState, reviewMemberTier } from '../../shared/db/members.ts';
import { type BatchPage, catchUpDays, drainPartitions } from '../../shared/batches.ts';
import { forEachSettled } from '../../shared/concurrency.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

/** Days looked back, so a week of missed runs is caught up. */
const catchUpWindow = 7;
const reserveMillis = 30_000;

/**
 * An account notice (transactional: consent, no cap), keyed by the review
 * day, so a page run again sends nothing. The review is written by then: a
 * notice that fails is logged, not allowed to stop the partition.
 */
const tellLowered = async (memberId: string, before: string, after: string, runAt: string) => {
  try {
    const [state, program] = await Promise.all([readMemberState(memberId), loadProgram()]);
    if (!state) return;
    await deliver(
      memberId,
      {
        source: `tier-review-${dayOf(runAt)}`,
        kind: 'transactional',
        template: 'TIER_CHANGED',
        vars: { name: state.record.name, tier: after, before, months: program.rollingMonths },
        channels: ['email', 'sms'],
      },
      runAt,
    );
  } catch (error) {
    logger.error('Tier notice failed', { memberId, error });
  }
};

/**
 * One page of the members whose review was due on the partition's day by
 * the run: at most one step down, never inside the grace period, and the
 * member lowered is told. Each review schedules the next one, so a reviewed
 * member leaves the partition; the cursor is a key, so it stays right.
 * A failed review is logged and counted, the partition goes on past it,
 * and the next daily run retries it (it is still due).
 */
export const tierReviewPage: BatchPage = async ({ partition: day, runAt, cursor }) => {
  const page = await membersDueForReview(day, runAt, cursor);
  const counts = { reviewed: 0, lowered: 0, failed: 0 };
  counts.failed = await forEachSettled(
    page.items,
    1,
    async (memberId) => {
      const { before, after } = await reviewMemberTier(memberId, () => runAt);
      counts.reviewed++;
      if (after !== before) {
        counts.lowered++;
        await tellLowered(memberId, before, after, runAt);
      }
    },
    (memberId, error) => logger.error('Tier review failed for a member', { memberId, error }),
  );
  return { counts, ...(page.cursor ? { cursor: page.cursor } : {}) };
};

/**
 * Daily: members whose review is due (indexed by the day their tier was
 * reached or last kept, never a scan); a day that does not fit the run goes
 * on through the memberBatches queue.
 */
export const tierReview = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const runAt = new Date().toISOString();
  const {
    counts: { reviewed = 0, lowered = 0, failed = 0 },
    more,
  } = await drainPartitions('tierReview', catchUpDays(runAt, catchUpWindow), tierReviewPage, runAt, () => context.getRemainingTimeInMillis(), reserveMillis);
  const summary = { reviewed, lowered, failed, more };
  logger.info('Tier review', summary);
  return summary;
});

import type { Context, ScheduledEvent } from 'aws-lambda';
import { expireMemberPoints, membersWithLotsExpiring } from '../../shared/db/members.ts';
import { type BatchPage, catchUpDays, drainPartitions } from '../../shared/batches.ts';
import { forEachSettled } from '../../shared/concurrency.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

/** Days looked back, so a week of missed runs is caught up. */
const catchUpWindow = 7;
/** Stop early enough to finish the member in hand; the queue picks up the rest. */
const reserveMillis = 10_000;

/**
 * One page of the lots that expire on the partition's day and are due by
 * the run: each member's expired lots are booked EXPIRE and deleted with
 * their index entries, so a page run again expires nothing twice. A member
 * whose expiry fails keeps their entry and is retried by the next daily run.
 */
export const expirePointsPage: BatchPage = async ({ partition: day, runAt, cursor }) => {
  const page = await membersWithLotsExpiring(day, runAt, cursor);
  const counts = { members: 0, points: 0, failed: 0 };
  // One member's trouble must not stop everyone else's expiry on this page.
  counts.failed = await forEachSettled(
    page.items,
    1,
    async (memberId) => {
      counts.points += await expireMemberPoints(memberId, () => runAt);
      counts.members++;
    },
    (memberId, error) => logger.error('Points expiry failed for a member', { memberId, error }),
  );
  return { counts, ...(page.cursor ? { cursor: page.cursor } : {}) };
};

/**
 * Expires points lots whose time has come. Lots are indexed by the day they
 * expire (gsi1), so each run reads a few day partitions, never the table;
 * a day that does not fit the run goes on through the memberBatches queue.
 */
export const expirePoints = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const runAt = new Date().toISOString();
  const {
    counts: { members = 0, points = 0, failed = 0 },
    more,
  } = await drainPartitions(
    'expirePoints',
    catchUpDays(runAt, catchUpWindow),
    expirePointsPage,
    runAt,
    () => context.getRemainingTimeInMillis(),
    reserveMillis,
  );
  const summary = { members, points, failed, more };
  logger.info('Expired points', summary);
  return summary;
});

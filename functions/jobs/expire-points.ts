import type { Context, ScheduledEvent } from 'aws-lambda';
import { expirePointsPage } from '../../shared/app/points.ts';
import { catchUpDays, drainPartitions } from '../../shared/batches.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';
import { nowIso } from '../../shared/clock.ts';

/** Days looked back, so a week of missed runs is caught up. */
const catchUpWindow = 7;
/** Stop early enough to finish the member in hand; the queue picks up the rest. */
const reserveMillis = 10_000;

/**
 * Expires points lots whose time has come. Lots are indexed by the day they
 * expire (gsi1), so each run reads a few day partitions, never the table;
 * a day that does not fit the run goes on through the memberBatches queue.
 */
export const expirePoints = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const runAt = nowIso();
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

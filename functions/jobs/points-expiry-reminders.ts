import type { Context, ScheduledEvent } from 'aws-lambda';
import { pointsExpiryPage } from '../../shared/app/messages.ts';
import { drainPartitions } from '../../shared/batches.ts';
import { addDays, dayOf } from '../../shared/domain/time.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';
import { nowIso } from '../../shared/clock.ts';

/** How far ahead members are warned. */
const noticeDays = 14;
const reserveMillis = 30_000;

/** Daily: members whose points expire in 14 days (the lot-expiry index of that day, never a scan). */
export const pointsExpiryReminders = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const runAt = nowIso();
  const day = dayOf(addDays(runAt, noticeDays));
  const { counts, more } = await drainPartitions(
    'pointsExpiryReminders',
    [day],
    pointsExpiryPage,
    runAt,
    () => context.getRemainingTimeInMillis(),
    reserveMillis,
  );
  const summary = { ...counts, more };
  logger.info('Points expiry reminders', summary);
  return summary;
});

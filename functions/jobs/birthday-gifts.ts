import type { Context, ScheduledEvent } from 'aws-lambda';
import { birthdayPage } from '../../shared/app/birthdays.ts';
import { drainPartitions } from '../../shared/batches.ts';
import { birthdayKeys } from '../../shared/domain/send-gate.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

const reserveMillis = 30_000;

/**
 * Daily: every member whose birthday is today (UTC; 29 February birthdays on
 * 28 February in other years), found by the birthday index, never a scan.
 * What one run cannot finish goes on through the memberBatches queue.
 */
export const birthdayGifts = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const runAt = new Date().toISOString();
  const [year, month, day] = dayOf(runAt).split('-').map(Number) as [number, number, number];
  const { counts, more } = await drainPartitions(
    'birthdayGifts',
    birthdayKeys({ year, month, day }),
    birthdayPage,
    runAt,
    () => context.getRemainingTimeInMillis(),
    reserveMillis,
  );
  const summary = { ...counts, more };
  logger.info('Birthday gifts', summary);
  return summary;
});

import type { Context, ScheduledEvent } from 'aws-lambda';
import { birthdayGiftsAt } from '../../shared/app/birthdays.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';
import { nowIso } from '../../shared/clock.ts';

const reserveMillis = 30_000;

/**
 * Hourly: every member whose birthday is today on their own calendar (the
 * date in their time zone; 29 February birthdays on 28 February in other
 * years), found by the birthday index, never a scan: the partitions of every
 * date that is today somewhere on Earth now (two or three), each member kept
 * only if it is their day where they live. Gift and message are keyed by
 * the member's local date, so the hourly runs give each of them once.
 * What one run cannot finish goes on through the memberBatches queue.
 */
export const birthdayGifts = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const runAt = nowIso();
  const { counts, more } = await birthdayGiftsAt(runAt, () => context.getRemainingTimeInMillis(), reserveMillis);
  const summary = { ...counts, more };
  logger.info('Birthday gifts', summary);
  return summary;
});

import type { Context, ScheduledEvent } from 'aws-lambda';
import { dueMessages, redeliver } from '../../shared/db/messages.ts';
import { forEachSettled } from '../../shared/concurrency.ts';
import { addDays, dayOf } from '../../shared/domain/time.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

const reserveMillis = 20_000;

/**
 * Every few minutes: messages deferred by quiet hours or a frequency cap
 * whose time has come go through the gate again. Yesterday's partition is
 * read too, so a message due just before midnight is not left behind.
 */
export const dispatchDeferred = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const now = new Date().toISOString();
  const days = [dayOf(addDays(now, -1)), dayOf(now)];
  const counts: Record<string, number> = {};
  let more = false;
  for (const day of days) {
    for (;;) {
      const due = await dueMessages(day, now);
      const failed = await forEachSettled(
        due,
        1,
        async (record) => {
          const status = await redeliver(record, now);
          counts[status] = (counts[status] ?? 0) + 1;
        },
        (record, error) => logger.error('A deferred message could not be dispatched', { memberId: record.memberId, error }),
      );
      if (failed > 0) counts.FAILED = (counts.FAILED ?? 0) + failed;
      // Each handled record leaves the index (or moves later), so a full page means there may be more;
      // a page where every record failed would only come back the same: that waits for the next run.
      more = due.length === 100 && failed < due.length && context.getRemainingTimeInMillis() > reserveMillis;
      if (!more) break;
    }
  }
  logger.info('Deferred messages dispatched', counts);
  return counts;
});

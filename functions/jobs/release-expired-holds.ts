import type { Context, ScheduledEvent } from 'aws-lambda';
import { forEachSettled } from '../../shared/concurrency.ts';
import { expireHold, lapsedHolds } from '../../shared/app/stock.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';
import { nowIso } from '../../shared/clock.ts';

const pageSize = 100;
/** Holds of a page released at once: each is its own transaction on its own items. */
const holdsAtOnce = 4;
/** Stop early enough to finish the page in hand; the next run picks up the rest. */
const reserveMillis = 10_000;

/**
 * Releases every hold past its expiry, oldest first, through the gsi2
 * listing of active holds (no scan). Each release is an ordinary RELEASE
 * movement with a derived id, so overlapping runs release a hold once. A
 * hold that fails to release is logged and counted; it stays listed, so the
 * next run tries it again, and the holds after it are released now.
 */
export const releaseExpiredHolds = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const now = nowIso();
  let expired = 0;
  let alreadyClosed = 0;
  let failed = 0;
  let cursor: string | undefined;
  do {
    const page = await lapsedHolds(now, pageSize, cursor);
    failed += await forEachSettled(
      page.items,
      holdsAtOnce,
      async (hold) => {
        if (await expireHold(hold, false, now)) expired++;
        else alreadyClosed++;
      },
      (hold, error) => logger.error('A lapsed hold could not be released', { reservationId: hold.reservationId, locationId: hold.locationId, error }),
    );
    cursor = page.cursor;
  } while (cursor && context.getRemainingTimeInMillis() > reserveMillis);
  const summary = { expired, alreadyClosed, failed, more: cursor !== undefined };
  logger.info('Released expired holds', summary);
  return summary;
});

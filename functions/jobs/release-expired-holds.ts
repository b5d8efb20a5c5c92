import type { Context, ScheduledEvent } from 'aws-lambda';
import { expireHold, lapsedHolds } from '../../shared/db/stock.ts';
import { logger } from '../../shared/http/logger.ts';

const pageSize = 100;
/** Stop early enough to finish the page in hand; the next run picks up the rest. */
const reserveMillis = 10_000;

/**
 * Releases every hold past its expiry, oldest first, through the gsi2
 * listing of active holds (no scan). Each release is an ordinary RELEASE
 * movement with a fixed id, so overlapping runs release a hold once.
 */
export const releaseExpiredHolds = async (_event: ScheduledEvent, context: Context) => {
  const now = new Date().toISOString();
  let expired = 0;
  let alreadyClosed = 0;
  let cursor: string | undefined;
  do {
    const page = await lapsedHolds(now, pageSize, cursor);
    for (const hold of page.items) {
      if (await expireHold(hold, false, now)) expired++;
      else alreadyClosed++;
    }
    cursor = page.cursor;
  } while (cursor && context.getRemainingTimeInMillis() > reserveMillis);
  const summary = { expired, alreadyClosed, more: cursor !== undefined };
  logger.info('Released expired holds', summary);
  return summary;
};

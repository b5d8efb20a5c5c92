import type { Context, ScheduledEvent } from 'aws-lambda';
import { expireMemberPoints, membersWithLotsExpiring } from '../../shared/db/members.ts';
import { logger } from '../../shared/http/logger.ts';

/** Days looked back, so a week of missed runs is caught up. */
const catchUpDays = 7;
/** Stop early enough to finish the member in hand; the next run picks up the rest. */
const reserveMillis = 10_000;

/**
 * Expires points lots whose time has come. Lots are indexed by the day they
 * expire (gsi1), so each run reads a few day partitions, never the table;
 * an expired lot is deleted with its EXPIRE entry, so overlapping runs and
 * retries expire it once.
 */
export const expirePoints = async (_event: ScheduledEvent, context: Context) => {
  const now = new Date().toISOString();
  let members = 0;
  let points = 0;
  let failed = 0;
  let more = false;
  for (let back = catchUpDays - 1; back >= 0 && !more; back--) {
    const day = new Date(Date.parse(now) - back * 86_400_000).toISOString().slice(0, 10);
    let cursor: string | undefined;
    do {
      const page = await membersWithLotsExpiring(day, now, cursor);
      for (const memberId of page.items) {
        try {
          points += await expireMemberPoints(memberId, () => now);
          members++;
        } catch (error) {
          // One member's trouble must not stop everyone else's expiry; the next run retries them.
          failed++;
          logger.error('Points expiry failed for a member', { memberId, error });
        }
      }
      cursor = page.cursor;
      more = cursor !== undefined && context.getRemainingTimeInMillis() <= reserveMillis;
    } while (cursor && !more);
  }
  const summary = { members, points, failed, more };
  logger.info('Expired points', summary);
  return summary;
};

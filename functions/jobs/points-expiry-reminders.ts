import type { Context, ScheduledEvent } from 'aws-lambda';
import { deliver } from '../../shared/db/messages.ts';
import { membersWithLotsExpiring, readMemberState } from '../../shared/db/members.ts';
import { logger } from '../../shared/http/logger.ts';

/** How far ahead members are warned. */
const noticeDays = 14;
const reserveMillis = 30_000;

/**
 * Daily: members with points expiring in 14 days (the lot-expiry index for
 * that day) get one points notice, keyed by that day, so a second run sends
 * nothing. A points notice is transactional: it needs consent but no cap.
 */
export const pointsExpiryReminders = async (_event: ScheduledEvent, context: Context) => {
  const now = new Date().toISOString();
  const day = new Date(Date.parse(now) + noticeDays * 86_400_000).toISOString().slice(0, 10);
  const summary: Record<string, number> = { members: 0 };
  let cursor: string | undefined;
  do {
    const page = await membersWithLotsExpiring(day, `${day}T23:59:59.999Z`, cursor);
    for (const memberId of page.items) {
      const state = await readMemberState(memberId);
      const expiring = (state?.lots ?? []).filter((l) => l.expiresOn.startsWith(day) && !l.pendingUntil).reduce((sum, l) => sum + l.remaining, 0);
      if (!state || expiring === 0) continue;
      const delivery = await deliver(memberId, {
        source: `points-expiring-${day}`,
        kind: 'transactional',
        template: 'POINTS_EXPIRING',
        vars: { name: state.record.name, points: expiring, expiresOn: day },
        channels: ['email', 'sms'],
      }, now);
      summary.members!++;
      summary[delivery.status] = (summary[delivery.status] ?? 0) + 1;
    }
    cursor = page.cursor;
  } while (cursor && context.getRemainingTimeInMillis() > reserveMillis);
  logger.info('Points expiry reminders', summary);
  return summary;
};

import type { Context, ScheduledEvent } from 'aws-lambda';
import { deliver } from '../../shared/db/messages.ts';
import { membersWithLotsExpiring, readMemberState } from '../../shared/db/members.ts';
import { type BatchPage, drainPartitions } from '../../shared/batches.ts';
import { forEachSettled } from '../../shared/concurrency.ts';
import { addDays, dayOf } from '../../shared/domain/time.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

/** How far ahead members are warned. */
const noticeDays = 14;
const reserveMillis = 30_000;
const membersAtOnce = 8;

/**
 * One page of the members with points expiring on the partition's day: one
 * points notice each, keyed by that day, so a page run again sends nothing.
 * A points notice is transactional: it needs consent but no cap.
 */
export const pointsExpiryPage: BatchPage = async ({ partition: day, runAt, cursor }) => {
  const page = await membersWithLotsExpiring(day, `${day}T23:59:59.999Z`, cursor);
  const counts: Record<string, number> = { members: 0 };
  counts.failed = await forEachSettled(
    page.items,
    membersAtOnce,
    async (memberId) => {
      const state = await readMemberState(memberId);
      const expiring = (state?.lots ?? []).filter((l) => l.expiresOn.startsWith(day) && !l.pendingUntil).reduce((sum, l) => sum + l.remaining, 0);
      if (!state || expiring === 0) return;
      const delivery = await deliver(
        memberId,
        {
          source: `points-expiring-${day}`,
          kind: 'transactional',
          template: 'POINTS_EXPIRING',
          vars: { name: state.record.name, points: expiring, expiresOn: day },
          channels: ['email', 'sms'],
        },
        runAt,
      );
      counts.members!++;
      counts[delivery.status] = (counts[delivery.status] ?? 0) + 1;
    },
    (memberId, error) => logger.error('Points expiry notice failed for a member', { memberId, error }),
  );
  return { counts, ...(page.cursor ? { cursor: page.cursor } : {}) };
};

/** Daily: members whose points expire in 14 days (the lot-expiry index of that day, never a scan). */
export const pointsExpiryReminders = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const runAt = new Date().toISOString();
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

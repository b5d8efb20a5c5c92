import type { Context, ScheduledEvent } from 'aws-lambda';
import { deliver } from '../../shared/db/messages.ts';
import { adjustPoints, getMember, loadProgram, membersWithBirthday } from '../../shared/db/members.ts';
import { type BatchPage, drainPartitions } from '../../shared/batches.ts';
import { forEachSettled } from '../../shared/concurrency.ts';
import { derivedId } from '../../shared/domain/ids.ts';
import { birthdayKeys } from '../../shared/domain/send-gate.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { ruleOf } from '../../shared/domain/tiers.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

const system: Principal = { subject: 'system:birthday-gifts', role: 'service', locations: [] };
const reserveMillis = 30_000;
const membersAtOnce = 8;

/**
 * One page of a birthday partition: the tier's birthday points (keyed by
 * the year) and one message (keyed by the day), so a page run again gives
 * and sends nothing. The message waits for the end of quiet hours in the
 * member's time zone and is dropped if it could not go out by the next day.
 */
export const birthdayPage: BatchPage = async ({ partition, runAt, cursor }) => {
  const [year, month, day] = dayOf(runAt).split('-').map(Number) as [number, number, number];
  const program = await loadProgram();
  const page = await membersWithBirthday(partition, cursor);
  const counts: Record<string, number> = { members: 0, points: 0 };
  counts.failed = await forEachSettled(
    page.items,
    membersAtOnce,
    async (memberId) => {
      const member = await getMember(memberId, system, runAt);
      const points = ruleOf(program, member.tier).birthdayPoints ?? 0;
      if (points > 0) {
        const gift = await adjustPoints(memberId, { points, reason: 'BIRTHDAY_GIFT' }, derivedId('birthday', year), system, () => runAt);
        if (!gift.replayed) counts.points! += points;
      }
      const delivery = await deliver(
        memberId,
        {
          source: `birthday-${dayOf(runAt)}`,
          kind: 'marketing',
          template: 'BIRTHDAY',
          vars: { name: member.name, tier: member.tier, points },
          channels: ['email', 'sms'],
          expiresAt: new Date(Date.UTC(year, month - 1, day + 2)).toISOString(),
        },
        runAt,
      );
      counts.members!++;
      counts[delivery.status] = (counts[delivery.status] ?? 0) + 1;
    },
    (memberId, error) => logger.error('Birthday gift failed for a member', { memberId, error }),
  );
  return { counts, ...(page.cursor ? { cursor: page.cursor } : {}) };
};

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

import type { BatchPage } from '../batches.ts';
import { forEachSettled } from '../concurrency.ts';
import { derivedId } from '../domain/ids.ts';
import type { Principal } from '../domain/principal.ts';
import { ruleOf } from '../domain/tiers.ts';
import { dayOf } from '../domain/time.ts';
import { logger } from '../observability.ts';
import { loadProgram, membersWithBirthday } from '../db/members.ts';
import { deliver } from './messages.ts';
import { getMember } from './members.ts';
import { adjustPoints } from './points.ts';

// Reading and saving the program need no orchestration: the repository's functions are the use-cases.

const system: Principal = { subject: 'system:birthday-gifts', role: 'service', locations: [] };
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
        const gift = await adjustPoints(memberId, { points, reason: 'BIRTHDAY_GIFT' }, derivedId('birthday', year), system, runAt);
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

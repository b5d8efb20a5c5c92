import { type BatchPage, drainPartitions } from '../batches.ts';
import { forEachSettled } from '../concurrency.ts';
import { derivedId } from '../domain/ids.ts';
import { IdempotencyKeyReused } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import { birthdayPartitionsAt, isBirthdayOn, localDay } from '../domain/member-days.ts';
import { zonedTime } from '../domain/send-gate.ts';
import { ruleOf } from '../domain/tiers.ts';
import { logger } from '../observability.ts';
import { loadProgram, membersWithBirthday } from '../db/members.ts';
import { deliver } from './messages.ts';
import { getMember } from './members.ts';
import { adjustPoints } from './points.ts';

// Reading and saving the program need no orchestration: the repository's functions are the use-cases.

const system: Principal = { subject: 'system:birthday-gifts', role: 'service', locations: [] };
const membersAtOnce = 8;

/**
 * One page of a birthday partition: each member whose birthday is today on
 * their own calendar (the date at `runAt` in their time zone; 29 February
 * birthdays on 28 February in other years) gets the tier's birthday points
 * (keyed by the year of that local date) and one message (keyed by that
 * date), so a page run again, or the next hourly run, gives and sends
 * nothing. Members of the partition whose day it is not (yet, or any more)
 * where they live are passed over. The message waits for the end of quiet
 * hours in the member's time zone and is dropped if it could not go out by
 * the end of the next local day.
 */
export const birthdayPage: BatchPage = async ({ partition, runAt, cursor }) => {
  const program = await loadProgram();
  const page = await membersWithBirthday(partition, cursor);
  const counts: Record<string, number> = { members: 0, points: 0, notToday: 0 };
  counts.failed = await forEachSettled(
    page.items,
    membersAtOnce,
    async (memberId) => {
      const member = await getMember(memberId, system, runAt);
      const today = localDay(runAt, member.timeZone);
      if (!member.birthday || !isBirthdayOn(member.birthday, today)) {
        counts.notToday!++;
        return;
      }
      const [year, month, day] = today.split('-').map(Number) as [number, number, number];
      const points = ruleOf(program, member.tier).birthdayPoints ?? 0;
      if (points > 0) {
        // One gift a year: a member whose tier (and so gift) changed since this year's gift already has it.
        const gift = await adjustPoints(memberId, { points, reason: 'BIRTHDAY_GIFT' }, derivedId('birthday', year), system, runAt).catch((error: unknown) => {
          if (error instanceof IdempotencyKeyReused) return { replayed: true };
          throw error;
        });
        if (!gift.replayed) counts.points! += points;
      }
      const delivery = await deliver(
        memberId,
        {
          source: `birthday-${today}`,
          kind: 'marketing',
          template: 'BIRTHDAY',
          vars: { name: member.name, tier: member.tier, points },
          channels: ['email', 'sms', 'push'],
          expiresAt: new Date(zonedTime({ year, month, day: day + 2 }, '00:00', member.timeZone)).toISOString(),
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
 * One run of the birthday job at `runAt`: the birthday partitions of every
 * date that is today somewhere on Earth, page after page while time is
 * left, the rest handed to the memberBatches queue.
 */
export const birthdayGiftsAt = (runAt: string, millisLeft: () => number, reserveMillis: number) =>
  drainPartitions('birthdayGifts', birthdayPartitionsAt(runAt), birthdayPage, runAt, millisLeft, reserveMillis);

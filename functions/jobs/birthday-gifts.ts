import type { Context, ScheduledEvent } from 'aws-lambda';
import { deliver } from '../../shared/db/messages.ts';
import { adjustPoints, getMember, loadProgram, membersWithBirthday } from '../../shared/db/members.ts';
import { birthdayKeys } from '../../shared/domain/send-gate.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { ruleOf } from '../../shared/domain/tiers.ts';
import { logger } from '../../shared/http/logger.ts';

const system: Principal = { subject: 'system:birthday-gifts', role: 'service', locations: [] };
const reserveMillis = 30_000;

/**
 * Daily: every member whose birthday is today (UTC; 29 February birthdays on
 * 28 February in other years) gets their tier's birthday points and one
 * message. Both are keyed by the year and the day, so a second run the same
 * day gives and sends nothing; the message waits for the end of quiet hours
 * in the member's time zone and is dropped if it could not go out by the
 * next day.
 */
export const birthdayGifts = async (_event: ScheduledEvent, context: Context) => {
  const now = new Date().toISOString();
  const [year, month, day] = now.slice(0, 10).split('-').map(Number) as [number, number, number];
  const program = await loadProgram();
  const summary = { members: 0, points: 0, sent: 0, deferred: 0, skipped: 0, duplicates: 0, more: false };
  for (const mmdd of birthdayKeys({ year, month, day })) {
    let cursor: string | undefined;
    do {
      const page = await membersWithBirthday(mmdd, cursor);
      for (const memberId of page.items) {
        const member = await getMember(memberId, system, now);
        const points = ruleOf(program, member.tier).birthdayPoints ?? 0;
        if (points > 0) {
          const gift = await adjustPoints(memberId, { points, reason: 'BIRTHDAY_GIFT' }, `birthday-${year}`, system, () => now);
          if (!gift.replayed) summary.points += points;
        }
        const delivery = await deliver(memberId, {
          source: `birthday-${now.slice(0, 10)}`,
          kind: 'marketing',
          template: 'BIRTHDAY',
          vars: { name: member.name, tier: member.tier, points },
          channels: ['email', 'sms'],
          expiresAt: new Date(Date.UTC(year, month - 1, day + 2)).toISOString(),
        }, now);
        summary.members++;
        if (delivery.status === 'SENT') summary.sent++;
        else if (delivery.status === 'DEFERRED') summary.deferred++;
        else if (delivery.status === 'DUPLICATE') summary.duplicates++;
        else summary.skipped++;
      }
      cursor = page.cursor;
      summary.more = cursor !== undefined && context.getRemainingTimeInMillis() <= reserveMillis;
    } while (cursor && !summary.more);
  }
  logger.info('Birthday gifts', summary);
  return summary;
};

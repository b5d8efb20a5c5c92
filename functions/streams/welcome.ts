import { entities } from '../../shared/db/keys.ts';
import { deliver } from '../../shared/db/messages.ts';
import { loadProgram, readMemberState } from '../../shared/db/members.ts';
import type { Channel } from '../../shared/domain/send-gate.ts';
import { addDays, dayOf } from '../../shared/domain/time.ts';
import { logger } from '../../shared/observability.ts';
import { streamHandler } from '../../shared/triggers.ts';

/**
 * Someone signed up with this member's email or phone (the self-signup was
 * registered without it): tell the holder, on the taken channels, once a day.
 */
const tellHolder = async (notice: Record<string, unknown>): Promise<void> => {
  const state = await readMemberState(notice.memberId as string);
  if (!state) return;
  const delivery = await deliver(state.record.memberId, {
    source: `signup-attempt-${dayOf(String(notice.at))}`,
    kind: 'transactional',
    template: 'SIGNUP_ATTEMPT',
    vars: { name: state.record.name },
    channels: notice.channels as Channel[],
  });
  logger.debug('Signup attempt notice', { memberId: state.record.memberId, status: delivery.status });
};

/**
 * A new member: one welcome message naming the gift they got in the
 * registration itself. The send key is the member, so a redelivered record
 * sends nothing again. Transactional: it tells them what they have.
 */
export const welcome = streamHandler(async ({ newImage: member }) => {
  if (!member) return;
  if (member.entity === entities.signupAttempt) return tellHolder(member);
  const gift = (await loadProgram()).welcomeGift;
  const delivery = await deliver(member.memberId, {
    source: 'welcome',
    kind: 'transactional',
    template: 'WELCOME',
    vars: { name: member.name, points: gift.points, expiresOn: dayOf(addDays(member.createdAt, gift.expiryDays)) },
    channels: ['email', 'sms'],
  });
  logger.debug('Welcome message', { memberId: member.memberId, status: delivery.status });
});

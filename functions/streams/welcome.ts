import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { entities } from '../../shared/db/keys.ts';
import { deliver } from '../../shared/db/messages.ts';
import { loadProgram, readMemberState } from '../../shared/db/members.ts';
import type { Channel } from '../../shared/domain/send-gate.ts';
import { addDays } from '../../shared/domain/points.ts';
import { logger } from '../../shared/http/logger.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/**
 * Someone signed up with this member's email or phone (the self-signup was
 * registered without it): tell the holder, on the taken channels, once a day.
 */
const tellHolder = async (notice: Record<string, unknown>): Promise<void> => {
  const state = await readMemberState(notice.memberId as string);
  if (!state) return;
  const delivery = await deliver(state.record.memberId, {
    source: `signup-attempt-${String(notice.at).slice(0, 10)}`,
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
const welcomeMember = async (record: DynamoDBRecord): Promise<void> => {
  const member = unmarshall(record.dynamodb?.NewImage as Record<string, AttributeValue>);
  if (member.entity === entities.signupAttempt) return tellHolder(member);
  const gift = (await loadProgram()).welcomeGift;
  const delivery = await deliver(member.memberId, {
    source: 'welcome',
    kind: 'transactional',
    template: 'WELCOME',
    vars: { name: member.name, points: gift.points, expiresOn: addDays(member.createdAt, gift.expiryDays).slice(0, 10) },
    channels: ['email', 'sms'],
  });
  logger.debug('Welcome message', { memberId: member.memberId, status: delivery.status });
};

export const welcome = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, welcomeMember, processor, { context });

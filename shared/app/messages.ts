/**
 * Member messages as use-cases: every message passes the send gate, is
 * recorded under its send key (shared/db/messages.ts) and only then goes out
 * through SES, SMS or app push (shared/messaging/channels.ts). Also the ways a member
 * leaves marketing (a signed link, a STOP text, a bounce or complaint), the
 * deferred messages' second pass, and the messages the member streams and
 * jobs send.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BatchPage } from '../batches.ts';
import { forEachSettled } from '../concurrency.ts';
import { ValidationFailed } from '../domain/errors.ts';
import { localDay } from '../domain/member-days.ts';
import { type Channel, channelOrder, type Decision, decideSend, type PastSend, type Recipient, sendKey, type SuppressionReason } from '../domain/send-gate.ts';
import { addDays, dayOf } from '../domain/time.ts';
import { sendEmail, sendText } from '../messaging/channels.ts';
import { renderEmail, renderPush, renderText } from '../messaging/templates.ts';
import { PushDevicesGone, pushToMember } from './devices.ts';
import { logger } from '../observability.ts';
import { entities } from '../db/keys.ts';
import { loadProgram, membersWithLotsExpiring, readMemberState } from '../db/members.ts';
import {
  claimDeferred,
  deferAgain,
  type Delivery,
  type DeliveryStatus,
  dueMessages,
  earlierDelivery,
  markSent,
  memberByContact,
  nextUtcDay,
  type OutgoingMessage,
  readProfile,
  recentSends,
  recipientOf,
  recordDelivery,
  spendBudget,
  withdrawConsent,
} from '../db/messages.ts';
import { nowIso } from '../clock.ts';

// ---- unsubscribing

const unsubscribeSignature = (memberId: string, channel: Channel): string =>
  createHmac('sha256', process.env.UNSUBSCRIBE_SECRET ?? 'local-unsubscribe-secret')
    .update(`${memberId}:${channel}`)
    .digest('base64url');

/** A link that unsubscribes this member from marketing on this channel, signed so nobody can unsubscribe others. */
export const unsubscribeUrl = (memberId: string, channel: Channel): string => {
  const base = process.env.UNSUBSCRIBE_URL ?? 'http://127.0.0.1:3000/unsubscribe';
  return `${base}?member=${encodeURIComponent(memberId)}&channel=${channel}&sig=${unsubscribeSignature(memberId, channel)}`;
};

export const validUnsubscribeSignature = (memberId: string, channel: Channel, signature: string): boolean => {
  const expected = Buffer.from(unsubscribeSignature(memberId, channel));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
};

/** An unsubscribe link: a valid signature withdraws marketing consent on its channel. */
export const unsubscribe = async (memberId: string, channel: Channel, signature: string, now: string): Promise<void> => {
  if (!validUnsubscribeSignature(memberId, channel, signature)) {
    throw new ValidationFailed('This unsubscribe link is not valid', [{ path: 'query.sig', message: 'signature does not match' }]);
  }
  await withdrawConsent(memberId, channel, 'UNSUBSCRIBE_LINK', now);
};

/** A STOP text, a bounce or a complaint: the member who holds the address (if any) leaves the channel. True when one did. */
export const withdrawConsentOf = async (channel: Channel, address: string, source: string, now: string, suppression?: SuppressionReason): Promise<boolean> => {
  const memberId = await memberByContact(channel, address);
  return memberId !== undefined && (await withdrawConsent(memberId, channel, source, now, suppression));
};

// ---- through the gate

const transmit = async (
  memberId: string,
  profile: Record<string, unknown>,
  message: OutgoingMessage,
  channel: Channel,
  key: string,
  now: string,
): Promise<string> => {
  const tags = { member: memberId, source: message.source, template: message.template };
  if (channel === 'push') return pushToMember(memberId, { ...renderPush(message.template, message.vars), kind: message.kind, context: { ...tags, key } }, now);
  if (channel === 'email') {
    return sendEmail({
      to: profile.email as string,
      ...renderEmail(message.template, message.vars),
      ...(message.kind === 'marketing' ? { unsubscribeUrl: unsubscribeUrl(memberId, 'email') } : {}),
      tags,
    });
  }
  return sendText({
    to: profile.phone as string,
    body: renderText(message.template, message.vars, message.kind),
    kind: message.kind,
    context: { ...tags, key },
  });
};

/**
 * Picks the channel: the first the gate does not skip for address, consent
 * or suppression, in the member's preferred order among the channels the
 * message allows, then the message's own order.
 */
const chooseChannel = (message: OutgoingMessage, recipient: Recipient, history: PastSend[], now: string) => {
  const decisions = channelOrder(message.channels, recipient.preference).map((channel) => ({
    channel,
    decision: decideSend({ ...message, channel }, recipient, history, now),
  }));
  return decisions.find((d) => d.decision.action !== 'SKIP' || d.decision.reason === 'EXPIRED') ?? decisions[0]!;
};

/** What the gate would decide for this member now, without recording or sending anything (campaign dry runs). */
export const previewDelivery = async (profile: Record<string, unknown>, message: OutgoingMessage, now: string) =>
  chooseChannel(message, recipientOf(profile), await recentSends(profile.memberId as string, now), now);

/** Sends and records the provider's id, or FAILED with the error (never retried: at most once). */
const sendAndMark = async (memberId: string, sk: string, send: () => Promise<string>, now: string): Promise<DeliveryStatus> => {
  let update: { status: DeliveryStatus; set: Record<string, unknown> };
  try {
    update = { status: 'SENT', set: { providerMessageId: await send(), sentAt: now } };
  } catch (error) {
    // Every device token of a push was gone (and is removed): nothing could be sent, and nothing failed.
    update =
      error instanceof PushDevicesGone
        ? { status: 'SKIPPED', set: { reason: 'DEVICE_GONE', detail: error.message.slice(0, 500) } }
        : { status: 'FAILED', set: { error: (error as Error).message.slice(0, 500) } };
  }
  await markSent(memberId, sk, update);
  return update.status;
};

/**
 * Passes one message through the gate and, if it may go now, sends it.
 * Every outcome — sent, deferred (with when), skipped (with why) — is a
 * record on the member.
 */
export const deliver = async (memberId: string, message: OutgoingMessage, now = nowIso()): Promise<Delivery> => {
  const key = sendKey(message.source, memberId);
  const [profile, history, earlier] = await Promise.all([readProfile(memberId), recentSends(memberId, now), earlierDelivery(memberId, key)]);
  if (!profile) throw new Error(`No member ${memberId}`);
  // Sent (or deferred, or skipped) before: nothing to write. Guards written before `channel` was kept on them name the message's first channel.
  if (earlier) return { key, channel: earlier.channel ?? (message.channels[0] as Channel), status: 'DUPLICATE' };
  const recipient = recipientOf(profile);
  const { channel, decision } = chooseChannel(message, recipient, history, now);
  const { delivery, messageSk } = await recordDelivery(memberId, message, channel, decision, key, now);
  if (messageSk === undefined) return delivery;
  return { ...delivery, status: await sendAndMark(memberId, messageSk, () => transmit(memberId, profile, message, channel, key, now), now) };
};

/**
 * A deferred message whose time has come goes through the gate again (the
 * member may have withdrawn consent, or other messages used the cap): it is
 * sent, deferred again, or skipped — recorded on the same record, claimed
 * with a condition on its status so two dispatchers never both send it.
 */
export const redeliver = async (record: Record<string, unknown>, now = nowIso()): Promise<DeliveryStatus> => {
  const memberId = record.memberId as string;
  const profile = await readProfile(memberId);
  const message = {
    source: record.source,
    template: record.template,
    vars: record.vars,
    channels: record.channels,
    kind: record.kind,
    ...(record.campaignId ? { campaignId: record.campaignId } : {}),
    ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
  } as OutgoingMessage;
  const { channel, decision } = profile
    ? chooseChannel(message, recipientOf(profile), await recentSends(memberId, now), now)
    : { channel: record.channel as Channel, decision: { action: 'SKIP', reason: 'NO_ADDRESS' } as Decision };
  // Each claim is false when another dispatcher took the record first.
  if (decision.action === 'DEFER') return (await deferAgain(record, decision.until, decision.reason)) ? 'DEFERRED' : 'DUPLICATE';
  if (decision.action === 'SKIP') return (await claimDeferred(record, { status: 'SKIPPED', reason: decision.reason }, true)) ? 'SKIPPED' : 'DUPLICATE';
  if (message.kind === 'marketing' && !(await spendBudget(now))) {
    return (await deferAgain(record, nextUtcDay(now), 'DAILY_BUDGET')) ? 'DEFERRED' : 'DUPLICATE';
  }
  if (!(await claimDeferred(record, { status: 'SENDING', channel }, true))) return 'DUPLICATE';
  return sendAndMark(memberId, record.sk as string, () => transmit(memberId, profile!, message, channel, record.key as string, now), now);
};

/** One page of a day's deferred messages due by `now`, each through the gate again; `more` when the page was full and not all failed. */
export const dispatchDeferredPage = async (day: string, now: string): Promise<{ counts: Record<string, number>; more: boolean }> => {
  const counts: Record<string, number> = {};
  const due = await dueMessages(day, now);
  const failed = await forEachSettled(
    due,
    1,
    async (record) => {
      const status = await redeliver(record, now);
      counts[status] = (counts[status] ?? 0) + 1;
    },
    (record, error) => logger.error('A deferred message could not be dispatched', { memberId: record.memberId, error }),
  );
  if (failed > 0) counts.FAILED = (counts.FAILED ?? 0) + failed;
  // Each handled record leaves the index (or moves later), so a full page means there may be more;
  // a page where every record failed would only come back the same: that waits for the next run.
  return { counts, more: due.length === 100 && failed < due.length };
};

// ---- the messages of the member streams and jobs

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
 * sends nothing again. Transactional: it tells them what they have. A
 * signup-attempt notice (the same stream) goes to the holder instead.
 */
export const welcome = async (member: Record<string, unknown>): Promise<void> => {
  if (member.entity === entities.signupAttempt) return tellHolder(member);
  const gift = (await loadProgram()).welcomeGift;
  const delivery = await deliver(member.memberId as string, {
    source: 'welcome',
    kind: 'transactional',
    template: 'WELCOME',
    vars: { name: member.name as string, points: gift.points, expiresOn: dayOf(addDays(member.createdAt as string, gift.expiryDays)) },
    channels: ['email', 'sms', 'push'],
  });
  logger.debug('Welcome message', { memberId: member.memberId, status: delivery.status });
};

const membersAtOnce = 8;

/**
 * One page of the members with points expiring on the partition's day: one
 * points notice each, keyed by that day, so a page run again sends nothing.
 * The date in the notice is the expiry's date on the member's calendar.
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
      const lots = (state?.lots ?? []).filter((l) => l.expiresOn.startsWith(day) && !l.pendingUntil);
      const expiring = lots.reduce((sum, l) => sum + l.remaining, 0);
      if (!state || expiring === 0) return;
      // The date the member reads is the one on their own calendar (the first of these lots to expire).
      const first = lots.map((l) => l.expiresOn).sort()[0]!;
      const delivery = await deliver(
        memberId,
        {
          source: `points-expiring-${day}`,
          kind: 'transactional',
          template: 'POINTS_EXPIRING',
          vars: { name: state.record.name, points: expiring, expiresOn: localDay(first, state.record.timeZone) },
          channels: ['email', 'sms', 'push'],
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

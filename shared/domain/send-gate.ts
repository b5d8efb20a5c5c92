/**
 * The one gate every member message passes. It decides, for one message to
 * one member on one channel at one moment: send now, defer to the next
 * allowed time, or skip — always with a reason that is recorded. Pure: the
 * clock, the member's state and their recent sends come in as arguments.
 */
import { dayMillis, hourMillis, secondMillis } from './time.ts';

export const channels = ['email', 'sms', 'push'] as const;
export type Channel = (typeof channels)[number];

/**
 * The channels to try, best first: the member's own preference (the ones the
 * message allows, in the member's order), then the message's other channels
 * in the sender's order. A member who prefers push gets push wherever the
 * sender allows it; a member with no preference gets the sender's order.
 */
export const channelOrder = (allowed: readonly Channel[], preference: readonly Channel[] = []): Channel[] => [
  ...new Set([...preference.filter((c) => allowed.includes(c)), ...allowed]),
];

/** Marketing is capped and kept out of quiet hours; transactional (receipts, points notices) is not. */
export type MessageKind = 'marketing' | 'transactional';

export type SuppressionReason = 'BOUNCED' | 'COMPLAINED' | 'OPTED_OUT';

export interface Cap {
  readonly count: number;
  readonly days: number;
}

export interface SendPolicy {
  /** Local wall-clock times, `HH:MM`; the window may span midnight. */
  readonly quietHours: { readonly start: string; readonly end: string };
  /** Marketing messages per member across channels in a rolling window. */
  readonly cap: Cap;
  /** Tighter caps for one channel (e.g. SMS at most 1 a week). */
  readonly channelCaps?: Partial<Record<Channel, Cap>>;
}

export const defaultSendPolicy: SendPolicy = {
  quietHours: { start: '21:00', end: '08:00' },
  cap: { count: 2, days: 7 },
};

export interface Recipient {
  readonly timeZone: string;
  /** The address or number for the channel, if the member has one (push: the registered devices, if any). */
  readonly address: Partial<Record<Channel, string>>;
  readonly consent: Partial<Record<Channel, { readonly granted: boolean }>>;
  readonly suppressed: Partial<Record<Channel, SuppressionReason>>;
  /** The member's own order of channels, best first (`channelOrder`). */
  readonly preference?: readonly Channel[];
}

export interface PastSend {
  readonly channel: Channel;
  readonly kind: MessageKind;
  readonly at: string;
  /** The campaign it belonged to, for campaign caps. */
  readonly campaignId?: string;
}

export interface Message {
  readonly channel: Channel;
  readonly kind: MessageKind;
  /** An offer past this time is not worth sending late. */
  readonly expiresAt?: string;
  readonly campaignId?: string;
  /** A campaign's own cap on top of the member's. */
  readonly campaignCap?: Cap;
}

/** `DEVICE_GONE` is the provider's, not the gate's: every device token of a push was invalid or expired (they are removed). */
export type SkipReason = 'NO_ADDRESS' | 'SUPPRESSED' | 'NO_CONSENT' | 'EXPIRED' | 'BUDGET_SPENT' | 'DEVICE_GONE';
export type DeferReason = 'QUIET_HOURS' | 'FREQUENCY_CAP' | 'CHANNEL_CAP' | 'CAMPAIGN_CAP' | 'DAILY_BUDGET';

export type Decision =
  | { readonly action: 'SEND' }
  | { readonly action: 'DEFER'; readonly until: string; readonly reason: DeferReason }
  | { readonly action: 'SKIP'; readonly reason: SkipReason; readonly detail?: string };

// ---- wall-clock time in a zone, without a date library

const partsIn = (instant: number, timeZone: string) => {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
};

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
const offsetAt = (instant: number, timeZone: string): number => {
  const p = partsIn(instant, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant / secondMillis) * secondMillis;
};

/**
 * The instant a wall-clock time occurs in a zone. A time skipped by a DST
 * change resolves to the same wall time after the change (i.e. later).
 */
export const zonedTime = (date: { year: number; month: number; day: number }, hhmm: string, timeZone: string): number => {
  const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
};

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** Whether the instant falls in the member's quiet hours, and when they end. */
export const quietHoursEnd = (instant: number, timeZone: string, quiet: SendPolicy['quietHours']): number | undefined => {
  const local = partsIn(instant, timeZone);
  const now = local.hour * 60 + local.minute;
  const [start, end] = [minutesOf(quiet.start), minutesOf(quiet.end)];
  const spansMidnight = start > end;
  const inside = spansMidnight ? now >= start || now < end : now >= start && now < end;
  if (!inside) return undefined;
  // The end is today if it is still ahead on the local clock, else tomorrow.
  const endDay = now < end ? local : partsIn(Date.UTC(local.year, local.month - 1, local.day) + dayMillis + 12 * hourMillis, 'UTC');
  return zonedTime(endDay, quiet.end, timeZone);
};

/** When a capped window frees a slot: the oldest counted send leaves it. */
const capFreesAt = (sends: readonly PastSend[], cap: Cap, now: number): number | undefined => {
  const windowStart = now - cap.days * dayMillis;
  const inWindow = sends
    .map((s) => Date.parse(s.at))
    .filter((at) => at > windowStart)
    .sort((a, b) => a - b);
  if (inWindow.length < cap.count) return undefined;
  return inWindow[inWindow.length - cap.count]! + cap.days * dayMillis;
};

/**
 * The decision for one message now. Order matters and is the contract:
 * address, suppression and consent (never overridden), then — marketing
 * only — caps and quiet hours, each pushing the time forward until every
 * rule allows it; an offer that would arrive after it expires is skipped.
 */
export const decideSend = (
  message: Message,
  recipient: Recipient,
  history: readonly PastSend[],
  now: string,
  policy: SendPolicy = defaultSendPolicy,
): Decision => {
  const { channel } = message;
  if (!recipient.address[channel]) return { action: 'SKIP', reason: 'NO_ADDRESS' };
  const suppression = recipient.suppressed[channel];
  if (suppression) return { action: 'SKIP', reason: 'SUPPRESSED', detail: suppression };
  if (!recipient.consent[channel]?.granted) return { action: 'SKIP', reason: 'NO_CONSENT' };
  if (message.kind === 'transactional') return { action: 'SEND' };

  const marketing = history.filter((s) => s.kind === 'marketing');
  const rules: [DeferReason, (at: number) => number | undefined][] = [
    ['FREQUENCY_CAP', (at) => capFreesAt(marketing, policy.cap, at)],
    ...(policy.channelCaps?.[channel]
      ? [
          [
            'CHANNEL_CAP',
            (at: number) =>
              capFreesAt(
                marketing.filter((s) => s.channel === channel),
                policy.channelCaps![channel]!,
                at,
              ),
          ] as [DeferReason, (at: number) => number | undefined],
        ]
      : []),
    ...(message.campaignCap && message.campaignId
      ? [
          [
            'CAMPAIGN_CAP',
            (at: number) =>
              capFreesAt(
                marketing.filter((s) => s.campaignId === message.campaignId),
                message.campaignCap!,
                at,
              ),
          ] as [DeferReason, (at: number) => number | undefined],
        ]
      : []),
    ['QUIET_HOURS', (at) => quietHoursEnd(at, recipient.timeZone, policy.quietHours)],
  ];
  let at = Date.parse(now);
  let first: DeferReason | undefined;
  // Each rule can only push the time later; a handful of rounds settles it.
  for (let round = 0; round < 10; round++) {
    let moved = false;
    for (const [reason, nextAllowed] of rules) {
      const until = nextAllowed(at);
      if (until !== undefined && until > at) {
        at = until;
        first ??= reason;
        moved = true;
      }
    }
    if (!moved) break;
  }
  if (!first) return { action: 'SEND' };
  const until = new Date(at).toISOString();
  if (message.expiresAt && until > message.expiresAt) return { action: 'SKIP', reason: 'EXPIRED', detail: `next allowed ${until}` };
  return { action: 'DEFER', until, reason: first };
};

/**
 * The idempotency key of a send: a job run or campaign reaches a member
 * once. The channel is left out on purpose: it is chosen by preference at
 * send time, and a member whose consent changed between two runs must not
 * get the same message again on the other channel.
 */
export const sendKey = (source: string, memberId: string): string => `${source}#${memberId}`;

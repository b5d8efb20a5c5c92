/**
 * Member-only events: who may register, until when, and whether a request
 * gets a seat or a place on the waitlist. Pure: the clock, the member's tier
 * and the seat counter come in as arguments; the counter's conditions in
 * shared/db/events.ts make the decisions hold under concurrency.
 */
import { Conflict, NotEligible, ValidationFailed } from './errors.ts';
import { defaultSendPolicy, quietHoursEnd, type SendPolicy } from './send-gate.ts';
import { type TierName, tierRank } from './tiers.ts';
import { addDays, dayOf } from './time.ts';

export const registrationStatuses = ['REGISTERED', 'WAITLISTED', 'CANCELLED'] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];

export interface EventRules {
  readonly eventId: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly capacity: number;
  readonly minTier: TierName;
  /** Registrations close then; without it, when the event starts. */
  readonly registrationDeadline?: string;
}

/** The seat counter of an event as stored. */
export interface Seats {
  readonly capacity: number;
  readonly registered: number;
  readonly waiting: number;
  /** The number the next waitlisted member gets (arrival order). */
  readonly nextWait: number;
}

/** An event's times must make sense: it ends after it starts, registration closes no later than the start. */
export const checkEventTimes = (event: Pick<EventRules, 'startsAt' | 'endsAt' | 'registrationDeadline'>): void => {
  const errors = [
    ...(Date.parse(event.endsAt) <= Date.parse(event.startsAt) ? [{ path: 'body.endsAt', message: 'after startsAt' }] : []),
    ...(event.registrationDeadline !== undefined && Date.parse(event.registrationDeadline) > Date.parse(event.startsAt)
      ? [{ path: 'body.registrationDeadline', message: 'no later than startsAt' }]
      : []),
  ];
  if (errors.length > 0) throw new ValidationFailed('The event times are not consistent', errors);
};

/** Whether a member of this tier may see and join the event. */
export const qualifiesFor = (tier: TierName, event: Pick<EventRules, 'minTier'>): boolean => tierRank(tier) >= tierRank(event.minTier);

/** When registration closes. */
export const registrationClosesAt = (event: Pick<EventRules, 'startsAt' | 'registrationDeadline'>): string => event.registrationDeadline ?? event.startsAt;

/**
 * May this member register now? Below the minimum tier: 403 not-eligible
 * (with `minTier`); after the deadline (or the start): 409 conflict.
 */
export const assertMayRegister = (event: EventRules, tier: TierName, now: string): void => {
  if (!qualifiesFor(tier, event)) {
    throw new NotEligible(`Event ${event.eventId} is for ${event.minTier} members and above; the member is ${tier}`, {
      minTier: event.minTier,
    });
  }
  if (Date.parse(now) >= Date.parse(registrationClosesAt(event))) {
    throw new Conflict(`Registration for event ${event.eventId} closed at ${registrationClosesAt(event)}`, { eventId: event.eventId });
  }
};

/** First come first served: a seat while one is free, else the end of the waitlist. */
export const placeFor = (seats: Seats): { status: 'REGISTERED' } | { status: 'WAITLISTED'; seq: number; position: number } =>
  seats.registered < seats.capacity ? { status: 'REGISTERED' } : { status: 'WAITLISTED', seq: seats.nextWait, position: seats.waiting + 1 };

/** The UTC day whose events the reminder job run at `now` reminds of: tomorrow's. */
export const reminderDayFor = (now: string): string => dayOf(addDays(now, 1));

/**
 * When a message about the member's own registration (a seat given from the
 * waitlist, the reminder) goes out. These are transactional (the member asked
 * for the seat): no frequency cap, no marketing budget, but they are not
 * urgent enough to wake anyone, so one that would arrive in the member's
 * quiet hours waits for them to end, unless the event starts first (then
 * it goes now: a late night notice beats none). Undefined: now.
 */
export const registrantSendAt = (
  now: string,
  timeZone: string,
  startsAt: string,
  quietHours: SendPolicy['quietHours'] = defaultSendPolicy.quietHours,
): string | undefined => {
  const quietEnds = quietHoursEnd(Date.parse(now), timeZone, quietHours);
  return quietEnds !== undefined && quietEnds < Date.parse(startsAt) ? new Date(quietEnds).toISOString() : undefined;
};

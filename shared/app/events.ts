/**
 * Member-only events as use-cases: HQ creates them; members (or staff for a
 * member) register first come first served, onto the waitlist when full;
 * a cancellation hands the seat to the first waitlisted member in the same
 * transaction (and tells them, through the send gate); the day before,
 * registered members get a reminder through the send gate. Access: admin
 * and service everywhere, store staff at their locations, members for
 * themselves and only events their tier qualifies for.
 */
import { AlreadyExists, NotFound, TemporarilyUnavailable, ValidationFailed } from '../domain/errors.ts';
import { assertMayRegister, checkEventTimes, placeFor, qualifiesFor, registrantSendAt, reminderDayFor } from '../domain/events.ts';
import { sendKey } from '../domain/send-gate.ts';
import { assertLocationAccess, assertMemberAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import { effectiveTier, type TierName, type TierState } from '../domain/tiers.ts';
import { forEachSettled } from '../concurrency.ts';
import { logger } from '../observability.ts';
import {
  cancellationItems,
  eventCreateItems,
  eventsStartingOn,
  eventView,
  firstWaitlisted,
  listEvents as storedEvents,
  readEvent,
  readRegistration,
  readRegistrationRequest,
  readSeats,
  registrationItems,
  registrationsOf,
  type StoredEvent,
  type StoredRegistration,
} from '../db/events.ts';
import { assertSameRequest, requestFingerprint } from '../db/fingerprint.ts';
import { type Delivery, type OutgoingMessage, readProfile, recipientOf, recordDelivery } from '../db/messages.ts';
import { loadReferences } from '../db/stock.ts';
import { backoffDelay, defaultRetryPolicy, labelled, TransactionCancelled, transactLabelled, transactWrite } from '../db/transact.ts';
import type { EventInput, MemberEvent, Registration } from '../schemas/events.ts';
import { deliver, previewDelivery } from './messages.ts';
import type { z } from 'zod';

type NewEvent = z.output<typeof EventInput>;

/** Rounds of read-and-commit a registration or cancellation takes before it answers 503 (contention on one event's counter). */
const seatAttempts = 60;
const retryPolicy = { ...defaultRetryPolicy, maxDelayMs: 200 };
const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, backoffDelay(Math.min(attempt, 6), retryPolicy)));

const utc = (time: string): string => new Date(Date.parse(time)).toISOString();

const tierOf = (profile: Record<string, unknown>, now: string): TierName => effectiveTier(profile as unknown as TierState, now);

// ---- events

/** Creates an event at a store; the same body again answers the event as it is (`created: false`), another body 422. */
export const createEvent = async (input: NewEvent, now: string): Promise<{ value: MemberEvent; created: boolean }> => {
  checkEventTimes(input);
  await loadReferences([], [input.locationId]);
  const fingerprint = requestFingerprint(input);
  const replay = async () => {
    const existing = await readEvent(input.eventId);
    if (!existing) return undefined;
    assertSameRequest(existing.fingerprint, fingerprint, `Event ${input.eventId}`);
    return { value: eventView(existing, await readSeats(input.eventId)), created: false };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  const { eventId, locationId, title, description, capacity, minTier } = input;
  // Stored in UTC, so the listing sorts by time and the reminder job finds the event on its UTC day.
  const [startsAt, endsAt] = [utc(input.startsAt), utc(input.endsAt)];
  const registrationDeadline = input.registrationDeadline === undefined ? undefined : utc(input.registrationDeadline);
  const event = { eventId, locationId, title, description, startsAt, endsAt, capacity, minTier, registrationDeadline, fingerprint };
  try {
    await transactWrite(eventCreateItems(event, now));
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    const raced = await replay();
    if (raced) return raced;
    throw error;
  }
  return { value: eventView({ ...event, createdAt: now } as StoredEvent, { capacity, registered: 0, waiting: 0, nextWait: 1 }), created: true };
};

/** What a caller may see of an event: staff at its store, members whose tier qualifies (others: 404). */
const visibleEvent = async (eventId: string, principal: Principal, now: string): Promise<StoredEvent> => {
  const event = await readEvent(eventId);
  if (!event) throw new NotFound(`Event ${eventId} not found`);
  if (principal.role === 'store') assertLocationAccess(principal, event.locationId);
  if (principal.role === 'member') {
    const profile = await readProfile(principal.memberId ?? '');
    if (!profile || !qualifiesFor(tierOf(profile, now), event)) throw new NotFound(`Event ${eventId} not found`);
  }
  return event;
};

export const getEvent = async (eventId: string, principal: Principal, now: string): Promise<MemberEvent> =>
  eventView(await visibleEvent(eventId, principal, now), await readSeats(eventId));

/** Events by start: staff see their stores' (HQ all), members those their tier qualifies for. */
export const listEvents = async (query: { locationId?: string; from?: string }, principal: Principal, now: string): Promise<MemberEvent[]> => {
  const locations = visibleLocations(principal);
  const tier = principal.role === 'member' ? await readProfile(principal.memberId ?? '').then((p) => (p ? tierOf(p, now) : undefined)) : undefined;
  return (await storedEvents(query.from)).filter(
    (event) =>
      (query.locationId === undefined || event.locationId === query.locationId) &&
      (principal.role === 'member' ? tier !== undefined && qualifiesFor(tier, event) : locations === undefined || locations.includes(event.locationId)),
  );
};

// ---- registrations

/** The member a request is for: a member token is its own member; staff name one. */
const memberOfRequest = (principal: Principal, memberId: string | undefined): string => {
  if (principal.role === 'member') {
    if (memberId !== undefined) assertMemberAccess(principal, memberId);
    return principal.memberId!;
  }
  if (memberId === undefined) throw new ValidationFailed('Staff register a member: name them', [{ path: 'body.memberId', message: 'required' }]);
  return memberId;
};

/** A waitlisted registration's place: 1 + those before it still waiting. */
const withPosition = async (registration: StoredRegistration): Promise<Registration> => {
  const { seq, ...rest } = registration;
  if (registration.status !== 'WAITLISTED') return rest;
  const waiting = (await registrationsOf(registration.eventId)).filter((r) => r.status === 'WAITLISTED' && (r.seq ?? 0) < (seq ?? 0));
  return { ...rest, position: waiting.length + 1 };
};

/**
 * A member registers: a seat while one is free, else the end of the
 * waitlist (with its position). One registration per member and event
 * (409 already-exists while it stands; after a cancellation they may come
 * back, at the end of the queue). Below the event's tier: 403 not-eligible.
 * The same registration id again answers the first answer; with another
 * event or member, 422.
 */
export const register = async (
  eventId: string,
  body: { memberId?: string },
  registrationId: string,
  principal: Principal,
  now: string,
): Promise<{ value: Registration; created: boolean }> => {
  const memberId = memberOfRequest(principal, body.memberId);
  const fingerprint = requestFingerprint({ eventId, memberId });
  const replay = async () => {
    const earlier = await readRegistrationRequest(registrationId);
    if (!earlier) return undefined;
    assertSameRequest(earlier.fingerprint, fingerprint, `Registration ${registrationId}`);
    return { value: earlier.answer, created: false };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  const event = await readEvent(eventId);
  if (!event) throw new NotFound(`Event ${eventId} not found`);
  if (principal.role === 'store') assertLocationAccess(principal, event.locationId);
  const profile = await readProfile(memberId);
  if (!profile) throw new NotFound(`Member ${memberId} not found`);
  assertMayRegister(event, tierOf(profile, now), now);

  for (let attempt = 0; attempt < seatAttempts; attempt++) {
    if (attempt > 0) await pause(attempt);
    const [seats, existing] = await Promise.all([readSeats(eventId), readRegistration(eventId, memberId)]);
    if (existing && existing.status !== 'CANCELLED') {
      throw new AlreadyExists(`Member ${memberId} is already ${existing.status.toLowerCase()} for event ${eventId}`, {
        eventId,
        memberId,
        status: existing.status,
      });
    }
    const place = placeFor(seats);
    const registration: Registration = {
      eventId,
      memberId,
      registrationId,
      status: place.status,
      ...(place.status === 'WAITLISTED' ? { position: place.position } : {}),
      registeredAt: now,
    };
    try {
      await transactLabelled(registrationItems(registration, place, seats, fingerprint, now), retryPolicy);
      return { value: registration, created: true };
    } catch (error) {
      if (error instanceof TemporarilyUnavailable) continue;
      if (!(error instanceof TransactionCancelled)) throw error;
      if (error.failedAtLabel('request')) {
        const raced = await replay();
        if (raced) return raced;
      }
      // The counter or the registration changed since it was read: read again (a registration now standing is 409 above).
    }
  }
  throw new TemporarilyUnavailable(`Too many registrations for event ${eventId} at once; retry shortly`, 1);
};

export const getRegistration = async (eventId: string, memberId: string, principal: Principal): Promise<Registration> => {
  assertMemberAccess(principal, memberId);
  const event = await readEvent(eventId);
  if (!event) throw new NotFound(`Event ${eventId} not found`);
  if (principal.role === 'store') assertLocationAccess(principal, event.locationId);
  const registration = await readRegistration(eventId, memberId);
  if (!registration) throw new NotFound(`Member ${memberId} has no registration for event ${eventId}`);
  return withPosition(registration);
};

/** Who is registered, and the waitlist in order (staff). */
export const listRegistrations = async (
  eventId: string,
  principal: Principal,
): Promise<{ eventId: string; registered: Registration[]; waitlist: Registration[] }> => {
  const event = await readEvent(eventId);
  if (!event) throw new NotFound(`Event ${eventId} not found`);
  assertLocationAccess(principal, event.locationId);
  const all = await registrationsOf(eventId);
  const registered = all.filter((r) => r.status === 'REGISTERED').map(({ seq: _, ...r }) => r);
  const waitlist = all
    .filter((r) => r.status === 'WAITLISTED')
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))
    .map(({ seq: _, ...r }, i) => ({ ...r, position: i + 1 }));
  return { eventId, registered, waitlist };
};

/**
 * Cancels a registration. A freed seat goes to the first waitlisted member
 * in the same transaction (conditioned on them still waiting and on the
 * counter), so two cancellations at once promote two different members and
 * the event never holds more than its capacity. Cancelling again answers the
 * cancelled registration.
 */
export const cancelRegistration = async (
  eventId: string,
  memberId: string,
  principal: Principal,
  now: string,
): Promise<{ cancelled: Registration; promoted?: Registration }> => {
  assertMemberAccess(principal, memberId);
  const event = await readEvent(eventId);
  if (!event) throw new NotFound(`Event ${eventId} not found`);
  if (principal.role === 'store') assertLocationAccess(principal, event.locationId);
  for (let attempt = 0; attempt < seatAttempts; attempt++) {
    if (attempt > 0) await pause(attempt);
    const registration = await readRegistration(eventId, memberId);
    if (!registration) throw new NotFound(`Member ${memberId} has no registration for event ${eventId}`);
    const { seq: _, ...current } = registration;
    if (registration.status === 'CANCELLED') return { cancelled: current };
    const promote = registration.status === 'REGISTERED' ? await nextInLine(eventId) : undefined;
    try {
      await transactLabelled(labelledItems(cancellationItems(registration, promote, now)), retryPolicy);
    } catch (error) {
      if (error instanceof TemporarilyUnavailable) continue;
      if (error instanceof TransactionCancelled) continue;
      throw error;
    }
    const cancelled: Registration = { ...current, status: 'CANCELLED', cancelledAt: now };
    if (!promote) return { cancelled };
    const { seq: __, position: ___, ...promoted } = promote;
    // The promoted member is told after the commit; a failed message is logged and never undoes the seat.
    await tellPromoted(event, promote, now).catch((error: unknown) =>
      logger.error('The seat notice to a promoted member failed', { eventId, memberId: promote.memberId, error }),
    );
    return { cancelled, promoted: { ...promoted, status: 'REGISTERED', promotedAt: now } };
  }
  throw new TemporarilyUnavailable(`Too many changes to event ${eventId} at once; retry shortly`, 1);
};

/** The first member still waiting: the index may lag a promotion that just happened, so each candidate is read again. */
const nextInLine = async (eventId: string): Promise<StoredRegistration | undefined> => {
  for (const candidate of await firstWaitlisted(eventId, 10)) {
    const now = await readRegistration(eventId, candidate.memberId);
    if (now?.status === 'WAITLISTED') return now;
  }
  return undefined;
};

const labelledItems = (items: { label: string; item: Parameters<typeof labelled>[1][number] }[]) => items.flatMap(({ label, item }) => labelled(label, [item]));

// ---- telling registrants

/**
 * A message about the member's own registration, through the send gate as
 * transactional (they asked for the seat): consent and suppression apply,
 * the frequency cap and the daily marketing budget do not. One that would
 * arrive in the member's quiet hours is recorded deferred to their end
 * (`registrantSendAt`) and sent then by the deferred-messages job, unless the
 * event starts first.
 */
const tellRegistrant = async (memberId: string, message: OutgoingMessage, event: { startsAt: string }, now: string): Promise<Delivery | undefined> => {
  const profile = await readProfile(memberId);
  if (!profile) return undefined;
  const { channel, decision } = await previewDelivery(profile, message, now);
  const until = decision.action === 'SEND' ? registrantSendAt(now, recipientOf(profile).timeZone, event.startsAt) : undefined;
  if (until === undefined) return deliver(memberId, message, now);
  return (await recordDelivery(memberId, message, channel, { action: 'DEFER', until, reason: 'QUIET_HOURS' }, sendKey(message.source, memberId), now)).delivery;
};

/** A waitlisted member got a seat from a cancellation: told once per registration. */
const tellPromoted = async (event: StoredEvent, registration: StoredRegistration, now: string): Promise<void> => {
  const profile = await readProfile(registration.memberId);
  const delivery = await tellRegistrant(
    registration.memberId,
    {
      source: `event-seat-${event.eventId}-${registration.registrationId}`,
      kind: 'transactional',
      template: 'OFFER',
      vars: {
        name: String(profile?.name ?? ''),
        headline: `You have a seat: ${event.title}`,
        text: `a seat at ${event.title} (${event.locationId}) on ${event.startsAt} is yours: a member cancelled and you were first on the waitlist. Cannot come? Cancel your registration so the next member gets it.`,
      },
      channels: ['email', 'sms', 'push'],
      expiresAt: event.startsAt,
    },
    event,
    now,
  );
  logger.debug('Seat notice', { eventId: event.eventId, memberId: registration.memberId, status: delivery?.status });
};

// ---- reminders

/**
 * The reminder job's run: every member registered for an event that starts
 * tomorrow (UTC day) gets one reminder through the send gate, transactional
 * (they registered: consent and suppression apply, the frequency cap and the
 * marketing budget do not; it waits out the member's quiet hours unless the
 * event starts first, `tellRegistrant`). Keyed per event and member, so a
 * second run the same day sends nothing again.
 */
export const sendEventReminders = async (now: string): Promise<Record<string, number>> => {
  const counts: Record<string, number> = { events: 0, members: 0 };
  for (const event of await eventsStartingOn(reminderDayFor(now))) {
    counts.events!++;
    const registered = (await registrationsOf(event.eventId)).filter((r) => r.status === 'REGISTERED');
    counts.failed =
      (counts.failed ?? 0) +
      (await forEachSettled(
        registered,
        8,
        async ({ memberId }) => {
          const profile = await readProfile(memberId);
          const delivery = await tellRegistrant(
            memberId,
            {
              source: `event-reminder-${event.eventId}`,
              kind: 'transactional',
              template: 'OFFER',
              vars: {
                name: String(profile?.name ?? ''),
                headline: `Tomorrow: ${event.title}`,
                text: `see you at ${event.title} (${event.locationId}) on ${event.startsAt}. Cannot come? Cancel your registration so the next member on the waitlist gets your seat.`,
              },
              channels: ['email', 'sms', 'push'],
              expiresAt: event.startsAt,
            },
            event,
            now,
          );
          if (!delivery) return;
          counts.members!++;
          counts[delivery.status] = (counts[delivery.status] ?? 0) + 1;
        },
        (registration, error) => logger.error('An event reminder failed', { eventId: event.eventId, memberId: registration.memberId, error }),
      ));
  }
  return counts;
};

/**
 * Member-only events (issue 18, part 4): HQ creates them, members register
 * first come first served, never over capacity under concurrency, onto a
 * waitlist that moves up on cancellation; reminders go through the send gate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEventReminders } from '../../shared/app/events.ts';
import { deliver, redeliver } from '../../shared/app/messages.ts';
import { dueMessages, messagesOf } from '../../shared/db/messages.ts';
import { outbox } from '../../shared/messaging/outbox.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
let till: string;
let tillB: string;
const store = uniqueId('EV');
const storeB = uniqueId('EVB');

interface Registration {
  memberId: string;
  status: 'REGISTERED' | 'WAITLISTED' | 'CANCELLED';
  position?: number;
}

const createEvent = async (overrides: Record<string, unknown> = {}) => {
  const eventId = uniqueId('ev');
  const answer = await api.call('POST', '/events', {
    token: admin,
    body: {
      eventId,
      locationId: store,
      title: 'Tasting evening',
      startsAt: '2099-03-01T18:00:00Z',
      endsAt: '2099-03-01T20:00:00Z',
      capacity: 10,
      ...overrides,
    },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return eventId;
};

const newMember = async (extra: Record<string, unknown> = {}) => {
  const email = `${uniqueId('ev')}@example.com`;
  const answer = await api.call('POST', '/members', {
    token: till,
    headers: { 'idempotency-key': uniqueId('reg') },
    body: { name: 'Event Member', email, ...extra },
  });
  expect(answer.status).toBe(201);
  return { memberId: answer.body.memberId as string, email };
};

const register = (eventId: string, memberId: string, as = admin, registrationId = uniqueId('er')) =>
  api.call('POST', `/events/${eventId}/registrations`, { token: as, body: { registrationId, memberId } });

const registrations = async (eventId: string) => {
  const answer = await api.call('GET', `/events/${eventId}/registrations`, { token: admin });
  expect(answer.status).toBe(200);
  return answer.body as { registered: Registration[]; waitlist: Registration[] };
};

const seats = async (eventId: string) => {
  const answer = await api.call('GET', `/events/${eventId}`, { token: admin });
  expect(answer.status).toBe(200);
  return { registered: answer.body.registered as number, waiting: answer.body.waiting as number };
};

/** A time zone where it is daytime now, so a message about a registration is not held for the morning whenever the test runs. */
const daytimeZone = (): string => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney', 'Pacific/Auckland'];
  const hourIn = (zone: string) => Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: '2-digit' }).format(new Date()));
  return zones.find((zone) => hourIn(zone) >= 9 && hourIn(zone) < 19)!;
};

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  till = await token({ role: 'store', locations: [store] });
  tillB = await token({ role: 'store', locations: [storeB] });
  for (const locationId of [store, storeB]) {
    const answer = await api.call('POST', '/locations', { token: admin, body: { locationId, name: `Store ${locationId}`, type: 'STORE', timeZone: 'UTC' } });
    expect(answer.status).toBe(201);
  }
});

afterAll(async () => {
  await api.close();
});

describe('creating an event', () => {
  it('is HQ only, replays the same body, refuses another body under the same id and inconsistent times', async () => {
    const body = { eventId: uniqueId('ev'), locationId: store, title: 'Launch', startsAt: '2099-01-01T18:00:00Z', endsAt: '2099-01-01T19:00:00Z', capacity: 5 };
    const first = await api.call('POST', '/events', { token: admin, body });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/events/${body.eventId}`);
    // Times are kept in UTC (the listing sorts by them; the reminder job reads the UTC day).
    expect(first.body).toMatchObject({
      ...body,
      startsAt: '2099-01-01T18:00:00.000Z',
      endsAt: '2099-01-01T19:00:00.000Z',
      minTier: 'REGULAR',
      registered: 0,
      waiting: 0,
    });
    const again = await api.call('POST', '/events', { token: admin, body });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await api.call('POST', '/events', { token: admin, body: { ...body, capacity: 6 } });
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('/problems/idempotency-key-reused');
    expect((await api.call('POST', '/events', { token: till, body: { ...body, eventId: uniqueId('ev') } })).status).toBe(403);
    const backwards = await api.call('POST', '/events', { token: admin, body: { ...body, eventId: uniqueId('ev'), endsAt: body.startsAt } });
    expect(backwards.status).toBe(400);
    const nowhere = await api.call('POST', '/events', { token: admin, body: { ...body, eventId: uniqueId('ev'), locationId: uniqueId('nowhere') } });
    expect(nowhere.status).toBe(422);
    expect(nowhere.body.type).toBe('/problems/unknown-reference');
  });
});

describe('registration', () => {
  it('gives exactly the capacity under 30 concurrent registrations and waitlists the rest in arrival order', async () => {
    const eventId = await createEvent({ capacity: 10 });
    const members = await Promise.all(Array.from({ length: 30 }, () => newMember()));
    const answers = await Promise.all(members.map(({ memberId }) => register(eventId, memberId)));
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const bodies = answers.map((a) => a.body as Registration);
    expect(bodies.filter((b) => b.status === 'REGISTERED')).toHaveLength(10);
    const waitlisted = bodies.filter((b) => b.status === 'WAITLISTED');
    expect(waitlisted).toHaveLength(20);
    // Each got a distinct place, 1..20, and the waitlist keeps that order.
    expect(waitlisted.map((b) => b.position).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const list = await registrations(eventId);
    expect(list.registered).toHaveLength(10);
    expect(list.waitlist.map((r) => r.memberId)).toEqual(waitlisted.sort((a, b) => a.position! - b.position!).map((b) => b.memberId));
    expect(await seats(eventId)).toEqual({ registered: 10, waiting: 20 });

    // Concurrent cancellations promote distinct members, first in line first; never over capacity.
    const leaving = list.registered.slice(0, 4).map((r) => r.memberId);
    const cancelled = await Promise.all(leaving.map((memberId) => api.call('DELETE', `/events/${eventId}/registrations/${memberId}`, { token: admin })));
    for (const answer of cancelled) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.cancelled.status).toBe('CANCELLED');
    }
    const promoted = cancelled.map((a) => a.body.promoted.memberId as string);
    expect(new Set(promoted).size).toBe(4);
    expect(promoted.sort()).toEqual(
      list.waitlist
        .slice(0, 4)
        .map((r) => r.memberId)
        .sort(),
    );
    const after = await registrations(eventId);
    expect(after.registered).toHaveLength(10);
    expect(after.waitlist.map((r) => r.memberId)).toEqual(list.waitlist.slice(4).map((r) => r.memberId));
    expect(after.waitlist.map((r) => r.position)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(await seats(eventId)).toEqual({ registered: 10, waiting: 16 });

    // Cancelling again changes nothing; a waitlisted member leaving frees no seat and shortens the queue.
    const again = await api.call('DELETE', `/events/${eventId}/registrations/${leaving[0]}`, { token: admin });
    expect(again.status).toBe(200);
    expect(again.body.promoted).toBeUndefined();
    const fifth = after.waitlist[4]!.memberId;
    const leaveQueue = await api.call('DELETE', `/events/${eventId}/registrations/${fifth}`, { token: admin });
    expect(leaveQueue.body).toMatchObject({ cancelled: { status: 'CANCELLED' } });
    expect(leaveQueue.body.promoted).toBeUndefined();
    expect(await seats(eventId)).toEqual({ registered: 10, waiting: 15 });
    const sixth = await api.call('GET', `/events/${eventId}/registrations/${after.waitlist[5]!.memberId}`, { token: admin });
    expect(sixth.body).toMatchObject({ status: 'WAITLISTED', position: 5 });
  });

  it('tells the member promoted from the waitlist that the seat is theirs, once, as a transactional message', async () => {
    const eventId = await createEvent({ capacity: 1 });
    const leaving = await newMember({ consent: { email: true }, timeZone: daytimeZone() });
    const waiting = await newMember({ consent: { email: true }, timeZone: daytimeZone() });
    expect((await register(eventId, leaving.memberId)).body.status).toBe('REGISTERED');
    expect((await register(eventId, waiting.memberId)).body.status).toBe('WAITLISTED');
    const seatNotices = () => outbox.list(waiting.email).filter((m) => m.subject === 'You have a seat: Tasting evening');
    expect(seatNotices()).toHaveLength(0);

    const cancel = await api.call('DELETE', `/events/${eventId}/registrations/${leaving.memberId}`, { token: admin });
    expect(cancel.status).toBe(200);
    expect(cancel.body.promoted).toMatchObject({ memberId: waiting.memberId, status: 'REGISTERED' });
    expect(seatNotices()).toHaveLength(1);
    expect(seatNotices()[0]!.body).toContain('a member cancelled and you were first on the waitlist');
    expect((await messagesOf(waiting.memberId)).filter((m) => String(m.source).startsWith('event-seat-'))).toEqual([
      expect.objectContaining({ kind: 'transactional', status: 'SENT', channel: 'email' }),
    ]);
    // Nobody else is told: the cancelling member gets nothing, and cancelling again promotes nobody.
    expect(outbox.list(leaving.email).filter((m) => m.subject?.startsWith('You have a seat'))).toHaveLength(0);
    await api.call('DELETE', `/events/${eventId}/registrations/${leaving.memberId}`, { token: admin });
    expect(seatNotices()).toHaveLength(1);
  });

  it('frees the seat when nobody waits, and a cancelled member may come back', async () => {
    const eventId = await createEvent({ capacity: 1 });
    const { memberId } = await newMember();
    expect((await register(eventId, memberId)).body.status).toBe('REGISTERED');
    const cancel = await api.call('DELETE', `/events/${eventId}/registrations/${memberId}`, { token: admin });
    expect(cancel.body.promoted).toBeUndefined();
    expect(await seats(eventId)).toEqual({ registered: 0, waiting: 0 });
    expect((await register(eventId, memberId)).body.status).toBe('REGISTERED');
    expect(await seats(eventId)).toEqual({ registered: 1, waiting: 0 });
  });

  it('refuses a member below the minimum tier with not-eligible, and hides the event from them', async () => {
    const eventId = await createEvent({ minTier: 'GOLD' });
    const { memberId } = await newMember();
    const member = await token({ role: 'member', memberId });
    const refused = await api.call('POST', `/events/${eventId}/registrations`, { token: member, body: { registrationId: uniqueId('er') } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ type: '/problems/not-eligible', minTier: 'GOLD' });
    expect((await api.call('GET', `/events/${eventId}`, { token: member })).status).toBe(404);
    const listed = await api.call('GET', '/events', { token: member });
    expect(listed.body.items.map((e: { eventId: string }) => e.eventId)).not.toContain(eventId);
    expect(await seats(eventId)).toEqual({ registered: 0, waiting: 0 });

    // A paid GOLD tier qualifies.
    const program = await api.call('GET', '/program', { token: admin });
    const fee = (program.body.tiers as { tier: string; monthlyFee?: number }[]).find((t) => t.tier === 'GOLD')!.monthlyFee!;
    const paid = await api.call('POST', `/members/${memberId}/paid-tier`, { token: till, body: { paymentId: uniqueId('pay'), tier: 'GOLD', months: 1, fee } });
    expect(paid.status).toBe(201);
    const joined = await api.call('POST', `/events/${eventId}/registrations`, { token: member, body: { registrationId: uniqueId('er') } });
    expect(joined.status).toBe(201);
    expect(joined.body).toMatchObject({ eventId, memberId, status: 'REGISTERED' });
    expect(joined.headers.get('location')).toBe(`/events/${eventId}/registrations/${memberId}`);
    expect((await api.call('GET', '/events', { token: member })).body.items.map((e: { eventId: string }) => e.eventId)).toContain(eventId);
  });

  it('replays a registration id, refuses it for another member (422) and a second registration (409)', async () => {
    const eventId = await createEvent({ capacity: 1 });
    const [a, b] = [await newMember(), await newMember()];
    const registrationId = uniqueId('er');
    const first = await register(eventId, a.memberId, admin, registrationId);
    expect(first.status).toBe(201);
    const replay = await register(eventId, a.memberId, admin, registrationId);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    const reused = await register(eventId, b.memberId, admin, registrationId);
    expect(reused.status).toBe(422);
    expect(reused.body.type).toBe('/problems/idempotency-key-reused');
    const twice = await register(eventId, a.memberId);
    expect(twice.status).toBe(409);
    expect(twice.body.type).toBe('/problems/already-exists');
    expect(await seats(eventId)).toEqual({ registered: 1, waiting: 0 });
  });

  it('scopes who may register and read: members themselves, staff of the event’s store', async () => {
    const eventId = await createEvent();
    const [a, b] = [await newMember(), await newMember()];
    const memberB = await token({ role: 'member', memberId: b.memberId });
    expect((await register(eventId, a.memberId, memberB)).status).toBe(404);
    expect((await register(eventId, a.memberId, tillB)).status).toBe(403);
    expect((await register(eventId, a.memberId, till)).status).toBe(201);
    expect((await api.call('GET', `/events/${eventId}/registrations/${a.memberId}`, { token: memberB })).status).toBe(404);
    expect((await api.call('DELETE', `/events/${eventId}/registrations/${a.memberId}`, { token: memberB })).status).toBe(404);
    expect((await api.call('GET', `/events/${eventId}/registrations`, { token: tillB })).status).toBe(403);
    expect((await api.call('GET', `/events/${eventId}/registrations`, { token: memberB })).status).toBe(403);
  });

  it('closes at the registration deadline', async () => {
    const eventId = await createEvent({ startsAt: '2000-01-02T18:00:00Z', endsAt: '2000-01-02T19:00:00Z', registrationDeadline: '2000-01-01T00:00:00Z' });
    const { memberId } = await newMember();
    const late = await register(eventId, memberId);
    expect(late.status).toBe(409);
    expect(late.body.type).toBe('/problems/conflict');
  });
});

describe('reminders', () => {
  it('reminds registered members the day before, through the send gate, once', async () => {
    const day = `2098-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
    const eventId = await createEvent({ startsAt: `${day}T18:00:00Z`, endsAt: `${day}T20:00:00Z`, capacity: 2 });
    const going = await newMember({ consent: { email: true }, timeZone: 'UTC' });
    const waiting = await newMember({ consent: { email: true }, timeZone: 'UTC' });
    const noConsent = await newMember({ timeZone: 'UTC' });
    expect((await register(eventId, going.memberId)).body.status).toBe('REGISTERED');
    expect((await register(eventId, noConsent.memberId)).body.status).toBe('REGISTERED');
    expect((await register(eventId, waiting.memberId)).body.status).toBe('WAITLISTED');
    const eve = new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString();
    const counts = await sendEventReminders(eve);
    expect(counts.members).toBeGreaterThanOrEqual(1);
    const reminders = (email: string) => outbox.list(email).filter((m) => m.subject?.startsWith('Tomorrow: Tasting evening'));
    expect(reminders(going.email)).toHaveLength(1);
    expect(reminders(waiting.email)).toHaveLength(0);
    expect(reminders(noConsent.email)).toHaveLength(0);
    await sendEventReminders(eve);
    expect(reminders(going.email)).toHaveLength(1);
  });

  it('are transactional: a member whose marketing cap is used up is still reminded; one in their quiet hours when it is light', async () => {
    // January or February: Los Angeles is on standard time (UTC-8).
    const day = `2097-0${1 + Math.floor(Math.random() * 2)}-1${Math.floor(Math.random() * 9)}`;
    const eventId = await createEvent({ startsAt: `${day}T18:00:00Z`, endsAt: `${day}T20:00:00Z`, capacity: 2 });
    const capped = await newMember({ consent: { email: true }, timeZone: 'UTC' });
    const asleep = await newMember({ consent: { email: true }, timeZone: 'America/Los_Angeles' });
    for (const member of [capped, asleep]) expect((await register(eventId, member.memberId)).body.status).toBe('REGISTERED');
    const eve = new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString();
    // Two marketing messages in the hour before: the cap (2 in 7 days) is used up.
    const promo = (n: number) => ({
      source: uniqueId(`promo-${n}`),
      kind: 'marketing' as const,
      template: 'OFFER' as const,
      vars: { name: 'N', headline: 'Promo', text: 'buy' },
      channels: ['email' as const],
    });
    const hourBefore = new Date(Date.parse(eve) - 3_600_000).toISOString();
    for (const n of [1, 2]) expect((await deliver(capped.memberId, promo(n), hourBefore)).status).toBe('SENT');
    expect((await deliver(capped.memberId, promo(3), hourBefore)).decision).toMatchObject({ action: 'DEFER', reason: 'FREQUENCY_CAP' });

    await sendEventReminders(eve);
    const reminders = (email: string) => outbox.list(email).filter((m) => m.subject === 'Tomorrow: Tasting evening');
    expect(reminders(capped.email)).toHaveLength(1);
    // 12:00 UTC is 04:00 in Los Angeles: the reminder waits for 08:00 there (16:00 UTC), then the deferred-messages job sends it.
    expect(reminders(asleep.email)).toHaveLength(0);
    const [record] = (await messagesOf(asleep.memberId)).filter((m) => m.source === `event-reminder-${eventId}`);
    const morning = new Date(Date.parse(eve) + 4 * 3_600_000).toISOString();
    expect(record).toMatchObject({ kind: 'transactional', status: 'DEFERRED', reason: 'QUIET_HOURS', until: morning });
    const due = (await dueMessages(morning.slice(0, 10), morning)).filter((m) => m.memberId === asleep.memberId);
    expect(due).toHaveLength(1);
    expect(await redeliver(due[0]!, morning)).toBe('SENT');
    expect(reminders(asleep.email)).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import {
  assertMayRegister,
  checkEventTimes,
  placeFor,
  qualifiesFor,
  registrantSendAt,
  registrationClosesAt,
  reminderDayFor,
} from '../../../shared/domain/events.ts';
import { Conflict, NotEligible, ValidationFailed } from '../../../shared/domain/errors.ts';
import { thrown } from '../../support/thrown.ts';

const event = {
  eventId: 'ev-1',
  startsAt: '2027-03-10T18:00:00.000Z',
  endsAt: '2027-03-10T20:00:00.000Z',
  capacity: 2,
  minTier: 'SILVER' as const,
};

describe('member-only events', () => {
  it('checks the times: ends after it starts, registration closes no later than the start', () => {
    expect(() => checkEventTimes(event)).not.toThrow();
    expect(thrown(() => checkEventTimes({ ...event, endsAt: event.startsAt }))).toBeInstanceOf(ValidationFailed);
    expect(thrown(() => checkEventTimes({ ...event, registrationDeadline: '2027-03-11T00:00:00.000Z' }))).toBeInstanceOf(ValidationFailed);
  });

  it('lets a tier at or above the minimum in, refuses below with not-eligible and the tier', () => {
    expect(qualifiesFor('SILVER', event)).toBe(true);
    expect(qualifiesFor('PLATINUM', event)).toBe(true);
    expect(qualifiesFor('REGULAR', event)).toBe(false);
    const error = thrown(() => assertMayRegister(event, 'REGULAR', '2027-03-01T00:00:00.000Z'));
    expect(error).toBeInstanceOf(NotEligible);
    expect((error as NotEligible).details).toEqual({ minTier: 'SILVER' });
  });

  it('closes registration at the deadline, or at the start without one', () => {
    expect(registrationClosesAt(event)).toBe(event.startsAt);
    expect(thrown(() => assertMayRegister(event, 'GOLD', event.startsAt))).toBeInstanceOf(Conflict);
    const withDeadline = { ...event, registrationDeadline: '2027-03-09T12:00:00.000Z' };
    expect(() => assertMayRegister(withDeadline, 'GOLD', '2027-03-09T11:59:59.999Z')).not.toThrow();
    expect(thrown(() => assertMayRegister(withDeadline, 'GOLD', '2027-03-09T12:00:00.000Z'))).toBeInstanceOf(Conflict);
  });

  it('gives a seat while one is free, else the next waitlist number and position', () => {
    expect(placeFor({ capacity: 2, registered: 1, waiting: 0, nextWait: 1 })).toEqual({ status: 'REGISTERED' });
    expect(placeFor({ capacity: 2, registered: 2, waiting: 0, nextWait: 1 })).toEqual({ status: 'WAITLISTED', seq: 1, position: 1 });
    // Two were promoted since: numbers keep counting, positions count who is still waiting.
    expect(placeFor({ capacity: 2, registered: 2, waiting: 1, nextWait: 4 })).toEqual({ status: 'WAITLISTED', seq: 4, position: 2 });
  });

  it('reminds on the UTC day before', () => {
    expect(reminderDayFor('2027-03-09T09:00:00.000Z')).toBe('2027-03-10');
    expect(reminderDayFor('2027-12-31T23:59:59.000Z')).toBe('2028-01-01');
  });
});

describe("messages about a member's own registration", () => {
  const startsAt = '2026-12-08T18:00:00.000Z';
  it('go now in the daytime of the member', () => {
    expect(registrantSendAt('2026-12-07T09:00:00.000Z', 'Europe/Berlin', startsAt)).toBeUndefined();
  });
  it("wait out the member's quiet hours (21:00-08:00 in their zone)", () => {
    // 09:00 UTC is 01:00 in Los Angeles: the notice waits for 08:00 there (16:00 UTC).
    expect(registrantSendAt('2026-12-07T09:00:00.000Z', 'America/Los_Angeles', startsAt)).toBe('2026-12-07T16:00:00.000Z');
    expect(registrantSendAt('2026-12-07T22:30:00.000Z', 'UTC', startsAt)).toBe('2026-12-08T08:00:00.000Z');
  });
  it('go at night rather than after the event has started', () => {
    expect(registrantSendAt('2026-12-07T22:30:00.000Z', 'UTC', '2026-12-08T07:00:00.000Z')).toBeUndefined();
  });
});

import * as z from 'zod';
import { registrationStatuses } from '../domain/events.ts';
import { tierNames } from '../domain/tiers.ts';
import { LocationId, Name, RequestId, Timestamp } from './common.ts';

/** Member-only events and registrations (functions/api/events.ts). */
const EventId = RequestId.meta({ description: 'Event id (client-chosen; creating it twice with the same body replays)' });
const MemberRef = RequestId.meta({ description: 'Member id' });
const EventTier = z.enum(tierNames);

export const EventParams = z.object({ eventId: EventId });
export const RegistrationParams = z.object({ eventId: EventId, memberId: MemberRef });

export const EventInput = z
  .strictObject({
    eventId: EventId,
    locationId: LocationId.meta({ description: 'The store that holds the event' }),
    title: Name(200),
    description: z.string().max(2000).optional(),
    startsAt: Timestamp,
    endsAt: Timestamp,
    capacity: z.int().min(1).max(100_000),
    minTier: EventTier.default('REGULAR').meta({ description: 'The lowest tier that may see and join the event' }),
    registrationDeadline: Timestamp.optional().meta({ description: 'Registration closes then (default: when the event starts)' }),
  })
  .meta({ id: 'EventInput' });

export const MemberEvent = z
  .object({
    eventId: EventId,
    locationId: LocationId,
    title: z.string(),
    description: z.string().optional(),
    startsAt: Timestamp,
    endsAt: Timestamp,
    capacity: z.int(),
    minTier: EventTier,
    registrationDeadline: Timestamp.optional(),
    registered: z.int().meta({ description: 'Seats taken' }),
    waiting: z.int().meta({ description: 'Members on the waitlist' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'MemberEvent', description: 'A member-only event with its seats' });
export type MemberEvent = z.output<typeof MemberEvent>;

export const EventsQuery = z.object({
  locationId: LocationId.optional(),
  from: Timestamp.optional().meta({ description: 'Events starting at or after this time (default: all)' }),
});

export const EventList = z.object({ items: z.array(MemberEvent) }).meta({ id: 'EventList' });

export const RegistrationInput = z
  .strictObject({
    registrationId: RequestId.optional().meta({ description: 'Makes the registration idempotent (or send Idempotency-Key)' }),
    memberId: MemberRef.optional().meta({ description: 'Who registers; a member token registers its own member' }),
  })
  .meta({ id: 'RegistrationInput' });

export const Registration = z
  .object({
    eventId: EventId,
    memberId: MemberRef,
    registrationId: RequestId,
    status: z.enum(registrationStatuses),
    position: z.int().min(1).optional().meta({ description: 'Place on the waitlist (1 = next to move up), while waitlisted' }),
    registeredAt: Timestamp,
    promotedAt: Timestamp.optional().meta({ description: 'When a cancellation moved the member up from the waitlist' }),
    cancelledAt: Timestamp.optional(),
  })
  .meta({ id: 'Registration' });
export type Registration = z.output<typeof Registration>;

export const RegistrationList = z
  .object({
    eventId: EventId,
    registered: z.array(Registration),
    waitlist: z.array(Registration).meta({ description: 'In order: the first moves up on the next cancellation' }),
  })
  .meta({ id: 'RegistrationList' });

export const Cancellation = z
  .object({
    cancelled: Registration,
    promoted: Registration.optional().meta({ description: 'The waitlisted member who got the freed seat' }),
  })
  .meta({ id: 'Cancellation' });

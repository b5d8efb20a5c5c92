import * as z from 'zod';
import { registrationStatuses } from '../domain/events.ts';
import { tierNames } from '../domain/tiers.ts';
import { LocationId, Name, RequestId, Timestamp } from './common.ts';

/** Member-only events and registrations (functions/api/events.ts). */
const EventId = /* @__PURE__ */ RequestId.meta({ description: 'Event id (client-chosen; creating it twice with the same body replays)' });
const MemberRef = /* @__PURE__ */ RequestId.meta({ description: 'Member id' });
const EventTier = /* @__PURE__ */ z.enum(tierNames);

export const EventParams = /* @__PURE__ */ z.object({ eventId: EventId });
export const RegistrationParams = /* @__PURE__ */ z.object({ eventId: EventId, memberId: MemberRef });

export const EventInput = /* @__PURE__ */ z
  .strictObject({
    eventId: EventId,
    locationId: /* @__PURE__ */ LocationId.meta({ description: 'The store that holds the event' }),
    title: /* @__PURE__ */ Name(200),
    description: /* @__PURE__ */ z.string().max(2000).optional(),
    startsAt: Timestamp,
    endsAt: Timestamp,
    capacity: /* @__PURE__ */ z.int().min(1).max(100_000),
    minTier: /* @__PURE__ */ EventTier.default('REGULAR').meta({ description: 'The lowest tier that may see and join the event' }),
    registrationDeadline: /* @__PURE__ */ Timestamp.optional().meta({ description: 'Registration closes then (default: when the event starts)' }),
  })
  .meta({ id: 'EventInput' });

export const MemberEvent = /* @__PURE__ */ z
  .object({
    eventId: EventId,
    locationId: LocationId,
    title: /* @__PURE__ */ z.string(),
    description: /* @__PURE__ */ z.string().optional(),
    startsAt: Timestamp,
    endsAt: Timestamp,
    capacity: /* @__PURE__ */ z.int(),
    minTier: EventTier,
    registrationDeadline: /* @__PURE__ */ Timestamp.optional(),
    registered: /* @__PURE__ */ z.int().meta({ description: 'Seats taken' }),
    waiting: /* @__PURE__ */ z.int().meta({ description: 'Members on the waitlist' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'MemberEvent', description: 'A member-only event with its seats' });
export type MemberEvent = z.output<typeof MemberEvent>;

export const EventsQuery = /* @__PURE__ */ z.object({
  locationId: /* @__PURE__ */ LocationId.optional(),
  from: /* @__PURE__ */ Timestamp.optional().meta({ description: 'Events starting at or after this time (default: all)' }),
});

export const EventList = /* @__PURE__ */ z.object({ items: /* @__PURE__ */ z.array(MemberEvent) }).meta({ id: 'EventList' });

export const RegistrationInput = /* @__PURE__ */ z
  .strictObject({
    registrationId: /* @__PURE__ */ RequestId.optional().meta({ description: 'Makes the registration idempotent (or send Idempotency-Key)' }),
    memberId: /* @__PURE__ */ MemberRef.optional().meta({ description: 'Who registers; a member token registers its own member' }),
  })
  .meta({ id: 'RegistrationInput' });

export const Registration = /* @__PURE__ */ z
  .object({
    eventId: EventId,
    memberId: MemberRef,
    registrationId: RequestId,
    status: /* @__PURE__ */ z.enum(registrationStatuses),
    position: /* @__PURE__ */ z.int().min(1).optional().meta({ description: 'Place on the waitlist (1 = next to move up), while waitlisted' }),
    registeredAt: Timestamp,
    promotedAt: /* @__PURE__ */ Timestamp.optional().meta({ description: 'When a cancellation moved the member up from the waitlist' }),
    cancelledAt: /* @__PURE__ */ Timestamp.optional(),
  })
  .meta({ id: 'Registration' });
export type Registration = z.output<typeof Registration>;

export const RegistrationList = /* @__PURE__ */ z
  .object({
    eventId: EventId,
    registered: /* @__PURE__ */ z.array(Registration),
    waitlist: /* @__PURE__ */ z.array(Registration).meta({ description: 'In order: the first moves up on the next cancellation' }),
  })
  .meta({ id: 'RegistrationList' });

export const Cancellation = /* @__PURE__ */ z
  .object({
    cancelled: Registration,
    promoted: /* @__PURE__ */ Registration.optional().meta({ description: 'The waitlisted member who got the freed seat' }),
  })
  .meta({ id: 'Cancellation' });

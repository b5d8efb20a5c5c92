/**
 * The routes functions/api/events.ts handles: member-only events and their
 * registrations (docs/members.md, "Events and feedback").
 */
import {
  Cancellation,
  EventInput,
  EventList,
  EventParams,
  EventsQuery,
  MemberEvent,
  Registration,
  RegistrationInput,
  RegistrationList,
  RegistrationParams,
} from '../../shared/schemas/events.ts';
import { everyone, staffAndService, type RouteWithGrants } from './definition.ts';

const readEvents = { inventory: 'read', members: 'read' } as const;
const writeEvents = { inventory: 'readWrite', members: 'read' } as const;

export const createEvent = {
  method: 'POST',
  path: '/events',
  entry: 'functions/api/events.ts',
  auth: ['admin'],
  tag: 'members',
  tables: { inventory: 'readWrite' },
  summary: 'HQ creates a member-only event at a store: time, capacity, minimum tier, registration deadline',
  body: EventInput,
  idempotencyKey: 'eventId',
  location: '/events/{eventId}',
  success: { status: 201, schema: MemberEvent, description: 'The event with its seats' },
} as const satisfies RouteWithGrants;

export const listEvents = {
  method: 'GET',
  path: '/events',
  entry: 'functions/api/events.ts',
  auth: everyone,
  tag: 'members',
  tables: readEvents,
  summary: 'Events by start: staff see their stores (HQ all), members the events their tier qualifies for',
  query: EventsQuery,
  success: { status: 200, schema: EventList, description: 'The events with their seats' },
} as const satisfies RouteWithGrants;

export const getEvent = {
  method: 'GET',
  path: '/events/{eventId}',
  entry: 'functions/api/events.ts',
  auth: everyone,
  tag: 'members',
  tables: readEvents,
  summary: 'One event with its seats (404 for a member whose tier does not qualify)',
  params: EventParams,
  success: { status: 200, schema: MemberEvent, description: 'The event' },
} as const satisfies RouteWithGrants;

export const registerForEvent = {
  method: 'POST',
  path: '/events/{eventId}/registrations',
  entry: 'functions/api/events.ts',
  auth: everyone,
  tag: 'members',
  tables: writeEvents,
  summary:
    'A member registers (staff: for a member), first come first served: a seat while one is free, else the waitlist with its position; below the tier 403 not-eligible, registered already 409, closed 409',
  params: EventParams,
  body: RegistrationInput,
  idempotencyKey: 'registrationId',
  location: '/events/{eventId}/registrations/{memberId}',
  success: { status: 201, schema: Registration, description: 'The registration: REGISTERED, or WAITLISTED with its position' },
} as const satisfies RouteWithGrants;

export const listEventRegistrations = {
  method: 'GET',
  path: '/events/{eventId}/registrations',
  entry: 'functions/api/events.ts',
  auth: staffAndService,
  tag: 'members',
  tables: readEvents,
  summary: 'Who is registered, and the waitlist in order',
  params: EventParams,
  success: { status: 200, schema: RegistrationList, description: 'Registered members and the waitlist' },
} as const satisfies RouteWithGrants;

export const getEventRegistration = {
  method: 'GET',
  path: '/events/{eventId}/registrations/{memberId}',
  entry: 'functions/api/events.ts',
  auth: everyone,
  tag: 'members',
  tables: readEvents,
  summary: "A member's registration, with the waitlist position while waiting",
  params: RegistrationParams,
  success: { status: 200, schema: Registration, description: 'The registration' },
} as const satisfies RouteWithGrants;

export const cancelEventRegistration = {
  method: 'DELETE',
  path: '/events/{eventId}/registrations/{memberId}',
  entry: 'functions/api/events.ts',
  auth: everyone,
  tag: 'members',
  // The promoted member is told through the send gate: their message is recorded on them.
  tables: { inventory: 'readWrite', members: 'readWrite' },
  sendsMessages: true,
  summary: 'Cancels a registration; a freed seat goes to the first waitlisted member in the same transaction, who is told (transactional)',
  params: RegistrationParams,
  success: { status: 200, schema: Cancellation, description: 'The cancelled registration and the member promoted, if any' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { createEvent, listEvents, getEvent, registerForEvent, listEventRegistrations, getEventRegistration, cancelEventRegistration };

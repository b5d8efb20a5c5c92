/**
 * Member-only events as stored (inventory table): the event, its seat
 * counter (`SEATS`) and its registrations share the event's partition. Every
 * registration and cancellation is one transaction with a condition on the
 * counter, so seats are never given twice and the waitlist moves up exactly
 * once per freed seat, whatever runs at the same time.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import type { EventRules, RegistrationStatus, Seats } from '../domain/events.ts';
import type { MemberEvent, Registration } from '../schemas/events.ts';
import { batchGetInventory, getInventoryItem } from './catalog.ts';
import { documentClient, queryAll, tableName } from './client.ts';
import { entities, eventKeys, withoutKeys } from './keys.ts';
import type { TransactItem } from './transact.ts';

const inventory = () => tableName(tables.inventory);

export interface StoredEvent extends EventRules {
  readonly locationId: string;
  readonly title: string;
  readonly description?: string;
  readonly createdAt: string;
  readonly fingerprint: string;
}

// ---- events

/** The event and its counter, each new: a second create of the id fails at the event (index 0). */
export const eventCreateItems = (event: Omit<StoredEvent, 'createdAt'>, now: string): TransactItem[] => [
  {
    Put: {
      TableName: inventory(),
      Item: { ...eventKeys.event(event.eventId), ...eventKeys.eventListing(event.startsAt, event.eventId), entity: entities.event, ...event, createdAt: now },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
  {
    Put: {
      TableName: inventory(),
      Item: { ...eventKeys.seats(event.eventId), entity: entities.eventSeats, capacity: event.capacity, registered: 0, waiting: 0, nextWait: 1 },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
];

export const readEvent = async (eventId: string): Promise<StoredEvent | undefined> =>
  (await getInventoryItem(eventKeys.event(eventId))) as StoredEvent | undefined;

export const readSeats = async (eventId: string): Promise<Seats> => {
  const item = await getInventoryItem(eventKeys.seats(eventId));
  return {
    capacity: Number(item?.capacity ?? 0),
    registered: Number(item?.registered ?? 0),
    waiting: Number(item?.waiting ?? 0),
    nextWait: Number(item?.nextWait ?? 1),
  };
};

/** The event as answered, with its seats. */
export const eventView = (event: StoredEvent, seats: Seats): MemberEvent => ({
  ...withoutKeys<MemberEvent>(event as unknown as Record<string, unknown>, ['fingerprint']),
  registered: seats.registered,
  waiting: seats.waiting,
});

/** Every event starting at or after `from` (all without it), by start, each with its seats. */
export const listEvents = async (from?: string): Promise<MemberEvent[]> => {
  const items = (await queryAll({
    TableName: inventory(),
    IndexName: 'gsi1',
    KeyConditionExpression: from ? 'gsi1pk = :pk AND gsi1sk >= :from' : 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': eventKeys.eventListingKey, ...(from ? { ':from': from } : {}) },
  })) as unknown as StoredEvent[];
  return withSeats(items);
};

/** The events starting on a UTC day (the reminder job's), each with its seats. */
export const eventsStartingOn = async (day: string): Promise<MemberEvent[]> => {
  const items = (await queryAll({
    TableName: inventory(),
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': eventKeys.eventsOn(day) },
  })) as unknown as StoredEvent[];
  return withSeats(items);
};

const withSeats = async (events: StoredEvent[]): Promise<MemberEvent[]> => {
  if (events.length === 0) return [];
  const counters = await batchGetInventory(events.map((e) => eventKeys.seats(e.eventId)));
  const byEvent = new Map(counters.map((c) => [String(c.pk), c]));
  return events.map((event) => {
    const c = byEvent.get(eventKeys.seats(event.eventId).pk);
    return eventView(event, { capacity: event.capacity, registered: Number(c?.registered ?? 0), waiting: Number(c?.waiting ?? 0), nextWait: 0 });
  });
};

// ---- registrations

export interface StoredRegistration extends Registration {
  readonly seq?: number;
}

const registrationOf = (item: Record<string, unknown>): StoredRegistration => withoutKeys<StoredRegistration>(item, ['fingerprint']);

export const readRegistration = async (eventId: string, memberId: string): Promise<StoredRegistration | undefined> => {
  const item = await getInventoryItem(eventKeys.registration(eventId, memberId));
  return item ? registrationOf(item) : undefined;
};

/** Every registration of an event (any status). */
export const registrationsOf = async (eventId: string): Promise<StoredRegistration[]> =>
  (
    await queryAll({
      TableName: inventory(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :reg)',
      ExpressionAttributeValues: { ':pk': eventKeys.registrationsOf(eventId), ':reg': eventKeys.registrationsFrom },
      ConsistentRead: true,
    })
  ).map(registrationOf);

/** The first members on the waitlist, in order (the index may lag: the promotion's condition catches a stale one). */
export const firstWaitlisted = async (eventId: string, limit: number): Promise<StoredRegistration[]> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': eventKeys.waitlistOf(eventId) },
      Limit: limit,
    }),
  );
  return (output.Items ?? []).map(registrationOf);
};

/** The guard of a registration request id: its fingerprint and the first answer. */
export const readRegistrationRequest = async (registrationId: string): Promise<{ fingerprint: string; answer: Registration } | undefined> =>
  (await getInventoryItem(eventKeys.registrationRequest(registrationId))) as { fingerprint: string; answer: Registration } | undefined;

/**
 * One registration: the request guard, the registration (new, or replacing a
 * cancelled one) and the counter, conditioned on the counter as read (a seat
 * only while one is free; a waitlist number only if nobody took it first).
 * Labels: `request`, `registration`, `seats`.
 */
export const registrationItems = (
  registration: Registration,
  place: { status: 'REGISTERED' } | { status: 'WAITLISTED'; seq: number; position: number },
  seats: Seats,
  fingerprint: string,
  now: string,
): { label: string; item: TransactItem }[] => {
  const { eventId, memberId, registrationId } = registration;
  const waitlisted = place.status === 'WAITLISTED';
  return [
    {
      label: 'request',
      item: {
        Put: {
          TableName: inventory(),
          Item: {
            ...eventKeys.registrationRequest(registrationId),
            entity: entities.eventRequest,
            eventId,
            memberId,
            fingerprint,
            answer: registration,
            at: now,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    },
    {
      label: 'registration',
      item: {
        Put: {
          TableName: inventory(),
          Item: {
            ...eventKeys.registration(eventId, memberId),
            ...eventKeys.memberRegistration(memberId, eventId),
            ...(waitlisted ? { ...eventKeys.waitlisted(eventId, place.seq), seq: place.seq } : {}),
            entity: entities.eventRegistration,
            eventId,
            memberId,
            registrationId,
            status: place.status,
            registeredAt: now,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :cancelled',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':cancelled': 'CANCELLED' satisfies RegistrationStatus },
        },
      },
    },
    {
      label: 'seats',
      item: waitlisted
        ? {
            Update: {
              TableName: inventory(),
              Key: eventKeys.seats(eventId),
              UpdateExpression: 'SET waiting = waiting + :one, nextWait = nextWait + :one',
              ConditionExpression: 'nextWait = :seq AND waiting = :waiting AND registered >= #capacity',
              ExpressionAttributeNames: { '#capacity': 'capacity' },
              ExpressionAttributeValues: { ':one': 1, ':seq': place.seq, ':waiting': seats.waiting },
            },
          }
        : {
            Update: {
              TableName: inventory(),
              Key: eventKeys.seats(eventId),
              UpdateExpression: 'SET registered = registered + :one',
              ConditionExpression: 'registered < #capacity',
              ExpressionAttributeNames: { '#capacity': 'capacity' },
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
    },
  ];
};

const statusChange = (eventId: string, memberId: string, from: RegistrationStatus, to: RegistrationStatus, at: string, stamp: string): TransactItem => ({
  Update: {
    TableName: inventory(),
    Key: eventKeys.registration(eventId, memberId),
    UpdateExpression: `SET #status = :to, #stamp = :at REMOVE gsi2pk, gsi2sk, seq`,
    ConditionExpression: '#status = :from',
    ExpressionAttributeNames: { '#status': 'status', '#stamp': stamp },
    ExpressionAttributeValues: { ':to': to, ':from': from, ':at': at },
  },
});

const seatsUpdate = (eventId: string, update: string, condition: string): TransactItem => ({
  Update: {
    TableName: inventory(),
    Key: eventKeys.seats(eventId),
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
  },
});

/**
 * A cancellation. A waitlisted member leaves the waitlist. A registered
 * member's seat goes to `promote` (the first waitlisted, who must still be
 * waiting) with the counter's waitlist one shorter; with nobody to promote
 * the seat is freed, on condition that nobody is waiting. Labels:
 * `cancelled`, `promoted`, `seats`.
 */
export const cancellationItems = (
  cancelled: StoredRegistration,
  promote: StoredRegistration | undefined,
  now: string,
): { label: string; item: TransactItem }[] => {
  const { eventId, memberId } = cancelled;
  const leave = { label: 'cancelled', item: statusChange(eventId, memberId, cancelled.status, 'CANCELLED', now, 'cancelledAt') };
  if (cancelled.status === 'WAITLISTED') {
    return [leave, { label: 'seats', item: seatsUpdate(eventId, 'SET waiting = waiting - :one', 'waiting > :zero') }];
  }
  if (promote) {
    return [
      leave,
      { label: 'promoted', item: statusChange(eventId, promote.memberId, 'WAITLISTED', 'REGISTERED', now, 'promotedAt') },
      { label: 'seats', item: seatsUpdate(eventId, 'SET waiting = waiting - :one', 'waiting > :zero') },
    ];
  }
  return [leave, { label: 'seats', item: seatsUpdate(eventId, 'SET registered = registered - :one', 'waiting = :zero AND registered > :zero') }];
};

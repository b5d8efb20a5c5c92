/**
 * The EPCIS trail (rfid table): stored ObjectEvents, each holding the EPCs
 * of one gate message's pass of one class (shared/domain/epcis.ts
 * `packGateEvents`, written by the ingest after its claims) or of one sale
 * (`packSaleEvents`, written by the epcisSales stream consumer), read back
 * per location and time range. A location's events of one UTC day share a
 * partition, ordered by the event's time. Items written before packing (one
 * per item event, entity ITEM_EVENT) are still read. Choices: docs/epcis.md.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { mapLimited } from '../concurrency.ts';
import { legacyGateEvent, type StoredItemEvent, type StoredObjectEvent } from '../domain/epcis.ts';
import { dayMillis, dayOf } from '../domain/time.ts';
import { documentClient, tableName } from './client.ts';
import { decodeCursor, encodeCursor, invalidCursor } from './cursor.ts';
import { rfidEntities, rfidKeys } from './keys.ts';

const rfid = () => tableName(tables.rfid);

/** Stored events written at once by one call (a gate message has one or two, a big one a few more). */
const putConcurrency = 8;

/**
 * Keeps stored events, one UpdateItem each, keyed by the event (its id and
 * time, both derived from the message or sale): the event's fields are set
 * and its EPCs added to a string set (`ADD`, a union). A retry or replay
 * writes the same item, and the set only grows: an attempt that claimed
 * fewer of a message's items (a window another event replaced meanwhile)
 * removes none that an earlier one kept, and one that completes claims an
 * earlier attempt left undone adds the missing EPCs. Not BatchWriteItem:
 * a put replaces the whole item, so a smaller attempt would drop EPCs.
 * A failure throws: the caller's invocation fails and its retry writes it.
 */
export const putObjectEvents = async (events: readonly StoredObjectEvent[]): Promise<void> => {
  const table = rfid();
  await mapLimited(events, putConcurrency, async (event) => {
    const common = { entity: rfidEntities.objectEvent, source: event.source, eventId: event.eventId, locationId: event.locationId, eventTime: event.eventTime };
    const fields: Record<string, unknown> =
      event.source === 'GATE' ? { ...common, gateId: event.gateId, direction: event.direction, sold: event.sold } : { ...common, saleId: event.saleId };
    const names: Record<string, string> = { '#epcs': 'epcs' };
    const values: Record<string, unknown> = { ':epcs': new Set(event.epcs) };
    const sets = Object.entries(fields).map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      return `#f${i} = :f${i}`;
    });
    await documentClient.send(
      new UpdateCommand({
        TableName: table,
        Key: rfidKeys.itemEvent(event.locationId, dayOf(event.eventTime), event.eventTime, event.eventId),
        UpdateExpression: `SET ${sets.join(', ')} ADD #epcs :epcs`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  });
};

/** The UTC days from `from` to `to`, both included. */
const daysBetween = (from: string, to: string): string[] => {
  const days: string[] = [];
  for (let at = Date.parse(`${dayOf(from)}T00:00:00.000Z`); at <= Date.parse(to); at += dayMillis) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
};

const sortedEpcs = (value: unknown): string[] => [...((value as Iterable<string> | undefined) ?? [])].sort();

/** A stored item as the event it holds: packed (OBJECT_EVENT), or one item event as stored before packing (ITEM_EVENT). */
const eventOf = (item: Record<string, unknown>): StoredObjectEvent => {
  if (item.entity === rfidEntities.itemEvent) return legacyGateEvent(item as unknown as StoredItemEvent);
  const base = { eventId: item.eventId as string, locationId: item.locationId as string, eventTime: item.eventTime as string, epcs: sortedEpcs(item.epcs) };
  if (item.source === 'SALE') return { ...base, source: 'SALE', saleId: item.saleId as string };
  return { ...base, source: 'GATE', gateId: item.gateId as string, direction: item.direction as StoredItemEvent['direction'], sold: item.sold === true };
};

/**
 * A page of a location's stored events whose time is in [from, to] (UTC
 * ISO-8601 with milliseconds), oldest first. The cursor is the last
 * event's key; one that names another location or a day outside the range
 * is refused (ValidationFailed). No cursor when nothing follows.
 */
export const readObjectEvents = async (
  locationId: string,
  range: { from: string; to: string },
  limit: number,
  cursor: string | undefined,
): Promise<{ items: StoredObjectEvent[]; cursor?: string }> => {
  const days = daysBetween(range.from, range.to);
  const partitions = days.map((day) => rfidKeys.itemEventsOn(locationId, day));
  let start = decodeCursor(cursor, { attributes: ['pk', 'sk'] });
  let first = 0;
  if (start) {
    first = partitions.indexOf(start.pk as string);
    const sk = start.sk as string;
    if (first < 0 || sk < range.from || sk > `${range.to}#~`) throw invalidCursor();
  }
  const items: Record<string, unknown>[] = [];
  for (let i = first; i < partitions.length && items.length <= limit; i++) {
    do {
      const output = await documentClient.send(
        new QueryCommand({
          TableName: rfid(),
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': partitions[i], ':from': range.from, ':to': `${range.to}#~` },
          Limit: limit + 1 - items.length,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(output.Items ?? []));
      start = output.LastEvaluatedKey;
    } while (start && items.length <= limit);
    start = undefined;
  }
  if (items.length <= limit) return { items: items.map(eventOf) };
  const last = items[limit - 1]!;
  return { items: items.slice(0, limit).map(eventOf), cursor: encodeCursor({ pk: last.pk, sk: last.sk }) };
};

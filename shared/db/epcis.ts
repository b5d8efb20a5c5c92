/**
 * Gate item events kept for the EPCIS export (rfid table): one item per
 * item event, written by the ingest when it claims the event
 * (`claimSerial`, shared/db/rfid.ts) and read back per location and time
 * range. A location's events of one UTC day share a partition, ordered by
 * the event's first read. Choices: docs/epcis.md.
 */
import { BatchWriteCommand, type BatchWriteCommandInput, type BatchWriteCommandOutput, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TemporarilyUnavailable } from '../domain/errors.ts';
import { batchWriteItemLimit } from '../domain/limits.ts';
import { tables } from '../../infra/tables.ts';
import type { StoredItemEvent } from '../domain/epcis.ts';
import { utcIso } from '../domain/epcis.ts';
import type { Sgtin } from '../domain/epc.ts';
import type { GateDirection, PlannedEvent } from '../domain/rfid.ts';
import { dayMillis, dayOf } from '../domain/time.ts';
import { documentClient, tableName } from './client.ts';
import { decodeCursor, encodeCursor, invalidCursor } from './cursor.ts';
import { rfidEntities, rfidKeys } from './keys.ts';
import { backOff } from './transact.ts';

const rfid = () => tableName(tables.rfid);

/** The item events a gate message's claim of one serial found, as stored. */
export const storedItemEvents = (
  gate: { locationId: string; gateId: string; direction: GateDirection },
  item: Sgtin,
  events: readonly PlannedEvent[],
): StoredItemEvent[] =>
  events.map((event) => ({
    eventId: event.movementId,
    locationId: gate.locationId,
    gateId: gate.gateId,
    direction: gate.direction,
    eventTime: utcIso(event.sighting.firstAt),
    epc: event.sighting.epc,
    companyPrefix: item.companyPrefix,
    itemReference: item.itemReference,
    serial: item.serial,
    stateBefore: event.current.state,
  }));

const batchWriteTries = 5;

/**
 * Keeps a gate message's item events, in batches of 25 puts after all its
 * claims (the claims stay one tight conditional write each), keyed by the
 * event (its id and first read): a retried or replayed message writes the
 * same items again, so each event is kept once. Unprocessed puts are tried
 * again with backoff; still unprocessed, the message fails and its retry
 * keeps them.
 */
export const putItemEvents = async (events: readonly StoredItemEvent[]): Promise<void> => {
  const table = rfid();
  const chunks: StoredItemEvent[][] = [];
  for (let i = 0; i < events.length; i += batchWriteItemLimit) chunks.push(events.slice(i, i + batchWriteItemLimit));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: BatchWriteCommandInput['RequestItems'] | undefined = {
        [table]: chunk.map((event) => ({
          PutRequest: {
            Item: { ...rfidKeys.itemEvent(event.locationId, dayOf(event.eventTime), event.eventTime, event.eventId), entity: rfidEntities.itemEvent, ...event },
          },
        })),
      };
      for (let attempt = 0; pending?.[table]?.length; attempt++) {
        if (attempt >= batchWriteTries) throw new TemporarilyUnavailable(`BatchWriteItem left ${pending[table].length} item events unprocessed`);
        if (attempt > 0) await backOff(attempt);
        const output: BatchWriteCommandOutput = await documentClient.send(new BatchWriteCommand({ RequestItems: pending }));
        pending = output.UnprocessedItems;
      }
    }),
  );
};

/** The UTC days from `from` to `to`, both included. */
const daysBetween = (from: string, to: string): string[] => {
  const days: string[] = [];
  for (let at = Date.parse(`${dayOf(from)}T00:00:00.000Z`); at <= Date.parse(to); at += dayMillis) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
};

const eventOf = (item: Record<string, unknown>): StoredItemEvent => ({
  eventId: item.eventId as string,
  locationId: item.locationId as string,
  gateId: item.gateId as string,
  direction: item.direction as GateDirection,
  eventTime: item.eventTime as string,
  epc: item.epc as string,
  companyPrefix: item.companyPrefix as string,
  itemReference: item.itemReference as string,
  serial: item.serial as string,
  stateBefore: item.stateBefore as StoredItemEvent['stateBefore'],
});

/**
 * A page of a location's item events whose first read is in [from, to]
 * (UTC ISO-8601 with milliseconds), oldest first. The cursor is the last
 * event's key; one that names another location or a day outside the range
 * is refused (ValidationFailed). No cursor when nothing follows.
 */
export const readItemEvents = async (
  locationId: string,
  range: { from: string; to: string },
  limit: number,
  cursor: string | undefined,
): Promise<{ items: StoredItemEvent[]; cursor?: string }> => {
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

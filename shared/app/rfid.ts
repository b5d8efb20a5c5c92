/**
 * RFID gate reads into stock: the story of one gate message. Decode the
 * EPCs, collapse repeats, read the message's serials (each carries its
 * dedupe window per gate) in one batch, claim each new event and move its
 * serial in one conditional write, and book each SKU's events as one
 * RFID_IN/RFID_OUT movement whose id is derived from the message, so a
 * retry or replay books nothing twice. The serials and GTIN claims are read
 * and written by shared/db/rfid.ts, the rules are pure in
 * shared/domain/rfid.ts and shared/domain/dedupe.ts. Choices: docs/rfid.md.
 */
import { createHash } from 'node:crypto';
import { mapLimited } from '../concurrency.ts';
import { collapseReads, mayContinuePreviousMessage, plausibleReads } from '../domain/dedupe.ts';
import { decodeEpc, type Sgtin } from '../domain/epc.ts';
import { IdempotencyKeyReused, OutOfStock } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import {
  gateMessageKey,
  isExitGate,
  messageMovementId,
  movementTypeOf,
  movesStock,
  type PlannedEvent,
  raisesAlarm,
  type SerialStateBefore,
} from '../domain/rfid.ts';
import { getLocations } from '../db/catalog.ts';
import { packGateEvents, sgtinUri } from '../domain/epcis.ts';
import { putObjectEvents } from '../db/epcis.ts';
import { claimSerial, type GateMessage, readSerials, serialPk, skusOfGtins } from '../db/rfid.ts';
import { publishGateEvent } from '../messaging/gate-events.ts';
import type { Transfer } from '../schemas/transfers.ts';
import { recordMovement } from './stock.ts';
import { OverReceived, openInboundBySku, receiveTransfer } from './transfers.ts';
import { nowIso } from '../clock.ts';

/** Conditional writes in flight per invocation: enough to hide latency, few enough not to throttle a new table. */
const claimConcurrency = 16;
/** SKUs booked in parallel: one movement each per message. */
const skuConcurrency = 8;
/** How many unknown GTINs and undecodable EPCs an acknowledgement names (it counts them all). */
const reportedSamples = 20;

export interface UnsoldExit {
  readonly epc: string;
  readonly gtin: string;
  readonly serial: string;
  readonly sku: string;
  readonly at: string;
  readonly stateBefore: SerialStateBefore;
}

export interface IngestResult {
  readonly received: number;
  readonly distinctEpcs: number;
  /** Item events booked by this message. */
  readonly booked: number;
  /** Item events an earlier attempt at this message had booked already. */
  readonly alreadyBooked: number;
  /** Sightings inside a window already counted (earlier messages). */
  readonly duplicates: number;
  /** RFID_OUT of items the books had none of at the location: the serial moved, the level did not. */
  readonly notOnBooks: number;
  /** Item events whose stock movement the books already show (a sold item leaving or coming back in, a repeated state). */
  readonly unchanged: number;
  /** Item events of RFID-tagged SKUs a document had already booked (a receipt before the dock read, a quantity-only sale before the exit read): confirmed, not moved again. */
  readonly confirmed: number;
  /** Item events at a destination's gate that received units of an open transfer to it (one receipt per transfer and SKU). */
  readonly receivedOnTransfers: number;
  /** Reads more than 2 minutes ahead of the server's clock or more than 7 days old: not booked. */
  readonly clockSkew: number;
  readonly unknownGtins: { count: number; gtins: string[] };
  readonly undecodable: { count: number; epcs: string[] };
  readonly alarms: UnsoldExit[];
}

type Booking = 'BOOKED' | 'CONFIRMED' | 'RECEIVED' | 'ALREADY_BOOKED' | 'NOT_ON_BOOKS' | 'UNCHANGED';

/** An item event of the message with what claiming it found. */
interface ItemEvent extends PlannedEvent {
  readonly item: Sgtin;
  readonly sku: string;
}

const groupBy = <T>(items: readonly T[], keyOf: (item: T) => string): T[][] => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
};

/** How often a SKU's movement is tried again with fewer units when the books have fewer than the gate saw leave. */
const shortageTries = 4;

/**
 * Books one SKU's item events of a message as one movement of that many
 * units, with an id derived from the message and the SKU: a retried or
 * replayed message books nothing again. Returns one booking per event, in
 * the events' order: the oldest first are confirmed (a document booked them
 * already), booked, or, for an RFID_OUT beyond what the books have, not on
 * the books (the serial moved, the level did not; retrying would fail the
 * same way).
 */
const bookSkuEvents = async (message: GateMessage, sku: string, events: readonly ItemEvent[], principal: Principal): Promise<Booking[]> => {
  const movementId = messageMovementId(gateMessageKey(message), sku);
  let qty = events.length;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await recordMovement(
        { movementId, type: movementTypeOf(message.direction), locationId: message.locationId, lines: [{ sku, qty }] },
        principal,
      );
      // A confirmation stays one on a retried message, so the alarm it suppressed stays suppressed.
      const confirmed = outcome.result.confirmed?.find((c) => c.sku === sku)?.qty ?? 0;
      return events.map((_, i) => (i < confirmed ? 'CONFIRMED' : i >= qty ? 'NOT_ON_BOOKS' : outcome.replayed ? 'ALREADY_BOOKED' : 'BOOKED'));
    } catch (error) {
      // Booked before with fewer units (the books had fewer to leave, or the message's events were judged otherwise then): done, never twice.
      if (error instanceof IdempotencyKeyReused) return events.map(() => 'ALREADY_BOOKED');
      if (!(error instanceof OutOfStock)) throw error;
      // The items did leave; the books had fewer here (never received, or counted away): book what there is, report the rest.
      const available = Math.max(0, Math.min(qty - 1, ...error.shortages.filter((s) => s.sku === sku).map((s) => s.available)));
      if (available === 0 || attempt >= shortageTries) return events.map(() => 'NOT_ON_BOOKS');
      qty = available;
    }
  }
};

/** One receipt per gate message, SKU and transfer: the same on a retried message, so it is booked once. */
const gateReceiptId = (message: GateMessage, sku: string, transfer: Transfer): string =>
  `gate-${createHash('sha256')
    .update([message.locationId, message.gateId, message.direction, message.readAt, sku, transfer.fromLocationId, transfer.movementId].join('|'))
    .digest('hex')
    .slice(0, 40)}`;

const gatePrincipal = (message: GateMessage): Principal => ({ subject: `gate:${message.locationId}/${message.gateId}`, role: 'service', locations: [] });

/**
 * Ingests one gate message: one consistent BatchGetItem of its serials
 * (windows included), one conditional write per serial that opens an event
 * or stretches a window (none for duplicates and replays), then one movement
 * per SKU. Failures of single items do not stop the others; if any failed,
 * the call throws after all were tried, so the invocation is retried (and,
 * past its retries, kept by the error action) and the retry completes only
 * what is missing. A SKU with a failed claim is not booked in this attempt:
 * its movement is booked whole by the retry, so it is booked once.
 */
export const ingestGateReads = async (message: GateMessage, windowSeconds: number, now = nowIso()): Promise<IngestResult> => {
  // Reads stamped far from the server's clock are counted, not booked: one from 2099 would make every later event of its serial stale.
  const { accepted, skewed } = plausibleReads(message.reads, message.readAt, new Date(now));
  const sightings = collapseReads(accepted, message.readAt, windowSeconds);
  const decoded = new Map([...new Set(sightings.map((s) => s.epc))].map((epc) => [epc, decodeEpc(epc)] as const));
  const undecodable = [...decoded].filter(([, d]) => !d.ok).map(([epc]) => epc);
  const items = new Map([...decoded].flatMap(([epc, d]) => (d.ok ? [[epc, d] as const] : [])));
  const skus = await skusOfGtins([...new Set([...items.values()].map((i) => i.gtin))]);
  const unknownGtins = [...new Set([...items.values()].map((i) => i.gtin).filter((gtin) => !skus.has(gtin)))];
  const known = sightings.filter((s) => skus.has(items.get(s.epc)?.gtin ?? ''));

  const [location] = known.length > 0 ? await getLocations([message.locationId]) : [];
  if (known.length > 0 && !location) throw new Error(`Gate ${message.gateId} reports from unknown location ${message.locationId}`);
  const exitGate = isExitGate(String(location?.type), message.direction);

  const failures: Error[] = [];
  const attempt = async <R>(work: () => Promise<R>): Promise<R | undefined> => {
    try {
      return await work();
    } catch (error) {
      failures.push(error as Error);
      return undefined;
    }
  };

  // One serial's sightings (any of its EPCs) in time order: one plan, one write.
  const serials = groupBy(known, (s) => serialPk(items.get(s.epc)!)).map((group) => {
    const item = items.get(group[0]!.epc)!;
    return { item, sku: skus.get(item.gtin)!, sightings: group };
  });
  // Serials whose pass may have begun in the gate's previous message go last, read again just before: that message has claimed most of them by then.
  const firstRead = sightings[0]?.firstAt ?? message.readAt;
  const later = serials.filter((s) => mayContinuePreviousMessage(s.sightings[0]!, firstRead));
  const first = serials.filter((s) => !later.includes(s));
  const failedSkus = new Set<string>();
  const claimAll = async (group: typeof serials) => {
    const stored = group.length > 0 ? await readSerials(group.map((s) => s.item)) : new Map<string, Record<string, unknown>>();
    return mapLimited(group, claimConcurrency, async (serial) => {
      const plan = await attempt(() => claimSerial(message, serial, stored.get(serialPk(serial.item)), windowSeconds));
      if (!plan) failedSkus.add(serial.sku);
      return { serial, plan };
    });
  };
  const claims = [...(await claimAll(first)), ...(await claimAll(later))];
  const events: ItemEvent[] = claims
    .flatMap(({ serial, plan }) => (plan?.events ?? []).map((event) => ({ ...event, item: serial.item, sku: serial.sku })))
    .sort((a, b) => a.sighting.firstAt.localeCompare(b.sighting.firstAt) || a.movementId.localeCompare(b.movementId));
  const duplicates = claims.reduce((sum, { plan }) => sum + (plan?.verdicts.filter((v) => v === 'DUPLICATE').length ?? 0), 0);
  // The EPCIS trail, once all claims are made: the message's events packed into one stored event per class (a replay writes the same items).
  const passed = events.map((event) => ({ epc: event.sighting.epc, uri: sgtinUri(event.item), stateBefore: event.current.state }));
  if (passed.length > 0) {
    const pass = { ...message, messageKey: gateMessageKey(message), firstRead };
    await attempt(() =>
      putObjectEvents(
        packGateEvents(
          pass,
          passed,
          message.reads.map((r) => r.epc),
        ),
      ),
    );
  }

  const principal = gatePrincipal(message);
  // Units arriving on a shipped transfer are received against it, not booked as found.
  const inbound = message.direction === 'IN' && events.length > 0 ? await openInboundBySku(message.locationId) : new Map();
  const outcomes = (
    await mapLimited(
      groupBy(events, (e) => e.sku),
      skuConcurrency,
      async (group) => {
        const sku = group[0]!.sku;
        // The serial's state decides whether stock moves (a sold item leaving does not move it again), stale event or not.
        const results: { event: ItemEvent; booking: Booking }[] = [];
        let moving: ItemEvent[] = [];
        for (const event of group) {
          if (movesStock(message.direction, message.locationId, event.current)) moving.push(event);
          else results.push({ event, booking: 'UNCHANGED' });
        }
        // A claim of this SKU failed: the retry books the SKU's movement whole, with the same id.
        if (failedSkus.has(sku)) return results;
        for (const { transfer, open } of inbound.get(sku) ?? []) {
          const arrived = moving.slice(0, open);
          if (arrived.length === 0) break;
          moving = moving.slice(arrived.length);
          // Another receipt (a document, or another gate's message) may take open units between the read and this receipt: it receives
          // what is still open and the rest arrived all the same, so it is booked as found below (one bad record never blocks the rest).
          let fits = arrived.length;
          const received = await attempt(async () => {
            for (let tries = 0; tries < 3 && fits > 0; tries++) {
              try {
                return await receiveTransfer(
                  transfer.movementId,
                  transfer.fromLocationId,
                  { receiptId: gateReceiptId(message, sku, transfer), lines: [{ sku, qty: fits }] },
                  principal,
                  now,
                  { fromGate: true },
                );
              } catch (error) {
                if (!(error instanceof OverReceived)) throw error;
                fits = Math.min(fits, ...(error.details.lines as { open: number }[]).map((l) => l.open));
              }
            }
            fits = 0;
            return undefined;
          });
          if (received) results.push(...arrived.slice(0, fits).map((event) => ({ event, booking: 'RECEIVED' as const })));
          if (received || fits === 0) moving.push(...arrived.slice(received ? fits : 0));
        }
        if (moving.length > 0) {
          const bookings = await attempt(() => bookSkuEvents(message, sku, moving, principal));
          if (bookings) results.push(...moving.map((event, i) => ({ event, booking: bookings[i]! })));
        }
        return results;
      },
    )
  ).flat();

  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${known.length} tag sightings at ${message.locationId}/${message.gateId} failed, first: ${failures[0]!.message}`);
  }
  const count = (booking: Booking) => outcomes.filter((o) => o.booking === booking).length;
  return {
    received: message.reads.length,
    distinctEpcs: new Set(message.reads.map((r) => r.epc)).size,
    booked: count('BOOKED'),
    alreadyBooked: count('ALREADY_BOOKED'),
    duplicates,
    notOnBooks: count('NOT_ON_BOOKS'),
    unchanged: count('UNCHANGED'),
    confirmed: count('CONFIRMED'),
    receivedOnTransfers: count('RECEIVED'),
    clockSkew: skewed.length,
    unknownGtins: { count: unknownGtins.length, gtins: unknownGtins.slice(0, reportedSamples) },
    undecodable: { count: undecodable.length, epcs: undecodable.slice(0, reportedSamples) },
    // A stale exit was already judged by the later event that moved the serial.
    // An exit a quantity-only sale accounts for is a departure, not a theft.
    alarms: outcomes.flatMap(({ event, booking }) =>
      !event.stale && booking !== 'CONFIRMED' && raisesAlarm(exitGate, event.current.state)
        ? [
            {
              epc: event.sighting.epc,
              gtin: event.item.gtin,
              serial: event.item.serial,
              sku: event.sku,
              at: event.sighting.firstAt,
              stateBefore: event.current.state,
            },
          ]
        : [],
    ),
  };
};

/** An alarm lists at most this many items, so one alarm stays far below IoT Core's 128 KB. */
const alarmItemsPerMessage = 200;

/**
 * A gate's message, booked and answered on its events topic: alarms first
 * (the gate's light and buzzer matter more than the tally), then the ACK.
 */
export const acknowledgeGateReads = async (message: GateMessage, windowSeconds: number) => {
  const { alarms, ...summary } = await ingestGateReads(message, windowSeconds);
  const { locationId, gateId } = message;
  for (let i = 0; i < alarms.length; i += alarmItemsPerMessage) {
    await publishGateEvent(locationId, gateId, {
      type: 'ALARM',
      reason: 'UNSOLD_EXIT',
      readAt: message.readAt,
      items: alarms.slice(i, i + alarmItemsPerMessage),
    });
  }
  const acknowledgement = { type: 'ACK', readAt: message.readAt, direction: message.direction, ...summary, alarms: alarms.length };
  await publishGateEvent(locationId, gateId, acknowledgement);
  return { acknowledgement, alarms };
};

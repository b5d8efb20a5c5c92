/**
 * RFID gate reads into stock: the story of one gate message. Decode the
 * EPCs, collapse repeats, judge each sighting against its (EPC, gate)
 * window, move the serial's last known place, and book the item event as
 * one RFID_IN/RFID_OUT movement whose id is derived from the event, so a
 * retry books nothing twice. The windows, serials and GTIN claims are read
 * and written by shared/db/rfid.ts. Choices: docs/rfid.md.
 */
import { createHash } from 'node:crypto';
import { mapLimited } from '../concurrency.ts';
import { collapseReads, plausibleReads } from '../domain/dedupe.ts';
import { decodeEpc } from '../domain/epc.ts';
import { OutOfStock } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import { isExitGate, itemEventMovementId, movementTypeOf, movesStock, raisesAlarm, type SerialStateBefore } from '../domain/rfid.ts';
import { getLocations } from '../db/catalog.ts';
import { type GateMessage, type ItemEvent, judgeEpcSightings, moveSerial, openWindows, type SerialMove, skusOfGtins } from '../db/rfid.ts';
import { publishGateEvent } from '../messaging/gate-events.ts';
import type { Transfer } from '../schemas/transfers.ts';
import { recordMovement } from './stock.ts';
import { openInboundBySku, receiveTransfer } from './transfers.ts';
import { nowIso } from '../clock.ts';

/** Conditional writes in flight per invocation: enough to hide latency, few enough not to throttle a new table. */
const claimConcurrency = 8;
/**
 * SKUs booked in parallel. One SKU's events go one after another: they all
 * change the same stock level, and parallel transactions on one item only
 * conflict and retry.
 */
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

const bookItemEvent = async (message: GateMessage, event: ItemEvent, principal: Principal): Promise<Booking> => {
  try {
    const outcome = await recordMovement(
      { movementId: event.movementId, type: movementTypeOf(message.direction), locationId: message.locationId, lines: [{ sku: event.sku, qty: 1 }] },
      principal,
    );
    // A confirmation stays one on a retried message, so the alarm it suppressed stays suppressed.
    if (outcome.result.confirmed?.length) return 'CONFIRMED';
    return outcome.replayed ? 'ALREADY_BOOKED' : 'BOOKED';
  } catch (error) {
    // The item did leave; the books had none of it here (never received, or counted away). Reported, not retried forever.
    if (error instanceof OutOfStock) return 'NOT_ON_BOOKS';
    throw error;
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
 * Ingests one gate message. Failures of single items do not stop the others;
 * if any failed, the call throws after all were tried, so the invocation is
 * retried (and, past its retries, kept by the error action) and the retry
 * completes only what is missing.
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

  // One EPC's sightings in time order: a later one may only open a new window after the earlier one's claim.
  const byEpc = groupBy(known, (s) => s.epc);
  const stored = await openWindows(
    message,
    byEpc.map((group) => group[0]!.epc),
  );
  const verdicts = (
    await mapLimited(byEpc, claimConcurrency, async (group) => {
      const judged = await attempt(() => judgeEpcSightings(message, group, stored.get(group[0]!.epc), windowSeconds));
      return group.map((sighting, i) => [sighting, judged?.[i]] as const);
    })
  ).flat();
  const events: ItemEvent[] = verdicts
    .filter(([, verdict]) => verdict === 'NEW_EVENT' || verdict === 'SAME_EVENT')
    .map(([sighting]) => {
      const item = items.get(sighting.epc)!;
      const movementId = itemEventMovementId({ ...message, epc: sighting.epc, startedAt: sighting.firstAt });
      return { sighting, item, sku: skus.get(item.gtin)!, movementId };
    });

  // Serial first: its current state decides whether stock moves (a sold item leaving does not move it again), stale event or not.
  const principal = gatePrincipal(message);
  // Units arriving on a shipped transfer are received against it, not booked as found.
  const inbound = message.direction === 'IN' && events.length > 0 ? await openInboundBySku(message.locationId) : new Map();
  const outcomes = (
    await mapLimited(
      groupBy(events, (e) => e.sku),
      skuConcurrency,
      async (group) => {
        const results: { event: ItemEvent; move: SerialMove; booking: Booking }[] = [];
        let moving: { event: ItemEvent; move: SerialMove }[] = [];
        for (const event of group) {
          const move = await attempt(() => moveSerial(message, event));
          if (!move) continue;
          if (movesStock(message.direction, message.locationId, move.current)) moving.push({ event, move });
          else results.push({ event, move, booking: 'UNCHANGED' });
        }
        const sku = group[0]!.sku;
        for (const { transfer, open } of inbound.get(sku) ?? []) {
          const arrived = moving.slice(0, open);
          if (arrived.length === 0) break;
          moving = moving.slice(arrived.length);
          const received = await attempt(() =>
            receiveTransfer(
              transfer.movementId,
              transfer.fromLocationId,
              { receiptId: gateReceiptId(message, sku, transfer), lines: [{ sku, qty: arrived.length }] },
              principal,
              now,
              { fromGate: true },
            ),
          );
          if (received) results.push(...arrived.map((a) => ({ ...a, booking: 'RECEIVED' as const })));
        }
        for (const { event, move } of moving) {
          const booking = await attempt(() => bookItemEvent(message, event, principal));
          if (booking) results.push({ event, move, booking });
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
    duplicates: verdicts.filter(([, verdict]) => verdict === 'DUPLICATE').length,
    notOnBooks: count('NOT_ON_BOOKS'),
    unchanged: count('UNCHANGED'),
    confirmed: count('CONFIRMED'),
    receivedOnTransfers: count('RECEIVED'),
    clockSkew: skewed.length,
    unknownGtins: { count: unknownGtins.length, gtins: unknownGtins.slice(0, reportedSamples) },
    undecodable: { count: undecodable.length, epcs: undecodable.slice(0, reportedSamples) },
    // A stale exit was already judged by the later event that moved the serial.
    // An exit a quantity-only sale accounts for is a departure, not a theft.
    alarms: outcomes.flatMap(({ event, move, booking }) =>
      !move.stale && booking !== 'CONFIRMED' && raisesAlarm(exitGate, move.current.state)
        ? [
            {
              epc: event.sighting.epc,
              gtin: event.item.gtin,
              serial: event.item.serial,
              sku: event.sku,
              at: event.sighting.firstAt,
              stateBefore: move.current.state,
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

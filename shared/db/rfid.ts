/**
 * RFID gate reads into stock. Per message: decode the EPCs, collapse repeats,
 * judge each sighting against its (EPC, gate) window in the rfid table
 * (opening a new one with a conditional write), move the serial's last known
 * place, and book the item event as one RFID_IN/RFID_OUT movement whose id
 * is derived from the event, so a retry books nothing twice. Every step is
 * safe to repeat: a retried invocation completes what an earlier attempt
 * left half done. Choices: docs/rfid.md.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { tables } from '../../infra/tables.ts';
import {
  collapseReads,
  judgeSighting,
  type OpenWindow,
  plausibleReads,
  type Sighting,
  type SightingVerdict,
  windowExpiresAt,
  windowOpenSince,
} from '../domain/dedupe.ts';
import { decodeEpc, gtinForms, type Sgtin } from '../domain/epc.ts';
import { OutOfStock, ValidationFailed } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import {
  type GateDirection,
  isExitGate,
  isSold,
  itemEventMovementId,
  movementTypeOf,
  movesStock,
  raisesAlarm,
  type SerialBefore,
  type SerialStateBefore,
  serialStateAfter,
  soldStates,
} from '../domain/rfid.ts';
import { batchGetInventory, batchGetItems } from './catalog.ts';
import { documentClient, tableName } from './client.ts';
import { inventoryKeys, rfidEntities, rfidKeys } from './keys.ts';
import { recordMovement } from './stock.ts';
import type { TransactItem } from './transact.ts';
import { mapLimited } from '../concurrency.ts';

const rfid = () => tableName(tables.rfid);

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

export interface GateMessage {
  readonly locationId: string;
  readonly gateId: string;
  readonly direction: GateDirection;
  readonly readAt: string;
  readonly reads: readonly { epc: string; at?: string }[];
}

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
  /** Reads more than 2 minutes ahead of the server's clock or more than 7 days old: not booked. */
  readonly clockSkew: number;
  readonly unknownGtins: { count: number; gtins: string[] };
  readonly undecodable: { count: number; epcs: string[] };
  readonly alarms: UnsoldExit[];
}

interface ItemEvent {
  readonly sighting: Sighting;
  readonly item: Sgtin;
  readonly sku: string;
  readonly movementId: string;
}

type Booking = 'BOOKED' | 'ALREADY_BOOKED' | 'NOT_ON_BOOKS' | 'UNCHANGED';

const isConditionFailure = (error: unknown): error is { Item?: Record<string, AttributeValue> } => (error as Error).name === 'ConditionalCheckFailedException';

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

/** SKU per GTIN-14, trying each form a product's GTIN may have been entered in. */
const skusOfGtins = async (gtins: readonly string[]): Promise<Map<string, string>> => {
  const gtin14Of = new Map(gtins.flatMap((gtin) => gtinForms(gtin).map((form) => [form, gtin] as const)));
  const claims = await batchGetInventory([...gtin14Of.keys()].map((form) => inventoryKeys.gtin(form)));
  return new Map(claims.map((claim) => [gtin14Of.get(claim.gtin as string)!, claim.sku as string]));
};

/** The open windows of these EPCs at the message's gate, as they are now. */
const openWindows = async (message: GateMessage, epcs: readonly string[]): Promise<Map<string, OpenWindow>> => {
  const items = await batchGetItems(
    rfid(),
    epcs.map((epc) => rfidKeys.window(message.locationId, message.gateId, epc)),
  );
  return new Map(
    items.map((item) => [
      item.epc as string,
      { startedAt: item.startedAt as string, lastSeenAt: item.lastSeenAt as string, direction: item.direction as string | undefined },
    ]),
  );
};

/**
 * Opens a window for a sighting the read found none open for. The write is
 * conditioned on the same rule, so of two invocations racing for one tag
 * exactly one opens the event; the other learns it is a duplicate. A window
 * of the other direction does not hold a sighting back: OUT and then IN
 * within a window are two events.
 */
const openWindow = async (message: GateMessage, sighting: Sighting, windowSeconds: number): Promise<{ verdict: SightingVerdict; window?: OpenWindow }> => {
  try {
    const output = await documentClient.send(
      new UpdateCommand({
        TableName: rfid(),
        Key: rfidKeys.window(message.locationId, message.gateId, sighting.epc),
        UpdateExpression: 'SET #entity = :entity, #epc = :epc, #direction = :dir, #startedAt = :first, #lastSeenAt = :last, #expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(pk) OR #lastSeenAt < :openSince OR #direction <> :dir OR #startedAt = :first',
        ExpressionAttributeNames: {
          '#entity': 'entity',
          '#epc': 'epc',
          '#direction': 'direction',
          '#startedAt': 'startedAt',
          '#lastSeenAt': 'lastSeenAt',
          '#expiresAt': 'expiresAt',
        },
        ExpressionAttributeValues: {
          ':entity': rfidEntities.window,
          ':epc': sighting.epc,
          ':dir': message.direction,
          ':first': sighting.firstAt,
          ':last': sighting.lastAt,
          ':expiresAt': windowExpiresAt(sighting.lastAt, windowSeconds, new Date()),
          ':openSince': windowOpenSince(sighting.firstAt, windowSeconds),
        },
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { verdict: judgeSighting(output.Attributes as OpenWindow | undefined, sighting, windowSeconds, message.direction) };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return { verdict: 'DUPLICATE', window: error.Item ? (unmarshall(error.Item) as OpenWindow) : undefined };
  }
};

/**
 * Keeps a window open while its tag is still being read, so a tag parked
 * at the gate stays one event. Only when the stored last read lags by a
 * quarter window or more: a burst of a few seconds costs no write per
 * message, and the window closes between 3/4 and 1 window after the last read.
 */
const stretchWindow = async (message: GateMessage, sighting: Sighting, window: OpenWindow | undefined, windowSeconds: number): Promise<void> => {
  if (!window || Date.parse(sighting.lastAt) - Date.parse(window.lastSeenAt) < (windowSeconds * 1000) / 4) return;
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: rfid(),
        Key: rfidKeys.window(message.locationId, message.gateId, sighting.epc),
        UpdateExpression: 'SET #lastSeenAt = :last, #expiresAt = :expiresAt',
        // Only a window of this direction: an event of the other direction may have taken it over meanwhile.
        ConditionExpression: '#lastSeenAt < :last AND (attribute_not_exists(#direction) OR #direction = :dir)',
        ExpressionAttributeNames: { '#lastSeenAt': 'lastSeenAt', '#expiresAt': 'expiresAt', '#direction': 'direction' },
        ExpressionAttributeValues: {
          ':last': sighting.lastAt,
          ':dir': message.direction,
          ':expiresAt': windowExpiresAt(sighting.lastAt, windowSeconds, new Date()),
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};

/**
 * The verdict on each of one EPC's sightings, oldest first. Read first, write
 * only to open an event: most sightings of a burst fall in a window that is
 * already open, and a (consistent) read is cheaper than a conditional write.
 * A sighting that started the stored event is the same message again: no
 * write, its booking is completed.
 */
const judgeEpcSightings = async (
  message: GateMessage,
  sightings: readonly Sighting[],
  stored: OpenWindow | undefined,
  windowSeconds: number,
): Promise<SightingVerdict[]> => {
  const verdicts: SightingVerdict[] = [];
  let window = stored;
  for (const sighting of sightings) {
    let verdict = judgeSighting(window, sighting, windowSeconds, message.direction);
    if (verdict === 'NEW_EVENT') {
      const opened = await openWindow(message, sighting, windowSeconds);
      verdict = opened.verdict;
      window = verdict === 'DUPLICATE' ? opened.window : { startedAt: sighting.firstAt, lastSeenAt: sighting.lastAt, direction: message.direction };
    }
    if (verdict === 'DUPLICATE') await stretchWindow(message, sighting, window, windowSeconds);
    verdicts.push(verdict);
  }
  return verdicts;
};

const bookItemEvent = async (message: GateMessage, event: ItemEvent, principal: Principal): Promise<Booking> => {
  try {
    const outcome = await recordMovement(
      { movementId: event.movementId, type: movementTypeOf(message.direction), locationId: message.locationId, lines: [{ sku: event.sku, qty: 1 }] },
      principal,
    );
    return outcome.replayed ? 'ALREADY_BOOKED' : 'BOOKED';
  } catch (error) {
    // The item did leave; the books had none of it here (never received, or counted away). Reported, not retried forever.
    if (error instanceof OutOfStock) return 'NOT_ON_BOOKS';
    throw error;
  }
};

/** What moving the serial found: its state before the event, or, for a stale event, its state now. */
interface SerialMove {
  readonly current: SerialBefore;
  /** A later event, or a sale after this read, got to the serial first: it was not moved. */
  readonly stale: boolean;
}

const serialMoveTries = 4;

/**
 * Moves the serial's last known place, unless a later event (or a sale after
 * this read) got there first: then the event is stale and the serial's
 * current state is returned. Otherwise returns the serial as it was before
 * this event, also when this event moved it in an earlier attempt (kept as
 * previousState/previousLocationId for that case).
 *
 * The state after the read depends on the state before (a sold item stays
 * sold), which an update expression cannot branch on: the update assumes
 * the serial is not sold and is conditioned on it; if it turns out sold (or
 * a sale or a return changed it meanwhile) it is tried again with what it
 * found.
 */
const moveSerial = async (message: GateMessage, event: ItemEvent): Promise<SerialMove> => {
  const names = {
    '#entity': 'entity',
    '#epc': 'epc',
    '#gtin': 'gtin',
    '#serial': 'serial',
    '#sku': 'sku',
    '#locationId': 'locationId',
    '#gateId': 'gateId',
    '#direction': 'direction',
    '#state': 'state',
    '#previousState': 'previousState',
    '#previousLocationId': 'previousLocationId',
    '#lastSeenAt': 'lastSeenAt',
    '#lastEventId': 'lastEventId',
    '#soldAt': 'soldAt',
  };
  const at = event.sighting.firstAt;
  const fresh = '(attribute_not_exists(#lastSeenAt) OR #lastSeenAt < :at) AND (attribute_not_exists(#soldAt) OR #soldAt < :at)';
  let sold = false;
  for (let attempt = 0; attempt < serialMoveTries; attempt++) {
    try {
      const output = await documentClient.send(
        new UpdateCommand({
          TableName: rfid(),
          Key: rfidKeys.serial(event.item.gtin, event.item.serial),
          UpdateExpression:
            'SET #entity = :entity, #epc = :epc, #gtin = :gtin, #serial = :serial, #sku = :sku, #gateId = :gateId, #direction = :direction, ' +
            '#previousState = if_not_exists(#state, :unseen), #previousLocationId = if_not_exists(#locationId, :none), ' +
            '#state = :state, #locationId = :locationId, #lastSeenAt = :at, #lastEventId = :eventId',
          ConditionExpression: `${fresh} AND ${sold ? '#state IN (:sold, :leftSold)' : '(attribute_not_exists(#state) OR NOT (#state IN (:sold, :leftSold)))'}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':entity': rfidEntities.serial,
            ':epc': event.sighting.epc,
            ':gtin': event.item.gtin,
            ':serial': event.item.serial,
            ':sku': event.sku,
            ':locationId': message.locationId,
            ':gateId': message.gateId,
            ':direction': message.direction,
            ':unseen': 'UNSEEN',
            ':none': '',
            ':state': serialStateAfter(message.direction, sold ? 'SOLD' : 'UNSEEN'),
            ':at': at,
            ':eventId': event.movementId,
            ':sold': soldStates[0],
            ':leftSold': soldStates[1],
          },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const before = output.Attributes ?? {};
      return {
        current: { state: (before.state as SerialStateBefore | undefined) ?? 'UNSEEN', locationId: before.locationId as string | undefined },
        stale: false,
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = error.Item ? unmarshall(error.Item) : {};
      if (current.lastEventId === event.movementId) {
        return {
          current: { state: current.previousState as SerialStateBefore, locationId: (current.previousLocationId as string) || undefined },
          stale: false,
        };
      }
      const lastSeenAt = current.lastSeenAt as string | undefined;
      const soldAt = current.soldAt as string | undefined;
      if ((lastSeenAt !== undefined && lastSeenAt >= at) || (soldAt !== undefined && soldAt >= at)) {
        return {
          current: { state: (current.state as SerialStateBefore | undefined) ?? 'UNSEEN', locationId: current.locationId as string | undefined },
          stale: true,
        };
      }
      sold = isSold(current.state as string | undefined);
    }
  }
  throw new Error(`Serial ${event.item.gtin}/${event.item.serial} kept changing while read at ${message.locationId}/${message.gateId}`);
};

const gatePrincipal = (message: GateMessage): Principal => ({ subject: `gate:${message.locationId}/${message.gateId}`, role: 'service', locations: [] });

/**
 * Ingests one gate message. Failures of single items do not stop the others;
 * if any failed, the call throws after all were tried, so the invocation is
 * retried (and, past its retries, kept by the error action) and the retry
 * completes only what is missing.
 */
export const ingestGateReads = async (message: GateMessage, windowSeconds: number, now = new Date().toISOString()): Promise<IngestResult> => {
  // Reads stamped far from the server's clock are counted, not booked: one from 2099 would make every later event of its serial stale.
  const { accepted, skewed } = plausibleReads(message.reads, message.readAt, new Date(now));
  const sightings = collapseReads(accepted, message.readAt, windowSeconds);
  const decoded = new Map([...new Set(sightings.map((s) => s.epc))].map((epc) => [epc, decodeEpc(epc)] as const));
  const undecodable = [...decoded].filter(([, d]) => !d.ok).map(([epc]) => epc);
  const items = new Map([...decoded].flatMap(([epc, d]) => (d.ok ? [[epc, d] as const] : [])));
  const skus = await skusOfGtins([...new Set([...items.values()].map((i) => i.gtin))]);
  const unknownGtins = [...new Set([...items.values()].map((i) => i.gtin).filter((gtin) => !skus.has(gtin)))];
  const known = sightings.filter((s) => skus.has(items.get(s.epc)?.gtin ?? ''));

  const [location] = known.length > 0 ? await batchGetInventory([inventoryKeys.location(message.locationId)]) : [];
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
  const outcomes = (
    await mapLimited(
      groupBy(events, (e) => e.sku),
      skuConcurrency,
      async (group) => {
        const results: { event: ItemEvent; move: SerialMove; booking: Booking }[] = [];
        for (const event of group) {
          const move = await attempt(() => moveSerial(message, event));
          if (!move) continue;
          const booking = movesStock(message.direction, message.locationId, move.current)
            ? await attempt(() => bookItemEvent(message, event, principal))
            : 'UNCHANGED';
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
    clockSkew: skewed.length,
    unknownGtins: { count: unknownGtins.length, gtins: unknownGtins.slice(0, reportedSamples) },
    undecodable: { count: undecodable.length, epcs: undecodable.slice(0, reportedSamples) },
    // A stale exit was already judged by the later event that moved the serial.
    alarms: outcomes.flatMap(({ event, move }) =>
      !move.stale && raisesAlarm(exitGate, move.current.state)
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

const decodeSellable = (epc: string) => {
  const decoded = decodeEpc(epc.toUpperCase());
  if (!decoded.ok) throw new ValidationFailed(`EPC ${epc} is not a sellable item: ${decoded.reason}`, [{ path: 'body.lines.epcs', message: decoded.reason }]);
  return decoded;
};

/**
 * The serial item's key (its `pk`) for an EPC: GTIN and serial, so EPCs that
 * differ only in filter bits (or SGTIN-96 vs -198 of the same serial) give
 * the same key. A checkout dedupes its EPCs by it: one transaction may
 * not update one item twice. An undecodable EPC throws ValidationFailed
 * (`body.lines.epcs`).
 */
export const serialKeyOf = (epc: string): string => {
  const decoded = decodeSellable(epc);
  return rfidKeys.serial(decoded.gtin, decoded.serial).pk;
};

/**
 * The transaction item a checkout adds to mark a tagged item SOLD, so it may
 * leave through the store's exit gate without an alarm. Selling a serial that
 * another sale already sold (SOLD, or LEFT_SOLD after its exit) cancels the
 * transaction (a tag scanned twice, or a cloned tag); the same sale again
 * passes, so a retried checkout succeeds. Two EPCs of one serial must not go
 * into one transaction: dedupe them by `serialKeyOf`.
 */
export const serialSoldUpdate = (epc: string, saleId: string, at: string): TransactItem => {
  const decoded = decodeSellable(epc);
  return {
    Update: {
      TableName: rfid(),
      Key: rfidKeys.serial(decoded.gtin, decoded.serial),
      UpdateExpression: 'SET #entity = :entity, #epc = :epc, #gtin = :gtin, #serial = :serial, #state = :sold, #saleId = :saleId, #soldAt = :at',
      ConditionExpression: 'attribute_not_exists(#state) OR NOT (#state IN (:sold, :leftSold)) OR #saleId = :saleId',
      ExpressionAttributeNames: {
        '#entity': 'entity',
        '#epc': 'epc',
        '#gtin': 'gtin',
        '#serial': 'serial',
        '#state': 'state',
        '#saleId': 'saleId',
        '#soldAt': 'soldAt',
      },
      ExpressionAttributeValues: {
        ':entity': rfidEntities.serial,
        ':epc': epc.toUpperCase(),
        ':gtin': decoded.gtin,
        ':serial': decoded.serial,
        ':sold': soldStates[0],
        ':leftSold': soldStates[1],
        ':saleId': saleId,
        ':at': at,
      },
    },
  };
};

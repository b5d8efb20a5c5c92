/**
 * The rfid table: per (EPC, gate) windows opened with a conditional write,
 * each serial's last known place, and the SOLD mark a checkout sets. Every
 * write is safe to repeat: a retried invocation completes what an earlier
 * attempt left half done. A gate message's story is in shared/app/rfid.ts;
 * choices: docs/rfid.md.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { tables } from '../../infra/tables.ts';
import { judgeSighting, type OpenWindow, type Sighting, type SightingVerdict, windowExpiresAt, windowOpenSince } from '../domain/dedupe.ts';
import { decodeEpc, gtinForms, type Sgtin } from '../domain/epc.ts';
import { ValidationFailed } from '../domain/errors.ts';
import { type GateDirection, isSold, type SerialBefore, type SerialStateBefore, serialStateAfter, soldStates } from '../domain/rfid.ts';
import { batchGetInventory, batchGetItems } from './catalog.ts';
import { documentClient, tableName } from './client.ts';
import { inventoryKeys, rfidEntities, rfidKeys } from './keys.ts';
import type { TransactItem } from './transact.ts';
import { nowMillis } from '../clock.ts';

const rfid = () => tableName(tables.rfid);

export interface GateMessage {
  readonly locationId: string;
  readonly gateId: string;
  readonly direction: GateDirection;
  readonly readAt: string;
  readonly reads: readonly { epc: string; at?: string }[];
}

export interface ItemEvent {
  readonly sighting: Sighting;
  readonly item: Sgtin;
  readonly sku: string;
  readonly movementId: string;
}

const isConditionFailure = (error: unknown): error is { Item?: Record<string, AttributeValue> } => (error as Error).name === 'ConditionalCheckFailedException';

/** SKU per GTIN-14, trying each form a product's GTIN may have been entered in. */
export const skusOfGtins = async (gtins: readonly string[]): Promise<Map<string, string>> => {
  const gtin14Of = new Map(gtins.flatMap((gtin) => gtinForms(gtin).map((form) => [form, gtin] as const)));
  const claims = await batchGetInventory([...gtin14Of.keys()].map((form) => inventoryKeys.gtin(form)));
  return new Map(claims.map((claim) => [gtin14Of.get(claim.gtin as string)!, claim.sku as string]));
};

/** The open windows of these EPCs at the message's gate, as they are now. */
export const openWindows = async (message: GateMessage, epcs: readonly string[]): Promise<Map<string, OpenWindow>> => {
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
          ':expiresAt': windowExpiresAt(sighting.lastAt, windowSeconds, new Date(nowMillis())),
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
          ':expiresAt': windowExpiresAt(sighting.lastAt, windowSeconds, new Date(nowMillis())),
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
export const judgeEpcSightings = async (
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

/** What moving the serial found: its state before the event, or, for a stale event, its state now. */
export interface SerialMove {
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
export const moveSerial = async (message: GateMessage, event: ItemEvent): Promise<SerialMove> => {
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

const decodeSellable = (epc: string) => {
  const decoded = decodeEpc(epc.toUpperCase());
  if (!decoded.ok) throw new ValidationFailed(`EPC ${epc} is not a sellable item: ${decoded.reason}`, [{ path: 'body.lines.epcs', message: decoded.reason }]);
  return decoded;
};

/**
 * The transaction item a checkout adds to mark a tagged item SOLD, so it may
 * leave through the store's exit gate without an alarm. Selling a serial that
 * another sale already sold (SOLD, or LEFT_SOLD after its exit) cancels the
 * transaction (a tag scanned twice, or a cloned tag); the same sale again
 * passes, so a retried checkout succeeds. Two EPCs of one serial must not go
 * into one transaction: `documentEpcProblems` (shared/domain/epc.ts) refuses them first.
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

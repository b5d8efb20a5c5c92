/**
 * The rfid table: each serial's last known place, its dedupe window per gate
 * (on the same item, so an item event is one conditional write), and the
 * SOLD mark a checkout sets. Every write is safe to repeat: a retried
 * invocation completes what an earlier attempt left half done. A gate
 * message's story is in shared/app/rfid.ts; choices: docs/rfid.md.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { tables } from '../../infra/tables.ts';
import type { Sighting } from '../domain/dedupe.ts';
import { decodeEpc, gtinForms, type Sgtin } from '../domain/epc.ts';
import { ValidationFailed } from '../domain/errors.ts';
import {
  decodeWindow,
  encodeWindow,
  type GateDirection,
  gateMessageKey,
  planSerialSightings,
  type SaleSerial,
  type SerialPlan,
  type SerialRecord,
  soldStates,
  windowAttribute,
} from '../domain/rfid.ts';
import { dayMillis } from '../domain/time.ts';
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

const isConditionFailure = (error: unknown): error is { Item?: Record<string, AttributeValue> } => (error as Error).name === 'ConditionalCheckFailedException';

/** SKU per GTIN-14, trying each form a product's GTIN may have been entered in. */
export const skusOfGtins = async (gtins: readonly string[]): Promise<Map<string, string>> => {
  const gtin14Of = new Map(gtins.flatMap((gtin) => gtinForms(gtin).map((form) => [form, gtin] as const)));
  const claims = await batchGetInventory([...gtin14Of.keys()].map((form) => inventoryKeys.gtin(form)));
  return new Map(claims.map((claim) => [gtin14Of.get(claim.gtin as string)!, claim.sku as string]));
};

/** A serial item as the plan needs it, with this gate's window. */
const recordOf = (item: Record<string, unknown>, attribute: string): SerialRecord => ({
  state: item.state as string | undefined,
  locationId: item.locationId as string | undefined,
  lastSeenAt: item.lastSeenAt as string | undefined,
  soldAt: item.soldAt as string | undefined,
  lastEventId: item.lastEventId as string | undefined,
  previousState: item.previousState as string | undefined,
  previousLocationId: item.previousLocationId as string | undefined,
  window: decodeWindow(item[attribute]),
});

/** One serial read by a gate message: its key, what it is, and its sightings in the message (time order). */
export interface SerialSightings {
  readonly item: Sgtin;
  readonly sku: string;
  readonly sightings: readonly Sighting[];
}

/** The serial items of these serials, as they are now (one consistent BatchGetItem per 100). */
export const readSerials = async (serials: readonly Sgtin[]): Promise<Map<string, Record<string, unknown>>> => {
  const items = await batchGetItems(
    rfid(),
    serials.map((s) => rfidKeys.serial(s.gtin, s.serial)),
  );
  return new Map(items.map((item) => [item.pk as string, item]));
};

export const serialPk = (item: Sgtin): string => rfidKeys.serial(item.gtin, item.serial).pk;

/** Attributes whose value the plan depended on: the write is conditioned on each being as read. */
const watched = ['state', 'locationId', 'lastSeenAt', 'soldAt', 'saleId', 'lastEventId'] as const;
/** Another gate's window this long after its last read is long closed (and past any retry): the write drops it. */
const windowKeepMillis = 2 * dayMillis;
const claimTries = 8;

/**
 * Claims a message's events of one serial and moves it, in one conditional
 * UpdateItem (window and serial are one item): planned from the item as read
 * (`stored`, from `readSerials`) and conditioned on every attribute the plan
 * used being unchanged. If another message, a sale or a return changed it
 * meanwhile, the failed condition returns the item as it is and the plan is
 * made again from it: of two messages racing for one tag exactly one opens
 * the event, the other finds it a duplicate. Nothing is written for
 * duplicates in a fresh window and for a replayed message.
 */
export const claimSerial = async (
  message: GateMessage,
  serial: SerialSightings,
  stored: Record<string, unknown> | undefined,
  windowSeconds: number,
): Promise<SerialPlan> => {
  const attribute = windowAttribute(message.locationId, message.gateId);
  const gate = { locationId: message.locationId, gateId: message.gateId, direction: message.direction };
  const messageKey = gateMessageKey(message);
  let item = stored;
  for (let attempt = 0; attempt < claimTries; attempt++) {
    const plan = planSerialSightings(item ? recordOf(item, attribute) : undefined, serial.sightings, gate, windowSeconds, messageKey);
    if (!plan.write) return plan;
    const names: Record<string, string> = { '#window': attribute, '#entity': 'entity', '#gtin': 'gtin', '#serial': 'serial', '#sku': 'sku' };
    const values: Record<string, unknown> = {
      ':window': encodeWindow(plan.write.window),
      ':entity': rfidEntities.serial,
      ':gtin': serial.item.gtin,
      ':serial': serial.item.serial,
      ':sku': serial.sku,
    };
    const sets = ['#window = :window', '#entity = :entity', '#gtin = :gtin', '#serial = :serial', '#sku = :sku'];
    const moved = plan.write.serial;
    if (moved) {
      names['#gateId'] = 'gateId';
      values[':gateId'] = message.gateId;
      names['#direction'] = 'direction';
      values[':direction'] = message.direction;
      sets.push('#gateId = :gateId', '#direction = :direction');
      for (const [field, value] of Object.entries(moved)) {
        names[`#m_${field}`] = field;
        values[`:m_${field}`] = value;
        sets.push(`#m_${field} = :m_${field}`);
      }
    }
    const conditions: string[] = [];
    const removes: string[] = [];
    if (!item) conditions.push('attribute_not_exists(pk)');
    else {
      for (const [i, field] of [...watched, attribute].entries()) {
        names[`#c${i}`] = field;
        if (item[field] === undefined) conditions.push(`attribute_not_exists(#c${i})`);
        else {
          values[`:c${i}`] = item[field];
          conditions.push(`#c${i} = :c${i}`);
        }
      }
      // Other gates' windows long closed: removed on the way, each conditioned on being the one read.
      const keepSince = nowMillis() - windowKeepMillis;
      let r = 0;
      for (const [name, value] of Object.entries(item)) {
        if (!name.startsWith('window:') || name === attribute) continue;
        const other = decodeWindow(value);
        if (!other || Date.parse(other.lastSeenAt) >= keepSince) continue;
        names[`#r${r}`] = name;
        values[`:r${r}`] = value;
        conditions.push(`#r${r} = :r${r}`);
        removes.push(`#r${r}`);
        r++;
      }
    }
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: rfid(),
          Key: rfidKeys.serial(serial.item.gtin, serial.item.serial),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return plan;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      item = error.Item ? unmarshall(error.Item) : undefined;
    }
  }
  throw new Error(`Serial ${serial.item.gtin}/${serial.item.serial} kept changing while read at ${message.locationId}/${message.gateId}`);
};

const decodeSellable = (epc: string) => {
  const decoded = decodeEpc(epc.toUpperCase());
  if (!decoded.ok) throw new ValidationFailed(`EPC ${epc} is not a sellable item: ${decoded.reason}`, [{ path: 'body.lines.epcs', message: decoded.reason }]);
  return decoded;
};

/** A sale's EPC as the checkout plans it: the serial's key and the serial item as read (undefined: none yet). */
export interface SaleSerialRead {
  readonly epc: string;
  readonly serial: SaleSerial | undefined;
}

/**
 * The serial items of a sale's EPCs as they are now, in the EPCs' order: one
 * consistent BatchGetItem (per 100 keys). Only a sale with EPCs pays it.
 */
export const readSaleSerials = async (epcs: readonly string[]): Promise<SaleSerialRead[]> => {
  if (epcs.length === 0) return [];
  const decoded = epcs.map((epc) => decodeSellable(epc));
  const stored = await readSerials(decoded);
  return epcs.map((epc, i) => {
    const item = stored.get(serialPk(decoded[i]!));
    return {
      epc,
      serial: item && { state: item.state as string | undefined, locationId: item.locationId as string | undefined, saleId: item.saleId as string | undefined },
    };
  });
};

/**
 * The transaction item a checkout adds to mark a tagged item SOLD, so it may
 * leave through the store's exit gate without an alarm. Selling a serial that
 * another sale already sold (SOLD, or LEFT_SOLD after its exit) cancels the
 * transaction (a tag scanned twice, or a cloned tag); the same sale again
 * passes, so a retried checkout succeeds. Two EPCs of one serial must not go
 * into one transaction: `documentEpcProblems` (shared/domain/epc.ts) refuses them first.
 *
 * `notLeftFrom`: the sale's location, when the checkout read the serial and
 * found it not `LEFT` from there: a gate reading it out meanwhile cancels
 * the transaction (the item as it is now comes back), so the sale plans
 * again and confirms that unit instead of taking it twice.
 */
export const serialSoldUpdate = (epc: string, saleId: string, at: string, notLeftFrom?: string): TransactItem => {
  const decoded = decodeSellable(epc);
  const notSoldElsewhere = 'attribute_not_exists(#state) OR NOT (#state IN (:sold, :leftSold)) OR #saleId = :saleId';
  return {
    Update: {
      TableName: rfid(),
      Key: rfidKeys.serial(decoded.gtin, decoded.serial),
      UpdateExpression: 'SET #entity = :entity, #epc = :epc, #gtin = :gtin, #serial = :serial, #state = :sold, #saleId = :saleId, #soldAt = :at',
      ConditionExpression: notLeftFrom === undefined ? notSoldElsewhere : `(${notSoldElsewhere}) AND NOT (#state = :left AND #locationId = :locationId)`,
      ExpressionAttributeNames: {
        '#entity': 'entity',
        '#epc': 'epc',
        '#gtin': 'gtin',
        '#serial': 'serial',
        '#state': 'state',
        '#saleId': 'saleId',
        '#soldAt': 'soldAt',
        ...(notLeftFrom === undefined ? {} : { '#locationId': 'locationId' }),
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
        ...(notLeftFrom === undefined ? {} : { ':left': 'LEFT', ':locationId': notLeftFrom }),
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
};

/**
 * The transaction item a checkout adds for a unit an exit gate already read
 * out of the sale's location unsold (`LEFT` there): the read took it off the
 * books, the sale confirms it. The serial becomes `LEFT_SOLD` with the sale
 * (location and gate windows kept), conditioned on still being `LEFT` from
 * that location: a sale, a return or a gate read meanwhile cancels the
 * transaction (the item as it is now comes back) and the sale plans again.
 */
export const serialConfirmedUpdate = (epc: string, saleId: string, locationId: string, at: string): TransactItem => {
  const decoded = decodeSellable(epc);
  return {
    Update: {
      TableName: rfid(),
      Key: rfidKeys.serial(decoded.gtin, decoded.serial),
      UpdateExpression: 'SET #epc = :epc, #state = :leftSold, #saleId = :saleId, #soldAt = :at',
      ConditionExpression: '#state = :left AND #locationId = :locationId',
      ExpressionAttributeNames: { '#epc': 'epc', '#state': 'state', '#saleId': 'saleId', '#soldAt': 'soldAt', '#locationId': 'locationId' },
      ExpressionAttributeValues: {
        ':epc': epc.toUpperCase(),
        ':left': 'LEFT',
        ':leftSold': soldStates[1],
        ':locationId': locationId,
        ':saleId': saleId,
        ':at': at,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
};

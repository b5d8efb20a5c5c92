/**
 * GS1 EPCIS 2.0 (JSON-LD) for item-level events: how a stored event (a gate
 * message's pass of tagged items, or a till's sale of them) becomes an
 * ObjectEvent, how a message's or sale's EPCs are packed into stored events,
 * the time zone offset of a location at an instant, stable event ids and
 * location URIs. Pure: no I/O, no clock (the document's creation date comes
 * in). Choices: docs/epcis.md.
 */
import { createHash } from 'node:crypto';
import { derivedId } from './ids.ts';
import { type GateDirection, isSold, type SerialStateBefore } from './rfid.ts';

/** GS1's JSON-LD context for EPCIS 2.0 documents. */
export const epcisContext = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
/** Our own JSON-LD prefix, for the one extension field a page carries (`stockclub:cursor`). */
export const stockclubContext = { stockclub: 'urn:stockclub:epcis:' } as const;

/**
 * At most this many EPCs in one stored event (one DynamoDB item): 200 SGTIN
 * URIs are 8-19 KB, far below the 400 KB item limit and small enough to
 * rewrite on a retry. A message or sale with more is split, by a rule that
 * depends on its content only, so every attempt splits it the same way.
 */
export const epcsPerStoredEvent = 200;

interface StoredEventBase {
  /** Derived from the gate message (or the sale) and the event's group: every attempt writes the same item. */
  readonly eventId: string;
  readonly locationId: string;
  /** UTC ISO-8601 with milliseconds: a gate message's first read, a sale's time. */
  readonly eventTime: string;
  /** `urn:epc:id:sgtin:` pure-identity URIs, sorted, each once. */
  readonly epcs: readonly string[];
}

/** Tagged items a gate read pass in one message, of one class (sold before or not): one ObjectEvent. */
export interface GateObjectEvent extends StoredEventBase {
  readonly source: 'GATE';
  readonly gateId: string;
  readonly direction: GateDirection;
  /** Whether the items were sold (SOLD/LEFT_SOLD) before the event: what decides the CBV disposition. */
  readonly sold: boolean;
}

/** Tagged items a till sold (the sale's EPCs): one `retail_selling` ObjectEvent. */
export interface SaleObjectEvent extends StoredEventBase {
  readonly source: 'SALE';
  readonly saleId: string;
}

/** One stored EPCIS event (shared/db/epcis.ts): what the export maps. */
export type StoredObjectEvent = GateObjectEvent | SaleObjectEvent;

/**
 * One gate item event as stored before events were packed (one item per
 * EPC, entity ITEM_EVENT): still read, as a one-EPC gate event.
 */
export interface StoredItemEvent {
  /** The event's id as the ingest derived it (`rfid:` + 40 hex: location, gate, direction, EPC, first read). */
  readonly eventId: string;
  readonly locationId: string;
  readonly gateId: string;
  readonly direction: GateDirection;
  /** The first read of the event (UTC ISO-8601). */
  readonly eventTime: string;
  readonly epc: string;
  readonly companyPrefix: string;
  /** Indicator digit followed by the item reference proper. */
  readonly itemReference: string;
  readonly serial: string;
  /** The serial's state the event found (or, for a stale event, the state a later event or a sale left). */
  readonly stateBefore: SerialStateBefore;
}

/** CBV 2.0 business steps and dispositions the export uses (bare CBV terms, as GS1's schema accepts them). */
export type BizStep = 'receiving' | 'arriving' | 'departing' | 'retail_selling';
export type Disposition = 'sellable_accessible' | 'sellable_not_accessible' | 'in_transit' | 'retail_sold';

export interface ObjectEvent {
  readonly type: 'ObjectEvent';
  readonly eventTime: string;
  readonly eventTimeZoneOffset: string;
  readonly eventID: string;
  readonly epcList: string[];
  readonly action: 'OBSERVE';
  readonly bizStep: BizStep;
  readonly disposition?: Disposition;
  /** The gate; absent for a sale (a till is not a read point we know). */
  readonly readPoint?: { id: string };
  readonly bizLocation: { id: string };
}

export interface EpcisDocument {
  readonly '@context': (string | { readonly stockclub: string })[];
  readonly type: 'EPCISDocument';
  readonly schemaVersion: '2.0';
  readonly creationDate: string;
  readonly epcisBody: { eventList: ObjectEvent[] };
  /** Where the next page starts; absent on the last page. An extension field (a compact IRI), as EPCIS allows. */
  readonly 'stockclub:cursor'?: string;
}

/**
 * What a gate event means in CBV terms (the table in docs/epcis.md):
 * - IN of unsold items: `receiving`, on the shelf at a store
 *   (`sellable_accessible`), in the back at a warehouse (`sellable_not_accessible`);
 * - IN of sold items (a customer walking back in with them): `arriving`, `retail_sold`;
 * - OUT of sold items: `departing`, `retail_sold`;
 * - OUT at a warehouse: `departing`, `in_transit` (shipped);
 * - OUT of unsold items at a store (an exit read: a till posting late, a
 *   quantity-only sale or a theft; the gate cannot tell): `departing`, no disposition.
 */
export const cbvOf = (event: { direction: GateDirection; sold: boolean }, locationType: string): { bizStep: BizStep; disposition?: Disposition } => {
  if (event.direction === 'IN') {
    if (event.sold) return { bizStep: 'arriving', disposition: 'retail_sold' };
    return { bizStep: 'receiving', disposition: locationType === 'STORE' ? 'sellable_accessible' : 'sellable_not_accessible' };
  }
  if (event.sold) return { bizStep: 'departing', disposition: 'retail_sold' };
  if (locationType === 'STORE') return { bizStep: 'departing' };
  return { bizStep: 'departing', disposition: 'in_transit' };
};

/** A till's sale of tagged items: `retail_selling`, and the items are `retail_sold`. */
export const saleCbv = { bizStep: 'retail_selling', disposition: 'retail_sold' } as const satisfies { bizStep: BizStep; disposition: Disposition };

/** TDS pure-identity URIs escape these characters of an alphanumeric (SGTIN-198) serial. */
const escapeSerial = (serial: string): string => serial.replace(/["%&/<>?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** `urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial` (TDS pure identity). */
export const sgtinUri = (item: { companyPrefix: string; itemReference: string; serial: string }): string =>
  `urn:epc:id:sgtin:${item.companyPrefix}.${item.itemReference}.${escapeSerial(item.serial)}`;

/** A location as an EPCIS bizLocation: we have no GLNs, so a URN of our own namespace. */
export const locationUri = (locationId: string): string => `urn:stockclub:loc:${encodeURIComponent(locationId)}`;

/** A gate as an EPCIS readPoint, under its location. */
export const gateUri = (locationId: string, gateId: string): string => `${locationUri(locationId)}:gate:${encodeURIComponent(gateId)}`;

/**
 * A stable eventID: a name-based UUID (RFC 9562 version 8, from SHA-256) of
 * the stored event id, so the same event has the same eventID in every
 * export and a re-export never duplicates it downstream.
 */
export const epcisEventId = (eventId: string): string => {
  const hex = createHash('sha256').update(`stockclub:epcis:${eventId}`).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The UTC offset (`+HH:MM` / `-HH:MM`) of an IANA time zone at an instant,
 * daylight saving included: what EPCIS calls `eventTimeZoneOffset`.
 */
export const timeZoneOffsetAt = (timeZone: string, instant: string): string => {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  const name = format.formatToParts(Date.parse(instant)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/.exec(name);
  if (!match?.[1]) return '+00:00';
  return `${match[1]}${match[2]!.padStart(2, '0')}:${match[3] ?? '00'}`;
};

/** An instant as UTC ISO-8601 with milliseconds (the form item events are stored and ordered by). */
export const utcIso = (instant: string): string => new Date(Date.parse(instant)).toISOString();

const hash40 = (...parts: readonly (string | number)[]): string => createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 40);

/** A gate item event stored one per item (before packing) as the one-EPC gate event it is. */
export const legacyGateEvent = (event: StoredItemEvent): GateObjectEvent => ({
  source: 'GATE',
  eventId: event.eventId,
  locationId: event.locationId,
  gateId: event.gateId,
  direction: event.direction,
  sold: isSold(event.stateBefore),
  eventTime: event.eventTime,
  epcs: [sgtinUri(event)],
});

/** A gate message as packing needs it: where, which way, its key (gateMessageKey) and its first read. */
export interface GatePass {
  readonly locationId: string;
  readonly gateId: string;
  readonly direction: GateDirection;
  readonly messageKey: string;
  /** The message's first read: the time of every event it packs (UTC ISO-8601). */
  readonly firstRead: string;
}

/** One item event of the message, as packing needs it: the EPC read, its SGTIN URI and the serial's state the event found. */
export interface PassedItem {
  readonly epc: string;
  readonly uri: string;
  readonly stateBefore: SerialStateBefore;
}

/**
 * Packs a gate message's item events into stored ObjectEvents: one per
 * class (sold before or not: the CBV disposition) and per block of
 * `epcsPerStoredEvent` EPCs of the message, the block being the EPC's rank
 * among the distinct EPCs the message carries (`messageEpcs`, the message's
 * own content). The split and the ids depend on the message only, so a
 * retry that completes claims an earlier attempt left undone adds its EPCs
 * to the same items, and a replay writes the same items again.
 */
export const packGateEvents = (pass: GatePass, items: readonly PassedItem[], messageEpcs: readonly string[]): GateObjectEvent[] => {
  const rank = new Map([...new Set(messageEpcs)].sort().map((epc, i) => [epc, i] as const));
  const groups = new Map<string, { sold: boolean; block: number; epcs: Set<string> }>();
  for (const item of items) {
    const sold = isSold(item.stateBefore);
    const block = Math.floor((rank.get(item.epc) ?? 0) / epcsPerStoredEvent);
    const key = `${sold}|${block}`;
    const group = groups.get(key) ?? { sold, block, epcs: new Set<string>() };
    group.epcs.add(item.uri);
    groups.set(key, group);
  }
  const eventTime = utcIso(pass.firstRead);
  return [...groups.values()].map((group) => ({
    source: 'GATE',
    eventId: derivedId('gate', hash40(pass.messageKey, group.sold ? 'sold' : 'unsold', group.block)),
    locationId: pass.locationId,
    gateId: pass.gateId,
    direction: pass.direction,
    sold: group.sold,
    eventTime,
    epcs: [...group.epcs].sort(),
  }));
};

/**
 * A sale's tagged items as stored ObjectEvents (`retail_selling`), keyed by
 * the sale id (blocks of `epcsPerStoredEvent` of its sorted URIs): a retried
 * or replayed stream record writes the same items.
 */
export const packSaleEvents = (sale: { saleId: string; locationId: string; at: string; uris: readonly string[] }): SaleObjectEvent[] => {
  const uris = [...new Set(sale.uris)].sort();
  const events: SaleObjectEvent[] = [];
  for (let block = 0; block * epcsPerStoredEvent < uris.length; block++) {
    events.push({
      source: 'SALE',
      eventId: derivedId('sale', hash40(sale.saleId, block)),
      locationId: sale.locationId,
      saleId: sale.saleId,
      eventTime: utcIso(sale.at),
      epcs: uris.slice(block * epcsPerStoredEvent, (block + 1) * epcsPerStoredEvent),
    });
  }
  return events;
};

/** One stored event as an EPCIS 2.0 ObjectEvent at its location. */
export const objectEventOf = (event: StoredObjectEvent, location: { type: string; timeZone: string }): ObjectEvent => {
  const cbv = event.source === 'SALE' ? saleCbv : cbvOf(event, location.type);
  return {
    type: 'ObjectEvent',
    eventTime: event.eventTime,
    eventTimeZoneOffset: timeZoneOffsetAt(location.timeZone, event.eventTime),
    eventID: epcisEventId(event.eventId),
    epcList: [...event.epcs],
    action: 'OBSERVE',
    bizStep: cbv.bizStep,
    ...(cbv.disposition ? { disposition: cbv.disposition } : {}),
    ...(event.source === 'GATE' ? { readPoint: { id: gateUri(event.locationId, event.gateId) } } : {}),
    bizLocation: { id: locationUri(event.locationId) },
  };
};

/** An EPCISDocument of a page of events, created at `now`; `cursor` where another page follows. */
export const epcisDocumentOf = (events: readonly ObjectEvent[], now: string, cursor?: string): EpcisDocument => ({
  '@context': [epcisContext, { ...stockclubContext }],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: now,
  epcisBody: { eventList: [...events] },
  ...(cursor ? { 'stockclub:cursor': cursor } : {}),
});

/**
 * GS1 EPCIS 2.0 (JSON-LD) for item events: how a stored gate item event
 * becomes an ObjectEvent, the time zone offset of a location at an instant,
 * stable event ids and location URIs. Pure: no I/O, no clock (the document's
 * creation date comes in). Choices: docs/epcis.md.
 */
import { createHash } from 'node:crypto';
import type { GateDirection, SerialStateBefore } from './rfid.ts';

/** GS1's JSON-LD context for EPCIS 2.0 documents. */
export const epcisContext = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
/** Our own JSON-LD prefix, for the one extension field a page carries (`stockclub:cursor`). */
export const stockclubContext = { stockclub: 'urn:stockclub:epcis:' } as const;

/** One item event at a gate as stored (shared/db/epcis.ts): what the export maps. */
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
export type BizStep = 'receiving' | 'arriving' | 'departing';
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
  readonly readPoint: { id: string };
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

const sold = (state: SerialStateBefore) => state === 'SOLD' || state === 'LEFT_SOLD';

/**
 * What a gate item event means in CBV terms (the table in docs/epcis.md):
 * - IN of an unsold item: `receiving`, on the shelf at a store
 *   (`sellable_accessible`), in the back at a warehouse (`sellable_not_accessible`);
 * - IN of a sold item (a customer walking back in with it): `arriving`, `retail_sold`;
 * - OUT of a sold item: `departing`, `retail_sold`;
 * - OUT at a warehouse: `departing`, `in_transit` (shipped);
 * - OUT of an unsold item at a store (an exit read: a till posting late, a
 *   quantity-only sale or a theft; the gate cannot tell): `departing`, no disposition.
 */
export const cbvOf = (event: Pick<StoredItemEvent, 'direction' | 'stateBefore'>, locationType: string): { bizStep: BizStep; disposition?: Disposition } => {
  if (event.direction === 'IN') {
    if (sold(event.stateBefore)) return { bizStep: 'arriving', disposition: 'retail_sold' };
    return { bizStep: 'receiving', disposition: locationType === 'STORE' ? 'sellable_accessible' : 'sellable_not_accessible' };
  }
  if (sold(event.stateBefore)) return { bizStep: 'departing', disposition: 'retail_sold' };
  if (locationType === 'STORE') return { bizStep: 'departing' };
  return { bizStep: 'departing', disposition: 'in_transit' };
};

/** TDS pure-identity URIs escape these characters of an alphanumeric (SGTIN-198) serial. */
const escapeSerial = (serial: string): string => serial.replace(/["%&/<>?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** `urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial` (TDS pure identity). */
export const sgtinUri = (item: Pick<StoredItemEvent, 'companyPrefix' | 'itemReference' | 'serial'>): string =>
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

/** One stored gate item event as an EPCIS 2.0 ObjectEvent at its location. */
export const objectEventOf = (event: StoredItemEvent, location: { type: string; timeZone: string }): ObjectEvent => {
  const cbv = cbvOf(event, location.type);
  return {
    type: 'ObjectEvent',
    eventTime: event.eventTime,
    eventTimeZoneOffset: timeZoneOffsetAt(location.timeZone, event.eventTime),
    eventID: epcisEventId(event.eventId),
    epcList: [sgtinUri(event)],
    action: 'OBSERVE',
    bizStep: cbv.bizStep,
    ...(cbv.disposition ? { disposition: cbv.disposition } : {}),
    readPoint: { id: gateUri(event.locationId, event.gateId) },
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

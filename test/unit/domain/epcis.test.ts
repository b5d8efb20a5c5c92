import { describe, expect, it } from 'vitest';
import {
  cbvOf,
  epcisDocumentOf,
  epcisEventId,
  epcsPerStoredEvent,
  gateUri,
  legacyGateEvent,
  locationUri,
  objectEventOf,
  packGateEvents,
  packSaleEvents,
  sgtinUri,
  type StoredItemEvent,
  timeZoneOffsetAt,
  utcIso,
} from '../../../shared/domain/epcis.ts';
import { decodeEpc } from '../../../shared/domain/epc.ts';

const event: StoredItemEvent = {
  eventId: 'rfid:0123456789abcdef0123456789abcdef01234567',
  locationId: 'ST-1',
  gateId: 'DOOR-1',
  direction: 'IN',
  eventTime: '2026-03-29T00:30:00.000Z',
  epc: '3074257BF7194E4000001A85',
  companyPrefix: '0614141',
  itemReference: '812345',
  serial: '6789',
  stateBefore: 'UNSEEN',
};

describe('timeZoneOffsetAt', () => {
  it('follows daylight saving: Europe/Berlin +01:00 before 29 March 2026 01:00 UTC, +02:00 after', () => {
    expect(timeZoneOffsetAt('Europe/Berlin', '2026-03-29T00:59:59.999Z')).toBe('+01:00');
    expect(timeZoneOffsetAt('Europe/Berlin', '2026-03-29T01:00:00.000Z')).toBe('+02:00');
    expect(timeZoneOffsetAt('Europe/Berlin', '2026-10-25T00:59:59.000Z')).toBe('+02:00');
    expect(timeZoneOffsetAt('Europe/Berlin', '2026-10-25T01:00:00.000Z')).toBe('+01:00');
  });

  it('handles the southern hemisphere, half and quarter hours, and the extremes', () => {
    expect(timeZoneOffsetAt('Australia/Sydney', '2026-01-15T00:00:00Z')).toBe('+11:00');
    expect(timeZoneOffsetAt('Australia/Sydney', '2026-07-15T00:00:00Z')).toBe('+10:00');
    expect(timeZoneOffsetAt('America/New_York', '2026-07-01T12:00:00Z')).toBe('-04:00');
    expect(timeZoneOffsetAt('America/New_York', '2026-12-01T12:00:00Z')).toBe('-05:00');
    expect(timeZoneOffsetAt('Asia/Kolkata', '2026-06-01T00:00:00Z')).toBe('+05:30');
    expect(timeZoneOffsetAt('Asia/Kathmandu', '2026-06-01T00:00:00Z')).toBe('+05:45');
    expect(timeZoneOffsetAt('Pacific/Kiritimati', '2026-06-01T00:00:00Z')).toBe('+14:00');
    expect(timeZoneOffsetAt('Pacific/Pago_Pago', '2026-06-01T00:00:00Z')).toBe('-11:00');
    expect(timeZoneOffsetAt('Pacific/Niue', '2026-06-01T00:00:00Z')).toBe('-11:00');
  });

  it('answers +00:00 for UTC and zones at zero offset', () => {
    expect(timeZoneOffsetAt('UTC', '2026-06-01T00:00:00Z')).toBe('+00:00');
    expect(timeZoneOffsetAt('Europe/London', '2026-01-01T00:00:00Z')).toBe('+00:00');
    expect(timeZoneOffsetAt('Europe/London', '2026-07-01T00:00:00Z')).toBe('+01:00');
  });
});

describe('cbvOf', () => {
  it('maps each gate event to its CBV business step and disposition', () => {
    expect(cbvOf({ direction: 'IN', sold: false }, 'STORE')).toEqual({ bizStep: 'receiving', disposition: 'sellable_accessible' });
    expect(cbvOf({ direction: 'IN', sold: false }, 'WAREHOUSE')).toEqual({ bizStep: 'receiving', disposition: 'sellable_not_accessible' });
    expect(cbvOf({ direction: 'IN', sold: true }, 'STORE')).toEqual({ bizStep: 'arriving', disposition: 'retail_sold' });
    expect(cbvOf({ direction: 'OUT', sold: true }, 'STORE')).toEqual({ bizStep: 'departing', disposition: 'retail_sold' });
    expect(cbvOf({ direction: 'OUT', sold: false }, 'WAREHOUSE')).toEqual({ bizStep: 'departing', disposition: 'in_transit' });
    expect(cbvOf({ direction: 'OUT', sold: false }, 'STORE')).toEqual({ bizStep: 'departing' });
  });
});

describe('identifiers', () => {
  it('writes the TDS pure-identity URI of an SGTIN (the TDS example)', () => {
    const decoded = decodeEpc('3074257BF7194E4000001A85');
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(sgtinUri(decoded)).toBe('urn:epc:id:sgtin:0614141.812345.6789');
  });

  it('escapes the characters TDS escapes in alphanumeric serials', () => {
    expect(sgtinUri({ companyPrefix: '0614141', itemReference: '712345', serial: '32a/b%"' })).toBe('urn:epc:id:sgtin:0614141.712345.32a%2Fb%25%22');
  });

  it('derives a stable, well-formed urn:uuid eventID, distinct per event', () => {
    const id = epcisEventId(event.eventId);
    expect(id).toBe(epcisEventId(event.eventId));
    expect(id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(epcisEventId(`${event.eventId}0`)).not.toBe(id);
  });

  it('names locations and gates as URNs, escaping what a URI may not hold', () => {
    expect(locationUri('ST-1')).toBe('urn:stockclub:loc:ST-1');
    expect(gateUri('ST-1', 'DOOR 1')).toBe('urn:stockclub:loc:ST-1:gate:DOOR%201');
  });

  it('normalises instants to UTC with milliseconds', () => {
    expect(utcIso('2026-03-29T02:30:00+02:00')).toBe('2026-03-29T00:30:00.000Z');
  });
});

describe('objectEventOf and epcisDocumentOf', () => {
  it('maps a gate event stored before packing (one EPC) to an ObjectEvent with the offset of the location at that instant', () => {
    expect(legacyGateEvent({ ...event, stateBefore: 'LEFT_SOLD' })).toMatchObject({
      source: 'GATE',
      sold: true,
      epcs: ['urn:epc:id:sgtin:0614141.812345.6789'],
    });
    expect(objectEventOf(legacyGateEvent(event), { type: 'STORE', timeZone: 'Europe/Berlin' })).toEqual({
      type: 'ObjectEvent',
      eventTime: '2026-03-29T00:30:00.000Z',
      eventTimeZoneOffset: '+01:00',
      eventID: epcisEventId(event.eventId),
      epcList: ['urn:epc:id:sgtin:0614141.812345.6789'],
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'sellable_accessible',
      readPoint: { id: 'urn:stockclub:loc:ST-1:gate:DOOR-1' },
      bizLocation: { id: 'urn:stockclub:loc:ST-1' },
    });
    const exit = objectEventOf(legacyGateEvent({ ...event, direction: 'OUT', stateBefore: 'IN_STOCK' }), { type: 'STORE', timeZone: 'UTC' });
    expect(exit).not.toHaveProperty('disposition');
  });

  it('maps a sale to retail_selling / retail_sold at its location, without a read point', () => {
    const [sale] = packSaleEvents({
      saleId: 's-1',
      locationId: 'ST-1',
      at: '2026-06-01T10:00:00+02:00',
      uris: ['urn:epc:id:sgtin:0614141.812345.2', 'urn:epc:id:sgtin:0614141.812345.1'],
    });
    expect(objectEventOf(sale!, { type: 'STORE', timeZone: 'Europe/Berlin' })).toEqual({
      type: 'ObjectEvent',
      eventTime: '2026-06-01T08:00:00.000Z',
      eventTimeZoneOffset: '+02:00',
      eventID: epcisEventId(sale!.eventId),
      epcList: ['urn:epc:id:sgtin:0614141.812345.1', 'urn:epc:id:sgtin:0614141.812345.2'],
      action: 'OBSERVE',
      bizStep: 'retail_selling',
      disposition: 'retail_sold',
      bizLocation: { id: 'urn:stockclub:loc:ST-1' },
    });
  });

  it('wraps events in an EPCISDocument, with a cursor only when another page follows', () => {
    const document = epcisDocumentOf([], '2026-06-01T00:00:00.000Z');
    expect(document).toMatchObject({ type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-06-01T00:00:00.000Z', epcisBody: { eventList: [] } });
    expect(document).not.toHaveProperty('stockclub:cursor');
    expect(epcisDocumentOf([], '2026-06-01T00:00:00.000Z', 'abc')['stockclub:cursor']).toBe('abc');
  });
});

describe('packing', () => {
  const pass = { locationId: 'ST-1', gateId: 'DOOR-1', direction: 'OUT' as const, messageKey: 'msg-1', firstRead: '2026-06-01T10:00:00.000Z' };
  const epc = (i: number) => `E${String(i).padStart(4, '0')}`;
  const item = (i: number, stateBefore: 'IN_STOCK' | 'SOLD' = 'IN_STOCK') => ({ epc: epc(i), uri: `urn:epc:id:sgtin:0614141.812345.${i}`, stateBefore });

  it("packs a message's events into one event per class (sold before or not), at the message's first read", () => {
    const packed = packGateEvents(pass, [item(1), item(2, 'SOLD'), item(3), item(4, 'SOLD'), item(5)], [1, 2, 3, 4, 5].map(epc));
    expect(packed).toHaveLength(2);
    const unsold = packed.find((e) => !e.sold)!;
    expect(unsold).toMatchObject({ source: 'GATE', gateId: 'DOOR-1', direction: 'OUT', eventTime: pass.firstRead });
    expect(unsold.epcs).toEqual([1, 3, 5].map((i) => `urn:epc:id:sgtin:0614141.812345.${i}`));
    expect(packed.find((e) => e.sold)!.epcs).toHaveLength(2);
    expect(new Set(packed.map((e) => e.eventId)).size).toBe(2);
  });

  it('splits by the rank of each EPC in the message, so every attempt at the message keys its EPCs alike', () => {
    const all = Array.from({ length: 450 }, (_, i) => epc(i));
    const whole = packGateEvents(
      pass,
      all.map((_, i) => item(i)),
      all,
    );
    expect(whole.map((e) => e.epcs.length)).toEqual([epcsPerStoredEvent, epcsPerStoredEvent, 50]);
    // A first attempt that claimed only some of the items: each lands in the item the complete attempt writes it to.
    const partial = packGateEvents(pass, [item(3), item(260)], [...all].reverse());
    expect(partial).toHaveLength(2);
    for (const event of partial) expect(whole.find((e) => e.eventId === event.eventId)!.epcs).toEqual(expect.arrayContaining([...event.epcs]));
    expect(packGateEvents({ ...pass, messageKey: 'msg-2' }, [item(3)], all)[0]!.eventId).not.toBe(whole[0]!.eventId);
  });

  it('keys a sale by its id, split per 200 EPCs', () => {
    const uris = Array.from({ length: 201 }, (_, i) => `urn:epc:id:sgtin:0614141.812345.${i}`);
    const events = packSaleEvents({ saleId: 's-1', locationId: 'ST-1', at: '2026-06-01T10:00:00.000Z', uris });
    expect(events.map((e) => e.epcs.length)).toEqual([200, 1]);
    expect(packSaleEvents({ saleId: 's-1', locationId: 'ST-1', at: '2026-06-01T10:00:00.000Z', uris: [...uris].reverse() })).toEqual(events);
    expect(packSaleEvents({ saleId: 's-1', locationId: 'ST-1', at: '2026-06-01T10:00:00.000Z', uris: [] })).toEqual([]);
  });
});

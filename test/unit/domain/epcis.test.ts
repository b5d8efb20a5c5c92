import { describe, expect, it } from 'vitest';
import {
  cbvOf,
  epcisDocumentOf,
  epcisEventId,
  gateUri,
  locationUri,
  objectEventOf,
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
    expect(cbvOf({ direction: 'IN', stateBefore: 'UNSEEN' }, 'STORE')).toEqual({ bizStep: 'receiving', disposition: 'sellable_accessible' });
    expect(cbvOf({ direction: 'IN', stateBefore: 'LEFT' }, 'WAREHOUSE')).toEqual({ bizStep: 'receiving', disposition: 'sellable_not_accessible' });
    expect(cbvOf({ direction: 'IN', stateBefore: 'SOLD' }, 'STORE')).toEqual({ bizStep: 'arriving', disposition: 'retail_sold' });
    expect(cbvOf({ direction: 'OUT', stateBefore: 'SOLD' }, 'STORE')).toEqual({ bizStep: 'departing', disposition: 'retail_sold' });
    expect(cbvOf({ direction: 'OUT', stateBefore: 'LEFT_SOLD' }, 'STORE')).toEqual({ bizStep: 'departing', disposition: 'retail_sold' });
    expect(cbvOf({ direction: 'OUT', stateBefore: 'IN_STOCK' }, 'WAREHOUSE')).toEqual({ bizStep: 'departing', disposition: 'in_transit' });
    expect(cbvOf({ direction: 'OUT', stateBefore: 'IN_STOCK' }, 'STORE')).toEqual({ bizStep: 'departing' });
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
  it('maps a stored gate event to an ObjectEvent with the offset of the location at that instant', () => {
    expect(objectEventOf(event, { type: 'STORE', timeZone: 'Europe/Berlin' })).toEqual({
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
    const exit = objectEventOf({ ...event, direction: 'OUT', stateBefore: 'IN_STOCK' }, { type: 'STORE', timeZone: 'UTC' });
    expect(exit).not.toHaveProperty('disposition');
  });

  it('wraps events in an EPCISDocument, with a cursor only when another page follows', () => {
    const document = epcisDocumentOf([], '2026-06-01T00:00:00.000Z');
    expect(document).toMatchObject({ type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-06-01T00:00:00.000Z', epcisBody: { eventList: [] } });
    expect(document).not.toHaveProperty('stockclub:cursor');
    expect(epcisDocumentOf([], '2026-06-01T00:00:00.000Z', 'abc')['stockclub:cursor']).toBe('abc');
  });
});

/**
 * The EPCIS 2.0 export (DESIGN.md, "EPCIS export"): its query and the
 * EPCISDocument it answers (JSON-LD, `application/ld+json`). The answer's
 * normative schema is GS1's EPCIS 2.0 JSON Schema; this one describes the
 * subset StockClub produces (gate passes and sales of tagged items as ObjectEvents) for the
 * OpenAPI document. Mapping and choices: docs/epcis.md.
 */
import * as z from 'zod';
import { Cursor, Limit, LocationId, Timestamp } from './common.ts';

export const EpcisQuery = /* @__PURE__ */ z.object({
  locationId: /* @__PURE__ */ LocationId.meta({ description: 'The location whose item events to export' }),
  from: /* @__PURE__ */ Timestamp.optional().meta({ description: 'Events whose first read is at or after this instant (default: 24 hours before `to`)' }),
  to: /* @__PURE__ */ Timestamp.optional().meta({
    description: 'Events whose first read is at or before this instant (default: now); at most 31 days after `from`',
  }),
  limit: Limit,
  cursor: /* @__PURE__ */ Cursor.optional(),
});

const Uri = /* @__PURE__ */ z.string().meta({ format: 'uri' });

export const EpcisObjectEvent = /* @__PURE__ */ z
  .object({
    type: /* @__PURE__ */ z.literal('ObjectEvent'),
    eventTime: /* @__PURE__ */ Timestamp.meta({ description: "A gate event: its gate message's first read; a sale: the sale's time (UTC)" }),
    eventTimeZoneOffset: /* @__PURE__ */ z
      .string()
      .regex(/^[+-]\d{2}:\d{2}$/)
      .meta({ description: "The location's UTC offset at eventTime (its IANA time zone, daylight saving included)" }),
    eventID: /* @__PURE__ */ Uri.meta({ description: 'Stable across exports: urn:uuid: derived from the stored event' }),
    epcList: /* @__PURE__ */ z
      .array(Uri)
      .meta({ description: 'urn:epc:id:sgtin: pure-identity URIs: the items one gate message saw pass (of one class), or one sale sold; at most 200' }),
    action: /* @__PURE__ */ z.enum(['OBSERVE', 'ADD', 'DELETE']),
    bizStep: /* @__PURE__ */ z.string().meta({ description: 'CBV 2.0 business step (bare term): receiving, arriving, departing, retail_selling' }),
    disposition: /* @__PURE__ */ z
      .string()
      .optional()
      .meta({ description: 'CBV 2.0 disposition (bare term): sellable_accessible, sellable_not_accessible, in_transit, retail_sold' }),
    readPoint: /* @__PURE__ */ z
      .object({ id: /* @__PURE__ */ Uri.meta({ description: 'The gate: urn:stockclub:loc:{locationId}:gate:{gateId}' }) })
      .optional()
      .meta({ description: 'The gate; absent on a sale' }),
    bizLocation: /* @__PURE__ */ z.object({ id: /* @__PURE__ */ Uri.meta({ description: 'The location: urn:stockclub:loc:{locationId}' }) }),
  })
  .meta({ id: 'EpcisObjectEvent' });

export const EpcisDocument = /* @__PURE__ */ z
  .object({
    '@context': /* @__PURE__ */ z
      .array(/* @__PURE__ */ z.union([Uri, /* @__PURE__ */ z.object({ stockclub: /* @__PURE__ */ z.string() })]))
      .meta({ description: "GS1's EPCIS 2.0 context and the `stockclub` prefix" }),
    type: /* @__PURE__ */ z.literal('EPCISDocument'),
    schemaVersion: /* @__PURE__ */ z.literal('2.0'),
    creationDate: Timestamp,
    epcisBody: /* @__PURE__ */ z.object({ eventList: /* @__PURE__ */ z.array(EpcisObjectEvent) }),
    'stockclub:cursor': /* @__PURE__ */ Cursor.optional().meta({
      description:
        'Where the next page starts (pass it as `cursor` with the same locationId, from and to); absent on the last page. An EPCIS extension field (compact IRI).',
    }),
  })
  .meta({
    id: 'EpcisDocument',
    description: 'A GS1 EPCIS 2.0 EPCISDocument (JSON-LD) of item-level ObjectEvents (gate passes and sales of tagged items)',
    examples: [
      {
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { stockclub: 'urn:stockclub:epcis:' }],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2026-06-01T10:00:00.000Z',
        epcisBody: {
          eventList: [
            {
              type: 'ObjectEvent',
              eventTime: '2026-06-01T08:15:02.120Z',
              eventTimeZoneOffset: '+02:00',
              eventID: 'urn:uuid:3f1c2a4e-9b7d-8c21-a4f0-5d6e7f8091a2',
              epcList: ['urn:epc:id:sgtin:0614141.812345.6789', 'urn:epc:id:sgtin:0614141.812345.6790'],
              action: 'OBSERVE',
              bizStep: 'receiving',
              disposition: 'sellable_accessible',
              readPoint: { id: 'urn:stockclub:loc:ST-BERLIN-01:gate:BACK-1' },
              bizLocation: { id: 'urn:stockclub:loc:ST-BERLIN-01' },
            },
            {
              type: 'ObjectEvent',
              eventTime: '2026-06-01T09:40:12.000Z',
              eventTimeZoneOffset: '+02:00',
              eventID: 'urn:uuid:0b6a1c9e-52f4-8d3a-9e21-7c4b5a6d8e0f',
              epcList: ['urn:epc:id:sgtin:0614141.812345.6789'],
              action: 'OBSERVE',
              bizStep: 'retail_selling',
              disposition: 'retail_sold',
              bizLocation: { id: 'urn:stockclub:loc:ST-BERLIN-01' },
            },
          ],
        },
        'stockclub:cursor': 'eyJwayI6IklURU1fRVZFTlRTI1NULUJFUkxJTi0wMSMyMDI2LTA2LTAxIiwic2siOiIyMDI2LTA2LTAxVDA4OjE1OjAyLjEyMFojcmZpZDphYmMifQ',
      },
    ],
  });

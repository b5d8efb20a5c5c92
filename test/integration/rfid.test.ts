import { GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signLocalToken } from '../../infra/local/auth.ts';
import { FailureLog } from '../../infra/local/failure-log.ts';
import {
  connectGate,
  type GateConnection,
  type GatePayload,
  passReads,
  publishMessages,
  seededRandom,
  splitIntoMessages,
  tagEpcs,
} from '../../infra/local/gate-simulator.ts';
import { startIotDataEndpoint, type IotDataEndpoint } from '../../infra/local/iot-data-endpoint.ts';
import { type LocalBroker, startMqttBroker } from '../../infra/local/mqtt.ts';
import { tables } from '../../infra/tables.ts';
import { batchGetItems, createLocation, createProduct } from '../../shared/db/catalog.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { inventoryKeys, rfidKeys } from '../../shared/db/keys.ts';
import { checkout } from '../../shared/app/checkout.ts';
import { recordMovement } from '../../shared/app/stock.ts';
import { decodeEpc, gs1CheckDigit, type Sgtin } from '../../shared/domain/epc.ts';
import { TemporarilyUnavailable } from '../../shared/domain/errors.ts';
import { encodeWindow, gateMessageKey, itemEventMovementId, windowAttribute } from '../../shared/domain/rfid.ts';
import { uniqueId } from '../support/local-api.ts';

/**
 * Gate reads through the real local broker (per-gateway credentials, the
 * topic rule), the ingest handler, DynamoDB Local and the IoT data plane
 * endpoint back to the gate's events topic.
 */
let broker: LocalBroker;
let iotData: IotDataEndpoint;
const failures = new FailureLog({});
const gates: GateConnection[] = [];
const warehouse = uniqueId('RF-WH');
const store = uniqueId('RF-ST');
const now = () => new Date().toISOString();
const admin = { subject: 'rfid-test', role: 'admin' as const, locations: [] };

/** Five products with fresh GTINs: company prefix 0614141, item references from a random base, distinct. */
const itemBase = 10_000 + 5 * Math.floor(Math.random() * 17_000);
const products = Array.from({ length: 5 }, (_, i) => {
  const digits = `80614141${itemBase + i}`;
  return { sku: uniqueId(`rf-sku${i}`), gtin: `${digits}${gs1CheckDigit(digits)}` };
});
const gtins = products.map((p) => p.gtin);

const gate = async (locationId: string, gateId: string) => {
  const connection = await connectGate(broker.url, locationId, gateId);
  gates.push(connection);
  return connection;
};

/** Every page of a Query or Scan. */
const everyPage = async <T extends { LastEvaluatedKey?: Record<string, unknown> }>(page: (start?: Record<string, unknown>) => Promise<T>): Promise<T[]> => {
  const pages: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const output = await page(start);
    pages.push(output);
    start = output.LastEvaluatedKey;
  } while (start);
  return pages;
};

const ledgerCount = async (locationId: string): Promise<number> =>
  (
    await everyPage((start) =>
      documentClient.send(
        new QueryCommand({
          TableName: tableName(tables.inventory),
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': inventoryKeys.ledgerOfLocation(locationId) },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      ),
    )
  ).reduce((sum, page) => sum + (page.Count ?? 0), 0);

const serialsAt = async (locationId: string): Promise<Record<string, unknown>[]> =>
  (
    await everyPage((start) =>
      documentClient.send(
        new ScanCommand({
          TableName: tableName(tables.rfid),
          FilterExpression: 'entity = :serial AND locationId = :loc',
          ExpressionAttributeValues: { ':serial': 'SERIAL', ':loc': locationId },
          ExclusiveStartKey: start,
        }),
      ),
    )
  ).flatMap((page) => page.Items ?? []);

const levelOf = async (sku: string, locationId: string) =>
  (
    await documentClient.send(
      new QueryCommand({
        TableName: tableName(tables.inventory),
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: { ':pk': inventoryKeys.level(sku, locationId).pk, ':sk': inventoryKeys.level(sku, locationId).sk },
      }),
    )
  ).Items?.[0];

/** Publishes one message and waits for its acknowledgement. */
const send = async (connection: GateConnection, locationId: string, gateId: string, message: object): Promise<Record<string, unknown>> => {
  const before = connection.events.filter((e) => e.type === 'ACK').length;
  await publishMessages(connection, locationId, gateId, [message as GatePayload]);
  return (await connection.waitFor('ACK', before + 1))[before]!;
};

const read = (epc: string, at: string, direction: 'IN' | 'OUT'): GatePayload => ({ readAt: at, direction, reads: [{ epc, antenna: 1, rssi: -50, at }] });

const serialOf = async (epc: string) => {
  const { gtin, serial } = decodeEpc(epc) as Sgtin & { ok: true };
  return (await documentClient.send(new GetCommand({ TableName: tableName(tables.rfid), Key: rfidKeys.serial(gtin, serial), ConsistentRead: true }))).Item;
};

/** Receives `count` of a product at the store and sells these EPCs of it there. */
const sellAtStore = async (productIndex: number, epcs: string[]) => {
  const sku = products[productIndex]!.sku;
  await recordMovement({ movementId: uniqueId('rf-rc'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty: epcs.length + 1 }] }, admin);
  await checkout({ saleId: uniqueId('sale-rf'), locationId: store, lines: [{ sku, qty: epcs.length, unitPrice: 2, epcs }] }, admin);
  return sku;
};

beforeAll(async () => {
  broker = await startMqttBroker({ port: 0, failures });
  iotData = await startIotDataEndpoint(broker);
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotData.url;
  await createLocation({ locationId: warehouse, name: 'RFID warehouse', type: 'WAREHOUSE', timeZone: 'UTC' }, now());
  await createLocation({ locationId: store, name: 'RFID store', type: 'STORE', timeZone: 'UTC' }, now());
  for (const p of products) await createProduct({ sku: p.sku, name: p.sku, gtin: p.gtin, unitCost: 1, price: 2, currency: 'EUR' }, now());
});

afterAll(async () => {
  await Promise.all(gates.map((g) => g.close()));
  await iotData?.close();
  await broker?.close();
});

// A story, in order even when tests are shuffled: each test reads the books the ones before it left (the burst, then its replay).
describe('RFID gates', { shuffle: false }, () => {
  // 500 tags read 20 times each, 10 000 reads, as a dock door sees a delivery pass.
  const epcs = tagEpcs(gtins, 500, 1);
  const startAt = new Date(Date.now() - 60_000);
  const burst = () => splitIntoMessages(passReads(epcs, 20, startAt, seededRandom(42)), 'IN', 10);

  // Ledger entries of the burst: one movement per SKU per message (at most 5 x 10), not one per item.
  let burstEntries = 0;

  it('books a burst of 500 tags read 20 times across 10 messages as 500 items in one movement per SKU and message, and 500 serials', async () => {
    const messages = burst();
    expect(messages).toHaveLength(10);
    for (const m of messages) expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThan(128 * 1024);
    const dock = await gate(warehouse, 'DOCK-1');

    await publishMessages(dock, warehouse, 'DOCK-1', messages);
    const acks = await dock.waitFor('ACK', 10);
    await broker.settled();

    expect(failures.list()).toEqual([]);
    expect(acks.reduce((sum, a) => sum + (a.received as number), 0)).toBe(10_000);
    expect(acks.reduce((sum, a) => sum + (a.booked as number), 0)).toBe(500);
    expect(acks.every((a) => a.unknownGtins && (a.unknownGtins as { count: number }).count === 0 && a.alarms === 0)).toBe(true);
    burstEntries = await ledgerCount(warehouse);
    expect(burstEntries).toBeGreaterThanOrEqual(5);
    expect(burstEntries).toBeLessThanOrEqual(50);
    const serials = await serialsAt(warehouse);
    expect(serials).toHaveLength(500);
    expect(new Set(serials.map((s) => s.state))).toEqual(new Set(['IN_STOCK']));
    for (const p of products) expect(await levelOf(p.sku, warehouse)).toMatchObject({ onHand: 100 });
  });

  it('books nothing again when the same burst is replayed', async () => {
    const dock = await gate(warehouse, 'DOCK-1');
    await publishMessages(dock, warehouse, 'DOCK-1', burst());
    const acks = await dock.waitFor('ACK', 10);
    await broker.settled();

    expect(failures.list()).toEqual([]);
    expect(acks.reduce((sum, a) => sum + (a.booked as number), 0)).toBe(0);
    // The messages that opened the events are recognised as theirs and confirmed, not booked again.
    expect(acks.reduce((sum, a) => sum + (a.alreadyBooked as number), 0)).toBe(500);
    expect(await ledgerCount(warehouse)).toBe(burstEntries);
    for (const p of products) expect(await levelOf(p.sku, warehouse)).toMatchObject({ onHand: 100 });
  });

  it('keeps a tag parked at the gate one event while it is read, and counts a later pass only once in stock', async () => {
    const [epc] = tagEpcs([gtins[2]!], 1, 7_000);
    const dock = await gate(warehouse, 'DOCK-3');
    const base = Date.now() - 600_000;
    const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();
    // Window 30 s: reads 20 s apart keep it open (the second stretches it), 45 s after the last read a new event starts.
    const acks = [];
    for (const [i, seconds] of [0, 20, 45, 120].entries()) {
      await publishMessages(dock, warehouse, 'DOCK-3', [
        { readAt: at(seconds), direction: 'IN', reads: [{ epc: epc!, antenna: 1, rssi: -50, at: at(seconds) }] },
      ]);
      acks.push((await dock.waitFor('ACK', i + 1))[i]);
    }
    expect(acks.map((a) => [a!.booked, a!.duplicates, a!.unchanged])).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });

  it('completes an event that an earlier attempt claimed but did not book', async () => {
    const [epc] = tagEpcs([gtins[3]!], 1, 8_000);
    const at = new Date(Date.now() - 5_000).toISOString();
    // What a crash right after the claim leaves behind: the serial moved and the window opened (one item), no movement.
    const { gtin, serial } = decodeEpc(epc!) as Sgtin & { ok: true };
    const eventId = itemEventMovementId({ locationId: warehouse, gateId: 'DOCK-4', direction: 'IN', epc: epc!, startedAt: at });
    await documentClient.send(
      new PutCommand({
        TableName: tableName(tables.rfid),
        Item: {
          ...rfidKeys.serial(gtin, serial),
          entity: 'SERIAL',
          epc,
          gtin,
          serial,
          sku: products[3]!.sku,
          state: 'IN_STOCK',
          locationId: warehouse,
          lastSeenAt: at,
          lastEventId: eventId,
          previousState: 'UNSEEN',
          previousLocationId: '',
          [windowAttribute(warehouse, 'DOCK-4')]: encodeWindow({
            direction: 'IN',
            startedAt: at,
            lastSeenAt: at,
            eventId,
            messageKey: gateMessageKey({ locationId: warehouse, gateId: 'DOCK-4', direction: 'IN', readAt: at, reads: [{ epc: epc!, at }] }),
            stateBefore: 'UNSEEN',
            stale: false,
          }),
        },
      }),
    );
    const dock = await gate(warehouse, 'DOCK-4');
    await publishMessages(dock, warehouse, 'DOCK-4', [{ readAt: at, direction: 'IN', reads: [{ epc: epc!, antenna: 1, rssi: -50, at }] }]);
    expect((await dock.waitFor('ACK', 1))[0]).toMatchObject({ booked: 1, duplicates: 0 });
  });

  it('reports, and does not fail on, an item leaving that the books do not have', async () => {
    const [epc] = tagEpcs([gtins[4]!], 1, 9_500);
    const door = await gate(store, 'DOOR-2');
    const at = new Date().toISOString();
    await publishMessages(door, store, 'DOOR-2', [{ readAt: at, direction: 'OUT', reads: [{ epc: epc!, antenna: 1, rssi: -50, at }] }]);
    expect((await door.waitFor('ACK', 1))[0]).toMatchObject({ booked: 0, notOnBooks: 1, alarms: 1 });
    expect(failures.list()).toEqual([]);
  });

  it("refuses a gateway publishing under another gate's topic", async () => {
    const [epc] = tagEpcs([gtins[1]!], 1, 9_900);
    const booked = await ledgerCount(warehouse);
    const dock = await gate(warehouse, 'DOCK-2');
    const closed = new Promise<void>((resolve) => dock.client.once('close', () => resolve()));
    const at = new Date().toISOString();
    dock.client.publish(`stockclub/${warehouse}/gates/DOCK-1/reads`, JSON.stringify({ readAt: at, direction: 'IN', reads: [{ epc, at }] }), { qos: 1 });
    // The broker closes the connection and the message goes nowhere: no rule runs, nothing is booked.
    await closed;
    await broker.settled();
    expect(await ledgerCount(warehouse)).toBe(booked);
    expect(failures.list()).toEqual([]);
    // And a token for one gate does not log in as another.
    const token = await signLocalToken({ role: 'gateway', locations: [warehouse], gateId: 'DOCK-2' });
    await expect(connectGate(broker.url, warehouse, 'DOCK-1', token)).rejects.toThrow();
  });

  it('raises an alarm when an unsold item leaves a store, and not for a sold one', async () => {
    const [sold, unsold] = tagEpcs([gtins[0]!], 2, 9_000);
    const sku = products[0]!.sku;
    await recordMovement({ movementId: uniqueId('rf-rc'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 2 }] }, admin);
    // The checkout takes the item off the books and marks its serial SOLD, in one transaction.
    const saleId = uniqueId('sale-rf');
    const sale = { saleId, locationId: store, lines: [{ sku, qty: 1, unitPrice: 2, epcs: [sold!] }] };
    expect((await checkout(sale, admin)).receipt.total).toBe(2);
    // A retried checkout answers as before; another sale of the same serial (a tag scanned twice, a cloned tag) is refused whole.
    expect((await checkout(sale, admin)).replayed).toBe(true);
    await expect(checkout({ ...sale, saleId: uniqueId('sale-rf') }, admin)).rejects.toMatchObject({ type: 'conflict' });
    await expect(
      checkout({ ...sale, saleId: uniqueId('sale-rf'), lines: [{ sku, qty: 1, unitPrice: 2, epcs: ['31AC16465751CCD0C2000000'] }] }, admin),
    ).rejects.toMatchObject({ type: 'validation-failed' });
    expect(await levelOf(sku, store)).toMatchObject({ onHand: 1 });

    const door = await gate(store, 'DOOR-1');
    const at = new Date(Date.now() + 1000).toISOString();
    await publishMessages(door, store, 'DOOR-1', [
      {
        readAt: at,
        direction: 'OUT',
        reads: [sold!, unsold!, unsold!].map((epc) => ({ epc, antenna: 1, rssi: -50, at })),
      },
    ]);
    const [ack] = await door.waitFor('ACK', 1);
    const [alarm] = door.events.filter((e) => e.type === 'ALARM');

    // The sold item's sale already took it off the books; the unsold one leaves as RFID_OUT.
    expect(ack).toMatchObject({ booked: 1, unchanged: 1, alarms: 1 });
    expect(alarm).toMatchObject({ type: 'ALARM', reason: 'UNSOLD_EXIT', items: [{ epc: unsold, gtin: gtins[0], serial: '9001', sku, stateBefore: 'UNSEEN' }] });
    expect(door.events.indexOf(alarm!)).toBeLessThan(door.events.indexOf(ack!));
    expect(await levelOf(sku, store)).toMatchObject({ onHand: 0 });
  });

  it('counts a tag read OUT and back IN at one gate within the window as separate events', async () => {
    // Regression: the window ignored direction, so the OUT and the IN after it were "duplicates" of the first IN.
    const [epc] = tagEpcs([gtins[1]!], 1, 11_000);
    const sku = products[1]!.sku;
    const dock = await gate(warehouse, 'DOCK-6');
    const base = Date.now() - 120_000;
    const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();
    const onHand = ((await levelOf(sku, warehouse))?.onHand as number | undefined) ?? 0;
    const acks = [];
    for (const [seconds, direction] of [
      [0, 'IN'],
      [5, 'OUT'],
      [10, 'IN'],
      [12, 'IN'],
    ] as const)
      acks.push(await send(dock, warehouse, 'DOCK-6', read(epc!, at(seconds), direction)));
    expect(acks.map((a) => [a.booked, a.duplicates])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
    ]);
    expect(await levelOf(sku, warehouse)).toMatchObject({ onHand: onHand + 1 });
    expect(await serialOf(epc!)).toMatchObject({ state: 'IN_STOCK', locationId: warehouse, lastSeenAt: at(10) });
    expect(failures.list()).toEqual([]);
  });

  it('sets aside reads stamped far from the server clock, counts them, and still books the rest', async () => {
    // Regression: a read from 2099 held its window open and made every later event of the serial stale.
    const [future, fine, old] = tagEpcs([gtins[1]!], 3, 11_100);
    const dock = await gate(warehouse, 'DOCK-7');
    const now = new Date().toISOString();
    const ack = await send(dock, warehouse, 'DOCK-7', {
      readAt: now,
      direction: 'IN',
      reads: [
        { epc: future!, at: '2099-01-01T00:00:00.000Z' },
        { epc: fine!, at: now },
        { epc: future!, at: new Date(Date.now() + 180_000).toISOString() },
        { epc: old!, at: new Date(Date.now() - 8 * 86_400_000).toISOString() },
      ],
    });
    expect(ack).toMatchObject({ received: 4, distinctEpcs: 3, booked: 1, clockSkew: 3 });
    expect(await serialOf(future!)).toBeUndefined();
    // The tag read again with a sane clock is a new event, not stale.
    expect(await send(dock, warehouse, 'DOCK-7', read(future!, new Date().toISOString(), 'IN'))).toMatchObject({ booked: 1, clockSkew: 0 });
    // A message stamped in 2099 throughout is acknowledged, not thrown into the failure log.
    const ahead = { readAt: '2099-01-01T00:00:00.000Z', direction: 'OUT' as const, reads: [{ epc: fine! }, { epc: future! }] };
    expect(await send(dock, warehouse, 'DOCK-7', ahead)).toMatchObject({ booked: 0, clockSkew: 2 });
    expect(await serialOf(fine!)).toMatchObject({ state: 'IN_STOCK' });
    expect(failures.list()).toEqual([]);
  });

  it('books the good reads of a message that also carries undecodable EPCs, and counts those in the ACK', async () => {
    // Regression: one "DEADBEEF" failed the whole message's schema: no ACK, the valid read never booked.
    const [good] = tagEpcs([gtins[2]!], 1, 12_300);
    const dock = await gate(warehouse, 'DOCK-8');
    const booked = await ledgerCount(warehouse);
    const at = new Date().toISOString();
    const ack = await send(dock, warehouse, 'DOCK-8', {
      readAt: at,
      direction: 'IN',
      // Too short for any EPC, a truncated SGTIN-96 (half a byte missing), not hex, an SSCC.
      reads: [{ epc: 'DEADBEEF' }, { epc: good!, at }, { epc: good!.slice(0, 23) }, { epc: 'zz9' }, { epc: '31AC16465751CCD0C2000000' }],
    });
    expect(ack).toMatchObject({
      received: 5,
      distinctEpcs: 5,
      booked: 1,
      undecodable: { count: 4, epcs: ['DEADBEEF', good!.slice(0, 23), 'ZZ9', '31AC16465751CCD0C2000000'] },
    });
    expect(await ledgerCount(warehouse)).toBe(booked + 1);
    expect(await serialOf(good!)).toMatchObject({ state: 'IN_STOCK', locationId: warehouse });
    expect(failures.list()).toEqual([]);
  });

  it("never books a sold item at a gate: not a stale exit, not an exit after another gate's read, not coming back in", async () => {
    // Regression: the stale path booked RFID_OUT for a SOLD serial, and a sold item read IN booked RFID_IN.
    const [epc] = tagEpcs([gtins[2]!], 1, 11_200);
    const sku = await sellAtStore(2, [epc!]);
    const soldAt = Date.now();
    const onHand = (await levelOf(sku, store))!.onHand as number;
    const at = (ms: number) => new Date(soldAt + ms).toISOString();
    const door3 = await gate(store, 'DOOR-3');
    const door4 = await gate(store, 'DOOR-4');
    // The gateway's clock is 10 s behind the till: stale against the sale.
    expect(await send(door3, store, 'DOOR-3', read(epc!, at(-10_000), 'OUT'))).toMatchObject({ booked: 0, notOnBooks: 0, unchanged: 1, alarms: 0 });
    // The customer walks back in with it: still sold, not stock.
    expect(await send(door3, store, 'DOOR-3', read(epc!, at(1_000), 'IN'))).toMatchObject({ booked: 0, unchanged: 1, alarms: 0 });
    expect(await serialOf(epc!)).toMatchObject({ state: 'SOLD' });
    // And leaves: another gate's later read first, then this gate's earlier one (stale against it).
    expect(await send(door4, store, 'DOOR-4', read(epc!, at(3_000), 'OUT'))).toMatchObject({ booked: 0, unchanged: 1, alarms: 0 });
    expect(await send(door3, store, 'DOOR-3', read(epc!, at(2_000), 'OUT'))).toMatchObject({ booked: 0, unchanged: 1, alarms: 0 });
    expect(await serialOf(epc!)).toMatchObject({ state: 'LEFT_SOLD', lastSeenAt: at(3_000) });
    expect(await levelOf(sku, store)).toMatchObject({ onHand });
    expect([...door3.events, ...door4.events].filter((e) => e.type === 'ALARM')).toEqual([]);
  });

  it('raises no alarm for a sold item read leaving again, at a second exit gate or after the window', async () => {
    // Regression: the first exit turned SOLD into LEFT, so the second read raised UNSOLD_EXIT.
    const [epc] = tagEpcs([gtins[3]!], 1, 11_300);
    await sellAtStore(3, [epc!]);
    const t = Date.now();
    const door5 = await gate(store, 'DOOR-5');
    const door6 = await gate(store, 'DOOR-6');
    expect(await send(door5, store, 'DOOR-5', read(epc!, new Date(t + 1_000).toISOString(), 'OUT'))).toMatchObject({ alarms: 0, unchanged: 1 });
    expect(await send(door6, store, 'DOOR-6', read(epc!, new Date(t + 4_000).toISOString(), 'OUT'))).toMatchObject({ alarms: 0, unchanged: 1 });
    expect(await send(door5, store, 'DOOR-5', read(epc!, new Date(t + 60_000).toISOString(), 'OUT'))).toMatchObject({ alarms: 0, unchanged: 1 });
    expect([...door5.events, ...door6.events].filter((e) => e.type === 'ALARM')).toEqual([]);
  });

  it("books at the topic's location whatever location the payload names", async () => {
    const [epc] = tagEpcs([gtins[4]!], 1, 11_400);
    const door = await gate(store, 'DOOR-7');
    const at = new Date().toISOString();
    const ack = await send(door, store, 'DOOR-7', { ...read(epc!, at, 'IN'), locationId: warehouse, gateId: 'DOCK-1' });
    expect(ack).toMatchObject({ booked: 1 });
    expect(await serialOf(epc!)).toMatchObject({ locationId: store, gateId: 'DOOR-7' });
    expect(failures.list()).toEqual([]);
  });

  it('throws rather than leave out keys DynamoDB keeps unprocessed', async () => {
    // Regression: after 8 tries batchGetItems returned without them, so existing GTINs were reported unknown.
    const table = tableName(tables.rfid);
    const keys = [rfidKeys.serial(gtins[0]!, '9000')];
    const stuck = vi
      .spyOn(documentClient, 'send')
      .mockImplementation((async () => ({ Responses: { [table]: [] }, UnprocessedKeys: { [table]: { Keys: keys } } })) as never);
    try {
      await expect(batchGetItems(table, keys)).rejects.toBeInstanceOf(TemporarilyUnavailable);
      expect(stuck).toHaveBeenCalledTimes(8);
    } finally {
      stuck.mockRestore();
    }
    // Unprocessed once, then read: found.
    const once = vi
      .spyOn(documentClient, 'send')
      .mockImplementationOnce((async () => ({ Responses: { [table]: [] }, UnprocessedKeys: { [table]: { Keys: keys } } })) as never);
    try {
      expect(await batchGetItems(table, keys)).toEqual([expect.objectContaining({ state: 'LEFT_SOLD' })]);
    } finally {
      once.mockRestore();
    }
  });

  // Last: it leaves an entry in the failure log, which the tests above expect empty.
  it('still rejects a message whose envelope is invalid, an EPC the ACK could not echo safely included', async () => {
    const [good] = tagEpcs([gtins[2]!], 1, 12_400);
    const dock = await gate(warehouse, 'DOCK-9');
    const booked = await ledgerCount(warehouse);
    const at = new Date().toISOString();
    await publishMessages(dock, warehouse, 'DOCK-9', [
      { readAt: at, direction: 'IN', reads: [{ epc: good!, at }, { epc: 'A'.repeat(65) }] },
      { readAt: at, direction: 'IN', reads: [{ epc: good!, at }, { epc: '30<script>' }] },
    ] as GatePayload[]);
    await broker.settled();
    const reasons = failures
      .list()
      .map((f) => f.reason)
      .filter((reason) => reason.includes('Invalid gate reads message'));
    expect(reasons).toEqual([
      expect.stringContaining('reads.1.epc: 1 to 64 letters or digits'),
      expect.stringContaining('reads.1.epc: 1 to 64 letters or digits'),
    ]);
    expect(dock.events.filter((e) => e.type === 'ACK')).toEqual([]);
    expect(await ledgerCount(warehouse)).toBe(booked);
  });
});

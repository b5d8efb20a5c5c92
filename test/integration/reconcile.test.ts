/**
 * Each unit counts once: documents (receipts, PO receipts, sales) and gate
 * reads of the same RFID-tagged units, in either order and concurrently,
 * move stock once. Gate reads go through the real local broker, the ingest
 * handler and the IoT data plane endpoint back to the gate's events topic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { connectGate, type GateConnection, type GatePayload, publishMessages, tagEpcs } from '../../infra/local/gate-simulator.ts';
import { type IotDataEndpoint, startIotDataEndpoint } from '../../infra/local/iot-data-endpoint.ts';
import { type LocalBroker, startMqttBroker } from '../../infra/local/mqtt.ts';
import { checkout } from '../../shared/app/checkout.ts';
import { reconciliationAt } from '../../shared/app/reconcile.ts';
import { recordMovement } from '../../shared/app/stock.ts';
import { getTransfer, receiveTransfer } from '../../shared/app/transfers.ts';
import { createLocation, createProduct } from '../../shared/db/catalog.ts';
import { readLevels } from '../../shared/db/stock.ts';
import { gs1CheckDigit } from '../../shared/domain/epc.ts';
import { hourMillis } from '../../shared/domain/time.ts';
import { uniqueId } from '../support/local-api.ts';

let broker: LocalBroker;
let iotData: IotDataEndpoint;
const failures = new FailureLog({});
const gates: GateConnection[] = [];
const warehouse = uniqueId('RC-WH');
const store = uniqueId('RC-ST');
const admin = { subject: 'reconcile-test', role: 'admin' as const, locations: [] };
const now = () => new Date().toISOString();

/** A fresh RFID-tagged product with its own GTIN. */
let itemRef = 20_000 + 10 * Math.floor(Math.random() * 7_000);
const taggedProduct = async (tagged = true) => {
  const digits = `80614142${itemRef++}`;
  const product = { sku: uniqueId('rc'), gtin: `${digits}${gs1CheckDigit(digits)}` };
  await createProduct({ ...product, name: product.sku, unitCost: 1, price: 2, currency: 'EUR', ...(tagged ? { rfidTagged: true } : {}) }, now());
  return product;
};

let serial = 1;
const epcsOf = (gtin: string, count: number) => {
  const epcs = tagEpcs([gtin], count, serial);
  serial += count;
  return epcs;
};

const gate = async (locationId: string, gateId: string) => {
  const connection = await connectGate(broker.url, locationId, gateId);
  gates.push(connection);
  return connection;
};

/** Publishes one message of reads (each EPC once, now) and waits for its acknowledgement. */
const passGate = async (connection: GateConnection, locationId: string, gateId: string, epcs: string[], direction: 'IN' | 'OUT') => {
  const at = now();
  const before = connection.events.filter((e) => e.type === 'ACK').length;
  const message: GatePayload = { readAt: at, direction, reads: epcs.map((epc) => ({ epc, antenna: 1, rssi: -50, at })) };
  await publishMessages(connection, locationId, gateId, [message]);
  return (await connection.waitFor('ACK', before + 1))[before]!;
};

const onHand = async (sku: string, locationId: string) => (await readLevels([{ sku, locationId }]))[0]?.onHand ?? 0;
const receipt = (sku: string, qty: number, locationId = warehouse) =>
  recordMovement({ movementId: uniqueId('doc'), type: 'RECEIPT', locationId, lines: [{ sku, qty }] }, admin);
const pending = async (sku: string, locationId = warehouse) => (await reconciliationAt(locationId, admin)).items.filter((i) => i.sku === sku);

beforeAll(async () => {
  broker = await startMqttBroker({ port: 0, failures });
  iotData = await startIotDataEndpoint(broker);
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotData.url;
  await createLocation({ locationId: warehouse, name: 'Reconcile warehouse', type: 'WAREHOUSE', timeZone: 'UTC' }, now());
  await createLocation({ locationId: store, name: 'Reconcile store', type: 'STORE', timeZone: 'UTC' }, now());
});

afterAll(async () => {
  await Promise.all(gates.map((g) => g.close()));
  await iotData?.close();
  await broker?.close();
});

describe('inbound: a receipt and the dock gate count the units once', () => {
  it('receipt first: the gate reads confirm it and book nothing', async () => {
    const { sku, gtin } = await taggedProduct();
    const booked = await receipt(sku, 5);
    expect(booked.result.levels[0]).toMatchObject({ onHand: 5 });
    const ack = await passGate(await gate(warehouse, 'DOCK-A'), warehouse, 'DOCK-A', epcsOf(gtin, 5), 'IN');
    expect(ack).toMatchObject({ booked: 0, confirmed: 5, alarms: 0 });
    expect(await onHand(sku, warehouse)).toBe(5);
    expect(await pending(sku)).toEqual([]);
    // A confirmation moves nothing, so it writes no level (its ledger entry records it).
    expect((await readLevels([{ sku, locationId: warehouse }]))[0]?.version).toBe(booked.result.levels[0]?.version);
  });

  it('gate first: the receipt confirms the reads, says so, and books nothing', async () => {
    const { sku, gtin } = await taggedProduct();
    const ack = await passGate(await gate(warehouse, 'DOCK-B'), warehouse, 'DOCK-B', epcsOf(gtin, 5), 'IN');
    expect(ack).toMatchObject({ booked: 5, confirmed: 0 });
    expect((await pending(sku))[0]?.notOnDocument.reduce((sum, b) => sum + b.qty, 0)).toBe(5);
    const booked = await receipt(sku, 5);
    expect(booked.result.confirmed).toEqual([{ sku, qty: 5 }]);
    expect(await onHand(sku, warehouse)).toBe(5);
    expect(await pending(sku)).toEqual([]);
  });

  it('books only the excess and keeps the discrepancy, both ways', async () => {
    const more = await taggedProduct();
    await receipt(more.sku, 3);
    await passGate(await gate(warehouse, 'DOCK-C'), warehouse, 'DOCK-C', epcsOf(more.gtin, 5), 'IN');
    expect(await onHand(more.sku, warehouse)).toBe(5);
    const [gateExcess] = await pending(more.sku);
    expect(gateExcess).toMatchObject({ direction: 'IN', notSeenByGate: [] });
    expect(gateExcess!.notOnDocument.reduce((sum, b) => sum + b.qty, 0)).toBe(2);
    expect(gateExcess!.notOnDocument.every((b) => b.status === 'WAITING')).toBe(true);

    const fewer = await taggedProduct();
    await receipt(fewer.sku, 6);
    await passGate(await gate(warehouse, 'DOCK-C'), warehouse, 'DOCK-C', epcsOf(fewer.gtin, 4), 'IN');
    expect(await onHand(fewer.sku, warehouse)).toBe(6);
    const [documentExcess] = await pending(fewer.sku);
    expect(documentExcess).toMatchObject({ notOnDocument: [], notSeenByGate: [{ qty: 2, status: 'WAITING' }] });
    // Past the window the waiting units are a discrepancy to act on.
    const later = new Date(Date.now() + 25 * hourMillis).toISOString();
    expect((await reconciliationAt(warehouse, admin, later)).items.find((i) => i.sku === fewer.sku)?.notSeenByGate[0]?.status).toBe('DISCREPANCY');
  });

  it('a receipt and the gate reads racing each other still leave onHand up by n', async () => {
    const { sku, gtin } = await taggedProduct();
    // Two doors, so each message's acknowledgement is its own.
    const [left, right] = [await gate(warehouse, 'DOCK-D'), await gate(warehouse, 'DOCK-E')];
    const epcs = epcsOf(gtin, 10);
    await Promise.all([
      receipt(sku, 4),
      receipt(sku, 6),
      passGate(left, warehouse, 'DOCK-D', epcs.slice(0, 5), 'IN'),
      passGate(right, warehouse, 'DOCK-E', epcs.slice(5), 'IN'),
    ]);
    expect(failures.list()).toEqual([]);
    expect(await onHand(sku, warehouse)).toBe(10);
    expect(await pending(sku), JSON.stringify(await pending(sku))).toEqual([]);
  });

  it('leaves SKUs without tags alone: a receipt and a manual RFID_IN both book', async () => {
    const { sku } = await taggedProduct(false);
    await receipt(sku, 2);
    await recordMovement({ movementId: uniqueId('manual'), type: 'RFID_IN', locationId: warehouse, lines: [{ sku, qty: 2 }] }, admin);
    expect(await onHand(sku, warehouse)).toBe(4);
    expect(await pending(sku)).toEqual([]);
  });
});

describe('outbound: a quantity-only sale and the exit gate are one departure', () => {
  it('a sold item leaving is no alarm and no second booking; an item no sale accounts for still alarms', async () => {
    const { sku, gtin } = await taggedProduct();
    const epcs = epcsOf(gtin, 3);
    const door = await gate(store, 'DOOR-1');
    await passGate(await gate(store, 'BACK-1'), store, 'BACK-1', epcs, 'IN');
    expect(await onHand(sku, store)).toBe(3);
    // The till sells one by quantity only: no EPC on the line.
    await checkout({ saleId: uniqueId('qty'), locationId: store, lines: [{ sku, qty: 1, unitPrice: 2 }] }, admin);
    expect(await onHand(sku, store)).toBe(2);
    const sold = await passGate(door, store, 'DOOR-1', [epcs[0]!], 'OUT');
    expect(sold).toMatchObject({ confirmed: 1, booked: 0, alarms: 0 });
    expect(await onHand(sku, store)).toBe(2);
    const stolen = await passGate(door, store, 'DOOR-1', [epcs[1]!], 'OUT');
    expect(stolen).toMatchObject({ confirmed: 0, booked: 1, alarms: 1 });
    expect(await onHand(sku, store)).toBe(1);
  });

  it('exit read first, then the late sale: the sale confirms the departure and takes nothing again', async () => {
    const { sku, gtin } = await taggedProduct();
    const epcs = epcsOf(gtin, 2);
    await passGate(await gate(store, 'BACK-2'), store, 'BACK-2', epcs, 'IN');
    await passGate(await gate(store, 'DOOR-2'), store, 'DOOR-2', [epcs[0]!], 'OUT');
    expect(await onHand(sku, store)).toBe(1);
    const { receipt: sale } = await checkout({ saleId: uniqueId('late'), locationId: store, lines: [{ sku, qty: 1, unitPrice: 2 }] }, admin);
    expect(sale.total).toBe(2);
    expect(await onHand(sku, store)).toBe(1);
    // Nothing waits on the way out; the back door's reads in still wait for a document.
    expect((await pending(sku, store)).map((p) => p.direction)).toEqual(['IN']);
  });
});

describe('transfers: the destination gate receives them, and a receipt scan is a document like any other', () => {
  const ship = async (sku: string, qty: number) => {
    await receipt(sku, qty);
    const movementId = uniqueId('ship');
    await recordMovement({ movementId, type: 'TRANSFER', ship: true, locationId: warehouse, toLocationId: store, lines: [{ sku, qty }] }, admin);
    return movementId;
  };

  it("the destination's gate reading the shipped units receives the transfer, once", async () => {
    const { sku, gtin } = await taggedProduct();
    const movementId = await ship(sku, 3);
    const back = await gate(store, 'BACK-3');
    const epcs = epcsOf(gtin, 4);
    const ack = await passGate(back, store, 'BACK-3', epcs.slice(0, 3), 'IN');
    expect(ack).toMatchObject({ receivedOnTransfers: 3, booked: 0 });
    const transfer = await getTransfer(movementId, warehouse, admin);
    expect(transfer).toMatchObject({ status: 'RECEIVED', lines: [{ sku, shipped: 3, received: 3, missing: 0 }] });
    expect((await readLevels([{ sku, locationId: store }]))[0]).toMatchObject({ onHand: 3, incoming: 0 });
    // A unit beyond the transfer is found stock, waiting for a document.
    expect(await passGate(back, store, 'BACK-3', [epcs[3]!], 'IN')).toMatchObject({ receivedOnTransfers: 0, booked: 1 });
    expect(await onHand(sku, store)).toBe(4);
  });

  it('gates reading more units than the transfer holds at once: its open units are received once, the rest are found, no message fails', async () => {
    const { sku, gtin } = await taggedProduct();
    const movementId = await ship(sku, 3);
    const epcs = epcsOf(gtin, 8);
    const gates = await Promise.all([0, 1, 2, 3].map((i) => gate(store, `BACK-R${i}`)));
    // Each gate read the transfer open before the others booked: the ones that come second find its units taken.
    const acks = await Promise.all(gates.map((g, i) => passGate(g, store, `BACK-R${i}`, epcs.slice(2 * i, 2 * i + 2), 'IN')));
    expect(acks.reduce((sum, a) => sum + Number(a.receivedOnTransfers), 0)).toBe(3);
    expect(acks.reduce((sum, a) => sum + Number(a.booked), 0)).toBe(5);
    expect((await getTransfer(movementId, warehouse, admin)).lines).toEqual([expect.objectContaining({ sku, shipped: 3, received: 3, missing: 0 })]);
    expect(await onHand(sku, store)).toBe(8);
    expect(failures.list()).toEqual([]);
  });

  it('a receipt scanned first: the gate reads after it confirm it', async () => {
    const { sku, gtin } = await taggedProduct();
    const movementId = await ship(sku, 2);
    await receiveTransfer(movementId, warehouse, { receiptId: uniqueId('scan'), lines: [{ sku, qty: 2 }] }, admin);
    expect(await onHand(sku, store)).toBe(2);
    const ack = await passGate(await gate(store, 'BACK-4'), store, 'BACK-4', epcsOf(gtin, 2), 'IN');
    expect(ack).toMatchObject({ confirmed: 2, booked: 0, receivedOnTransfers: 0 });
    expect(await onHand(sku, store)).toBe(2);
    expect(await pending(sku, store)).toEqual([]);
  });
});

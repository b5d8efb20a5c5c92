/**
 * A till offline, the customer out through the exit gate with the item, the
 * sale posted late with the item's EPCs: the gate read took the unit off the
 * books (RFID_OUT, UNSOLD_EXIT alarm), so the sale confirms it and takes
 * nothing again (docs/rfid.md, "Documents and gate reads: each unit counts
 * once"). Gate reads go through the local broker and the ingest handler,
 * sales and the ledger through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { connectGate, type GateConnection, type GatePayload, publishMessages, tagEpcs } from '../../infra/local/gate-simulator.ts';
import { type IotDataEndpoint, startIotDataEndpoint } from '../../infra/local/iot-data-endpoint.ts';
import { type LocalBroker, startMqttBroker } from '../../infra/local/mqtt.ts';
import { gs1CheckDigit } from '../../shared/domain/epc.ts';
import { minuteMillis } from '../../shared/domain/time.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
let broker: LocalBroker;
let iotData: IotDataEndpoint;
const failures = new FailureLog({});
const gates: GateConnection[] = [];
const store = uniqueId('LS-ST');

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * minuteMillis).toISOString();

let itemRef = 20_000 + 10 * Math.floor(Math.random() * 7_000);
/** A fresh RFID-tagged product with its own GTIN and `qty` units received at the store. */
const stockedProduct = async (qty: number) => {
  const digits = `80614143${itemRef++}`;
  const product = { sku: uniqueId('ls'), gtin: `${digits}${gs1CheckDigit(digits)}` };
  const created = await api.call('POST', '/products', {
    token: admin,
    body: { ...product, name: product.sku, unitCost: 100, price: 1000, currency: 'EUR', rfidTagged: true },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const receipt = await api.call('POST', '/movements', {
    token: admin,
    body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId: store, occurredAt: minutesAgo(120), lines: [{ sku: product.sku, qty }] },
  });
  expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);
  return { ...product, epcs: tagEpcs([product.gtin], qty, 1) };
};

/** Publishes one message of reads (each EPC once, now) at the store's exit gate and waits for its acknowledgement. */
const exitGate = async (epcs: readonly string[]) => {
  const gateId = uniqueId('DOOR');
  const connection = await connectGate(broker.url, store, gateId);
  gates.push(connection);
  const at = new Date().toISOString();
  const message: GatePayload = { readAt: at, direction: 'OUT', reads: epcs.map((epc) => ({ epc, antenna: 1, rssi: -50, at })) };
  await publishMessages(connection, store, gateId, [message]);
  const [ack] = await connection.waitFor('ACK', 1);
  return { ack: ack!, alarms: connection.events.filter((e) => e.type === 'ALARM') };
};

const levelOf = async (sku: string) => {
  const answer = await api.call('GET', `/stock/${sku}`, { token: admin });
  expect(answer.status).toBe(200);
  return answer.body.levels.find((l: { locationId: string }) => l.locationId === store) as { onHand: number; available: number };
};

const ledgerOf = async (sku: string) => {
  const query = new URLSearchParams({ sku, locationId: store, limit: '100' });
  const answer = await api.call('GET', `/movements?${query}`, { token: admin });
  expect(answer.status).toBe(200);
  return answer.body.items as { movementId: string; type: string; onHandDelta: number; confirmed?: number }[];
};

const pendingOut = async (sku: string) => {
  const answer = await api.call('GET', `/locations/${store}/reconciliation`, { token: admin });
  expect(answer.status).toBe(200);
  return (answer.body.items as { sku: string; direction: string }[]).filter((i) => i.sku === sku && i.direction === 'OUT');
};

const sell = (body: Record<string, unknown>) => api.call('POST', '/sales', { token: admin, body: { locationId: store, ...body } });

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  broker = await startMqttBroker({ port: 0, failures });
  iotData = await startIotDataEndpoint(broker);
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotData.url;
  const location = await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: store, type: 'STORE', timeZone: 'UTC' } });
  expect(location.status).toBe(201);
});

afterAll(async () => {
  await Promise.all(gates.map((g) => g.close()));
  await iotData?.close();
  await broker?.close();
  await api?.close();
});

describe('exit read first, then the offline sale with the EPCs: each unit counts once', () => {
  it('the late sale confirms the units the exit gate booked out and takes only the rest', async () => {
    const { sku, epcs } = await stockedProduct(5);
    expect(await levelOf(sku)).toMatchObject({ onHand: 5, available: 5 });

    // The customer walks out with two units while the till is offline: booked out, and alarmed.
    const walkOut = await exitGate(epcs.slice(0, 2));
    expect(walkOut.ack).toMatchObject({ booked: 2, alarms: 2 });
    expect(walkOut.alarms).toEqual([expect.objectContaining({ reason: 'UNSOLD_EXIT', items: expect.arrayContaining([expect.objectContaining({ sku })]) })]);
    expect(await levelOf(sku)).toMatchObject({ onHand: 3, available: 3 });

    // The till comes back and posts the sale, dated before the read.
    const saleId = uniqueId('late');
    const body = { saleId, occurredAt: minutesAgo(10), lines: [{ sku, qty: 2, unitPrice: 1000, epcs: epcs.slice(0, 2) }] };
    const sale = await sell(body);
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    expect(sale.body).toMatchObject({ total: 2000, occurredAt: body.occurredAt });
    expect(await levelOf(sku)).toMatchObject({ onHand: 3, available: 3 });
    const entry = (await ledgerOf(sku)).find((e) => e.movementId === `sale:${saleId}`);
    expect(entry).toMatchObject({ type: 'SALE', onHandDelta: 0, confirmed: 2 });
    // The gate's units are settled: nothing waits on the way out for a later sale to confirm against.
    expect(await pendingOut(sku)).toEqual([]);

    // The same sale again: the first answer, nothing booked.
    const ledgerBefore = await ledgerOf(sku);
    const replay = await sell(body);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(sale.body);
    expect(await levelOf(sku)).toMatchObject({ onHand: 3, available: 3 });
    expect(await ledgerOf(sku)).toEqual(ledgerBefore);

    // Now sold: read leaving again it is no alarm and no booking; another sale of it is refused.
    const again = await exitGate([epcs[0]!]);
    expect(again.ack).toMatchObject({ booked: 0, unchanged: 1, alarms: 0 });
    const resold = await sell({ saleId: uniqueId('twice'), lines: [{ sku, qty: 1, unitPrice: 1000, epcs: [epcs[0]!] }] });
    expect(resold.status).toBe(409);
    expect(resold.body.epcs).toEqual([epcs[0]]);
    expect(await levelOf(sku)).toMatchObject({ onHand: 3, available: 3 });
  });

  it('a mixed line takes only the units no gate read out; online, those still need stock; a member still earns', async () => {
    const { sku, epcs } = await stockedProduct(3);
    await exitGate([epcs[0]!]);
    expect(await levelOf(sku)).toMatchObject({ onHand: 2, available: 2 });

    // Online: the one read out is confirmed, the other three need stock and there are two.
    const short = await sell({ saleId: uniqueId('short'), lines: [{ sku, qty: 4, unitPrice: 1000, epcs: [epcs[0]!] }] });
    expect(short.status, JSON.stringify(short.body)).toBe(409);
    expect(short.body.shortages).toEqual([expect.objectContaining({ sku, requested: 3, available: 2 })]);

    const member = await api.call('POST', '/members', {
      token: admin,
      body: { name: 'Late Walker', email: `${uniqueId('walker')}@example.com` },
      headers: { 'idempotency-key': uniqueId('reg') },
    });
    expect(member.status, JSON.stringify(member.body)).toBe(201);
    const saleId = uniqueId('mixed');
    const sale = await sell({ saleId, memberId: member.body.memberId, lines: [{ sku, qty: 3, unitPrice: 10_000, epcs }] });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    expect(sale.body.total).toBe(30_000);
    expect(sale.body.pointsEarned).toBeGreaterThan(0);
    expect(await levelOf(sku)).toMatchObject({ onHand: 0, available: 0 });
    expect((await ledgerOf(sku)).find((e) => e.movementId === `sale:${saleId}`)).toMatchObject({ onHandDelta: -2, confirmed: 1 });
    const profile = await api.call('GET', `/members/${member.body.memberId}`, { token: admin });
    expect(profile.body.rolling.spend).toBe(sale.body.total);
  });

  it('the exit read and the sale of the same units racing each other still take them off once', async () => {
    const products = await Promise.all([1, 2, 3, 4].map(() => stockedProduct(3)));
    await Promise.all(
      products.flatMap(({ sku, epcs }) => [
        exitGate(epcs.slice(0, 2)),
        sell({ saleId: uniqueId('race'), occurredAt: minutesAgo(10), lines: [{ sku, qty: 2, unitPrice: 1000, epcs: epcs.slice(0, 2) }] }).then((sale) =>
          expect(sale.status, JSON.stringify(sale.body)).toBe(201),
        ),
      ]),
    );
    for (const { sku } of products) expect(await levelOf(sku)).toMatchObject({ onHand: 1, available: 1 });
  });

  it('a line whose units all left through the gate needs no stock, even online with none available', async () => {
    const { sku, epcs } = await stockedProduct(1);
    await exitGate(epcs);
    expect(await levelOf(sku)).toMatchObject({ onHand: 0, available: 0 });
    const saleId = uniqueId('gone');
    const sale = await sell({ saleId, lines: [{ sku, qty: 1, unitPrice: 1000, epcs }] });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    expect(await levelOf(sku)).toMatchObject({ onHand: 0, available: 0 });
    expect((await ledgerOf(sku)).find((e) => e.movementId === `sale:${saleId}`)).toMatchObject({ onHandDelta: 0, confirmed: 1 });
  });
});

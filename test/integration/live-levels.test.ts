import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { marshall } from '@aws-sdk/util-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { mockClient } from 'aws-sdk-client-mock';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { createGateway, lambdaContext } from '../../infra/local/gateway.ts';
import { type IotDataEndpoint, startIotDataEndpoint } from '../../infra/local/iot-data-endpoint.ts';
import { type LocalBroker, startMqttBroker } from '../../infra/local/mqtt.ts';
import { attachMqttOverWebSocket, type MqttOverWebSocket } from '../../infra/local/mqtt-ws.ts';
import type { StreamPoller } from '../../infra/local/stream-poller.ts';
import { tables } from '../../infra/tables.ts';
import { liveLevels } from '../../functions/streams/live-levels.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { inventoryKeys } from '../../shared/db/keys.ts';
import { iotDataClient } from '../../shared/messaging/gate-events.ts';
import { acceptLiveLevel, allLiveLevelsFilter, type LiveLevelMessage, liveLevelsTopic, type SeenVersions } from '../../shared/domain/live.ts';
import type { StockLevel } from '../../shared/schemas/stock.ts';
import { token, uniqueId } from '../support/local-api.ts';
import { startStreams } from '../support/streams.ts';

/**
 * Live stock end to end on the local twins: a sale through the API, the
 * stream consumer, the IoT data plane endpoint, the broker, and a browser's
 * MQTT client on ws://…/mqtt of the API port.
 */
let broker: LocalBroker;
let iotData: IotDataEndpoint;
let server: Server;
let overWs: MqttOverWebSocket;
let poller: StreamPoller;
let apiUrl: string;
let wsUrl: string;
const failures = new FailureLog({});
const clients: MqttClient[] = [];
const storeA = uniqueId('LV-A');
const storeB = uniqueId('LV-B');
const sku = uniqueId('lv-sku');
let admin: string;

type Message = LiveLevelMessage<StockLevel>;

const call = async (method: string, path: string, bearer: string, body?: unknown) => {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
};

const connect = async (password: string): Promise<MqttClient> => {
  const client = await mqtt.connectAsync(wsUrl, { username: 'console', password, reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 5000 });
  clients.push(client);
  return client;
};

/** Every live message a client receives, in arrival order. */
const collect = (client: MqttClient): Message[] => {
  const received: Message[] = [];
  client.on('message', (_topic, payload) => received.push(JSON.parse(payload.toString('utf8')) as Message));
  return received;
};

const until = async (done: () => boolean, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (done()) return;
    await poller.idle();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

const sell = (locationId: string, qty: number) =>
  call('POST', '/sales', admin, { saleId: uniqueId('lv-sale'), locationId, lines: [{ sku, qty, unitPrice: 499 }] });

const levelItem = async (locationId: string) =>
  (await documentClient.send(new GetCommand({ TableName: tableName(tables.inventory), Key: inventoryKeys.level(sku, locationId) }))).Item!;

beforeAll(async () => {
  broker = await startMqttBroker({ port: 0, failures });
  iotData = await startIotDataEndpoint(broker);
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotData.url;
  server = createGateway();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  overWs = attachMqttOverWebSocket(server, broker);
  const { port } = server.address() as AddressInfo;
  apiUrl = `http://127.0.0.1:${port}`;
  wsUrl = `ws://127.0.0.1:${port}/mqtt`;
  admin = await token({ role: 'admin' });
  for (const locationId of [storeA, storeB]) {
    expect((await call('POST', '/locations', admin, { locationId, name: locationId, type: 'STORE', timeZone: 'UTC' })).status).toBe(201);
  }
  expect((await call('POST', '/products', admin, { sku, name: sku, unitCost: 250, price: 499, currency: 'EUR' })).status).toBe(201);
  poller = await startStreams(['liveLevels'], failures);
  for (const locationId of [storeA, storeB]) {
    const receipt = await call('POST', '/movements', admin, { movementId: uniqueId('lv-rcpt'), type: 'RECEIPT', locationId, lines: [{ sku, qty: 50 }] });
    expect(receipt.status).toBe(201);
  }
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await poller?.stop();
  await overWs?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await iotData?.close();
  await broker?.close();
});

describe('live stock over MQTT over WebSocket', () => {
  it("pushes a sale's new level, with its movement type, to an admin watching the store", async () => {
    const client = await connect(admin);
    const received = collect(client);
    const [grant] = await client.subscribeAsync(liveLevelsTopic(storeA), { qos: 1 });
    expect(grant?.qos).toBe(1);
    const sale = await sell(storeA, 3);
    expect(sale.status).toBe(201);
    await until(() => received.some((m) => m.movementType === 'SALE'), 'the sale on the live topic');
    const stock = await call('GET', `/stock/${sku}`, admin);
    const level = stock.body.levels.find((l: StockLevel) => l.locationId === storeA);
    const message = received.find((m) => m.movementType === 'SALE')!;
    // The StockLevel exactly as the API shows it, plus what caused it.
    expect(message).toEqual({ ...level, movementType: 'SALE', movementId: expect.any(String) });
    expect(message.available).toBe(47);
    expect(failures.list()).toEqual([]);
  });

  it("pushes a hot SKU's level as the sum of its shards, its version only growing, also after the merge back", async () => {
    const hot = uniqueId('lv-hot');
    expect((await call('POST', '/products', admin, { sku: hot, name: hot, unitCost: 250, price: 499, currency: 'EUR', hotShards: 4 })).status).toBe(201);
    expect(
      (await call('POST', '/movements', admin, { movementId: uniqueId('lv-rcpt'), type: 'RECEIPT', locationId: storeA, lines: [{ sku: hot, qty: 40 }] }))
        .status,
    ).toBe(201);
    const client = await connect(admin);
    const received = collect(client);
    await client.subscribeAsync(liveLevelsTopic(storeA), { qos: 1 });
    for (let i = 0; i < 5; i++) {
      const sale = await call('POST', '/sales', admin, { saleId: uniqueId('lv-hot-sale'), locationId: storeA, lines: [{ sku: hot, qty: 1, unitPrice: 499 }] });
      expect(sale.status).toBe(201);
    }
    const newest = () => received.filter((m) => m.sku === hot).reduce<Message | undefined>((a, m) => (!a || m.version > a.version ? m : a), undefined);
    await until(() => newest()?.available === 35, 'the sum after five sales');
    expect(newest()).toMatchObject({ onHand: 35, available: 35 });
    // Every message is a whole level (never one shard's units alone).
    expect(received.filter((m) => m.sku === hot).every((m) => m.onHand >= 35 && m.onHand <= 40)).toBe(true);

    const before = newest()!.version;
    const product = await fetch(`${apiUrl}/products/${hot}`, { headers: { authorization: `Bearer ${admin}` } });
    const merged = await fetch(`${apiUrl}/products/${hot}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'if-match': product.headers.get('etag')! },
      body: JSON.stringify({ hotShards: 1 }),
    });
    expect(merged.status).toBe(200);
    const mergedLevel = await documentClient.send(
      new GetCommand({ TableName: tableName(tables.inventory), Key: inventoryKeys.level(hot, storeA), ConsistentRead: true }),
    );
    expect(mergedLevel.Item?.shards).toBeUndefined();
    await until(() => (newest()?.version ?? 0) > before, 'the merged level');
    expect(newest()).toMatchObject({ onHand: 35, available: 35 });
    expect(failures.list()).toEqual([]);
  });

  it('lets an admin watch every location with one wildcard subscription', async () => {
    const client = await connect(admin);
    const received = collect(client);
    expect((await client.subscribeAsync(allLiveLevelsFilter, { qos: 1 }))[0]?.qos).toBe(1);
    await sell(storeB, 1);
    await until(() => received.some((m) => m.locationId === storeB && m.movementType === 'SALE'), 'the sale at store B');
  });

  it('lets a store user watch its own store and refuses another', async () => {
    const client = await connect(await token({ role: 'store', locations: [storeA] }));
    const received = collect(client);
    expect((await client.subscribeAsync(liveLevelsTopic(storeA), { qos: 1 }))[0]?.qos).toBe(1);
    // SUBACK 0x80 (failure) for each; mqtt.js turns it into an error, and the connection stays up.
    for (const filter of [liveLevelsTopic(storeB), allLiveLevelsFilter, '#', 'stockclub/+/gates/+/events']) {
      await expect(client.subscribeAsync(filter, { qos: 1 }), filter).rejects.toThrow(/Subscribe error/);
    }
    expect(client.connected).toBe(true);
    await sell(storeB, 1);
    await sell(storeA, 1);
    await until(() => received.some((m) => m.locationId === storeA && m.movementType === 'SALE'), 'the sale at its own store');
    expect(received.filter((m) => m.locationId !== storeA)).toEqual([]);
  });

  it('refuses members, gateways and bad tokens at CONNECT', async () => {
    await expect(connect(await token({ role: 'member', memberId: 'M-live' }))).rejects.toThrow(/Not authorized/i);
    await expect(connect(await token({ role: 'gateway', locations: [storeA], gateId: 'G1' }))).rejects.toThrow(/Not authorized/i);
    await expect(connect('not-a-token')).rejects.toThrow(/Bad username or password/i);
    await expect(connect(await token({ role: 'admin', expiresIn: -60 }))).rejects.toThrow(/Bad username or password/i);
  });

  it('refuses a publish from a browser: the connection is closed and nothing is delivered', async () => {
    const watcher = await connect(admin);
    const received = collect(watcher);
    await watcher.subscribeAsync(liveLevelsTopic(storeA), { qos: 1 });
    const browser = await connect(admin);
    const closed = new Promise<void>((resolve) => browser.once('close', () => resolve()));
    browser.publish(liveLevelsTopic(storeA), JSON.stringify({ sku, locationId: storeA, version: 9999, movementType: 'SALE' }), { qos: 0 });
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.filter((m) => m.version === 9999)).toEqual([]);
  });

  it('never makes a client show an older level after a newer one when a batch is replayed', async () => {
    const client = await connect(admin);
    const received = collect(client);
    await client.subscribeAsync(liveLevelsTopic(storeA), { qos: 1 });
    const before = await levelItem(storeA);
    await sell(storeA, 2);
    const older = await levelItem(storeA);
    await sell(storeA, 2);
    const newer = await levelItem(storeA);
    await until(() => received.some((m) => m.version === newer.version), 'the second sale');
    // The same two records again, as Lambda retries a batch from its lowest failed record, then the older one alone.
    const record = (oldImage: Record<string, unknown>, newImage: Record<string, unknown>, n: number) => ({
      eventID: `replay-${n}`,
      eventName: 'MODIFY' as const,
      dynamodb: { OldImage: marshall(oldImage) as never, NewImage: marshall(newImage) as never, SequenceNumber: String(n) },
    });
    const batch = (records: ReturnType<typeof record>[]): DynamoDBStreamEvent => ({ Records: records });
    expect(await liveLevels(batch([record(before, older, 1), record(older, newer, 2)]), lambdaContext('liveLevels'))).toEqual({ batchItemFailures: [] });
    expect(await liveLevels(batch([record(before, older, 1)]), lambdaContext('liveLevels'))).toEqual({ batchItemFailures: [] });
    await until(() => received.filter((m) => m.version === older.version).length >= 3, 'the replays');
    // The replays did arrive: an older version after a newer one ...
    const versions = received.map((m) => m.version);
    expect(versions.lastIndexOf(older.version as number)).toBeGreaterThan(versions.indexOf(newer.version as number));
    // ... and the client rule shows each version once, never going back.
    let seen: SeenVersions = { [`${storeA}#${sku}`]: before.version as number };
    const shown: number[] = [];
    for (const message of received) {
      const next = acceptLiveLevel(seen, message);
      if (next) {
        seen = next;
        shown.push(message.version);
      }
    }
    expect(shown).toEqual([older.version, newer.version]);
  });

  it('reports a failed publish and holds back the later versions of that level in the batch', async () => {
    const sent: string[] = [];
    const iot = mockClient(iotDataClient);
    iot.on(PublishCommand).callsFake((input: { payload: Uint8Array }) => {
      const message = JSON.parse(new TextDecoder().decode(input.payload)) as Message;
      if (message.sku === 'A' && message.version === 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      sent.push(`${message.sku}@${message.version}`);
      return {};
    });
    try {
      const image = (item: string, version: number) => ({ sku: item, locationId: storeA, onHand: 10 - version, version, lastMovementType: 'SALE' });
      const record = (item: string, version: number, sequence: number) => ({
        eventID: `order-${sequence}`,
        eventName: 'MODIFY' as const,
        dynamodb: {
          OldImage: marshall(image(item, version - 1)) as never,
          NewImage: marshall(image(item, version)) as never,
          SequenceNumber: String(sequence),
        },
      });
      // A's version 2 fails: A's version 3 must not overtake it; B goes on.
      const answer = await liveLevels({ Records: [record('A', 2, 1), record('B', 2, 2), record('A', 3, 3)] }, lambdaContext('liveLevels'));
      expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }, { itemIdentifier: '3' }] });
      expect(sent).toEqual(['B@2']);
    } finally {
      iot.restore();
    }
  });
});

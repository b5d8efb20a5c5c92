import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { SignJWT } from 'jose';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAudience, localIssuer, localSigningKey, signLocalToken } from '../../infra/local/auth.ts';
import { type LocalCloud, startLocalCloud } from '../../infra/local/cloud.ts';
import { localAwsEnv } from '../../infra/local/dynamodb.ts';

/**
 * What a started local cloud shows to anyone but its own handlers and
 * users with a valid token: where it listens, who may publish to gates,
 * which tokens and requests its gateway lets through (issue 20, items 6 and 10).
 */
let cloud: LocalCloud;
// One tag of a GTIN an empty cloud does not know: acknowledged, nothing booked.
const oneRead = () => JSON.stringify({ readAt: new Date().toISOString(), direction: 'IN', reads: [{ epc: '3074257bf7194e4000001a85' }] });
let iotDataUrl: string;
let sqsUrl: string;
const clients: MqttClient[] = [];

const connectMqtt = async (username: string, password: string): Promise<MqttClient> => {
  const client = await mqtt.connectAsync(cloud.mqttUrl, { username, password, reconnectPeriod: 0, protocolVersion: 4 });
  clients.push(client);
  return client;
};

/** Every topic and payload a service listener sees under stockclub/. */
const observe = async () => {
  const observer = await connectMqtt('stockclub', await signLocalToken({ role: 'service' }));
  await observer.subscribeAsync('stockclub/#', { qos: 1 });
  const seen: { topic: string; payload: string }[] = [];
  observer.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString('utf8') }));
  const arrival = (topic: string) => new Promise<string>((resolve) => observer.on('message', (t, payload) => t === topic && resolve(payload.toString('utf8'))));
  return { seen, arrival };
};

/** The same claims signLocalToken makes, without `exp`: a token that never expires. */
const tokenWithoutExp = (claims: Record<string, string>, subject: string) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(localIssuer)
    .setAudience(localAudience)
    .setSubject(subject)
    .setIssuedAt()
    .sign(localSigningKey);

/** The TCP sockets this process listens on (Linux: its socket inodes found in /proc/net/tcp and tcp6). */
const listeningSockets = (): { address: string; port: number }[] => {
  const inodes = new Set(
    readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1] ?? ''];
      } catch {
        return [];
      }
    }),
  );
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .flatMap((line) => {
        const [, local = '', , state, , , , , , inode = ''] = line.trim().split(/\s+/);
        if (state !== '0A' || !inodes.has(inode)) return []; // 0A: LISTEN
        const [hexAddress = '', hexPort = ''] = local.split(':');
        // Each 32-bit word of the address is in host (little-endian) order.
        const bytes = hexAddress.match(/.{8}/g)!.flatMap((word) => [...Buffer.from(word, 'hex').reverse()]);
        return [{ address: bytes.join('.'), port: parseInt(hexPort, 16) }];
      }),
  );
};

/** 127.0.0.0/8, ::1, or ::ffff:127.x.x.x, written as the bytes of the address. */
const isLoopback = (address: string): boolean => {
  const bytes = address.split('.').map(Number);
  if (bytes.length === 4) return bytes[0] === 127;
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  return (zeros(0, 15) && bytes[15] === 1) || (zeros(0, 10) && bytes[10] === 255 && bytes[11] === 255 && bytes[12] === 127);
};

const refusedAt = (host: string, port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, mqttPort: 0, empty: true, schedules: false });
  iotDataUrl = process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE!;
  sqsUrl = process.env.AWS_ENDPOINT_URL_SQS!;
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await cloud?.stop();
});

describe("the local cloud's surface", () => {
  it.runIf(process.platform === 'linux')(
    'listens on loopback only: gateway, broker, IoT data plane, SES emulator, SQS and anything else it opened',
    async () => {
      const sockets = listeningSockets();
      const ports = sockets.map((s) => s.port);
      for (const url of [cloud.url, cloud.mqttUrl, cloud.mailUrl, iotDataUrl, sqsUrl]) expect(ports, url).toContain(Number(new URL(url).port));
      expect(sockets.filter((s) => !isLoopback(s.address))).toEqual([]);
      // And from the outside: an address of this machine that is not loopback reaches none of them.
      const outside = Object.values(networkInterfaces())
        .flat()
        .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
      if (outside) for (const port of ports) expect(await refusedAt(outside, port), `${outside}:${port}`).toBe('ECONNREFUSED');
    },
  );

  it('takes IoT data plane publishes only from its own handlers: unsigned or signed with other credentials, 403 and nothing on the broker', async () => {
    const { seen, arrival } = await observe();
    const events = 'stockclub/WH-SURFACE/gates/DOCK-1/events';
    const forged = '{"type":"ACK","received":50,"booked":50}';
    const unsigned = await fetch(`${iotDataUrl}/topics/${encodeURIComponent(events)}?qos=1`, { method: 'POST', body: forged });
    expect(unsigned.status).toBe(403);
    // The well-known local credentials the handlers had before are not the handlers' any more.
    const stranger = new IoTDataPlaneClient({
      endpoint: iotDataUrl,
      region: localAwsEnv.AWS_REGION,
      maxAttempts: 1,
      credentials: { accessKeyId: localAwsEnv.AWS_ACCESS_KEY_ID, secretAccessKey: localAwsEnv.AWS_SECRET_ACCESS_KEY },
    });
    await expect(stranger.send(new PublishCommand({ topic: events, qos: 1, payload: new TextEncoder().encode(forged) }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    stranger.destroy();

    // The handler's own ACK still goes through, and arrives after anything published before it.
    const gate = await connectMqtt('WH-SURFACE/DOCK-1', await signLocalToken({ role: 'gateway', locations: ['WH-SURFACE'], gateId: 'DOCK-1' }));
    const ack = arrival(events);
    await gate.publishAsync('stockclub/WH-SURFACE/gates/DOCK-1/reads', oneRead(), { qos: 1 });
    expect(JSON.parse(await ack)).toMatchObject({ type: 'ACK', received: 1 });
    expect(seen.filter((m) => m.topic === events).map((m) => JSON.parse(m.payload))).toEqual([expect.objectContaining({ type: 'ACK', received: 1 })]);
  });

  it('closes a gateway that publishes on its own events topic, and no subscriber sees the message', async () => {
    const { seen, arrival } = await observe();
    const events = 'stockclub/WH-SURFACE/gates/DOCK-2/events';
    const gate = await connectMqtt('WH-SURFACE/DOCK-2', await signLocalToken({ role: 'gateway', locations: ['WH-SURFACE'], gateId: 'DOCK-2' }));
    await gate.subscribeAsync(events, { qos: 1 });
    const gateSaw: string[] = [];
    gate.on('message', (topic) => gateSaw.push(topic));

    // Refused: the broker closes the connection; let through, the listener would get it first.
    const outcome = Promise.race([new Promise((resolve) => gate.once('close', () => resolve('closed'))), arrival(events).then(() => 'delivered')]);
    gate.publish(events, '{"type":"ALARM","reason":"forged by the gate itself"}', { qos: 0 });
    expect(await outcome).toBe('closed');

    // Another gate's reads and their ACK: the broker has handled what came before them.
    const other = await connectMqtt('WH-SURFACE/DOCK-3', await signLocalToken({ role: 'gateway', locations: ['WH-SURFACE'], gateId: 'DOCK-3' }));
    const ack = arrival('stockclub/WH-SURFACE/gates/DOCK-3/events');
    await other.publishAsync('stockclub/WH-SURFACE/gates/DOCK-3/reads', oneRead(), { qos: 1 });
    await ack;
    expect(seen.map((m) => m.topic)).not.toContain(events);
    expect(gateSaw).toEqual([]);
  });

  it("refuses a token without exp, as API Gateway's JWT authorizer does, on the HTTP API and at the broker's gateway login", async () => {
    const stock = (token: string) => fetch(`${cloud.url}/stock/ANY`, { headers: { authorization: `Bearer ${token}` } });
    const forever = await stock(await tokenWithoutExp({ role: 'admin' }, 'admin-dev'));
    expect(forever.status).toBe(401);
    expect(forever.headers.get('content-type')).toBe('application/problem+json');
    // The same claims with exp pass the authorizer and reach the function.
    expect((await stock(await signLocalToken({ role: 'admin' }))).status).not.toBe(401);

    const gateClaims = { role: 'gateway', locations: 'WH-SURFACE', gateId: 'DOCK-4' };
    await expect(connectMqtt('WH-SURFACE/DOCK-4', await tokenWithoutExp(gateClaims, 'WH-SURFACE/DOCK-4'))).rejects.toMatchObject({ code: 4 });
    expect((await connectMqtt('WH-SURFACE/DOCK-4', await signLocalToken({ role: 'gateway', locations: ['WH-SURFACE'], gateId: 'DOCK-4' }))).connected).toBe(
      true,
    );
  });

  it('answers a body over 10 MB with 413 problem+json after reading it, not a reset', async () => {
    const admin = await signLocalToken({ role: 'admin' });
    const answer = await fetch(`${cloud.url}/sales`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(await answer.json()).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
  });

  it('answers a method a path does not have with 405 and Allow (HEAD too); OPTIONS with 204 and Allow', async () => {
    const wrong = await fetch(`${cloud.url}/products/SKU-1`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('content-type')).toBe('application/problem+json');
    expect(wrong.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'OPTIONS', 'PATCH']);
    expect(await wrong.json()).toMatchObject({ type: '/problems/method-not-allowed', status: 405 });
    expect((await fetch(`${cloud.url}/health`, { method: 'POST' })).headers.get('allow')).toBe('GET, OPTIONS');

    const head = await fetch(`${cloud.url}/health`, { method: 'HEAD' });
    expect([head.status, head.headers.get('allow')]).toEqual([405, 'GET, OPTIONS']);
    const options = await fetch(`${cloud.url}/health`, { method: 'OPTIONS' });
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'GET, OPTIONS']);
    expect((await fetch(`${cloud.url}/no/such/path`, { method: 'DELETE' })).status).toBe(404);
  });
});

import { randomBytes } from 'node:crypto';
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../../infra/local/auth.ts';
import { localAwsEnv } from '../../../infra/local/dynamodb.ts';
import { FailureLog } from '../../../infra/local/failure-log.ts';
import { type IotDataEndpoint, startIotDataEndpoint } from '../../../infra/local/iot-data-endpoint.ts';
import { type LocalBroker, startMqttBroker } from '../../../infra/local/mqtt.ts';

let broker: LocalBroker;
let endpoint: IotDataEndpoint;
let listener: MqttClient;
let iot: IoTDataPlaneClient;
const failures = new FailureLog();
// What the local cloud gives its handlers: the fixed key id, a secret made for this run.
const credentials = { accessKeyId: localAwsEnv.AWS_ACCESS_KEY_ID, secretAccessKey: randomBytes(32).toString('hex') };
const clientWith = (signedWith: { accessKeyId: string; secretAccessKey: string }) =>
  new IoTDataPlaneClient({ endpoint: endpoint.url, region: localAwsEnv.AWS_REGION, credentials: signedWith, maxAttempts: 1 });

beforeAll(async () => {
  broker = await startMqttBroker({ port: 0, failures });
  endpoint = await startIotDataEndpoint(broker, credentials);
  listener = await mqtt.connectAsync(broker.url, {
    username: 'stockclub',
    password: await signLocalToken({ role: 'service' }),
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  await listener.subscribeAsync('#', { qos: 1 });
  iot = clientWith(credentials);
});

afterAll(async () => {
  iot?.destroy();
  await listener?.endAsync(true);
  await endpoint?.close();
  await broker?.close();
});

const received = (topic: string) =>
  new Promise<{ payload: string; qos: number }>((resolve) => {
    const onMessage = (t: string, payload: Buffer, packet: mqtt.IPublishPacket) => {
      if (t !== topic) return;
      listener.off('message', onMessage);
      resolve({ payload: payload.toString('utf8'), qos: packet.qos });
    };
    listener.on('message', onMessage);
  });

describe('the local IoT data plane endpoint', () => {
  it("publishes what the SDK's PublishCommand sends on the broker, topic and payload intact", async () => {
    const topic = 'stockclub/WH-1/gates/DOCK-1/events';
    const arrival = received(topic);
    await iot.send(new PublishCommand({ topic, qos: 1, contentType: 'application/json', payload: new TextEncoder().encode('{"type":"ACK","received":3}') }));
    expect(await arrival).toEqual({ payload: '{"type":"ACK","received":3}', qos: 1 });
  });

  it('decodes topics with characters the SDK has to escape', async () => {
    const topic = 'tools/a b&c/ü%20/x?y=1';
    const arrival = received(topic);
    await iot.send(new PublishCommand({ topic, payload: new TextEncoder().encode('hello') }));
    expect(await arrival).toEqual({ payload: 'hello', qos: 0 });
  });

  it("refuses a payload over IoT Core's 128 KB with the error the SDK knows", async () => {
    await expect(iot.send(new PublishCommand({ topic: 'tools/big', payload: new Uint8Array(128 * 1024 + 1) }))).rejects.toMatchObject({
      name: 'RequestEntityTooLargeException',
      $metadata: { httpStatusCode: 413 },
    });
  });

  it('refuses a topic with MQTT wildcards, as a publish topic cannot have them', async () => {
    await expect(iot.send(new PublishCommand({ topic: 'tools/+/x', payload: new Uint8Array(1) }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers 404 to anything but Publish, and 400 to a topic that does not decode', async () => {
    expect((await fetch(`${endpoint.url}/things/x/shadow`)).status).toBe(404);
    expect((await fetch(`${endpoint.url}/topics/a`, { method: 'GET' })).status).toBe(404);
    expect((await fetch(`${endpoint.url}/topics/%E0`, { method: 'POST' })).status).toBe(400);
  });

  it('refuses a publish that is unsigned, signed with another secret or key, or altered after signing, and none reaches the broker', async () => {
    const topic = 'stockclub/WH-1/gates/DOCK-1/events';
    const seen: string[] = [];
    const onMessage = (t: string, payload: Buffer) => {
      if (t === topic) seen.push(payload.toString('utf8'));
    };
    listener.on('message', onMessage);
    const forged = '{"type":"ACK","received":999}';

    const unsigned = await fetch(`${endpoint.url}/topics/${encodeURIComponent(topic)}?qos=1`, { method: 'POST', body: forged });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');

    const otherSecret = clientWith({ accessKeyId: credentials.accessKeyId, secretAccessKey: 'local' });
    const otherKey = clientWith({ accessKeyId: 'someone-else', secretAccessKey: credentials.secretAccessKey });
    const send = (client: IoTDataPlaneClient) => client.send(new PublishCommand({ topic, qos: 1, payload: new TextEncoder().encode(forged) }));
    await expect(send(otherSecret)).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    await expect(send(otherKey)).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
    otherSecret.destroy();
    otherKey.destroy();

    // A genuine signature over another body of the same length: the signature covers the body.
    const altered = clientWith(credentials);
    altered.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { body: Uint8Array }).body = new TextEncoder().encode('{"type":"ACK","received":9}');
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'alterAfterSigning' },
    );
    await expect(altered.send(new PublishCommand({ topic, qos: 1, payload: new TextEncoder().encode('{"type":"ACK","received":1}') }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    altered.destroy();

    // Delivery is in order: once a signed message after them arrives, the refused ones would have too.
    const arrival = received(topic);
    await iot.send(new PublishCommand({ topic, qos: 1, payload: new TextEncoder().encode('{"type":"ACK","received":3}') }));
    await arrival;
    listener.off('message', onMessage);
    expect(seen).toEqual(['{"type":"ACK","received":3}']);
  });
});

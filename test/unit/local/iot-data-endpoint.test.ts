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

beforeAll(async () => {
  broker = await startMqttBroker({ port: 0, failures });
  endpoint = await startIotDataEndpoint(broker);
  listener = await mqtt.connectAsync(broker.url, {
    username: 'stockclub', password: await signLocalToken({ role: 'service' }), reconnectPeriod: 0, protocolVersion: 4,
  });
  await listener.subscribeAsync('#', { qos: 1 });
  iot = new IoTDataPlaneClient({
    endpoint: endpoint.url,
    region: localAwsEnv.AWS_REGION,
    credentials: { accessKeyId: localAwsEnv.AWS_ACCESS_KEY_ID, secretAccessKey: localAwsEnv.AWS_SECRET_ACCESS_KEY },
  });
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
  it('publishes what the SDK\'s PublishCommand sends on the broker, topic and payload intact', async () => {
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

  it('refuses a payload over IoT Core\'s 128 KB with the error the SDK knows', async () => {
    await expect(iot.send(new PublishCommand({ topic: 'tools/big', payload: new Uint8Array(128 * 1024 + 1) })))
      .rejects.toMatchObject({ name: 'RequestEntityTooLargeException', $metadata: { httpStatusCode: 413 } });
  });

  it('refuses a topic with MQTT wildcards, as a publish topic cannot have them', async () => {
    await expect(iot.send(new PublishCommand({ topic: 'tools/+/x', payload: new Uint8Array(1) })))
      .rejects.toMatchObject({ name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
  });

  it('answers 404 to anything but Publish, and 400 to a topic that does not decode', async () => {
    expect((await fetch(`${endpoint.url}/things/x/shadow`)).status).toBe(404);
    expect((await fetch(`${endpoint.url}/topics/a`, { method: 'GET' })).status).toBe(404);
    expect((await fetch(`${endpoint.url}/topics/%E0`, { method: 'POST' })).status).toBe(400);
  });
});

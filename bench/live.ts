/**
 * Live stock: a write through the API until the browser's MQTT client on
 * ws://…/mqtt receives its level (POST /movements -> DynamoDB Local -> stream
 * poller -> liveLevels -> IoT data plane endpoint -> broker -> WebSocket),
 * next to, in the same run over the same WebSocket, the IoT data plane's own
 * publish -> receive, and the write's own answer time. On the whole local
 * cloud (`npm start`'s), so the stream poller's interval (100 ms) is in the
 * figure as Lambda's stream polling is in AWS.
 */
import mqtt from 'mqtt';
import { signLocalToken } from '../infra/local/auth.ts';
import { type BenchRow, percentile, round } from './harness.ts';

const location = 'BENCH-LIVE';
const sku = 'BENCH-LIVE-SKU';
const writes = 200;
const baselinePublishes = 200;

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
};

export const benchLive = async (): Promise<BenchRow[]> => {
  const { startLocalCloud } = await import('../infra/local/cloud.ts');
  const cloud = await startLocalCloud({ port: 0, mqttPort: 0, empty: true, schedules: false });
  // Imported once the cloud has pointed the IoT data plane client at its endpoint.
  const { publishLiveLevel } = await import('../shared/messaging/live-levels.ts');
  const { liveLevelsTopic } = await import('../shared/domain/live.ts');
  const token = await signLocalToken({ role: 'admin', subject: 'bench' });
  const client = await mqtt.connectAsync(`${cloud.url.replace('http:', 'ws:')}/mqtt`, {
    username: 'bench',
    password: token,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  try {
    const call = async (path: string, body: unknown) => {
      const response = await fetch(`${cloud.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };
    await call('/locations', { locationId: location, name: 'Bench live store', type: 'STORE', timeZone: 'UTC' });
    await call('/products', { sku, name: sku, unitCost: 100, price: 200, currency: 'EUR' });
    await call('/movements', { movementId: 'bench-live-receipt', type: 'RECEIPT', locationId: location, lines: [{ sku, qty: writes * 10 }] });
    await cloud.settled();

    // Arrivals by movement id (writes) or marker (baseline publishes).
    const waiting = new Map<string, () => void>();
    client.on('message', (_topic, payload) => {
      const message = JSON.parse(payload.toString('utf8')) as { movementId?: string; marker?: string };
      const key = message.marker ?? message.movementId;
      if (key) waiting.get(key)?.();
    });
    const arrival = (key: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no live message for ${key} within 10 s`)), 10_000);
        waiting.set(key, () => {
          clearTimeout(timer);
          waiting.delete(key);
          resolve();
        });
      });
    await client.subscribeAsync(liveLevelsTopic(location), { qos: 1 });

    // Baseline: the IoT data plane's Publish (signed, as the consumer sends it) -> broker -> the same WebSocket.
    const publishToReceive: number[] = [];
    for (let i = 0; i < baselinePublishes + 20; i++) {
      const marker = `baseline-${i}`;
      const arrived = arrival(marker);
      const started = performance.now();
      await publishLiveLevel(location, { marker });
      await arrived;
      if (i >= 20) publishToReceive.push(performance.now() - started);
    }

    // One sale at a time: write -> received on the WebSocket.
    const writeToReceive: number[] = [];
    const answers: number[] = [];
    for (let i = 0; i < writes + 10; i++) {
      const movementId = `bench-live-sale-${i}`;
      const arrived = arrival(movementId);
      const started = performance.now();
      await call('/movements', { movementId, type: 'SALE', locationId: location, lines: [{ sku, qty: 1 }] });
      const answered = performance.now();
      await arrived;
      if (i >= 10) {
        answers.push(answered - started);
        writeToReceive.push(performance.now() - started);
      }
    }

    const e2e = stats(writeToReceive);
    const base = stats(publishToReceive);
    const answer = stats(answers);
    const baseline = `IoT data plane publish -> same WS receive p50 ${base.p50} ms, p99 ${base.p99} ms; POST /movements answer p50 ${answer.p50} ms, p99 ${answer.p99} ms; stream poll interval 100 ms`;
    return [
      { name: `live: write -> WS subscriber receives, p50 (${writes} sales)`, figure: e2e.p50, unit: 'ms', baseline },
      { name: `live: write -> WS subscriber receives, p99 (${writes} sales)`, figure: e2e.p99, unit: 'ms', baseline },
    ];
  } finally {
    await client.endAsync(true);
    await cloud.stop();
  }
};

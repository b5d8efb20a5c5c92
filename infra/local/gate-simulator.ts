/**
 * A simulated RFID gateway for the local broker: tags passing a gate, each
 * read many times by several antennas, published the way a gateway does it
 * (time-ordered reads split into messages under IoT Core's 128 KB cap), with
 * the gate's acknowledgements and alarms collected from its events topic.
 * Used by `npm run rfid:sim`, the integration tests and the benchmark.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { encodeSgtin96 } from '../../shared/domain/epc.ts';
import { gateEventsTopic, gatePublishPrefix } from '../topics.ts';
import { signLocalToken } from './auth.ts';

export const maxMessageBytes = 128 * 1024;
/** The reads schema's own cap per message. */
const maxReadsPerMessage = 5000;

export interface SimulatedRead {
  readonly epc: string;
  readonly antenna: number;
  readonly rssi: number;
  readonly at: string;
}

export interface GatePayload {
  readonly readAt: string;
  readonly direction: 'IN' | 'OUT';
  readonly reads: SimulatedRead[];
}

/** Small seeded generator (mulberry32), so a burst can be rebuilt exactly for a replay. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** SGTIN-96 EPCs for `count` items, dealt round-robin over the GTINs, serials counting up from `serialStart`. */
export const tagEpcs = (gtins: readonly string[], count: number, serialStart: number, companyPrefixLength = 7): string[] =>
  Array.from({ length: count }, (_, i) =>
    encodeSgtin96({ gtin: gtins[i % gtins.length]!, serial: serialStart + Math.floor(i / gtins.length), companyPrefixLength }),
  );

/**
 * Reads of tags passing a gate on a cart or pallet: each tag enters the
 * field at some point while the load passes (2 s, or 10 ms per tag for
 * large loads) and is then read `readsPerTag` times, 20-80 ms apart (a
 * reader sees a tag in its field tens of times a second), by one of four
 * antennas. Time-ordered.
 */
export const passReads = (epcs: readonly string[], readsPerTag: number, startAt: Date, random: () => number): SimulatedRead[] => {
  const passMs = Math.max(2000, epcs.length * 10);
  const reads: { epc: string; antenna: number; rssi: number; atMs: number }[] = [];
  for (const epc of epcs) {
    let atMs = startAt.getTime() + Math.floor(random() * passMs);
    for (let r = 0; r < readsPerTag; r++) {
      reads.push({ epc, antenna: 1 + Math.floor(random() * 4), rssi: Math.round(-75 + random() * 35), atMs });
      atMs += 20 + Math.floor(random() * 60);
    }
  }
  return reads.sort((a, b) => a.atMs - b.atMs).map(({ atMs, ...read }) => ({ ...read, at: new Date(atMs).toISOString() }));
};

/**
 * Splits time-ordered reads into messages: at least `minMessages` of about
 * equal size, each under `maxBytes` of JSON and the schema's read cap.
 */
export const splitIntoMessages = (reads: readonly SimulatedRead[], direction: 'IN' | 'OUT', minMessages = 1, maxBytes = maxMessageBytes): GatePayload[] => {
  const perMessage = Math.min(maxReadsPerMessage, Math.ceil(reads.length / minMessages));
  const envelope = Buffer.byteLength(JSON.stringify({ readAt: new Date(0).toISOString(), direction, reads: [] }));
  const messages: GatePayload[] = [];
  let current: SimulatedRead[] = [];
  let bytes = envelope;
  const flush = () => {
    if (current.length > 0) messages.push({ readAt: current[0]!.at, direction, reads: current });
    current = [];
    bytes = envelope;
  };
  for (const read of reads) {
    const size = Buffer.byteLength(JSON.stringify(read)) + 1;
    if (current.length >= perMessage || bytes + size > maxBytes) flush();
    current.push(read);
    bytes += size;
  }
  flush();
  return messages;
};

export interface GateConnection {
  readonly client: MqttClient;
  /** Everything the gate's events topic has delivered so far, in order. */
  readonly events: Record<string, unknown>[];
  /** Resolves once `count` events of `type` have arrived; rejects after `timeoutMs`. */
  waitFor(type: string, count: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Connects as the gateway of one gate (username `{location}/{gate}`, a gateway token) and listens on its events topic. */
export const connectGate = async (url: string, locationId: string, gateId: string, token?: string): Promise<GateConnection> => {
  const password = token ?? (await signLocalToken({ role: 'gateway', locations: [locationId], gateId }));
  const client = await mqtt.connectAsync(url, { username: `${locationId}/${gateId}`, password, reconnectPeriod: 0, protocolVersion: 4 });
  const events: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  client.on('message', (_topic, payload) => {
    events.push(JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
    for (const wake of waiters) wake();
  });
  await client.subscribeAsync(gateEventsTopic(locationId, gateId), { qos: 1 });
  return {
    client,
    events,
    waitFor: (type, count, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const matching = events.filter((e) => e.type === type);
          if (matching.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(matching);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `Waited ${timeoutMs} ms for ${count} ${type} on ${gateEventsTopic(locationId, gateId)}, got ${events.filter((e) => e.type === type).length}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => client.endAsync(true),
  };
};

/** IoT Core allows a connection about 100 publishes a second. */
const minPublishIntervalMs = 10;

/** Publishes the messages with QoS 1, one after another (each waits for its PUBACK), at most 100 a second. */
export const publishMessages = async (gate: GateConnection, locationId: string, gateId: string, messages: readonly GatePayload[]): Promise<void> => {
  const topic = `${gatePublishPrefix(locationId, gateId)}reads`;
  for (const message of messages) {
    const started = performance.now();
    await gate.client.publishAsync(topic, JSON.stringify(message), { qos: 1 });
    const pause = minPublishIntervalMs - (performance.now() - started);
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  }
};

/**
 * Live data, pushed: one MQTT-over-WebSocket connection (the bearer token as
 * the password, any user name), subscribed to
 * - `stockclub/live/levels/{locationId}`: `{ ...StockLevel, movementType }` on
 *   every level change (the stream consumer publishes it);
 * - `stockclub/live/gates/{locationId}`: the gates' ACKs and ALARMs, each
 *   with its `gateId` (docs/rfid.md, "Alarms and the SOLD state"), as the
 *   ingest sends them to the gates.
 * A level whose `version` is not above the last one shown for that SKU and
 * location is dropped: a retried stream batch may repeat an older one.
 * Nothing here polls the HTTP API. Topics and the version rule come from
 * shared/domain/live.ts, which the stream consumer and the broker use too.
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  acceptLiveLevel,
  allLiveGatesFilter,
  allLiveLevelsFilter,
  liveGatesTopic,
  liveLevelsTopic,
  type SeenVersions,
  type VersionedLevel,
} from '../../../shared/domain/live.ts';

export interface StockLevel {
  readonly sku: string;
  readonly locationId: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
  readonly incoming: number;
  readonly damaged: number;
  readonly qualityControl: number;
  readonly safetyStock: number;
  readonly reorderPoint?: number;
  readonly version: number;
  readonly updatedAt: string;
}

export interface LiveLevel extends StockLevel {
  readonly movementType?: string;
}

export interface GateEvent {
  readonly locationId: string;
  readonly gateId: string;
  readonly receivedAt: string;
  readonly type: string;
  readonly reason?: string;
  readonly readAt?: string;
  readonly items?: readonly { epc?: string; sku?: string; serial?: string; at?: string; stateBefore?: string }[];
  readonly [field: string]: unknown;
}

/** idle: not started; connecting; live; lost: was live, retrying; reconnected: live again after a loss; refused: the endpoint said no. */
export type LiveState = 'idle' | 'connecting' | 'live' | 'lost' | 'reconnected' | 'refused';

/**
 * What to subscribe to: HQ (admin) to every location with one wildcard filter
 * each (locations opened later included); a store user to its own locations,
 * one topic each (the endpoint refuses wildcards and other stores to it).
 */
export const liveTopicsFor = (role: string, locations: readonly string[]): { levels: string[]; gates: string[] } =>
  role === 'admin'
    ? { levels: [allLiveLevelsFilter], gates: [allLiveGatesFilter] }
    : { levels: locations.map(liveLevelsTopic), gates: locations.map(liveGatesTopic) };

/** The newest version shown per SKU and location (the rule of shared/domain/live.ts): accept(level) is false for anything not newer. */
export class VersionGate {
  private seen: SeenVersions = {};

  /** Notes a level read from the API (so an older push does not overwrite it). */
  note(level: VersionedLevel): void {
    this.seen = acceptLiveLevel(this.seen, level) ?? this.seen;
  }

  accept(level: VersionedLevel): boolean {
    const next = acceptLiveLevel(this.seen, level);
    if (next) this.seen = next;
    return next !== undefined;
  }
}

export interface LiveHandlers {
  readonly onState: (state: LiveState, detail?: string) => void;
  /** Topic filters the endpoint refused (SUBACK 0x80): e.g. gate events where the sign-in may not watch them. */
  readonly onRefused: (filters: readonly string[]) => void;
  readonly onLevel: (level: LiveLevel) => void;
  readonly onGateEvent: (event: GateEvent) => void;
}

export interface Live {
  readonly versions: VersionGate;
  close(): void;
}

const isLevel = (value: unknown): value is LiveLevel => {
  const v = value as Partial<LiveLevel> | null;
  return !!v && typeof v.sku === 'string' && typeof v.locationId === 'string' && typeof v.version === 'number' && typeof v.available === 'number';
};

/** Connects and subscribes; `versions` is shared with the views, which note the levels they read from the API. */
export const connectLive = (url: string, token: string, topics: readonly string[], handlers: LiveHandlers, versions = new VersionGate()): Live => {
  let everLive = false;
  let lost = false;
  handlers.onState('connecting');
  const client: MqttClient = mqtt.connect(url, {
    username: 'console',
    password: token,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
    clientId: `console-${crypto.randomUUID().slice(0, 12)}`,
  });
  client.on('connect', () => {
    const state: LiveState = lost ? 'reconnected' : 'live';
    everLive = true;
    lost = false;
    // One SUBSCRIBE per filter: mqtt.js fails a whole SUBSCRIBE when the endpoint refuses any one filter in it.
    let pending = topics.length;
    const refused: string[] = [];
    if (pending === 0) handlers.onState(state);
    for (const topic of topics) {
      client.subscribe(topic, { qos: 0 }, (error, granted) => {
        if (error || (granted ?? []).some((g) => g.qos === 128)) refused.push(topic);
        if (--pending > 0) return;
        handlers.onRefused(refused);
        handlers.onState(refused.length === topics.length ? 'refused' : state, refused.length ? `not allowed: ${refused.join(', ')}` : undefined);
      });
    }
  });
  client.on('close', () => {
    if (everLive && !lost) {
      lost = true;
      handlers.onState('lost');
    }
  });
  client.on('error', (error) => {
    // A CONNACK refusal (bad token) is final: stop retrying with the same token.
    if ((error as { code?: number }).code === 4 || (error as { code?: number }).code === 5 || /Not authorized|Bad user/i.test(error.message)) {
      handlers.onState('refused', error.message);
      client.end(true);
    }
  });
  client.on('message', (topic, payload) => {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return;
    }
    const parts = topic.split('/');
    if (parts[1] === 'live' && parts[2] === 'levels') {
      if (isLevel(body) && versions.accept(body)) handlers.onLevel(body);
      return;
    }
    // The message names its gate; the topic names its location.
    if (parts[1] === 'live' && parts[2] === 'gates' && body && typeof body === 'object') {
      handlers.onGateEvent({
        ...(body as Record<string, unknown>),
        locationId: parts[3]!,
        receivedAt: new Date().toISOString(),
      } as GateEvent);
    }
  });
  return { versions, close: () => client.end(true) };
};

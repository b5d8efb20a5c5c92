/**
 * The local twin of IoT Core for gateways: an MQTT broker (aedes) with the
 * same rules AWS enforces. A gateway connects with username
 * `{locationId}/{gateId}` and a gateway token (which must carry `exp`) as
 * password, may publish only to its own `stockclub/{locationId}/gates/{gateId}/reads`
 * (the stack's gateway policy) and subscribe only to its own events topic;
 * tools connect as `stockclub` with an admin or service token and may only
 * listen. Refusals:
 * - bad credentials: CONNACK 4 (bad user name or password);
 * - a publish to any other topic (its own events topic too), or over IoT Core's 128 KB cap: the
 *   broker closes the connection and the message goes nowhere, as IoT Core
 *   does to an MQTT 3.1.1 client its policy denies;
 * - a subscription outside the gate's events topic: SUBACK 0x80 (failure),
 *   the connection stays up.
 * The topic rules of infra/topics.ts run on every matching message, from a
 * gateway or from the IoT data plane endpoint: payload plus topic fields,
 * handed to the rule's handler; what fails goes to the failure log (AWS: the
 * rule's error action).
 */
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Context } from 'aws-lambda';
import { mayWatchLive, mayWatchTopic } from '../../shared/domain/live.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { principalFromClaims } from '../../shared/http/principal.ts';
import { gateEventsTopic, gatePublishPrefix, type TopicRuleDefinition, topicRules } from '../topics.ts';
import { verifyLocalToken } from './auth.ts';
import type { FailureLog } from './failure-log.ts';
import { lambdaContext } from './gateway.ts';
import { loadHandler } from './handlers.ts';

type RuleHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The one topic the stack's gateway policy lets a gateway publish to (iot:Publish on `.../reads`). */
const gateReadsTopic = (locationId: string, gateId: string): string => `${gatePublishPrefix(locationId, gateId)}reads`;

const maxPayloadBytes = 128 * 1024;

/**
 * Who a connection is: a gateway bound to one gate, a tool (admin/service
 * token) that may only listen, or a browser on `ws://…/mqtt` watching live
 * stock (docs/live-stock.md) as its principal may.
 */
interface Identity {
  readonly role: 'gateway' | 'observer' | 'viewer';
  readonly locationId?: string;
  readonly gateId?: string;
  readonly principal?: Principal;
}

/** MQTT topic filter matching with `+` and `#`. */
export const topicMatches = (filter: string, topic: string): boolean => {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
};

/**
 * The event a topic rule hands to its action, as its IoT SQL selects it: the
 * payload fields the rule names (absent ones left out, others dropped) plus
 * the named topic segments.
 */
export const applyTopicRule = (rule: TopicRuleDefinition, topic: string, payload: Buffer): Record<string, unknown> => {
  const parsed = JSON.parse(payload.toString('utf8')) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('payload is not a JSON object');
  const body = parsed as Record<string, unknown>;
  const selected = Object.fromEntries(rule.payload.filter((name) => Object.hasOwn(body, name)).map((name) => [name, body[name]]));
  const segments = topic.split('/');
  const fields = Object.fromEntries(Object.entries(rule.fields).map(([name, index]) => [name, segments[index - 1]]));
  return { ...selected, ...fields };
};

export interface LocalBroker {
  readonly port: number;
  readonly url: string;
  /** Publishes as the service itself (the IoT data plane): no topic checks, topic rules still apply. */
  publish(topic: string, payload: string | Buffer, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  /** Serves one MQTT connection over a WebSocket (infra/local/mqtt-ws.ts): a browser watching live stock. */
  handleWebSocket(stream: Duplex, req: IncomingMessage): void;
  /** Resolves when every rule invocation started so far has finished. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export const startMqttBroker = async (options: { port?: number; failures: FailureLog }): Promise<LocalBroker> => {
  const { Aedes } = await import('aedes');
  const identities = new WeakMap<object, Identity>();
  const inFlight = new Set<Promise<void>>();

  // One invocation per message, no retries: a refused message is as refused on a second try, and the log keeps it.
  const runRule = async (name: string, rule: TopicRuleDefinition, topic: string, payload: Buffer) => {
    let event: Record<string, unknown>;
    try {
      event = applyTopicRule(rule, topic, payload);
    } catch (error) {
      options.failures.record({ source: 'topicRule', name, reason: `${topic}: ${(error as Error).message}`, payload: payload.toString('utf8') });
      return;
    }
    try {
      const handler = await loadHandler<RuleHandler>(rule.entry, name, rule);
      await handler(event, lambdaContext(name));
    } catch (error) {
      options.failures.record({ source: 'topicRule', name, reason: `${topic}: ${(error as Error).message}`, payload: event });
    }
  };

  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      void (async () => {
        const claims = password ? await verifyLocalToken(password.toString('utf8')) : undefined;
        // Over WebSocket (aedes keeps the upgrade request): a browser, the bearer token as password, any user name.
        if (client.req) {
          const principal = principalFromClaims(claims as Parameters<typeof principalFromClaims>[0]);
          if (principal && mayWatchLive(principal)) {
            identities.set(client, { role: 'viewer', principal });
            return done(null, true);
          }
          // A valid token of a role that may not watch (member, service, gateway): 5, not authorized; a bad one: 4.
          return done(Object.assign(new Error('Not allowed to watch live stock'), { returnCode: principal ? (5 as const) : (4 as const) }), false);
        }
        const [locationId, gateId, ...rest] = (username ?? '').split('/');
        const locations = String(claims?.locations ?? '').split(' ');
        if (claims?.role === 'gateway' && rest.length === 0 && locationId && gateId && claims.gateId === gateId && locations.includes(locationId)) {
          identities.set(client, { role: 'gateway', locationId, gateId });
          return done(null, true);
        }
        if ((claims?.role === 'admin' || claims?.role === 'service') && username === 'stockclub') {
          identities.set(client, { role: 'observer' });
          return done(null, true);
        }
        const error = Object.assign(new Error('Bad username or token'), { returnCode: 4 as const });
        done(error, false);
      })();
    },
    authorizePublish: (client, packet, callback) => {
      // broker.publish (the IoT data plane) bypasses this check; a client-less call is a stale will, refused.
      const identity = client ? identities.get(client) : undefined;
      if (Buffer.byteLength(packet.payload) > maxPayloadBytes) return callback(new Error(`Payload over ${maxPayloadBytes} bytes on ${packet.topic}`));
      if (identity?.role === 'gateway' && packet.topic === gateReadsTopic(identity.locationId!, identity.gateId!)) return callback(null);
      callback(new Error(`Not allowed to publish to ${packet.topic}`));
    },
    authorizeSubscribe: (client, subscription, callback) => {
      const identity = identities.get(client);
      if (identity?.role === 'observer') return callback(null, subscription);
      if (identity?.role === 'viewer') return callback(null, mayWatchTopic(identity.principal!, subscription.topic) ? subscription : null);
      if (identity?.role === 'gateway' && subscription.topic === gateEventsTopic(identity.locationId!, identity.gateId!)) {
        return callback(null, subscription);
      }
      // No subscription and no error: aedes answers SUBACK 0x80 instead of dropping the connection.
      callback(null, null);
    },
    published: (packet, _client, callback) => {
      callback(null);
      for (const [name, rule] of Object.entries(topicRules)) {
        if (!topicMatches(rule.topicFilter, packet.topic)) continue;
        const run = runRule(name, rule, packet.topic, Buffer.from(packet.payload));
        inFlight.add(run);
        void run.finally(() => inFlight.delete(run));
      }
    },
  });

  const closeBroker = () => new Promise<void>((resolve) => broker.close(() => resolve()));
  const server: Server = createServer(broker.handle as never);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 1883, '127.0.0.1', resolve);
    });
  } catch (error) {
    // A taken port must not leave the broker's timers keeping the process alive.
    await closeBroker();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    publish: (topic, payload, { qos = 1, retain = false } = {}) =>
      new Promise((resolve, reject) =>
        broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false }, (error) => (error ? reject(error) : resolve())),
      ),
    handleWebSocket: (stream, req) => broker.handle(stream as never, req as never),
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close: async () => {
      await closeBroker();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

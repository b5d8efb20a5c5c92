/**
 * Live stock (docs/live-stock.md): the topic each level change is pushed to,
 * who may watch which topics, the message, and the rule a client applies to
 * what arrives. Pure: the stream consumer, the local broker, the IoT Core
 * custom authorizer and the browser console all use these same functions.
 */
import type { LedgerType } from './movements.ts';
import type { Principal } from './principal.ts';

/** Every live topic starts here; nothing else lives under it. */
export const liveTopicRoot = 'stockclub/live';

/** Where each level change of a location is published (QoS 1). */
export const liveLevelsTopic = (locationId: string): string => `${liveTopicRoot}/levels/${locationId}`;

/** Every location's levels: what an HQ console subscribes to. */
export const allLiveLevelsFilter = `${liveTopicRoot}/levels/+`;

/**
 * Where a location's gate events (each ALARM and ACK, with its `gateId`)
 * are published for viewers. The gates' own events topics
 * (`stockclub/{locationId}/gates/{gateId}/events`) are the devices'
 * protocol and stay closed to browsers.
 */
export const liveGatesTopic = (locationId: string): string => `${liveTopicRoot}/gates/${locationId}`;

/** Every location's gate events: what an HQ console subscribes to. */
export const allLiveGatesFilter = `${liveTopicRoot}/gates/+`;

/** The location a live levels topic is about, or undefined for any other topic. */
export const locationOfLiveTopic = (topic: string): string | undefined => {
  const segments = topic.split('/');
  return segments.length === 4 && `${segments[0]}/${segments[1]}` === liveTopicRoot && segments[2] === 'levels' && segments[3] ? segments[3] : undefined;
};

/** Who may watch: admin (HQ) and store users; members, services and gateways may not connect to the live feed. */
export const mayWatchLive = (principal: Pick<Principal, 'role'>): boolean => principal.role === 'admin' || principal.role === 'store';

const isWildcard = (segment: string) => segment === '+' || segment === '#';

/**
 * Whether a viewer may subscribe to an MQTT topic filter: an admin to any
 * filter under `stockclub/live/` (`stockclub/live/#`, `stockclub/live/levels/+`,
 * one location), a store user only to its own locations' topics, one at a
 * time and without wildcards; anyone else to nothing. A filter reaching above
 * `stockclub/live/` (`#`, `stockclub/#`, `+/live/...`) is refused to all:
 * it would cover the gates' topics.
 */
export const mayWatchTopic = (principal: Pick<Principal, 'role' | 'locations'>, filter: string): boolean => {
  const segments = filter.split('/');
  if (segments.length < 3 || `${segments[0]}/${segments[1]}` !== liveTopicRoot) return false;
  // `#` only as the last segment, no empty segments: a malformed filter is refused, not interpreted.
  if (segments.some((s, i) => s === '' || (s.includes('#') && (s !== '#' || i !== segments.length - 1)) || (s.includes('+') && s !== '+'))) return false;
  if (principal.role === 'admin') return true;
  if (principal.role !== 'store') return false;
  const [, , kind, locationId] = segments;
  return (
    segments.length === 4 &&
    (kind === 'levels' || kind === 'gates') &&
    locationId !== undefined &&
    !isWildcard(locationId) &&
    principal.locations.includes(locationId)
  );
};

/** The level fields a message needs to be ordered; the message carries the whole StockLevel as the API shows it. */
export interface VersionedLevel {
  readonly sku: string;
  readonly locationId: string;
  readonly version: number;
}

/** A message on a live levels topic: the StockLevel as the API shows it plus the movement that caused it. */
export type LiveLevelMessage<Level extends VersionedLevel = VersionedLevel> = Level & {
  /** The ledger type of the change (SALE, RECEIPT, TRANSFER_OUT, COUNT, ...). */
  readonly movementType: LedgerType;
  /** The movement's id, when the change came from a booked movement (a purchase order's `incoming` has none). */
  readonly movementId?: string;
};

/** One level change worth a message: the version moved (a reorder point set by replenishment alone is not a change of stock). */
export const isLevelChange = (before: { version?: unknown } | undefined, after: { version?: unknown } | undefined): boolean =>
  after !== undefined && typeof after.version === 'number' && after.version !== before?.version;

/** The key messages are ordered by: one SKU at one location. */
export const liveLevelKey = (level: Pick<VersionedLevel, 'sku' | 'locationId'>): string => `${level.locationId}#${level.sku}`;

/** The last version a client has shown, per liveLevelKey. */
export type SeenVersions = Readonly<Record<string, number>>;

/**
 * The client rule: show a message only if its version is above the last one
 * seen for that SKU and location (from a message, or from GET /stock/{sku}
 * or GET /locations/{id}/stock loaded at start). A retried stream batch may
 * publish a change again, or an older one after a newer one; both are
 * dropped here. Returns the versions after the message, or undefined when
 * the message must be dropped.
 */
export const acceptLiveLevel = (seen: SeenVersions, message: VersionedLevel): SeenVersions | undefined => {
  const key = liveLevelKey(message);
  const last = seen[key];
  if (last !== undefined && message.version <= last) return undefined;
  return { ...seen, [key]: message.version };
};

// ---- IoT Core custom authorizer (AWS): the same rule as an IoT policy

/** IoT Core's bounds on how long a connection lives before it is closed, and when the authorizer is asked again. */
export const iotConnectionSeconds = { min: 300, max: 86_400 } as const;

export interface IotPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly {
    readonly Effect: 'Allow' | 'Deny';
    readonly Action: string | readonly string[];
    readonly Resource: string | readonly string[];
  }[];
}

export interface IotAuthorizerResponse {
  readonly isAuthenticated: boolean;
  readonly principalId: string;
  readonly disconnectAfterInSeconds: number;
  readonly refreshAfterInSeconds: number;
  /** Each a JSON policy document, as IoT Core expects them. */
  readonly policyDocuments: readonly string[];
}

/**
 * The IoT policy of a live viewer. `arnPrefix` is `arn:{partition}:iot:{region}:{account}`.
 * IoT policy resources take `*` as a wildcard, and MQTT's `+`/`#` literally:
 * `topicfilter/stockclub/live/*` admits `stockclub/live/levels/+`.
 */
export const livePolicyFor = (principal: Pick<Principal, 'role' | 'locations'>, arnPrefix: string): IotPolicyDocument => {
  const connect = { Effect: 'Allow' as const, Action: 'iot:Connect', Resource: `${arnPrefix}:client/*` };
  if (principal.role === 'admin') {
    return {
      Version: '2012-10-17',
      Statement: [
        connect,
        { Effect: 'Allow', Action: 'iot:Subscribe', Resource: `${arnPrefix}:topicfilter/${liveTopicRoot}/*` },
        { Effect: 'Allow', Action: 'iot:Receive', Resource: `${arnPrefix}:topic/${liveTopicRoot}/*` },
      ],
    };
  }
  if (principal.role === 'store') {
    const own = principal.locations.filter((l) => l !== '' && !/[+#*/]/.test(l));
    return {
      Version: '2012-10-17',
      Statement: [
        connect,
        ...(own.length > 0
          ? [
              {
                Effect: 'Allow' as const,
                Action: 'iot:Subscribe',
                Resource: own.flatMap((l) => [liveLevelsTopic(l), liveGatesTopic(l)].map((topic) => `${arnPrefix}:topicfilter/${topic}`)),
              },
              {
                Effect: 'Allow' as const,
                Action: 'iot:Receive',
                Resource: own.flatMap((l) => [liveLevelsTopic(l), liveGatesTopic(l)].map((topic) => `${arnPrefix}:topic/${topic}`)),
              },
            ]
          : []),
      ],
    };
  }
  return { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:*', Resource: '*' }] };
};

/** IoT Core takes 1 to 128 letters and digits as a principal id. */
const principalIdOf = (subject: string): string => subject.replace(/[^A-Za-z0-9]/g, '').slice(0, 128) || 'anonymous';

/**
 * The custom authorizer's answer. No verified principal: not authenticated
 * (CONNACK refused). A verified one: its policy (a member, a gateway or a
 * service gets an explicit deny), the connection closed when the token
 * expires (within IoT Core's bounds) and the authorizer asked again after
 * at most that long.
 */
export const liveAuthorizerResponse = (
  principal: Pick<Principal, 'role' | 'locations' | 'subject'> | undefined,
  options: { readonly arnPrefix: string; readonly nowSeconds: number; readonly expiresAtSeconds?: number },
): IotAuthorizerResponse => {
  const lifetime = Math.min(
    iotConnectionSeconds.max,
    Math.max(iotConnectionSeconds.min, Math.floor((options.expiresAtSeconds ?? options.nowSeconds + iotConnectionSeconds.max) - options.nowSeconds)),
  );
  if (!principal) {
    return {
      isAuthenticated: false,
      principalId: 'anonymous',
      disconnectAfterInSeconds: iotConnectionSeconds.min,
      refreshAfterInSeconds: iotConnectionSeconds.min,
      policyDocuments: [],
    };
  }
  const tokenExpired = options.expiresAtSeconds !== undefined && options.expiresAtSeconds <= options.nowSeconds;
  return {
    isAuthenticated: !tokenExpired,
    principalId: principalIdOf(principal.subject),
    disconnectAfterInSeconds: lifetime,
    refreshAfterInSeconds: lifetime,
    policyDocuments: tokenExpired ? [] : [JSON.stringify(livePolicyFor(principal, options.arnPrefix))],
  };
};

/** What IoT Core hands a custom authorizer (the parts read here). */
export interface IotAuthorizerEvent {
  readonly token?: string;
  readonly protocolData?: {
    readonly mqtt?: { readonly username?: string; readonly password?: string; readonly clientId?: string };
    readonly http?: { readonly headers?: Readonly<Record<string, string>>; readonly queryString?: string };
  };
}

/**
 * The bearer token of a connection: the MQTT password (IoT Core passes it
 * base64-encoded), as the local broker takes it; else an `Authorization:
 * Bearer` header of the WebSocket upgrade, the token IoT Core took from the
 * authorizer's token key, or a `token` query parameter of the upgrade (a
 * browser can set no header on a WebSocket).
 */
export const bearerOfAuthorizerEvent = (event: IotAuthorizerEvent): string | undefined => {
  const password = event.protocolData?.mqtt?.password;
  if (password) return atob(password);
  const headers = event.protocolData?.http?.headers ?? {};
  const header = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  const bearer = header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  if (bearer) return bearer;
  if (event.token) return event.token.replace(/^Bearer\s+/i, '');
  return new URLSearchParams(event.protocolData?.http?.queryString ?? '').get('token') ?? undefined;
};

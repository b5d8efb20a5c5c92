/** The public HTTP API, as any frontend calls it: bearer token, JSON, problem+json errors. */
export interface Config {
  /** The API's base URL (no trailing slash). */
  readonly apiUrl: string;
  /** MQTT over WebSocket: `ws://127.0.0.1:3000/mqtt` locally, IoT Core's `wss://…/mqtt` in AWS. */
  readonly mqttUrl: string;
  /** The local gateway signs demo tokens for the sign-in page. */
  readonly localTokens?: boolean;
}

/** An answer other than 2xx: its status and the problem's title. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(`${status} ${title}${detail ? `: ${detail}` : ''}`);
    this.name = 'ApiError';
  }
}

/** fetch itself failed: the API could not be reached. */
export class Unreachable extends Error {
  constructor(cause: unknown) {
    super(`The API could not be reached (${(cause as Error)?.message ?? cause})`);
    this.name = 'Unreachable';
  }
}

export const loadConfig = async (): Promise<Config> => {
  const answer = await fetch('config.json', { cache: 'no-store' });
  if (!answer.ok) throw new ApiError(answer.status, 'config.json is missing');
  const config = (await answer.json()) as Config;
  return { ...config, apiUrl: config.apiUrl.replace(/\/$/, '') };
};

export type Api = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<T>;

export const apiClient =
  (config: Config, token: string): Api =>
  async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> => {
    let answer: Response;
    try {
      answer = await fetch(`${config.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Unreachable(error);
    }
    const text = await answer.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!answer.ok) throw new ApiError(answer.status, String(parsed.title ?? answer.statusText), parsed.detail ? String(parsed.detail) : undefined);
    return parsed as T;
  };

/** A fresh id for a write's body (its idempotency key). */
export const requestId = (prefix: string): string => `${prefix}-${crypto.randomUUID()}`;

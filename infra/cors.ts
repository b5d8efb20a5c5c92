/**
 * Browsers are first-class callers (DESIGN.md, HTTP conventions): one CORS
 * policy for API Gateway's preflight configuration (infra/constructs/
 * http-api.ts) and the local gateway (infra/local/gateway.ts). Origins come
 * from configuration: the `corsOrigins` context in AWS (comma-separated;
 * `*` when unset), `CORS_ALLOWED_ORIGINS` locally (`*` when unset). Tokens
 * travel in the Authorization header, never in cookies, so no credentials
 * are allowed and `*` cannot leak a session.
 */
export const corsPolicy = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match', 'if-none-match'],
  exposeHeaders: ['etag', 'location', 'idempotent-replayed', 'retry-after'],
  maxAgeSeconds: 600,
} as const;

/** Allowed origins from a comma-separated setting; `*` when it is empty. */
export const corsOrigins = (setting: string | undefined): string[] => {
  const origins = (setting ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return origins.length > 0 ? origins : ['*'];
};

/** The response headers for a request from `origin` (none when the origin is not allowed). */
export const corsHeaders = (origin: string | undefined, allowed: readonly string[]): Record<string, string> => {
  if (!origin) return {};
  const allowOrigin = allowed.includes('*') ? '*' : allowed.includes(origin) ? origin : undefined;
  if (!allowOrigin) return {};
  return {
    'access-control-allow-origin': allowOrigin,
    'access-control-expose-headers': corsPolicy.exposeHeaders.join(', '),
    ...(allowOrigin === '*' ? {} : { vary: 'origin' }),
  };
};

/** The answer to a preflight: which methods and headers the browser may send, for how long. */
export const preflightHeaders = (origin: string | undefined, allowed: readonly string[]): Record<string, string> => {
  const base = corsHeaders(origin, allowed);
  if (!base['access-control-allow-origin']) return {};
  return {
    ...base,
    'access-control-allow-methods': corsPolicy.allowMethods.join(', '),
    'access-control-allow-headers': corsPolicy.allowHeaders.join(', '),
    'access-control-max-age': String(corsPolicy.maxAgeSeconds),
  };
};

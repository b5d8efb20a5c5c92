/**
 * Hand-built API Gateway HTTP API (payload format 2.0) events for unit tests,
 * shaped like the ones Lambda receives behind a JWT authorizer: lower-case
 * header names, repeated query values joined with commas, path parameters
 * taken from the route template, and the verified token's claims under
 * `requestContext.authorizer.jwt.claims` (where shared/http/principal.ts
 * reads them). Nothing here talks to AWS or DynamoDB.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { apiEvent as gatewayEvent, lambdaContext as gatewayContext } from '../../infra/local/gateway.ts';
import type { HttpMethod, RouteDefinition } from '../../infra/routes.ts';

export type Claims = Record<string, unknown>;

export interface ApiEventOptions {
  /** The route the request is for: its method and path template (`/stock/{sku}`). */
  readonly route: Pick<RouteDefinition, 'method' | 'path'>;
  /** The concrete path; defaults to the template. Path parameters are read from it. */
  readonly path?: string;
  /** Overrides the route's method (e.g. to send a body to a GET). */
  readonly method?: HttpMethod;
  /** Header names are lower-cased, as API Gateway does for payload 2.0. */
  readonly headers?: Record<string, string>;
  /** A query string (`a=1&b=2`) or its parameters. */
  readonly query?: string | Record<string, string | readonly string[]>;
  /** A string is sent as is; anything else is JSON-encoded (and gets a JSON content type unless one is given). */
  readonly body?: unknown;
  /** Sends the body base64-encoded, as API Gateway does for binary media types. */
  readonly base64?: boolean;
  /**
   * Verified token claims. `undefined` leaves the authorizer out entirely
   * (as on a route without one). Pass them through `apiGatewayClaims` to get
   * API Gateway's stringified form.
   */
  readonly claims?: Claims;
  readonly requestId?: string;
}

/**
 * What API Gateway's JWT authorizer hands Lambda: every claim a string,
 * arrays flattened to `"[a b]"`.
 */
export const apiGatewayClaims = (claims: Claims): Record<string, string> =>
  Object.fromEntries(
    Object.entries(claims)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, Array.isArray(value) ? `[${value.join(' ')}]` : String(value)]),
  );

const escapeRegExp = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

/** `{sku}` in the template -> the matching segment of the concrete path, URL-decoded. */
const pathParametersOf = (template: string, path: string): Record<string, string> | undefined => {
  const names: string[] = [];
  const source = template
    .split(/(\{\w+\+?\})/)
    .map((part) => {
      const param = /^\{(\w+)(\+?)\}$/.exec(part);
      if (!param) return escapeRegExp(part);
      names.push(param[1]!);
      return param[2] ? '(.+)' : '([^/]+)';
    })
    .join('');
  if (names.length === 0) return undefined;
  const match = new RegExp(`^${source}$`).exec(path);
  if (!match) throw new Error(`${path} does not match ${template}`);
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
};

const queryOf = (query: ApiEventOptions['query']): { raw: string; parameters?: Record<string, string> } => {
  if (query === undefined) return { raw: '' };
  const search = typeof query === 'string' ? new URLSearchParams(query) : new URLSearchParams();
  if (typeof query !== 'string') {
    for (const [name, value] of Object.entries(query)) {
      for (const v of typeof value === 'string' ? [value] : value) search.append(name, v);
    }
  }
  const parameters: Record<string, string> = {};
  // API Gateway joins repeated parameters with commas.
  for (const [name, value] of search) parameters[name] = parameters[name] === undefined ? value : `${parameters[name]},${value}`;
  return { raw: search.toString(), parameters: Object.keys(parameters).length ? parameters : undefined };
};

export const apiEvent = (options: ApiEventOptions): APIGatewayProxyEventV2 => {
  const path = options.path ?? options.route.path;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  let body: string | undefined;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  if (body !== undefined) headers['content-length'] ??= String(Buffer.byteLength(body, 'utf8'));
  const query = queryOf(options.query);
  const base64 = Boolean(options.base64 && body !== undefined);
  const event = gatewayEvent({
    route: options.route as RouteDefinition,
    path,
    rawQueryString: query.raw,
    headers,
    query: query.parameters,
    pathParameters: pathParametersOf(options.route.path, path),
    body: base64 ? Buffer.from(body!, 'utf8').toString('base64') : body,
    claims: options.claims,
  });
  const method = options.method ?? options.route.method;
  return {
    ...event,
    isBase64Encoded: base64,
    requestContext: {
      ...event.requestContext,
      http: { ...event.requestContext.http, method },
      requestId: options.requestId ?? event.requestContext.requestId,
    },
  };
};

export interface Invoked {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  /** The body parsed as JSON, when there is one. */
  readonly json: any;
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<{ statusCode?: number; headers?: Record<string, unknown>; body?: string }>;

/** Calls a Lambda handler the way the Lambda runtime would and reads its answer. */
export const invoke = async (handler: Handler, event: APIGatewayProxyEventV2): Promise<Invoked> => {
  const result = await handler(event, gatewayContext('unit-test'));
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { statusCode: result.statusCode ?? 200, headers, body: result.body, json: result.body ? JSON.parse(result.body) : undefined };
};

import type { AddressInfo } from 'node:net';
import { signLocalToken, type TokenRequest } from '../../infra/local/auth.ts';
import { inject } from 'vitest';
import { recordContractViolation } from '../../infra/local/contract.ts';
import { createGateway } from '../../infra/local/gateway.ts';
import { upstreamHeader, violationsThatCount } from './prism.ts';

export interface ApiAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, for malformed-body tests. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/**
 * The local gateway on a free port, with the handlers Lambda runs behind it:
 * tests call the API over HTTP exactly as a till would.
 */
export const startApi = async () => {
  const server = createGateway();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  // Under `npm run test:prism` every call goes through Prism (test/support/prism.ts).
  const prismUrl = inject('prismUrl');
  const call = async <T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    // Prism 5.16 dies on a path that is not valid percent-encoding (URIError in uri-template-lite) and never answers a
    // JSON request whose body is not JSON: those go straight to the gateway, whose own check still holds them.
    const throughPrism = prismUrl !== '' && prismUrl !== undefined && isValidUriPath(path) && !isBrokenJson(body, headers['content-type']);
    if (throughPrism) headers[upstreamHeader] = String(port);
    const response = await fetch(`${throughPrism ? prismUrl : url}${path}`, { method, headers, body });
    const text = await response.text();
    const prismFound = violationsThatCount(
      response.headers.get('sl-violations'),
      response.status,
      Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key'),
    );
    if (prismFound.length > 0) {
      recordContractViolation({
        operation: `prism ${method} ${path}`,
        method,
        path,
        status: response.status,
        violations: prismFound.map((v) => `${v.location.join('.')}: ${v.message}`),
      });
    }
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return { url, call, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

const isValidUriPath = (path: string): boolean => {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
};

const isBrokenJson = (body: string | undefined, contentType: string | undefined): boolean => {
  if (body === undefined || !contentType?.includes('json')) return false;
  try {
    JSON.parse(body);
    return false;
  } catch {
    return true;
  }
};

export type Api = Awaited<ReturnType<typeof startApi>>;

export const token = (request: TokenRequest) => signLocalToken(request);

/** Ids unique to one test run, so test files can share one DynamoDB Local. */
export const uniqueId = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { problem, problemTypeBase } from '../../shared/http/problem.ts';
import { corsHeaders, corsOrigins, preflightHeaders } from '../cors.ts';
import { apiFunctionHandler, apiFunctionOf } from '../api-functions.ts';
import { type RouteDefinition, routeKey, routeList, type RouteWithGrants, routeTimeoutSeconds } from '../routes.ts';
import { verifyLocalToken } from './auth.ts';
import { serveConsole } from './console.ts';
import { type ContractChecker, contractCheckEnabled, contractViolationAnswer, createContractChecker, recordContractViolation } from './contract.ts';
import { loadHandler } from './handlers.ts';
import { nowMillis } from '../../shared/clock.ts';

type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Extra local-only endpoints (outbox, run a job now) served beside the API. */
export type LocalEndpoint = (request: IncomingMessage, body: string) => Promise<{ status: number; body: unknown } | undefined>;

interface CompiledRoute {
  readonly name: string;
  readonly route: RouteWithGrants;
  readonly pattern: RegExp;
  readonly paramNames: string[];
}

// API Gateway refuses payloads above 10 MB before any Lambda runs.
const maxPayloadBytes = 10 * 1024 * 1024;

const compile = (name: string, route: RouteWithGrants): CompiledRoute => {
  const paramNames: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_m, a, b) => {
    paramNames.push(a ?? b);
    return '([^/]+)';
  });
  return { name, route, pattern: new RegExp(`^${source}$`), paramNames };
};

/**
 * A Lambda context whose remaining time runs down from `timeoutMillis` (by
 * default the five minutes of the stack's jobs and queue workers), so code
 * that works while time remains and hands the rest on behaves as in AWS.
 */
export const lambdaContext = (functionName: string, timeoutMillis = 300_000): Context => {
  const deadline = Date.now() + timeoutMillis;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } as Context;
};

export interface ApiEventInput {
  readonly route: RouteDefinition;
  readonly path: string;
  readonly rawQueryString?: string;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly pathParameters?: Record<string, string>;
  readonly body?: string;
  /** Verified JWT claims, placed where API Gateway's JWT authorizer puts them. */
  readonly claims?: Record<string, unknown>;
  readonly sourceIp?: string;
  readonly host?: string;
}

/** An API Gateway HTTP API (payload 2.0) event, as Lambda receives it. */
export const apiEvent = (input: ApiEventInput): APIGatewayProxyEventV2 => {
  const now = new Date(nowMillis());
  const headers = input.headers ?? {};
  return {
    version: '2.0',
    routeKey: routeKey(input.route),
    rawPath: input.path,
    rawQueryString: input.rawQueryString ?? '',
    headers,
    queryStringParameters: input.query,
    pathParameters: input.pathParameters,
    body: input.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: input.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: input.route.method,
        path: input.path,
        protocol: 'HTTP/1.1',
        sourceIp: input.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKey(input.route),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(input.claims ? { authorizer: { jwt: { claims: input.claims, scopes: [] } } } : {}),
    },
  } as APIGatewayProxyEventV2;
};

const problemTypes: Record<number, string> = {
  400: 'validation-failed',
  401: 'unauthorized',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'payload-too-large',
};

/** Origins browsers may call from, as API Gateway's CORS configuration does in AWS. */
const allowedOrigins = () => corsOrigins(process.env.CORS_ALLOWED_ORIGINS);

const send = (res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void => {
  const cors = corsHeaders(res.req.headers.origin, allowedOrigins());
  res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), ...cors });
  res.end(result.body ?? '');
};

const problemResponse = (res: ServerResponse, status: number, title: string, headers: Record<string, string> = {}): void =>
  send(res, problem({ type: `${problemTypeBase}${problemTypes[status] ?? 'not-found'}`, title, status }, headers));

/** A path segment that is not valid percent-encoding never reaches a function in API Gateway either. */
const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

/** The body, or undefined when it is over the cap; read to the end either way, as answering before would reset the socket. */
const readBody = (req: IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxPayloadBytes) chunks.push(chunk);
    });
    req.on('end', () => resolveBody(size > maxPayloadBytes ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });

let contractChecker: ContractChecker | undefined;

/**
 * With STOCKCLUB_CONTRACT_CHECK=1 (the integration tests), an answer that
 * breaks the OpenAPI document is logged, recorded and replaced by a 500
 * `/problems/contract-violation` (infra/local/contract.ts).
 */
const checkContract = (match: CompiledRoute, result: APIGatewayProxyStructuredResultV2): APIGatewayProxyStructuredResultV2 => {
  if (!contractCheckEnabled()) return result;
  contractChecker ??= createContractChecker();
  const violations = contractChecker.check(match.route, result);
  if (violations.length === 0) return result;
  const violation = { operation: match.name, method: match.route.method, path: match.route.path, status: result.statusCode ?? 200, violations };
  console.error(`contract-violation: ${match.name} (${match.route.method} ${match.route.path}) answered ${violation.status}: ${violations.join('; ')}`);
  recordContractViolation(violation);
  return contractViolationAnswer(violation);
};

/**
 * Turns HTTP requests into API Gateway HTTP API (payload 2.0) events, checks
 * the bearer token as the JWT authorizer would, and calls the same handler
 * modules Lambda runs.
 */
export const createGateway = (options: { localEndpoints?: LocalEndpoint[] } = {}): Server => {
  const compiled = routeList().map(([name, route]) => compile(name, route));
  const apiFunctions = apiFunctionOf();
  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw = await readBody(req);
      if (raw === undefined) {
        problemResponse(res, 413, 'The request is too large');
        return;
      }
      // The HQ console's static files, as CloudFront serves them in AWS (infra/local/console.ts).
      if (url.pathname === '/console' || url.pathname.startsWith('/console/')) {
        await serveConsole(req, res, url, raw.toString('utf8'));
        return;
      }
      for (const endpoint of options.localEndpoints ?? []) {
        const answer = await endpoint(req, raw.toString('utf8'));
        if (answer) {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answer.body, null, 2));
          return;
        }
      }
      const method = req.method ?? 'GET';
      const pathMatches = compiled.filter((c) => c.pattern.test(url.pathname));
      const allow = [...new Set(pathMatches.map((c) => c.route.method)), 'OPTIONS'].join(', ');
      // OPTIONS on a known path is answered by the gateway, without a token, as API Gateway does with a CORS
      // configuration: a preflight gets the CORS grant; either way `Allow` lists the path's methods (RFC 9110 §9.3.7).
      if (method === 'OPTIONS' && pathMatches.length > 0) {
        const grant = req.headers['access-control-request-method'] ? preflightHeaders(req.headers.origin, allowedOrigins()) : {};
        res.writeHead(204, { allow, ...grant });
        res.end();
        return;
      }
      const match = pathMatches.find((c) => c.route.method === method);
      if (!match) {
        // A known path with a method it does not take (HEAD included: no route answers HEAD) is 405 with `Allow`; an unknown path 404.
        if (pathMatches.length) problemResponse(res, 405, 'Method not allowed', { allow });
        else problemResponse(res, 404, 'No such route');
        return;
      }
      const values = match.pattern.exec(url.pathname)?.slice(1) ?? [];
      const decoded = values.map(decodeSegment);
      if (decoded.some((v) => v === undefined)) {
        problemResponse(res, 400, 'Malformed percent-encoding in the path');
        return;
      }
      const pathParameters = Object.fromEntries(match.paramNames.map((n, i) => [n, decoded[i] ?? '']));

      let claims: Record<string, unknown> | undefined;
      if (match.route.auth !== 'public') {
        const authorization = req.headers.authorization ?? '';
        const token = /^Bearer\s+(.+)$/i.exec(authorization)?.[1];
        claims = token ? await verifyLocalToken(token) : undefined;
        if (!claims) {
          // API Gateway's authorizer answers 401 before the function runs.
          problemResponse(res, 401, 'Unauthorized');
          return;
        }
      }

      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
      const event = apiEvent({
        route: match.route,
        path: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        query: url.search ? query : undefined,
        pathParameters: match.paramNames.length ? pathParameters : undefined,
        body: raw.length ? raw.toString('utf8') : undefined,
        claims,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        host: req.headers.host ?? 'localhost',
      });

      // The route's API function, its router picking the handler by route key, as in AWS (infra/api-functions.ts); metered by route.
      const fn = apiFunctions.get(match.name)!;
      const handler = await loadHandler<LambdaHandler>(fn.entry, match.name, fn.grants, apiFunctionHandler);
      const result = await handler(event, lambdaContext(match.name, routeTimeoutSeconds * 1000));
      send(res, checkContract(match, result));
    } catch (error) {
      // In AWS a crashed function is a 500 from API Gateway; same here, and say so in the log.
      console.error('gateway: handler crashed', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
    }
  });
};

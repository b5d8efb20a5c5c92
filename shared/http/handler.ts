import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { RouteDefinition } from '../../infra/routes.ts';
import type { Principal } from '../domain/principal.ts';
import type { Frozen } from '../schemas/common.ts';
import { logger } from '../observability.ts';
import { authorize } from './middleware/authorize.ts';
import { problemErrors } from './middleware/problem-errors.ts';
import { validateRequest } from './middleware/validate-request.ts';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route's business logic receives: validated input and the caller. */
export interface ApiRequest<R extends RouteDefinition> {
  readonly body: Parsed<R['body']>;
  readonly query: Parsed<R['query']>;
  readonly params: Parsed<R['params']>;
  /** `undefined` only on public routes. */
  readonly principal: R['auth'] extends 'public' ? Principal | undefined : Principal;
  /** The write's idempotency key, on routes that declare one. */
  readonly idempotencyKey: string;
  /** The version from If-Match, on routes that require it. */
  readonly ifMatch: number;
  readonly event: APIGatewayProxyEventV2;
}

/** The schema's input is what a client parsing the answer with it accepts; serialising writes to nothing, so read-only will do. */
type AlsoAnswered<R extends RouteDefinition> = R extends { readonly alsoSucceeds: { readonly schema: infer S extends z.ZodType } } ? Frozen<z.input<S>> : never;

/** A route's answer: its success schema's, or its other success's; `unknown` where the route declares no schema. */
export type Answer<R extends RouteDefinition> = R['success'] extends { readonly schema: infer S extends z.ZodType }
  ? Frozen<z.input<S>> | AlsoAnswered<R>
  : unknown;

/** What a route's business logic answers: the documented success, or the route's other success. */
export interface ApiResponse<R extends RouteDefinition = RouteDefinition> {
  readonly status?: number;
  readonly body: Answer<R>;
  readonly headers?: Record<string, string>;
}

/** The ETag header for a versioned resource; clients send it back in If-Match. */
export const etag = (version: number): Record<string, string> => ({ etag: `"${version}"` });

/** A replayed write answers exactly as the first time did, flagged so a till can tell. */
export const replayHeaders = (replayed: boolean): Record<string, string> => (replayed ? { 'idempotent-replayed': 'true' } : {});

/**
 * The `Location` of a 201's created resource: the route's `location` path with
 * its `{names}` taken from the answer, else from the request's path (a
 * member's points entries for a redemption) or body (a movement's location);
 * none when one is missing.
 */
export const locationOf = (route: RouteDefinition, status: number, body: unknown, params: Record<string, unknown> = {}): Record<string, string> => {
  if (status !== 201 || !route.location || typeof body !== 'object' || body === null) return {};
  const fields = { ...params, ...(body as Record<string, unknown>) };
  let missing = false;
  const path = route.location.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = fields[name];
    if (typeof value !== 'string' && typeof value !== 'number') missing = true;
    return encodeURIComponent(String(value));
  });
  return missing ? {} : { location: path };
};

const opaqueTag = (tag: string): string => tag.trim().replace(/^W\//, '');

/** If-None-Match against the answer's ETag, by weak comparison (RFC 9110 §13.1.2): `*` or any listed tag that matches. */
export const noneMatch = (ifNoneMatch: string | undefined, currentEtag: string | undefined): boolean => {
  if (ifNoneMatch === undefined || currentEtag === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const current = opaqueTag(currentEtag);
  return ifNoneMatch.split(',').some((tag) => opaqueTag(tag) === current);
};

const requestHeader = (event: APIGatewayProxyEventV2, name: string): string | undefined =>
  Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

/** State the middleware hands to the business logic. */
export interface RequestState {
  principal?: Principal;
  body?: unknown;
  query?: unknown;
  params?: unknown;
  idempotencyKey?: string;
  ifMatch?: number;
}

export type StockClubEvent = APIGatewayProxyEventV2 & { stockclub?: RequestState };

/**
 * Builds a route's Lambda handler. The middleware order is the contract:
 *
 * 1. `injectLambdaContext` – structured logs carry the request id.
 * 2. `problemErrors` – its `onError` runs last, so every failure below it
 *    (domain errors, validation, auth, the unexpected) becomes problem+json.
 * 3. `authorize` – the caller's role must be one the route allows.
 * 4. `validateRequest` – size limit, JSON, zod on body/query/params,
 *    idempotency key and If-Match. Nothing has been written before this.
 *
 * The answer: a 201 gets `Location` from the route's `location`; a GET
 * whose ETag matches If-None-Match answers 304 with no body.
 *
 * The compiler holds `logic`'s answer to the route's success schema. A
 * literal the schema pins (`status: 'ok'`) needs `as const`: TypeScript
 * widens literals returned to a generic caller.
 *
 * Each handler is marked `/* @__PURE__ *\/` and reads its route from the
 * route module's namespace (`import * as routes`): with every argument free
 * of side effects, esbuild drops the handlers an API function does not
 * route, their routes' schemas and all they import (an API function bundles
 * a few routes of several handler modules: infra/api-functions.ts).
 *
 * @example
 * export const getProduct = /* @__PURE__ *\/ httpHandler(routes.getProduct, async ({ params }) => ({
 *   body: await products.get(params.sku),
 * }));
 */
export const httpHandler = <R extends RouteDefinition>(route: R, logic: (request: ApiRequest<R>) => Promise<ApiResponse<R>>) =>
  middy<StockClubEvent, APIGatewayProxyStructuredResultV2, Error, Context>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problemErrors())
    .use(authorize(route))
    .use(validateRequest(route))
    .handler(async (event) => {
      const state = event.stockclub ?? {};
      const response = await logic({
        body: state.body,
        query: state.query,
        params: state.params,
        principal: state.principal,
        idempotencyKey: state.idempotencyKey ?? '',
        ifMatch: state.ifMatch ?? 0,
        event,
      } as ApiRequest<R>);
      const status = response.status ?? route.success.status;
      const mediaType = (status === route.success.status && route.success.mediaType) || 'application/json';
      const headers: Record<string, string> = {
        'content-type': mediaType,
        // A movement names its location in the request body only: the body fills what the answer and path leave out.
        ...locationOf(route, status, response.body, {
          ...(state.body as Record<string, unknown> | undefined),
          ...(state.params as Record<string, unknown> | undefined),
        }),
        ...response.headers,
      };
      // A read whose ETag the caller already holds: 304 with the tag and no body (RFC 9110 §15.4.5).
      if (route.method === 'GET' && status === 200 && noneMatch(requestHeader(event, 'if-none-match'), headers.etag)) {
        return { statusCode: 304, headers: { etag: headers.etag as string }, body: '' };
      }
      return { statusCode: status, headers, body: JSON.stringify(response.body) };
    });

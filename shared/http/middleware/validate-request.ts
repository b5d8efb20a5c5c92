import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { RouteDefinition } from '../../../infra/routes.ts';
import { type FieldError, PayloadTooLarge, PreconditionRequired, ValidationFailed } from '../../domain/errors.ts';
import type { StockClubEvent } from '../handler.ts';

/** Bodies above this are refused before parsing (API Gateway allows 10 MB). */
export const maxBodyBytes = 256 * 1024;

const idempotencyKeyPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const fieldPath = (where: string, path: readonly PropertyKey[]): string => [where, ...path.map(String)].join('.');

// An unknown key is reported by zod on the object holding it; name the key
// itself, so every field error points at one field.
const fieldErrors = (where: string, issues: readonly z.core.$ZodIssue[]): FieldError[] =>
  issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: fieldPath(where, [...issue.path, key]), message: 'unknown field' }))
      : [{ path: fieldPath(where, issue.path), message: issue.message }],
  );

const parseWith = (schema: z.ZodType | undefined, value: unknown, where: string): unknown => {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationFailed(`Invalid ${where}`, fieldErrors(where, result.error.issues));
  return result.data;
};

const header = (event: StockClubEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
};

const readJsonBody = (event: StockClubEvent): unknown => {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > maxBodyBytes) throw new PayloadTooLarge(`The body is larger than ${maxBodyBytes} bytes`);
  const contentType = header(event, 'content-type') ?? 'application/json';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(contentType)) {
    throw new ValidationFailed('The body must be JSON', [{ path: 'headers.content-type', message: 'expected application/json' }]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationFailed('The body is not valid JSON', [{ path: 'body', message: 'malformed JSON' }]);
  }
};

/**
 * Merges the Idempotency-Key header with the body's id: the header may
 * replace the id or back it, never contradict it.
 */
const resolveIdempotencyKey = (route: RouteDefinition, event: StockClubEvent, body: unknown): string | undefined => {
  const source = route.idempotencyKey;
  if (!source) return undefined;
  const fromHeader = header(event, 'idempotency-key');
  if (fromHeader !== undefined && !idempotencyKeyPattern.test(fromHeader)) {
    throw new ValidationFailed('Invalid Idempotency-Key', [{ path: 'headers.idempotency-key', message: '1-64 letters, digits, ".", "_" or "-"' }]);
  }
  // Checked whether or not the route has a body: a body-less write keyed by
  // the header alone must not run without one.
  if (source === 'header') {
    if (!fromHeader) throw new ValidationFailed('An Idempotency-Key header is required', [{ path: 'headers.idempotency-key', message: 'required' }]);
    return fromHeader;
  }
  // A body that is not an object has no id to read or fill in; the body
  // schema refuses it next.
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  const fromBody = record[source];
  if (fromHeader !== undefined && fromBody !== undefined && fromHeader !== fromBody) {
    throw new ValidationFailed(`Idempotency-Key and ${source} differ`, [
      { path: `body.${source}`, message: 'must equal the Idempotency-Key header when both are sent' },
    ]);
  }
  if (fromBody === undefined) {
    if (!fromHeader) throw new ValidationFailed(`An Idempotency-Key header or ${source} is required`, [{ path: `body.${source}`, message: 'required' }]);
    record[source] = fromHeader;
  }
  return String(record[source]);
};

const parseIfMatch = (event: StockClubEvent): number => {
  const value = header(event, 'if-match');
  if (value === undefined) throw new PreconditionRequired('Send If-Match with the ETag you read');
  // An entity tag is quoted (a bare number is tolerated); unbalanced quotes are not an ETag.
  const version = /^(?:W\/)?(?:"(\d{1,15})"|(\d{1,15}))$/.exec(value.trim());
  if (!version) throw new ValidationFailed('Invalid If-Match', [{ path: 'headers.if-match', message: 'an ETag such as "3"' }]);
  return Number(version[1] ?? version[2]);
};

/**
 * Everything about the request's shape, checked before any business logic
 * runs, so a bad request is refused with nothing written.
 */
export const validateRequest = (route: RouteDefinition): MiddlewareObj<StockClubEvent, APIGatewayProxyStructuredResultV2> => ({
  before: async (request) => {
    const { event } = request;
    const rawBody = route.body ? readJsonBody(event) : undefined;
    const idempotencyKey = resolveIdempotencyKey(route, event, rawBody);
    const state = {
      ...event.stockclub,
      body: parseWith(route.body, rawBody, 'body'),
      query: parseWith(route.query, event.queryStringParameters ?? {}, 'query'),
      params: parseWith(route.params, event.pathParameters ?? {}, 'path'),
      idempotencyKey,
      ifMatch: route.ifMatch ? parseIfMatch(event) : undefined,
    };
    event.stockclub = state;
  },
});

/**
 * Every failure becomes RFC 9457 problem+json: domain errors with their
 * status from the one table in shared/http/problem.ts, anything unexpected as
 * a generic 500 that is logged but says nothing about internals.
 */
import { z } from 'zod';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RouteDefinition } from '../../../infra/routes.ts';
import * as errorModule from '../../../shared/domain/errors.ts';
import {
  AllocationExhausted,
  AlreadyExists,
  Conflict,
  DomainError,
  Forbidden,
  IdempotencyKeyReused,
  InsufficientPoints,
  NotEligible,
  NotFound,
  OutOfStock,
  PayloadTooLarge,
  PreconditionFailed,
  PreconditionRequired,
  TemporarilyUnavailable,
  Unauthorized,
  UnknownReference,
  ValidationFailed,
} from '../../../shared/domain/errors.ts';
import { httpHandler } from '../../../shared/http/handler.ts';
import { logger } from '../../../shared/observability.ts';
import { internalProblem, problem, problemFromDomainError, problemTypeBase } from '../../../shared/http/problem.ts';
import { Problem } from '../../../shared/schemas/common.ts';
import { apiEvent, invoke } from '../../support/api-event.ts';

const route = {
  method: 'POST',
  path: '/test/sales',
  entry: 'test',
  auth: ['admin', 'store'],
  tag: 'test',
  summary: 'sell',
  body: z.strictObject({ saleId: z.string().optional(), qty: z.int() }),
  idempotencyKey: 'saleId',
  success: { status: 201, description: 'sold' },
} as const satisfies RouteDefinition;

const failWith = async (error: unknown, requestId = 'req-fixed') => {
  const handler = httpHandler(route, async () => {
    throw error;
  });
  return invoke(handler, apiEvent({ route, claims: { sub: 'till-1', role: 'store', locations: 'S1' }, body: { saleId: 'sale-1', qty: 1 }, requestId }));
};

const shortage = { sku: 'SKU-1', locationId: 'S1', requested: 3, available: 1 };

afterEach(() => {
  vi.restoreAllMocks();
});

const statusTable: [string, DomainError, number, string][] = [
  ['ValidationFailed', new ValidationFailed('bad', [{ path: 'body.qty', message: 'too small' }]), 400, 'validation-failed'],
  ['Unauthorized', new Unauthorized('who are you'), 401, 'unauthorized'],
  ['Forbidden', new Forbidden('not here'), 403, 'forbidden'],
  ['NotFound', new NotFound('no such sale'), 404, 'not-found'],
  ['Conflict', new Conflict('already returned'), 409, 'conflict'],
  ['AlreadyExists', new AlreadyExists('sku taken'), 409, 'already-exists'],
  ['OutOfStock', new OutOfStock([shortage]), 409, 'out-of-stock'],
  ['PreconditionFailed', new PreconditionFailed('version moved on'), 412, 'precondition-failed'],
  ['PayloadTooLarge', new PayloadTooLarge('too big'), 413, 'payload-too-large'],
  ['UnknownReference', new UnknownReference('no such sku', [{ path: 'body.lines.0.sku', message: 'unknown' }]), 422, 'unknown-reference'],
  ['IdempotencyKeyReused', new IdempotencyKeyReused('different body'), 422, 'idempotency-key-reused'],
  ['InsufficientPoints', new InsufficientPoints(100, 40), 409, 'insufficient-points'],
  ['NotEligible', new NotEligible('members only'), 403, 'not-eligible'],
  ['AllocationExhausted', new AllocationExhausted('none left'), 409, 'allocation-exhausted'],
  ['PreconditionRequired', new PreconditionRequired('send If-Match'), 428, 'precondition-required'],
  ['TemporarilyUnavailable', new TemporarilyUnavailable('busy', 3), 503, 'temporarily-unavailable'],
];

describe('domain errors through the handler', () => {
  it('covers every error class shared/domain/errors.ts exports, so none falls back to a bare 400', () => {
    const exported = Object.values(errorModule).filter((value) => typeof value === 'function' && value.prototype instanceof DomainError);
    expect(new Set(statusTable.map(([, error]) => error.constructor))).toEqual(new Set(exported));
    for (const [, error] of statusTable) expect(JSON.parse(problemFromDomainError(error).body!).title).not.toBe('Bad request');
  });

  it.each(statusTable)('%s is %i %s with its message as detail', async (_name, error, status, type) => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const result = await failWith(error);
    expect(result.statusCode).toBe(status);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(Problem.safeParse(result.json).success).toBe(true);
    expect(result.json).toMatchObject({ type: `/problems/${type}`, title: expect.any(String), status, detail: error.message, instance: 'req-fixed' });
  });

  it('gives OutOfStock its shortages', async () => {
    const other = { sku: 'SKU-2', locationId: 'S1', requested: 5, available: 0 };
    const result = await failWith(new OutOfStock([shortage, other]));
    expect(result.statusCode).toBe(409);
    expect(result.json.shortages).toEqual([shortage, other]);
    expect(result.json.detail).toContain('SKU-1 at S1: requested 3, available 1');
  });

  it('gives validation problems their field errors', async () => {
    const errors = [{ path: 'body.lines.0.sku', message: 'unknown SKU' }];
    const result = await failWith(new UnknownReference('Unknown SKU', errors));
    expect(result.json.errors).toEqual(errors);
  });

  it('answers TemporarilyUnavailable with 503 and Retry-After, and logs it as a warning', async () => {
    const warned = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const result = await failWith(new TemporarilyUnavailable('contention', 2));
    expect(result.statusCode).toBe(503);
    expect(result.headers['retry-after']).toBe('2');
    expect(warned).toHaveBeenCalledTimes(1);
  });

  it('defaults Retry-After to one second', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const result = await failWith(new TemporarilyUnavailable('contention'));
    expect(result.headers['retry-after']).toBe('1');
  });

  it('does not log the errors callers caused', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const warned = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    await failWith(new OutOfStock([shortage]));
    await failWith(new ValidationFailed('bad'));
    expect(logged).not.toHaveBeenCalled();
    expect(warned).not.toHaveBeenCalled();
  });
});

describe('unexpected errors', () => {
  it.each<[string, unknown]>([
    ['an Error', new Error('ResourceNotFoundException: Requested resource not found: Table: stockclub-Inventory-1A2B3C')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'stockclub-Inventory-1A2B3C')")],
    ['a thrown string', 'stockclub-Inventory-1A2B3C exploded'],
    ['an SDK-shaped error', Object.assign(new Error('stockclub-Inventory-1A2B3C'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } })],
  ])('%s is a generic 500 problem that leaks nothing, and is logged', async (_name, error) => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const result = await failWith(error, 'req-500');
    expect(result.statusCode).toBe(500);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.json).toEqual({
      type: '/problems/internal',
      title: 'Internal error',
      status: 500,
      detail: expect.any(String),
      instance: 'req-500',
    });
    expect(result.body).not.toContain('stockclub-Inventory');
    expect(result.body).not.toMatch(/\bat\s.+\.ts:\d+/);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]?.[1]).toEqual({ error });
  });
});

describe('problemFromDomainError', () => {
  it('does not let error details overwrite the standard members', () => {
    const error = new Conflict('clash', { type: 'about:blank', status: 200, title: 'fine', detail: 'nothing', extra: 'kept' });
    const doc = JSON.parse(problemFromDomainError(error, 'req-1').body!);
    expect(doc).toEqual({
      type: '/problems/conflict',
      title: 'Conflicts with the current state',
      status: 409,
      detail: 'clash',
      instance: 'req-1',
      extra: 'kept',
    });
  });

  it('answers a domain error it has no row for with 400', () => {
    class Mystery extends DomainError {
      readonly type = 'mystery';
    }
    const response = problemFromDomainError(new Mystery('what'));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!)).toMatchObject({ type: '/problems/mystery', status: 400 });
  });

  it('uses stable, relative type URIs', () => {
    expect(problemTypeBase).toBe('/problems/');
    const doc = JSON.parse(problemFromDomainError(new NotFound('x')).body!);
    expect(doc.type).toMatch(/^\/problems\/[a-z-]+$/);
  });

  it('leaves instance out when there is no request id', () => {
    const doc = JSON.parse(problemFromDomainError(new NotFound('x')).body!);
    expect(doc).not.toHaveProperty('instance');
  });
});

describe('problem and internalProblem', () => {
  it('keeps the status line and the document status the same, and adds headers', () => {
    const response = problem({ type: '/problems/x', title: 'X', status: 418 }, { 'retry-after': '5' });
    expect(response.statusCode).toBe(418);
    expect(response.headers).toEqual({ 'content-type': 'application/problem+json', 'retry-after': '5' });
  });

  it('describes an internal error without internals', () => {
    const response = internalProblem('req-9');
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body!)).toMatchObject({ type: '/problems/internal', status: 500, instance: 'req-9' });
  });
});

import { z } from 'zod';
import { describe, expect, it, vi } from 'vitest';
import { apiEvent, lambdaContext } from '../../../infra/local/gateway.ts';
import type { RouteDefinition } from '../../../infra/routes.ts';
import { OutOfStock, TemporarilyUnavailable } from '../../../shared/domain/errors.ts';
import { httpHandler } from '../../../shared/http/handler.ts';
import { logger } from '../../../shared/http/logger.ts';

const route = {
  method: 'POST', path: '/things/{thingId}', entry: 'test', auth: ['admin', 'store'], tag: 'test', summary: 'test',
  params: z.object({ thingId: z.string().regex(/^[a-z]+$/) }),
  body: z.strictObject({ thingId: z.string().optional(), movementId: z.string().optional(), qty: z.int().min(1) }),
  idempotencyKey: 'movementId',
  success: { status: 201, description: 'made' },
} as const satisfies RouteDefinition;

const patchRoute = { ...route, method: 'PATCH', idempotencyKey: undefined, ifMatch: true } as const satisfies RouteDefinition;

const call = async (
  logic: Parameters<typeof httpHandler>[1],
  { body, headers = {}, claims = { sub: 'u1', role: 'admin' }, thingId = 'abc', target = route as RouteDefinition }:
    { body?: string; headers?: Record<string, string>; claims?: Record<string, unknown> | null; thingId?: string; target?: RouteDefinition } = {},
) => {
  const handler = httpHandler(target, logic);
  const result = await handler(
    apiEvent({ route: target, path: `/things/${thingId}`, headers: { 'content-type': 'application/json', ...headers }, pathParameters: { thingId }, body, claims: claims ?? undefined }),
    lambdaContext('test'),
  );
  return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
};

const ok = async () => ({ body: { done: true } });

describe('httpHandler', () => {
  it('hands validated input, the caller and the idempotency key to the logic', async () => {
    const logic = vi.fn(ok);
    const result = await call(logic, { body: '{"qty":2}', headers: { 'idempotency-key': 'key-1' } });
    expect(result.statusCode).toBe(201);
    expect(logic).toHaveBeenCalledWith(expect.objectContaining({
      body: { qty: 2, movementId: 'key-1' }, params: { thingId: 'abc' }, idempotencyKey: 'key-1',
      principal: expect.objectContaining({ subject: 'u1', role: 'admin' }),
    }));
  });

  it.each([
    ['malformed JSON', { body: '{"qty":' }, 400, 'body'],
    ['a field of the wrong type', { body: '{"qty":"2","movementId":"m"}' }, 400, 'body.qty'],
    ['an unknown field', { body: '{"qty":1,"movementId":"m","__proto__":{"admin":true}}' }, 400, 'body'],
    ['a bad path parameter', { body: '{"qty":1,"movementId":"m"}', thingId: 'ABC' }, 400, 'path.thingId'],
    ['no idempotency key', { body: '{"qty":1}' }, 400, 'body.movementId'],
    ['a header contradicting the body id', { body: '{"qty":1,"movementId":"a"}', headers: { 'idempotency-key': 'b' } }, 400, 'body.movementId'],
  ] as const)('refuses %s with problem+json listing the field, before any logic runs', async (_name, request, status, path) => {
    const logic = vi.fn(ok);
    const result = await call(logic, request);
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(result.json).toMatchObject({ type: '/problems/validation-failed', status });
    expect(result.json.errors.map((e: { path: string }) => e.path)).toContainEqual(expect.stringContaining(path));
    expect(logic).not.toHaveBeenCalled();
  });

  it('refuses a body over 256 KB with 413', async () => {
    const result = await call(ok, { body: JSON.stringify({ qty: 1, movementId: 'm', pad: 'x'.repeat(300_000) }) });
    expect(result.statusCode).toBe(413);
  });

  it('answers 401 without claims and 403 for a role the route does not allow', async () => {
    expect((await call(ok, { body: '{"qty":1,"movementId":"m"}', claims: null })).statusCode).toBe(401);
    expect((await call(ok, { body: '{"qty":1,"movementId":"m"}', claims: { sub: 'm1', role: 'member', memberId: 'm1' } })).statusCode).toBe(403);
  });

  it('wants If-Match where the route says so: 428 without, 400 when malformed, the version when valid', async () => {
    expect((await call(ok, { body: '{"qty":1}', target: patchRoute })).statusCode).toBe(428);
    expect((await call(ok, { body: '{"qty":1}', target: patchRoute, headers: { 'if-match': 'yesterday' } })).statusCode).toBe(400);
    const logic = vi.fn(ok);
    await call(logic, { body: '{"qty":1}', target: patchRoute, headers: { 'if-match': 'W/"7"' } });
    expect(logic).toHaveBeenCalledWith(expect.objectContaining({ ifMatch: 7 }));
  });

  it('maps domain errors to their status with details', async () => {
    const result = await call(async () => {
      throw new OutOfStock([{ sku: 'A', locationId: 'S1', requested: 3, available: 1 }]);
    }, { body: '{"qty":1,"movementId":"m"}' });
    expect(result.statusCode).toBe(409);
    expect(result.json).toMatchObject({ type: '/problems/out-of-stock', shortages: [{ sku: 'A', available: 1 }] });

    const busy = await call(async () => {
      throw new TemporarilyUnavailable('contention', 2);
    }, { body: '{"qty":1,"movementId":"m"}' });
    expect(busy.statusCode).toBe(503);
    expect(busy.headers?.['retry-after']).toBe('2');
  });

  it('answers an unexpected error with a generic 500 that leaks nothing, and logs it', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const result = await call(async () => {
      throw new Error('ResourceNotFoundException: table stockclub-Inventory not found');
    }, { body: '{"qty":1,"movementId":"m"}' });
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(result.body).not.toContain('stockclub-Inventory');
    expect(logged).toHaveBeenCalled();
    logged.mockRestore();
  });
});

/**
 * httpHandler(route, logic): what a successful answer looks like, and the
 * order of the middleware (auth before validation before logic). The failure
 * paths of each middleware have their own files beside this one.
 */
import { z } from 'zod';
import { describe, expect, it, vi } from 'vitest';
import type { RouteDefinition } from '../../../infra/routes.ts';
import { NotFound } from '../../../shared/domain/errors.ts';
import { httpHandler } from '../../../shared/http/handler.ts';
import { apiEvent, invoke } from '../../support/api-event.ts';

const route = {
  method: 'POST',
  path: '/test/things/{thingId}',
  entry: 'test',
  auth: ['admin', 'store'],
  tag: 'test',
  summary: 'make',
  params: z.object({ thingId: z.string().regex(/^[a-z]+$/) }),
  body: z.strictObject({ movementId: z.string().optional(), qty: z.int().min(1) }),
  idempotencyKey: 'movementId',
  success: { status: 201, description: 'made' },
} as const satisfies RouteDefinition;

const admin = { sub: 'hq-1', role: 'admin' };

describe('httpHandler', () => {
  it("answers with the route's success status and the logic's body as JSON", async () => {
    const handler = httpHandler(route, async ({ body, params }) => ({ body: { thingId: params.thingId, qty: body.qty } }));
    const result = await invoke(handler, apiEvent({ route, path: '/test/things/abc', claims: admin, body: { movementId: 'm-1', qty: 4 } }));
    expect(result.statusCode).toBe(201);
    expect(result.headers['content-type']).toBe('application/json');
    expect(result.json).toEqual({ thingId: 'abc', qty: 4 });
  });

  it('lets the logic choose another status and add headers', async () => {
    const handler = httpHandler(route, async () => ({
      status: 200,
      body: { replayed: true },
      headers: { etag: '"3"', 'idempotent-replayed': 'true' },
    }));
    const result = await invoke(handler, apiEvent({ route, path: '/test/things/abc', claims: admin, body: { movementId: 'm-1', qty: 1 } }));
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json', etag: '"3"', 'idempotent-replayed': 'true' });
    expect(result.json).toEqual({ replayed: true });
  });

  it('hands the logic the event it was invoked with', async () => {
    const logic = vi.fn(async () => ({ body: null }));
    const event = apiEvent({ route, path: '/test/things/abc', claims: admin, body: { movementId: 'm-1', qty: 1 }, requestId: 'req-77' });
    await invoke(httpHandler(route, logic), event);
    expect(logic.mock.calls[0]).toEqual([expect.objectContaining({ event: expect.objectContaining({ rawPath: '/test/things/abc' }) })]);
    expect((logic.mock.calls[0] as unknown as [{ event: typeof event }])[0].event.requestContext.requestId).toBe('req-77');
  });

  it('checks the caller before the request: a bad request from nobody is a 401', async () => {
    const logic = vi.fn(async () => ({ body: null }));
    const result = await invoke(httpHandler(route, logic), apiEvent({ route, path: '/test/things/ABC', body: '{"qty":' }));
    expect(result.statusCode).toBe(401);
    expect(logic).not.toHaveBeenCalled();
  });

  it('turns an error from the logic into problem+json like any other', async () => {
    const handler = httpHandler(route, async ({ params }) => {
      throw new NotFound(`Thing ${params.thingId} not found`);
    });
    const result = await invoke(handler, apiEvent({ route, path: '/test/things/abc', claims: admin, body: { movementId: 'm-1', qty: 1 } }));
    expect(result.statusCode).toBe(404);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.json).toMatchObject({ type: '/problems/not-found', detail: 'Thing abc not found' });
  });

  it("keeps one request's state out of the next (a warm container reuses the handler)", async () => {
    const logic = vi.fn(async () => ({ body: null }));
    const handler = httpHandler(route, logic);
    await invoke(handler, apiEvent({ route, path: '/test/things/abc', claims: admin, body: { qty: 1 }, headers: { 'idempotency-key': 'first' } }));
    const second = await invoke(handler, apiEvent({ route, path: '/test/things/abc', claims: admin, body: { qty: 1 } }));
    expect(second.statusCode).toBe(400);
    expect(logic).toHaveBeenCalledTimes(1);
  });
});

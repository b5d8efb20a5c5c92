/**
 * apiRouter: one Lambda function for the routes of one set of grants
 * (infra/api-functions.ts) hands each event to its route's handler by the
 * route key API Gateway put in it.
 */
import { z } from 'zod';
import { describe, expect, it, vi } from 'vitest';
import type { RouteDefinition } from '../../../infra/routes.ts';
import { httpHandler } from '../../../shared/http/handler.ts';
import { apiRouter } from '../../../shared/http/router.ts';
import { logger } from '../../../shared/observability.ts';
import { apiEvent, invoke } from '../../support/api-event.ts';

const getThing = {
  method: 'GET',
  path: '/test/things/{thingId}',
  entry: 'test',
  auth: ['admin'],
  tag: 'test',
  summary: 'read',
  params: z.object({ thingId: z.string() }),
  success: { status: 200, description: 'the thing' },
} as const satisfies RouteDefinition;

const makeThing = {
  method: 'POST',
  path: '/test/things',
  entry: 'test',
  auth: ['admin'],
  tag: 'test',
  summary: 'make',
  body: z.strictObject({ name: z.string() }),
  success: { status: 201, description: 'made' },
} as const satisfies RouteDefinition;

const admin = { sub: 'hq-1', role: 'admin' };

const router = apiRouter({
  'GET /test/things/{thingId}': httpHandler(getThing, async ({ params }) => ({ body: { read: params.thingId } })),
  'POST /test/things': httpHandler(makeThing, async ({ body }) => ({ body: { made: body.name } })),
});

describe('apiRouter', () => {
  it("answers each event with its route's handler, validation included", async () => {
    const read = await invoke(router, apiEvent({ route: getThing, path: '/test/things/t-1', claims: admin }));
    expect(read).toMatchObject({ statusCode: 200, json: { read: 't-1' } });
    const made = await invoke(router, apiEvent({ route: makeThing, claims: admin, body: { name: 'lamp' } }));
    expect(made).toMatchObject({ statusCode: 201, json: { made: 'lamp' } });
    const refused = await invoke(router, apiEvent({ route: makeThing, claims: admin, body: { name: 'lamp', extra: 1 } }));
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toBe('application/problem+json');
  });

  it('answers a route it does not serve (the stack wired it to the wrong function) with a 500 problem that names nothing inside', async () => {
    const other = { ...getThing, path: '/test/other' } as const;
    const result = await invoke(router, apiEvent({ route: other, claims: admin, requestId: 'req-9' }));
    expect(result.statusCode).toBe(500);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.json).toMatchObject({ type: '/problems/internal', instance: 'req-9' });
    expect(result.body).not.toContain('/test/things');
  });

  it('names the route in every log line of the request, since one function serves many', async () => {
    const appended = vi.spyOn(logger, 'appendKeys');
    try {
      const read = await invoke(router, apiEvent({ route: getThing, path: '/test/things/t-1', claims: admin }));
      expect(read.statusCode).toBe(200);
      expect(appended).toHaveBeenCalledWith({ routeKey: 'GET /test/things/{thingId}' });
    } finally {
      appended.mockRestore();
    }
  });

  it('does not take a route key from the prototype chain', async () => {
    const result = await invoke(router, { ...apiEvent({ route: getThing, path: '/test/things/t-1', claims: admin }), routeKey: 'constructor' });
    expect(result.statusCode).toBe(500);
  });
});

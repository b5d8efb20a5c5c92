/**
 * authorize through httpHandler: the gateway verified the token; the
 * middleware reads its claims (requestContext.authorizer.jwt.claims) and
 * checks the role against the route. Location and member scoping belong to
 * the logic, which knows what a request touches.
 */
import { z } from 'zod';
import { describe, expect, it, vi } from 'vitest';
import type { RouteDefinition } from '../../../infra/routes.ts';
import { assertLocationAccess, assertMemberAccess } from '../../../shared/domain/principal.ts';
import { type ApiRequest, type ApiResponse, httpHandler } from '../../../shared/http/handler.ts';
import { Problem } from '../../../shared/schemas/common.ts';
import { apiEvent, type ApiEventOptions, apiGatewayClaims, type Claims, invoke, type Invoked } from '../../support/api-event.ts';

const staffRoute = {
  method: 'POST',
  path: '/test/locations/{locationId}/counts',
  entry: 'test',
  auth: ['admin', 'store'],
  tag: 'test',
  summary: 'count',
  params: z.object({ locationId: z.string().min(1) }),
  body: z.strictObject({ qty: z.int() }),
  success: { status: 201, description: 'counted' },
} as const satisfies RouteDefinition;

const adminRoute = {
  method: 'GET',
  path: '/test/admin',
  entry: 'test',
  auth: ['admin'],
  tag: 'test',
  summary: 'admin only',
  success: { status: 200, description: 'ok' },
} as const satisfies RouteDefinition;

const memberRoute = {
  method: 'GET',
  path: '/test/members/{memberId}',
  entry: 'test',
  auth: ['admin', 'store', 'member'],
  tag: 'test',
  summary: 'member',
  params: z.object({ memberId: z.string().min(1) }),
  success: { status: 200, description: 'ok' },
} as const satisfies RouteDefinition;

const publicRoute = {
  method: 'GET',
  path: '/test/public',
  entry: 'test',
  auth: 'public',
  tag: 'test',
  summary: 'public',
  success: { status: 200, description: 'ok' },
} as const satisfies RouteDefinition;

const run = async <R extends RouteDefinition>(
  route: R,
  claims: Claims | undefined,
  options: Omit<ApiEventOptions, 'route' | 'claims'> = {},
  logicBody: (request: ApiRequest<R>) => Promise<ApiResponse> = async () => ({ body: { ok: true } }),
) => {
  const logic = vi.fn(logicBody);
  const result = await invoke(httpHandler(route, logic), apiEvent({ route, claims, ...options }));
  return { result, logic, received: logic.mock.calls[0]?.[0] };
};

const count = (claims: Claims | undefined, locationId = 'S1', body: unknown = { qty: 3 }) =>
  run(staffRoute, claims, { path: `/test/locations/${locationId}/counts`, body });

const expectProblem = (result: Invoked, status: number, type: string) => {
  expect(result.statusCode).toBe(status);
  expect(result.headers['content-type']).toBe('application/problem+json');
  expect(Problem.safeParse(result.json).success).toBe(true);
  expect(result.json).toMatchObject({ type: `/problems/${type}`, status, title: expect.any(String), detail: expect.any(String) });
};

describe('missing or invalid claims', () => {
  it.each<[string, Claims | undefined]>([
    ['no authorizer at all', undefined],
    ['no claims', {}],
    ['no role', { sub: 'u1' }],
    ['an unknown role', { sub: 'u1', role: 'superuser' }],
    ['a role in the wrong case', { sub: 'u1', role: 'ADMIN' }],
    ['a role that is a list', { sub: 'u1', role: ['admin'] }],
    ['a role that is a number', { sub: 'u1', role: 1 }],
    ['no subject', { role: 'admin' }],
    ['an empty subject', { sub: '', role: 'admin' }],
    ['a member token without its member id', { sub: 'm1', role: 'member' }],
  ])('%s is a 401 problem with a Bearer challenge, and the logic never runs', async (_name, claims) => {
    const { result, logic } = await count(claims);
    expectProblem(result, 401, 'unauthorized');
    expect(result.headers['www-authenticate']).toMatch(/^Bearer\b/);
    expect(logic).not.toHaveBeenCalled();
  });

  it('is refused before the request is validated', async () => {
    const { result, logic } = await count(undefined, 'S1', '{"qty":');
    expectProblem(result, 401, 'unauthorized');
    expect(logic).not.toHaveBeenCalled();
  });
});

describe('roles', () => {
  it.each<[string, Claims]>([
    ['a member', { sub: 'm1', role: 'member', memberId: 'm1' }],
    ['a service', { sub: 'svc', role: 'service' }],
    ['a gateway', { sub: 'S1/G1', role: 'gateway', locations: 'S1', gateId: 'G1' }],
  ])('%s calling a staff route gets 403 naming the route, and the logic never runs', async (_name, claims) => {
    const { result, logic } = await count(claims);
    expectProblem(result, 403, 'forbidden');
    expect(result.json.detail).toContain('POST /test/locations/{locationId}/counts');
    expect(logic).not.toHaveBeenCalled();
  });

  it('a store user calling an admin route gets 403', async () => {
    const { result, logic } = await run(adminRoute, { sub: 'till-1', role: 'store', locations: 'S1' });
    expectProblem(result, 403, 'forbidden');
    expect(logic).not.toHaveBeenCalled();
  });

  it('is refused before the request is validated', async () => {
    const { result } = await count({ sub: 'm1', role: 'member', memberId: 'm1' }, 'S1', '{"qty":');
    expectProblem(result, 403, 'forbidden');
  });

  it('hands an allowed caller to the logic as a principal', async () => {
    const { result, received } = await count({ sub: 'hq-1', role: 'admin' });
    expect(result.statusCode).toBe(201);
    expect(received?.principal).toEqual({ subject: 'hq-1', role: 'admin', locations: [], memberId: undefined });
  });

  it.each<[string, Claims]>([
    ['a real array', { sub: 'till-1', role: 'store', locations: ['S1', 'S2'] }],
    ['a space-separated string', { sub: 'till-1', role: 'store', locations: 'S1 S2' }],
    ["API Gateway's flattened array", apiGatewayClaims({ sub: 'till-1', role: 'store', locations: ['S1', 'S2'], exp: 1_900_000_000 })],
  ])("reads a store user's locations from %s", async (_name, claims) => {
    const { received } = await count(claims);
    expect(received?.principal).toMatchObject({ subject: 'till-1', role: 'store', locations: ['S1', 'S2'] });
  });

  it("reads a member's id", async () => {
    const { result, received } = await run(memberRoute, apiGatewayClaims({ sub: 'cognito-42', role: 'member', memberId: 'M-42' }), {
      path: '/test/members/M-42',
    });
    expect(result.statusCode).toBe(200);
    expect(received?.principal).toMatchObject({ subject: 'cognito-42', role: 'member', memberId: 'M-42' });
  });
});

describe('scoping, left to the logic', () => {
  // authorize checks roles only; the logic scopes by location and member with
  // shared/domain/principal.ts, and the answer is still problem+json.
  const scopedCount = (claims: Claims, locationId: string) =>
    run(staffRoute, claims, { path: `/test/locations/${locationId}/counts`, body: { qty: 1 } }, async ({ principal, params }) => {
      assertLocationAccess(principal, params.locationId);
      return { body: { ok: true } };
    });

  it('lets store staff through the middleware to any location: the role is all it checks', async () => {
    const { result, logic } = await count({ sub: 'till-1', role: 'store', locations: 'S1' }, 'S2');
    expect(result.statusCode).toBe(201);
    expect(logic).toHaveBeenCalledTimes(1);
  });

  it('answers 403 when the logic finds store staff outside their locations', async () => {
    const { result } = await scopedCount({ sub: 'till-1', role: 'store', locations: '[S1 S3]' }, 'S2');
    expectProblem(result, 403, 'forbidden');
    expect((await scopedCount({ sub: 'till-1', role: 'store', locations: '[S1 S3]' }, 'S3')).result.statusCode).toBe(201);
    expect((await scopedCount({ sub: 'hq-1', role: 'admin' }, 'S2')).result.statusCode).toBe(201);
  });

  it('answers 404, not 403, when the logic finds a member asking for another member', async () => {
    const other = await run(memberRoute, { sub: 'm1', role: 'member', memberId: 'M-1' }, { path: '/test/members/M-2' }, async ({ principal, params }) => {
      assertMemberAccess(principal, params.memberId);
      return { body: { memberId: params.memberId } };
    });
    expectProblem(other.result, 404, 'not-found');
    expect(other.result.body).not.toContain('M-1');
  });
});

describe('public routes', () => {
  it('need no token: the logic gets no principal', async () => {
    const { result, received } = await run(publicRoute, undefined);
    expect(result.statusCode).toBe(200);
    expect(received?.principal).toBeUndefined();
  });

  it('still see a caller who sends one', async () => {
    const { received } = await run(publicRoute, { sub: 'hq-1', role: 'admin' });
    expect(received?.principal).toMatchObject({ subject: 'hq-1', role: 'admin' });
  });

  it('ignore claims that make no principal instead of refusing', async () => {
    const { result, received } = await run(publicRoute, { role: 'nobody' });
    expect(result.statusCode).toBe(200);
    expect(received?.principal).toBeUndefined();
  });
});

/**
 * validateRequest through the whole httpHandler stack, with routes defined
 * here (no DynamoDB): size limit, JSON, zod on body/query/params, the
 * idempotency key and If-Match. A refused request never reaches the logic.
 */
import { z } from 'zod';
import { describe, expect, it, vi } from 'vitest';
import type { RouteDefinition } from '../../../infra/routes.ts';
import { type ApiRequest, type ApiResponse, httpHandler } from '../../../shared/http/handler.ts';
import { maxBodyBytes } from '../../../shared/http/middleware/validate-request.ts';
import { Problem } from '../../../shared/schemas/common.ts';
import { apiEvent, type ApiEventOptions, invoke, type Invoked } from '../../support/api-event.ts';

const admin = { sub: 'hq-1', role: 'admin' };

const ThingBody = z.strictObject({
  movementId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
    .optional(),
  qty: z.int().min(1),
  note: z.string().max(10).optional(),
  lines: z.array(z.strictObject({ sku: z.string().min(1), qty: z.int().min(1) })).optional(),
});

/** A write keyed by the body's id, with params and query. */
const writeRoute = {
  method: 'POST',
  path: '/test/{locationId}/things',
  entry: 'test',
  auth: ['admin', 'store'],
  tag: 'test',
  summary: 'write',
  params: z.object({ locationId: z.string().regex(/^[A-Z0-9-]+$/) }),
  query: z.object({ limit: z.coerce.number().int().min(1).max(10).default(5), dryRun: z.enum(['true', 'false']).optional() }),
  body: ThingBody,
  idempotencyKey: 'movementId',
  success: { status: 201, description: 'made' },
} as const satisfies RouteDefinition;

/** A body without a schema of its own beyond one string: for the size limit. */
const looseRoute = {
  method: 'POST',
  path: '/test/blobs',
  entry: 'test',
  auth: ['admin'],
  tag: 'test',
  summary: 'blob',
  body: z.object({ pad: z.string() }),
  success: { status: 200, description: 'ok' },
} as const satisfies RouteDefinition;

/** Keyed by the header alone, with no body at all (e.g. "run this job now"). */
const headerKeyedRoute = {
  method: 'POST',
  path: '/test/jobs/{jobId}/run',
  entry: 'test',
  auth: ['admin'],
  tag: 'test',
  summary: 'run',
  params: z.object({ jobId: z.string().min(1) }),
  idempotencyKey: 'header',
  success: { status: 202, description: 'started' },
} as const satisfies RouteDefinition;

/** Keyed by the header alone, with a body that has no id of its own. */
const headerKeyedBodyRoute = {
  method: 'POST',
  path: '/test/notes',
  entry: 'test',
  auth: ['admin'],
  tag: 'test',
  summary: 'note',
  body: z.strictObject({ text: z.string() }),
  idempotencyKey: 'header',
  success: { status: 201, description: 'noted' },
} as const satisfies RouteDefinition;

const patchRoute = {
  method: 'PATCH',
  path: '/test/things/{thingId}',
  entry: 'test',
  auth: ['admin'],
  tag: 'test',
  summary: 'patch',
  params: z.object({ thingId: z.string().min(1) }),
  body: z.strictObject({ note: z.string().optional() }),
  ifMatch: true,
  success: { status: 200, description: 'changed' },
} as const satisfies RouteDefinition;

/** A handler whose logic records every request it is given. */
const recording = <R extends RouteDefinition>(route: R) => {
  const logic = vi.fn(async (_request: ApiRequest<R>): Promise<ApiResponse> => ({ body: { ok: true } }));
  return { logic, handler: httpHandler(route, logic) };
};

const send = async <R extends RouteDefinition>(route: R, options: Omit<ApiEventOptions, 'route'> = {}) => {
  const { logic, handler } = recording(route);
  const result = await invoke(handler, apiEvent({ route, claims: admin, ...options }));
  return { result, logic, received: logic.mock.calls[0]?.[0] };
};

const toWrite = (options: Omit<ApiEventOptions, 'route'> = {}) => send(writeRoute, { path: '/test/S-1/things', ...options });

/** The response is RFC 9457 problem+json with a consistent status. */
const expectProblem = (result: Invoked, status: number, type: string) => {
  expect(result.statusCode).toBe(status);
  expect(result.headers['content-type']).toBe('application/problem+json');
  expect(Problem.safeParse(result.json).success).toBe(true);
  expect(result.json).toMatchObject({ type: `/problems/${type}`, status });
  expect(result.json.title).toEqual(expect.any(String));
  expect(result.json.detail).toEqual(expect.any(String));
};

const errorPaths = (result: Invoked): string[] => (result.json.errors ?? []).map((e: { path: string }) => e.path);

describe('a valid request', () => {
  it('reaches the logic parsed: body, coerced query with defaults, params, caller, key, event', async () => {
    const { result, logic, received } = await toWrite({
      body: { movementId: 'mv-1', qty: 2 },
      query: { dryRun: 'true' },
    });
    expect(result.statusCode).toBe(201);
    expect(result.headers['content-type']).toBe('application/json');
    expect(result.json).toEqual({ ok: true });
    expect(logic).toHaveBeenCalledTimes(1);
    expect(received).toMatchObject({
      body: { movementId: 'mv-1', qty: 2 },
      query: { limit: 5, dryRun: 'true' },
      params: { locationId: 'S-1' },
      idempotencyKey: 'mv-1',
      principal: { subject: 'hq-1', role: 'admin' },
    });
    expect(received?.event.rawPath).toBe('/test/S-1/things');
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json'])(
    'accepts a JSON body sent as %s',
    async (contentType) => {
      const { result } = await toWrite({ body: '{"movementId":"mv-1","qty":1}', headers: { 'content-type': contentType } });
      expect(result.statusCode).toBe(201);
    },
  );

  it('accepts a JSON body without a content type', async () => {
    const { result } = await toWrite({ body: '{"movementId":"mv-1","qty":1}' });
    expect(result.statusCode).toBe(201);
  });

  it('decodes a base64-encoded body', async () => {
    const { result, received } = await toWrite({ body: { movementId: 'mv-1', qty: 3, note: 'ünïcödé' }, base64: true });
    expect(result.statusCode).toBe(201);
    expect(received?.body).toEqual({ movementId: 'mv-1', qty: 3, note: 'ünïcödé' });
  });

  it('reads headers whatever their case', async () => {
    const event = apiEvent({ route: writeRoute, path: '/test/S-1/things', claims: admin, body: { qty: 1 } });
    event.headers = { 'Content-Type': 'application/json', 'Idempotency-Key': 'from-header' };
    const { logic, handler } = recording(writeRoute);
    expect((await invoke(handler, event)).statusCode).toBe(201);
    expect(logic.mock.calls[0]?.[0].idempotencyKey).toBe('from-header');
  });
});

describe('malformed JSON', () => {
  it.each([
    ['application/json', '{"qty":'],
    ['application/json', "{'qty': 1}"],
    ['application/json', '{"qty": 1,}'],
    ['application/json', '   '],
    [undefined, '{"qty":'],
    ['text/plain', '{"qty":'],
    ['application/x-www-form-urlencoded', 'qty=1'],
  ])('is a 400 problem (content type %s, body %j) and the logic never runs', async (contentType, body) => {
    const { result, logic } = await toWrite({ body, headers: contentType ? { 'content-type': contentType } : {} });
    expectProblem(result, 400, 'validation-failed');
    expect(result.json.errors.length).toBeGreaterThan(0);
    expect(logic).not.toHaveBeenCalled();
  });

  it('names the body as the broken field', async () => {
    const { result } = await toWrite({ body: '{"qty":', headers: { 'content-type': 'application/json' } });
    expect(result.json.errors).toEqual([{ path: 'body', message: expect.any(String) }]);
  });

  it('refuses well-formed JSON declared as something else, naming the content type', async () => {
    const { result, logic } = await toWrite({ body: '{"movementId":"mv-1","qty":1}', headers: { 'content-type': 'text/plain' } });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result)).toEqual(['headers.content-type']);
    expect(logic).not.toHaveBeenCalled();
  });

  it.each([
    ['nothing', undefined],
    ['an empty string', ''],
    ['null', 'null'],
    ['an array', '[{"qty":1}]'],
    ['a string', '"qty"'],
    ['a number', '42'],
  ])('a body of %s where an object is expected is a 400 on the body', async (_name, body) => {
    const { result, logic } = await toWrite({ body, headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' } });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result)).toContain('body');
    expect(logic).not.toHaveBeenCalled();
  });
});

describe('body size', () => {
  // {"pad":"xxx…"} is 10 bytes of framing around the padding.
  const bodyOfBytes = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes - 10) });

  it('accepts a body of exactly 256 KB', async () => {
    const body = bodyOfBytes(maxBodyBytes);
    expect(Buffer.byteLength(body)).toBe(256 * 1024);
    const { result } = await send(looseRoute, { body });
    expect(result.statusCode).toBe(200);
  });

  it('refuses one byte more with 413 before parsing, and the logic never runs', async () => {
    const { result, logic } = await send(looseRoute, { body: bodyOfBytes(maxBodyBytes + 1) });
    expectProblem(result, 413, 'payload-too-large');
    expect(logic).not.toHaveBeenCalled();
  });

  it('counts bytes, not characters', async () => {
    const body = JSON.stringify({ pad: '€'.repeat(100_000) });
    expect(body.length).toBeLessThan(maxBodyBytes);
    const { result } = await send(looseRoute, { body });
    expectProblem(result, 413, 'payload-too-large');
  });

  it('counts the decoded size of a base64 body', async () => {
    const { result } = await send(looseRoute, { body: bodyOfBytes(maxBodyBytes + 1), base64: true });
    expectProblem(result, 413, 'payload-too-large');
  });

  it('refuses an oversized body even when it is not JSON', async () => {
    const { result } = await send(looseRoute, { body: '{'.repeat(maxBodyBytes + 1), headers: { 'content-type': 'application/json' } });
    expectProblem(result, 413, 'payload-too-large');
  });
});

describe('schema failures', () => {
  it('lists every failing body field with its path', async () => {
    const { result, logic } = await toWrite({ body: { movementId: 'mv-1', qty: '2', note: 'far too long a note' } });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result).sort()).toEqual(['body.note', 'body.qty']);
    for (const error of result.json.errors) expect(error.message).toEqual(expect.any(String));
    expect(logic).not.toHaveBeenCalled();
  });

  it('gives nested paths down to the array index', async () => {
    const { result } = await toWrite({
      body: {
        movementId: 'mv-1',
        qty: 1,
        lines: [
          { sku: 'A', qty: 1 },
          { sku: 'B', qty: 0 },
        ],
      },
    });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result)).toEqual(['body.lines.1.qty']);
  });

  it('names a missing required field', async () => {
    const { result } = await toWrite({ body: { movementId: 'mv-1' } });
    expect(errorPaths(result)).toEqual(['body.qty']);
  });

  it('refuses unknown fields of a strict object, naming each one', async () => {
    const { result, logic } = await toWrite({ body: { movementId: 'mv-1', qty: 1, price: 5, admin: true } });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result).sort()).toEqual(['body.admin', 'body.price']);
    expect(logic).not.toHaveBeenCalled();
  });

  it('refuses unknown fields nested in a strict object', async () => {
    const { result } = await toWrite({ body: { movementId: 'mv-1', qty: 1, lines: [{ sku: 'A', qty: 1, colour: 'red' }] } });
    expect(errorPaths(result)).toEqual(['body.lines.0.colour']);
  });

  it('refuses a __proto__ member instead of merging it', async () => {
    const { result, logic } = await toWrite({ body: '{"movementId":"mv-1","qty":1,"__proto__":{"role":"admin"}}' });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result)).toEqual(['body.__proto__']);
    expect(logic).not.toHaveBeenCalled();
  });

  it('checks the query string', async () => {
    const { result, logic } = await toWrite({ body: { movementId: 'mv-1', qty: 1 }, query: { limit: '500', dryRun: 'maybe' } });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result).sort()).toEqual(['query.dryRun', 'query.limit']);
    expect(logic).not.toHaveBeenCalled();
  });

  it('checks path parameters', async () => {
    const { result, logic } = await toWrite({ path: '/test/s%2F1/things', body: { movementId: 'mv-1', qty: 1 } });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result)).toEqual(['path.locationId']);
    expect(logic).not.toHaveBeenCalled();
  });

  it('ignores a body sent to a route that takes none', async () => {
    const { result, received } = await send(headerKeyedRoute, {
      path: '/test/jobs/abc/run',
      body: 'not even json',
      headers: { 'idempotency-key': 'run-1' },
    });
    expect(result.statusCode).toBe(202);
    expect(received?.body).toBeUndefined();
  });
});

describe('idempotency key', () => {
  it('takes the body id when no header is sent', async () => {
    const { result, received } = await toWrite({ body: { movementId: 'mv-9', qty: 1 } });
    expect(result.statusCode).toBe(201);
    expect(received?.idempotencyKey).toBe('mv-9');
  });

  it('fills the body id from the header when the body has none', async () => {
    const { result, received } = await toWrite({ body: { qty: 1 }, headers: { 'idempotency-key': 'key-7' } });
    expect(result.statusCode).toBe(201);
    expect(received?.idempotencyKey).toBe('key-7');
    expect(received?.body).toEqual({ movementId: 'key-7', qty: 1 });
  });

  it('accepts a header that backs the same body id', async () => {
    const { result, received } = await toWrite({ body: { movementId: 'mv-9', qty: 1 }, headers: { 'idempotency-key': 'mv-9' } });
    expect(result.statusCode).toBe(201);
    expect(received?.idempotencyKey).toBe('mv-9');
  });

  it('refuses a header that contradicts the body id, and the logic never runs', async () => {
    const { result, logic } = await toWrite({ body: { movementId: 'mv-9', qty: 1 }, headers: { 'idempotency-key': 'other' } });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result)).toEqual(['body.movementId']);
    expect(logic).not.toHaveBeenCalled();
  });

  it('wants one or the other', async () => {
    const { result, logic } = await toWrite({ body: { qty: 1 } });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result)).toEqual(['body.movementId']);
    expect(logic).not.toHaveBeenCalled();
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'k'.repeat(65)],
    ['a slash', 'a/b'],
    ['a space', 'a b'],
    ['a leading dash', '-abc'],
    ['two keys', 'a,b'],
    ['non-ASCII', 'schlüssel'],
  ])('refuses a header that is %s', async (_name, key) => {
    const { result, logic } = await toWrite({ body: { qty: 1 }, headers: { 'idempotency-key': key } });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result)).toEqual(['headers.idempotency-key']);
    expect(logic).not.toHaveBeenCalled();
  });

  it('accepts a header of 64 letters, digits, dots, dashes and underscores', async () => {
    const key = `A1._-${'k'.repeat(59)}`;
    const { result, received } = await toWrite({ body: { qty: 1 }, headers: { 'idempotency-key': key } });
    expect(result.statusCode).toBe(201);
    expect(received?.idempotencyKey).toBe(key);
  });

  it('still applies the body schema to an id that came from the body', async () => {
    const { result, logic } = await toWrite({ body: { movementId: 'no spaces allowed', qty: 1 } });
    expectProblem(result, 400, 'validation-failed');
    expect(errorPaths(result)).toEqual(['body.movementId']);
    expect(logic).not.toHaveBeenCalled();
  });

  describe('from the header alone', () => {
    it('is required even on a route without a body', async () => {
      const { result, logic } = await send(headerKeyedRoute, { path: '/test/jobs/abc/run' });
      expectProblem(result, 400, 'validation-failed');
      expect(errorPaths(result)).toEqual(['headers.idempotency-key']);
      expect(logic).not.toHaveBeenCalled();
    });

    it('reaches the logic on a route without a body', async () => {
      const { result, received } = await send(headerKeyedRoute, { path: '/test/jobs/abc/run', headers: { 'idempotency-key': 'run-1' } });
      expect(result.statusCode).toBe(202);
      expect(received?.idempotencyKey).toBe('run-1');
      expect(received?.params).toEqual({ jobId: 'abc' });
    });

    it('is checked for format on a route without a body', async () => {
      const { result } = await send(headerKeyedRoute, { path: '/test/jobs/abc/run', headers: { 'idempotency-key': 'a b' } });
      expectProblem(result, 400, 'validation-failed');
      expect(errorPaths(result)).toEqual(['headers.idempotency-key']);
    });

    it('is required beside a body, and leaves the body alone', async () => {
      const missing = await send(headerKeyedBodyRoute, { body: { text: 'hi' } });
      expectProblem(missing.result, 400, 'validation-failed');
      expect(errorPaths(missing.result)).toEqual(['headers.idempotency-key']);

      const given = await send(headerKeyedBodyRoute, { body: { text: 'hi' }, headers: { 'idempotency-key': 'n-1' } });
      expect(given.result.statusCode).toBe(201);
      expect(given.received).toMatchObject({ idempotencyKey: 'n-1', body: { text: 'hi' } });
    });
  });
});

describe('If-Match', () => {
  const patch = (headers: Record<string, string>) => send(patchRoute, { path: '/test/things/t1', body: { note: 'x' }, headers });

  it('is required: 428 without it, and the logic never runs', async () => {
    const { result, logic } = await patch({});
    expectProblem(result, 428, 'precondition-required');
    expect(logic).not.toHaveBeenCalled();
  });

  it.each(['yesterday', '"7', '7"', '""', '"-1"', '"1.5"', '*', '"1", "2"', '"1234567890123456"'])(
    'refuses the malformed %s with 400 naming the header',
    async (value) => {
      const { result, logic } = await patch({ 'if-match': value });
      expectProblem(result, 400, 'validation-failed');
      expect(errorPaths(result)).toEqual(['headers.if-match']);
      expect(logic).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['"7"', 7],
    ['W/"7"', 7],
    ['7', 7],
    [' "12" ', 12],
    ['"0"', 0],
  ])('hands the version of %s to the logic', async (value, version) => {
    const { result, received } = await patch({ 'if-match': value });
    expect(result.statusCode).toBe(200);
    expect(received?.ifMatch).toBe(version);
  });

  it('is not asked of routes that do not declare it', async () => {
    const { result, received } = await toWrite({ body: { movementId: 'mv-1', qty: 1 } });
    expect(result.statusCode).toBe(201);
    expect(received?.ifMatch).toBe(0);
  });
});

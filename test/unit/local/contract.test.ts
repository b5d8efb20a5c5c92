import { describe, expect, it } from 'vitest';
import { contractViolationAnswer, createContractChecker } from '../../../infra/local/contract.ts';
import { routeList, routes } from '../../../infra/routes.ts';

const checker = createContractChecker();
const json = { 'content-type': 'application/json' };
const problemJson = { 'content-type': 'application/problem+json' };
const notFound = JSON.stringify({ type: '/problems/not-found', title: 'Not found', status: 404, detail: 'No product X' });

/** A document of one operation, to test the checker's rules apart from the API's. */
const tiny = {
  openapi: '3.1.0',
  paths: {
    '/things/{id}': {
      get: {
        responses: {
          200: {
            description: 'ok',
            headers: { 'X-Rate-Limit': { schema: { type: 'string' } }, ETag: { $ref: '#/components/headers/ETag' } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          304: { description: 'not modified' },
          '4XX': { $ref: '#/components/responses/Problem' },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        properties: { id: { type: 'string', pattern: '^[a-z]+$' }, at: { type: 'string', format: 'date-time' } },
        required: ['id'],
        additionalProperties: false,
      },
      Problem: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'integer' } }, required: ['type', 'status'] },
    },
    headers: { ETag: { required: true, schema: { type: 'string' } } },
    responses: { Problem: { description: 'problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } } },
  },
};
const thing = { method: 'GET', path: '/things/{id}' } as const;

describe('the contract checker, on a small document', () => {
  const tinyChecker = createContractChecker(tiny);

  it('passes an answer the document declares, with a declared header', () => {
    expect(tinyChecker.check(thing, { statusCode: 200, headers: { ...json, etag: '"1"', 'x-rate-limit': '9' }, body: '{"id":"abc"}' })).toEqual([]);
  });

  it('names an undeclared field, a value its pattern or format refuses, and a missing required field', () => {
    expect(tinyChecker.check(thing, { statusCode: 200, headers: { ...json, etag: '"1"' }, body: '{"id":"abc","extra":1}' })).toEqual([
      'body must NOT have additional properties (extra)',
    ]);
    expect(tinyChecker.check(thing, { statusCode: 200, headers: { ...json, etag: '"1"' }, body: '{"id":"A:1","at":"yesterday"}' })).toEqual([
      'body/id must match pattern "^[a-z]+$"',
      'body/at must match format "date-time"',
    ]);
    expect(tinyChecker.check(thing, { statusCode: 200, headers: { ...json, etag: '"1"' }, body: '{}' })).toEqual(["body must have required property 'id'"]);
  });

  it('refuses an undeclared status, header or content type, and a required header missing', () => {
    expect(tinyChecker.check(thing, { statusCode: 201, headers: json, body: '{"id":"a"}' })).toEqual(['status 201 is not declared (declared: 200, 304, 4XX)']);
    expect(tinyChecker.check(thing, { statusCode: 200, headers: { ...json, etag: '"1"', 'x-powered-by': 'me' }, body: '{"id":"a"}' })).toEqual([
      'header x-powered-by is not allowed',
    ]);
    expect(tinyChecker.check(thing, { statusCode: 200, headers: { 'content-type': 'text/plain', etag: '"1"' }, body: 'a' })).toEqual([
      'content-type text/plain is not declared for 200 (declared: application/json)',
    ]);
    expect(tinyChecker.check(thing, { statusCode: 200, headers: json, body: '{"id":"a"}' })).toEqual(['required header etag is missing']);
  });

  it('takes a status range through a $ref, and a body-less status only without a body', () => {
    expect(tinyChecker.check(thing, { statusCode: 418, headers: problemJson, body: '{"type":"/problems/teapot","status":418}' })).toEqual([]);
    expect(tinyChecker.check(thing, { statusCode: 418, headers: json, body: '{"type":"/problems/teapot","status":418}' })[0]).toMatch(
      /^content-type application\/json/,
    );
    expect(tinyChecker.check(thing, { statusCode: 304, headers: { etag: '"1"' }, body: '' })).toEqual([]);
    expect(tinyChecker.check(thing, { statusCode: 304, headers: {}, body: '{}' })).toEqual(['status 304 declares no body, but one was sent']);
  });

  it('knows no operation the document lacks', () => {
    expect(tinyChecker.check({ method: 'POST', path: '/things/{id}' }, { statusCode: 200, body: '' })).toEqual(['POST /things/{id} is not in the document']);
  });
});

describe('the contract checker, on the API document', () => {
  it('passes a health answer and refuses a field, a header and a status it does not declare', () => {
    expect(checker.check(routes.health, { statusCode: 200, headers: json, body: '{"status":"ok"}' })).toEqual([]);
    expect(checker.check(routes.health, { statusCode: 200, headers: { ...json, 'x-debug': '1' }, body: '{"status":"ok","uptime":3}' })).toEqual([
      'header x-debug is not allowed',
      'body must NOT have additional properties (uptime)',
    ]);
    // A public route answers no 401.
    expect(checker.check(routes.health, { statusCode: 401, headers: problemJson, body: notFound })[0]).toMatch(/^status 401 is not declared/);
  });

  it('holds a problem to problem+json and the Problem schema', () => {
    expect(checker.check(routes.getProduct, { statusCode: 404, headers: problemJson, body: notFound })).toEqual([]);
    expect(checker.check(routes.getProduct, { statusCode: 404, headers: json, body: notFound })[0]).toMatch(/^content-type application\/json is not declared/);
    expect(checker.check(routes.getProduct, { statusCode: 404, headers: problemJson, body: '{"title":"Not found"}' }).length).toBeGreaterThan(0);
  });

  it('allows the challenge header on a 401 only', () => {
    const unauthorized = JSON.stringify({ type: '/problems/unauthorized', title: 'A valid bearer token is required', status: 401 });
    const challenge = { ...problemJson, 'www-authenticate': 'Bearer realm="stockclub"' };
    expect(checker.check(routes.getProduct, { statusCode: 401, headers: challenge, body: unauthorized })).toEqual([]);
    expect(checker.check(routes.getProduct, { statusCode: 404, headers: { ...challenge }, body: notFound })).toContain(
      'header www-authenticate is not allowed',
    );
  });

  it('gives the 500 a clear contract-violation problem', () => {
    const answer = contractViolationAnswer({ operation: 'health', method: 'GET', path: '/health', status: 200, violations: ['header x-debug is not allowed'] });
    expect(answer.statusCode).toBe(500);
    expect(answer.headers).toEqual(problemJson);
    expect(JSON.parse(answer.body as string)).toMatchObject({
      type: '/problems/contract-violation',
      status: 500,
      detail: 'health answered 200: header x-debug is not allowed',
    });
  });

  it("has each route's Location name a GET route's path, filled from fields its answer carries", () => {
    const getPaths = new Set(routeList().flatMap(([, route]) => (route.method === 'GET' ? [route.path] : [])));
    const located = routeList().filter(([, route]) => route.location);
    expect(located.length).toBeGreaterThanOrEqual(7);
    for (const [name, route] of located) {
      expect(getPaths.has(route.location as string), name).toBe(true);
      expect(route.success.status, name).toBe(201);
    }
  });
});

/**
 * The OpenAPI document generated from infra/routes.ts and its zod schemas:
 * structurally a valid OpenAPI 3.1 document, with every route, its security,
 * its parameters, shared component schemas and problem+json responses.
 */
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RouteDefinition, routeList } from '../../../infra/routes.ts';
import { buildOpenApi } from '../../../shared/schemas/openapi.ts';

type Json = any;

let doc: Json;
beforeAll(() => {
  doc = buildOpenApi();
});

const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const problemRef = { $ref: '#/components/responses/Problem' };

const operationOf = (route: RouteDefinition): Json => doc.paths[route.path]?.[route.method.toLowerCase()];
const idOf = (schema: z.ZodType | undefined): string | undefined => (schema ? (z.globalRegistry.get(schema)?.id as string | undefined) : undefined);

/** Every `$ref` in the document with where it was found. */
const refsIn = (value: Json, at = '#'): [string, string][] => {
  if (Array.isArray(value)) return value.flatMap((v, i) => refsIn(v, `${at}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => (key === '$ref' && typeof v === 'string' ? [[at, v] as [string, string]] : refsIn(v, `${at}/${key}`)));
};

/** Resolves a local JSON pointer (`#/components/schemas/X`). */
const resolve = (pointer: string): Json =>
  pointer
    .replace(/^#\//, '')
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((node: Json, part) => (node === undefined ? undefined : node[part]), doc);

const routeCases = routeList().map(([name, route]) => [name, route] as const);

describe('the document', () => {
  it('is OpenAPI 3.1 with an info block', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  });

  it('is plain JSON and the same on every build', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(JSON.stringify(buildOpenApi())).toBe(JSON.stringify(doc));
  });

  it('has only valid HTTP methods under absolute paths, with unique operation ids', () => {
    const ids: string[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      expect(path).toMatch(/^\//);
      for (const [method, operation] of Object.entries<Json>(item)) {
        expect(httpMethods).toContain(method);
        ids.push(operation.operationId);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has exactly one operation per route', () => {
    const operations = Object.values<Json>(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(operations).toBe(routeList().length);
  });

  it('resolves every $ref inside itself', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const [at, ref] of refs) {
      expect(ref, `at ${at}`).toMatch(/^#\/components\/(schemas|responses)\//);
      expect(resolve(ref), `${ref} at ${at}`).toBeDefined();
    }
  });

  it('keeps no JSON Schema leftovers ($schema, $defs, #/$defs refs)', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"$schema"');
    expect(text).not.toContain('"$defs"');
    expect(text).not.toContain('#/$defs/');
  });

  it('declares the bearer scheme that operations refer to', () => {
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    for (const item of Object.values<Json>(doc.paths)) {
      for (const operation of Object.values<Json>(item)) {
        for (const requirement of operation.security ?? []) {
          for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes).toHaveProperty(scheme);
        }
      }
    }
  });

  it('answers problems as application/problem+json with the Problem schema', () => {
    const response = doc.components.responses.Problem;
    expect(response.description).toEqual(expect.any(String));
    const schemaRef = response.content['application/problem+json'].schema;
    const schema = schemaRef.$ref ? resolve(schemaRef.$ref) : schemaRef;
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'errors']));
    expect(schema.required).toEqual(expect.arrayContaining(['type', 'title', 'status']));
    expect(schema.properties.errors.items.properties).toMatchObject({ path: { type: 'string' }, message: { type: 'string' } });
  });
});

describe.each(routeCases)('route %s', (name, route) => {
  it(`is documented as ${route.method} ${route.path}`, () => {
    const operation = operationOf(route);
    expect(operation).toBeDefined();
    expect(operation).toMatchObject({ operationId: name, summary: route.summary, tags: [route.tag] });
  });

  it('declares every path parameter of its template, and only those', () => {
    const operation = operationOf(route);
    const templated = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const declared = operation.parameters.filter((p: Json) => p.in === 'path');
    expect(declared.map((p: Json) => p.name).sort()).toEqual(templated.sort());
    for (const parameter of declared) expect(parameter).toMatchObject({ required: true, schema: expect.any(Object) });
  });

  it('declares its query parameters and headers, each once and well-formed', () => {
    const operation = operationOf(route);
    for (const parameter of operation.parameters) {
      expect(['query', 'header', 'path', 'cookie']).toContain(parameter.in);
      expect(parameter).toMatchObject({ name: expect.any(String), required: expect.any(Boolean), schema: expect.any(Object) });
    }
    const keys = operation.parameters.map((p: Json) => `${p.in}:${p.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    const query = operation.parameters
      .filter((p: Json) => p.in === 'query')
      .map((p: Json) => p.name)
      .sort();
    const expected = route.query instanceof z.ZodObject ? Object.keys(route.query.shape).sort() : [];
    expect(query).toEqual(expected);
  });

  it('takes a JSON body exactly when the route has one', () => {
    const operation = operationOf(route);
    if (!route.body) {
      expect(operation.requestBody).toBeUndefined();
      return;
    }
    expect(operation.requestBody.required).toBe(true);
    const schema = operation.requestBody.content['application/json'].schema;
    const id = idOf(route.body);
    if (id) expect(schema).toEqual({ $ref: `#/components/schemas/${id}` });
    else expect(schema).toEqual(expect.any(Object));
  });

  it('documents its success response', () => {
    const response = operationOf(route).responses[String(route.success.status)];
    expect(response.description).toBe(route.success.description);
    const id = idOf(route.success.schema);
    if (id) expect(response.content['application/json'].schema).toEqual({ $ref: `#/components/schemas/${id}` });
    if (!route.success.schema) expect(response.content).toBeUndefined();
  });

  it('documents problem responses: 400 and 503 always, and what its features add', () => {
    const { responses, parameters } = operationOf(route);
    for (const status of ['400', '503']) expect(responses[status]).toEqual(problemRef);
    for (const [status, response] of Object.entries<Json>(responses)) {
      const successes = [route.success, ...(route.alsoSucceeds ? [route.alsoSucceeds] : [])].map((s) => String(s.status));
      if (!successes.includes(status)) expect(response, status).toEqual(problemRef);
    }
    if (route.ifMatch) {
      expect(responses['412']).toEqual(problemRef);
      expect(responses['428']).toEqual(problemRef);
      expect(parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header', required: true }));
    }
    if (route.idempotencyKey) {
      expect(responses['422']).toEqual(problemRef);
      expect(parameters).toContainEqual(
        expect.objectContaining({
          name: 'Idempotency-Key',
          in: 'header',
          required: route.idempotencyKey === 'header',
          schema: expect.objectContaining({ maxLength: 64 }),
        }),
      );
    }
  });

  it(route.auth === 'public' ? 'needs no token' : 'needs a bearer token and documents 401 and 403', () => {
    const operation = operationOf(route);
    if (route.auth === 'public') {
      expect(operation.security).toEqual([]);
      return;
    }
    expect(operation.security).toEqual([{ bearer: [] }]);
    expect(operation['x-stockclub-roles']).toEqual(route.auth);
    expect(operation.responses['401']).toEqual(problemRef);
    expect(operation.responses['403']).toEqual(problemRef);
  });
});

describe('component schemas', () => {
  it('include every schema the routes name with .meta({ id })', () => {
    const ids = routeList()
      .flatMap(([, route]) => [idOf(route.body), idOf(route.success.schema)])
      .filter((id): id is string => id !== undefined);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of [...ids, 'Problem']) expect(doc.components.schemas, id).toHaveProperty(id);
  });

  it('are named by their ids, not by generated names', () => {
    for (const name of Object.keys(doc.components.schemas)) expect(name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
  });

  it('are JSON Schema objects', () => {
    for (const [name, schema] of Object.entries<Json>(doc.components.schemas)) {
      expect(typeof schema, name).toBe('object');
      expect(schema.type ?? schema.oneOf ?? schema.anyOf ?? schema.allOf ?? schema.$ref, name).toBeDefined();
    }
  });

  it("describe the core contract's StockLevel fields", () => {
    const level = doc.components.schemas.StockLevel;
    expect(Object.keys(level.properties)).toEqual(
      expect.arrayContaining(['sku', 'locationId', 'onHand', 'reserved', 'available', 'incoming', 'version', 'updatedAt']),
    );
  });

  it('describe the movement request as a choice by type, refusing unknown fields', () => {
    const request = doc.components.schemas.MovementRequest;
    const variants: Json[] = request.oneOf ?? request.anyOf;
    expect(variants.length).toBeGreaterThan(1);
    for (const variant of variants) {
      expect(variant.additionalProperties).toBe(false);
      expect(variant.required).toEqual(expect.arrayContaining(['type', 'locationId']));
    }
  });
});

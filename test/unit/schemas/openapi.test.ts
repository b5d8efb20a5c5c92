/**
 * The OpenAPI document generated from infra/routes.ts and its zod schemas:
 * structurally a valid OpenAPI 3.1 document, with every route, its security,
 * its parameters, shared component schemas, typed problem+json responses
 * (one schema per problem type, issue 16 item 7), the headers routes set
 * (item 8) and servers, license and tags (item 9).
 */
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RouteDefinition, routeList } from '../../../infra/routes.ts';
import { buildOpenApi, problemTypesOf, tagDescriptions } from '../../../shared/schemas/openapi.ts';
import { type ProblemTypeSlug, problemTypes } from '../../../shared/schemas/problems.ts';

type Json = any;

let doc: Json;
beforeAll(() => {
  doc = buildOpenApi();
});

const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const problemContentType = 'application/problem+json';
/** The problem schema names a response lists (one $ref, or a oneOf of them). */
const problemSchemasOf = (response: Json): string[] => {
  const schema = response.content?.[problemContentType]?.schema;
  if (!schema) return [];
  return (schema.oneOf ?? [schema]).map((s: Json) => s.$ref.replace('#/components/schemas/', ''));
};
const schemaOfType = (slug: ProblemTypeSlug) => problemTypes[slug].schema;

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
      expect(ref, `at ${at}`).toMatch(/^#\/components\/(schemas|responses|headers)\//);
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

  it('has one problem schema per problem type, its type a fixed URI, with the fields the type carries', () => {
    for (const [slug, entry] of Object.entries(problemTypes)) {
      const schema = doc.components.schemas[entry.schema];
      expect(schema, entry.schema).toBeDefined();
      expect(schema.type).toBe('object');
      expect(schema.properties.type).toMatchObject({ const: `/problems/${slug}` });
      expect(schema.properties.status).toMatchObject({ const: entry.status });
      expect(schema.required).toEqual(expect.arrayContaining(['type', 'title', 'status']));
      expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['detail', 'instance', ...Object.keys(entry.details)]));
    }
    const schemas = doc.components.schemas;
    expect(schemas.OutOfStockProblem.required).toContain('shortages');
    expect(schemas.OutOfStockProblem.properties.shortages.items).toEqual({ $ref: '#/components/schemas/Shortage' });
    expect(Object.keys(schemas.Shortage.properties)).toEqual(expect.arrayContaining(['sku', 'locationId', 'requested', 'available']));
    expect(schemas.PreconditionFailedProblem.properties.currentVersion).toMatchObject({ type: 'integer' });
    expect(Object.keys(schemas.AllocationExhaustedProblem.properties)).toEqual(expect.arrayContaining(['sku', 'remaining', 'perMemberLimit']));
    expect(Object.keys(schemas.InsufficientPointsProblem.properties)).toEqual(expect.arrayContaining(['requested', 'available']));
    expect(schemas.ValidationProblem.properties.errors.items).toEqual({ $ref: '#/components/schemas/FieldError' });
    expect(schemas.FieldError.properties).toMatchObject({ path: { type: 'string' }, message: { type: 'string' } });
  });

  it('has servers: the local cloud and the templated AWS URL', () => {
    expect(doc.servers[0].url).toBe('http://127.0.0.1:3000');
    const aws = doc.servers.find((s: Json) => s.url.includes('amazonaws.com'));
    expect(aws.url).toBe('https://{apiId}.execute-api.{region}.amazonaws.com');
    for (const name of ['apiId', 'region']) expect(aws.variables[name].default).toEqual(expect.any(String));
  });

  it('has a license', () => {
    expect(doc.info.license).toMatchObject({ name: expect.any(String) });
    expect(doc.info.license.identifier ?? doc.info.license.url).toEqual(expect.any(String));
  });

  it('declares every tag an operation uses, each with a description, and no other', () => {
    const used = [...new Set(routeList().map(([, route]) => route.tag))].sort();
    expect(doc.tags.map((t: Json) => t.name).sort()).toEqual(used);
    for (const tag of doc.tags) expect(tag.description, tag.name).toBe(tagDescriptions[tag.name]);
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
      // A body the route ignores (a one-click unsubscribe's form) is declared optional, in its own media type.
      if (route.ignoredBody) expect(Object.keys(operation.requestBody.content)).toEqual([route.ignoredBody.mediaType]);
      expect(operation.requestBody?.required).toBe(route.ignoredBody ? false : undefined);
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
    if (id) expect(response.content[route.success.mediaType ?? 'application/json'].schema).toEqual({ $ref: `#/components/schemas/${id}` });
    if (!route.success.schema) expect(response.content).toBeUndefined();
  });

  it('has a description and one tag', () => {
    const operation = operationOf(route);
    expect(operation.description).toEqual(expect.stringContaining(route.summary));
    expect(operation.tags).toEqual([route.tag]);
  });

  it('lists each problem type it can answer under its status, typed by schema', () => {
    const { responses } = operationOf(route);
    const expected = problemTypesOf(route);
    const successes = [route.success, ...(route.alsoSucceeds ? [route.alsoSucceeds] : [])].map((s) => String(s.status));
    const listed: string[] = [];
    for (const [status, response] of Object.entries<Json>(responses)) {
      if (successes.includes(status) || status === '304') continue;
      expect(Object.keys(response.content), status).toEqual([problemContentType]);
      expect(response.description, status).toEqual(expect.any(String));
      for (const name of problemSchemasOf(response)) {
        const slug = Object.entries(problemTypes).find(([, entry]) => entry.schema === name)?.[0];
        expect(slug, name).toBeDefined();
        expect(String(problemTypes[slug as ProblemTypeSlug].status), `${name} under ${status}`).toBe(status);
        listed.push(name);
      }
    }
    expect(listed.sort()).toEqual(expected.map(schemaOfType).sort());
  });

  it('lists the problems its features can raise (over-approximating, never under)', () => {
    const types = new Set(problemTypesOf(route));
    const always: ProblemTypeSlug[] = ['validation-failed', 'not-found', 'method-not-allowed', 'too-many-requests', 'internal', 'temporarily-unavailable'];
    for (const slug of always) expect(types, slug).toContain(slug);
    if (route.auth !== 'public') for (const slug of ['unauthorized', 'forbidden', 'conflict'] as const) expect(types).toContain(slug);
    if (route.method !== 'GET') for (const slug of ['conflict', 'already-exists', 'unknown-reference'] as const) expect(types).toContain(slug);
    if (route.body) expect(types).toContain('payload-too-large');
    if (route.idempotencyKey) expect(types).toContain('idempotency-key-reused');
    if (route.ifMatch) for (const slug of ['precondition-failed', 'precondition-required'] as const) expect(types).toContain(slug);
    const tables = (route as Json).tables ?? {};
    if (tables.inventory === 'readWrite') for (const slug of ['out-of-stock', 'not-eligible', 'allocation-exhausted'] as const) expect(types).toContain(slug);
    if (tables.members === 'readWrite') expect(types).toContain('insufficient-points');
  });

  it('declares 429 and 503 with Retry-After, 405 with Allow', () => {
    const { responses } = operationOf(route);
    expect(responses['429'].headers['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
    expect(responses['503'].headers['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfterRequired' });
    expect(responses['405'].headers.Allow).toEqual({ $ref: '#/components/headers/Allow' });
    expect(problemSchemasOf(responses['429'])).toEqual(['TooManyRequestsProblem']);
    expect(problemSchemasOf(responses['503'])).toEqual(['TemporarilyUnavailableProblem']);
  });

  it('declares its idempotency and conditional headers', () => {
    const { responses, parameters } = operationOf(route);
    if (route.ifMatch) {
      expect(parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header', required: true }));
    }
    if (route.idempotencyKey) {
      expect(parameters).toContainEqual(
        expect.objectContaining({
          name: 'Idempotency-Key',
          in: 'header',
          required: route.idempotencyKey === 'header',
          schema: expect.objectContaining({ maxLength: 64 }),
        }),
      );
      for (const success of [route.success, ...(route.alsoSucceeds ? [route.alsoSucceeds] : [])]) {
        expect(responses[String(success.status)].headers['Idempotent-Replayed']).toEqual({ $ref: '#/components/headers/IdempotentReplayed' });
      }
    }
    for (const success of [route.success, ...(route.alsoSucceeds ? [route.alsoSucceeds] : [])]) {
      if (success.status !== 201) continue;
      // Location (required) on a 201 whose route names the GET route of what it created.
      if (route.location) expect(responses['201'].headers.Location).toEqual({ $ref: '#/components/headers/Location' });
      else expect(responses['201'].headers?.Location).toBeUndefined();
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
    expect(problemSchemasOf(operation.responses['401'])).toEqual(['UnauthorizedProblem']);
    expect(problemSchemasOf(operation.responses['403'])).toContain('ForbiddenProblem');
  });
});

describe('ETag and conditional requests', () => {
  const versionedRoutes = routeList().filter(([, route]) => route.ifMatch);
  const versionedPaths = new Set(versionedRoutes.map(([, route]) => route.path));
  const versionedSchemas = new Set(versionedRoutes.map(([, route]) => route.success.schema));

  it.each(routeList())('%s declares ETag where it answers a versioned resource', (_name, route) => {
    const { responses, parameters } = operationOf(route);
    const etag = responses[String(route.success.status)].headers?.ETag;
    const versioned = route.success.schema !== undefined && versionedSchemas.has(route.success.schema);
    if (!versioned) {
      expect(etag).toBeUndefined();
      expect(responses['304']).toBeUndefined();
      return;
    }
    const required = route.ifMatch === true || (route.method === 'GET' && versionedPaths.has(route.path));
    expect(etag).toEqual({ $ref: `#/components/headers/${required ? 'ETagRequired' : 'ETag'}` });
    if (route.method === 'GET') {
      expect(parameters).toContainEqual(expect.objectContaining({ name: 'If-None-Match', in: 'header', required: false }));
      expect(responses['304']).toMatchObject({ headers: { ETag: expect.any(Object) } });
      expect(responses['304'].content).toBeUndefined();
    }
  });

  it('covers the routes whose handlers set an ETag', () => {
    const expected = [
      'getProgram',
      'updateProgram',
      'registerMember',
      'getMember',
      'updateMember',
      'buyPaidTier',
      'setMemberTags',
      'createLocation',
      'getLocation',
      'updateLocation',
      'createProduct',
      'getProduct',
      'updateProduct',
    ];
    for (const name of expected) {
      const route = routeList().find(([n]) => n === name)![1];
      expect(operationOf(route).responses[String(route.success.status)].headers?.ETag, name).toBeDefined();
    }
    for (const name of ['getProgram', 'getMember', 'getLocation', 'getProduct']) {
      const route = routeList().find(([n]) => n === name)![1];
      expect(operationOf(route).responses['304'], name).toBeDefined();
    }
  });

  it('defines the headers it refers to', () => {
    expect(Object.keys(doc.components.headers)).toEqual(
      expect.arrayContaining(['Location', 'ETag', 'ETagRequired', 'IdempotentReplayed', 'RetryAfter', 'RetryAfterRequired', 'Allow']),
    );
    expect(doc.components.headers.Location.required).toBe(true);
    expect(doc.components.headers.IdempotentReplayed.schema).toEqual({ type: 'string', enum: ['true'] });
  });
});

describe('component schemas', () => {
  it('include every schema the routes name with .meta({ id })', () => {
    const ids = routeList()
      .flatMap(([, route]) => [idOf(route.body), idOf(route.success.schema)])
      .filter((id): id is string => id !== undefined);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of [...ids, ...Object.values(problemTypes).map((entry) => entry.schema)]) expect(doc.components.schemas, id).toHaveProperty(id);
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

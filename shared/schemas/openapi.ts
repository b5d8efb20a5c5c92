import * as z from 'zod';
import { type RouteDefinition, type RouteWithGrants, routeList } from '../../infra/routes.ts';
import { requestExamples } from './examples.ts';
import { type ProblemTypeSlug, problemSchemas, problemTypes } from './problems.ts';
import { sample } from './sample.ts';

type JsonSchema = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: JSON Schema and OpenAPI nodes, read by key at any depth
type Json = Record<string, any>;

/** Top-level tags, one per `tag` in infra/routes.ts (test/unit/schemas/openapi.test.ts checks none is missing). */
export const tagDescriptions: Readonly<Record<string, string>> = {
  meta: 'Liveness and this document; no token needed',
  catalog: 'Locations (stores, warehouses) and products',
  stock: 'Stock levels, movements, transfers, counts and availability',
  members: 'Membership: members, tiers, points, allocations of member-exclusive products, campaigns',
  sales: 'Checkout, receipts and returns',
  replenishment: 'Reorder suggestions, purchase orders and ABC analysis',
};

export const servers = [
  { url: 'http://127.0.0.1:3000', description: 'Local cloud (`npm start`; another port with --port or PORT)' },
  {
    url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
    description: 'The HttpApi in AWS (the stack output `ApiUrl`)',
    variables: {
      apiId: { default: 'abcdef1234', description: 'The HttpApi id' },
      region: { default: 'eu-central-1', description: 'The AWS region of the stack' },
    },
  },
];

/** Problem schemas in the order problems.ts lists them. */
const problemOrder = Object.keys(problemTypes) as ProblemTypeSlug[];

/**
 * The problem types a route can answer, derived from the route table. An
 * over-approximation by design: a client sees every type it may get, never
 * one it was not told about.
 */
export const problemTypesOf = (route: RouteDefinition): ProblemTypeSlug[] => {
  const tables = (route as Partial<RouteWithGrants>).tables ?? {};
  const write = route.method !== 'GET';
  const types = new Set<ProblemTypeSlug>(['validation-failed', 'not-found', 'method-not-allowed', 'too-many-requests', 'internal', 'temporarily-unavailable']);
  const add = (...slugs: ProblemTypeSlug[]) => {
    for (const slug of slugs) types.add(slug);
  };
  if (route.auth !== 'public') add('unauthorized', 'forbidden', 'conflict');
  if (write) add('conflict', 'already-exists', 'unknown-reference');
  if (route.body) add('payload-too-large');
  if (route.idempotencyKey) add('idempotency-key-reused');
  if (route.ifMatch) add('precondition-failed', 'precondition-required');
  // Writing stock: lines can be short, member-exclusive units gated or used up.
  if (tables.inventory === 'readWrite') add('out-of-stock', 'not-eligible', 'allocation-exhausted');
  if (tables.members === 'readWrite') add('insufficient-points');
  add(...((route.problems ?? []) as ProblemTypeSlug[]));
  return problemOrder.filter((slug) => types.has(slug));
};

const statusDescriptions: Record<number, string> = {
  400: 'The request is not valid',
  401: 'No valid bearer token',
  403: 'Not allowed for this caller',
  404: 'Not found',
  405: 'The path does not take this method',
  409: 'Conflicts with the current state',
  412: 'If-Match names another version',
  413: 'The body is too large',
  422: 'Refers to something that does not exist, or an idempotency key reused with another body',
  428: 'If-Match is required',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Temporarily unavailable',
};

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const header = (description: string, schema: JsonSchema, required = false) => ({ description, required, schema });

const componentHeaders = {
  Location: header('Where the created resource can be read', { type: 'string', format: 'uri-reference' }, true),
  ETag: header('The version of the resource; send it back in If-Match (writes) or If-None-Match (reads)', { type: 'string', pattern: '^(W/)?"[^"]*"$' }),
  ETagRequired: header(
    'The version of the resource; send it back in If-Match (writes) or If-None-Match (reads)',
    { type: 'string', pattern: '^(W/)?"[^"]*"$' },
    true,
  ),
  IdempotentReplayed: header('`true` when this is the stored answer to an earlier request with the same idempotency key (same status and body)', {
    type: 'string',
    enum: ['true'],
  }),
  RetryAfter: header('Seconds to wait before retrying', { type: 'string', pattern: '^[0-9]+$' }),
  RetryAfterRequired: header('Seconds to wait before retrying', { type: 'string', pattern: '^[0-9]+$' }, true),
  Allow: header('The methods the path takes', { type: 'string' }, true),
  WwwAuthenticate: header('The bearer challenge (RFC 6750)', { type: 'string' }),
};

/** Headers a problem response of this status carries. */
const problemHeaders = (status: number): Json | undefined =>
  status === 429
    ? { 'Retry-After': headerRef('RetryAfter') }
    : status === 503
      ? { 'Retry-After': headerRef('RetryAfterRequired') }
      : status === 405
        ? { Allow: headerRef('Allow') }
        : status === 401
          ? { 'WWW-Authenticate': headerRef('WwwAuthenticate') }
          : undefined;

const problemResponse = (status: number, slugs: ProblemTypeSlug[]): Json => {
  const refs = slugs.map((slug) => ({ $ref: `#/components/schemas/${problemTypes[slug].schema}` }));
  const types = slugs.map((slug) => `\`${problemTypes[slug].schema}\``).join(', ');
  const headers = problemHeaders(status);
  return {
    description: `${statusDescriptions[status] ?? 'A problem'} (problem+json: ${types})`,
    ...(headers ? { headers } : {}),
    content: { 'application/problem+json': { schema: refs.length === 1 ? refs[0] : { oneOf: refs } } },
  };
};

/** What buildOpenApi answers: an OpenAPI 3.1 document (the `OpenApiDocument` schema of GET /openapi.json). */
export interface OpenApiDocumentShape {
  readonly [member: string]: unknown;
  readonly openapi: string;
  readonly info: { readonly [member: string]: unknown; readonly title: string; readonly version: string };
  readonly paths: { readonly [path: string]: unknown };
}

/**
 * Builds the OpenAPI 3.1 document from the route table and its zod schemas.
 * Schemas with a `meta({ id })` become shared components.
 */
export const buildOpenApi = (): OpenApiDocumentShape => {
  const components: Record<string, JsonSchema> = {};
  const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const {
      $schema: _ignored,
      $defs,
      ...rest
    } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    const relink = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as T;
    for (const [id, def] of Object.entries($defs ?? {})) components[id] ??= relink(def);
    return relink(rest);
  };
  const parameters = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    if (!schema) return [];
    const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, property]) => ({
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      schema: property,
    }));
  };
  for (const slug of problemOrder) toSchema(problemSchemas[slug], 'output');

  const routes = routeList();
  // Versioned resources: what an If-Match route answers carries an ETag wherever it is answered.
  const versioned = new Set(routes.filter(([, r]) => r.ifMatch).map(([, r]) => r.success.schema));
  const ifMatchPaths = new Set(routes.filter(([, r]) => r.ifMatch).map(([, r]) => r.path));
  const answersEtag = (route: RouteDefinition) => route.success.schema !== undefined && versioned.has(route.success.schema);
  const etagRequired = (route: RouteDefinition) => route.ifMatch === true || (route.method === 'GET' && ifMatchPaths.has(route.path));

  const description = (route: RouteDefinition): string =>
    [
      `${route.summary}.`,
      route.auth === 'public' ? 'No token needed.' : `Roles: ${route.auth.join(', ')}.`,
      route.idempotencyKey
        ? route.idempotencyKey === 'header'
          ? 'Idempotent by the `Idempotency-Key` header: a repeat answers the first answer again, with `Idempotent-Replayed: true`.'
          : `Idempotent by \`${route.idempotencyKey}\` in the body (or the \`Idempotency-Key\` header): a repeat answers the first answer again, with \`Idempotent-Replayed: true\`.`
        : '',
      route.ifMatch ? 'Needs `If-Match` with the version from the `ETag`.' : '',
      `Problems: ${problemTypesOf(route)
        .map((slug) => `\`/problems/${slug}\``)
        .join(', ')}.`,
    ]
      .filter(Boolean)
      .join(' ');

  const operation = (name: string, route: RouteDefinition) => {
    const etag = answersEtag(route);
    const conditionalGet = route.method === 'GET' && etag;
    const successHeaders = (status: number, answersResource: boolean): Json | undefined => {
      const headers: Json = {
        // Where the route table names the created resource's GET route (`location`), the handler sets Location on the 201.
        ...(status === 201 && route.location ? { Location: headerRef('Location') } : {}),
        ...(answersResource && etag ? { ETag: headerRef(etagRequired(route) ? 'ETagRequired' : 'ETag') } : {}),
        ...(route.idempotencyKey || status === 201 ? { 'Idempotent-Replayed': headerRef('IdempotentReplayed') } : {}),
      };
      return Object.keys(headers).length ? headers : undefined;
    };
    const successes = [{ ...route.success, primary: true }, ...(route.alsoSucceeds ? [{ ...route.alsoSucceeds, primary: false }] : [])];
    const problems = new Map<number, ProblemTypeSlug[]>();
    for (const slug of problemTypesOf(route)) {
      const status = problemTypes[slug].status;
      problems.set(status, [...(problems.get(status) ?? []), slug]);
    }
    return {
      operationId: name,
      summary: route.summary,
      description: description(route),
      tags: [route.tag],
      security: route.auth === 'public' ? [] : [{ bearer: [] }],
      'x-stockclub-roles': route.auth,
      parameters: [
        ...parameters(route.params, 'path'),
        ...parameters(route.query, 'query'),
        ...(route.idempotencyKey
          ? [
              {
                name: 'Idempotency-Key',
                in: 'header',
                description:
                  route.idempotencyKey === 'header'
                    ? 'Makes the write idempotent'
                    : `Makes the write idempotent; without it, \`${route.idempotencyKey}\` in the body is the key`,
                required: route.idempotencyKey === 'header',
                schema: { type: 'string', maxLength: 64 },
              },
            ]
          : []),
        ...(route.ifMatch
          ? [{ name: 'If-Match', in: 'header', description: 'The version from the ETag, e.g. `"3"`', required: true, schema: { type: 'string' } }]
          : []),
        ...(conditionalGet
          ? [
              {
                name: 'If-None-Match',
                in: 'header',
                description: 'An ETag from an earlier answer: 304 if it is still current',
                required: false,
                schema: { type: 'string' },
              },
            ]
          : []),
      ],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: toSchema(route.body, 'input'),
                  ...(requestExamples[name] !== undefined ? { example: requestExamples[name] } : {}),
                },
              },
            },
          }
        : route.ignoredBody
          ? {
              requestBody: {
                required: false,
                description: route.ignoredBody.description,
                content: { [route.ignoredBody.mediaType]: { schema: route.ignoredBody.schema, example: route.ignoredBody.example } },
              },
            }
          : {}),
      responses: {
        ...Object.fromEntries(
          successes.map((success) => {
            const headers = successHeaders(success.status, success.primary);
            return [
              success.status,
              {
                description: success.description,
                ...(headers ? { headers } : {}),
                ...(success.schema ? { content: { [success.mediaType ?? 'application/json']: { schema: toSchema(success.schema, 'output') } } } : {}),
              },
            ];
          }),
        ),
        ...(conditionalGet ? { 304: { description: 'Not modified: the If-None-Match ETag is current', headers: { ETag: headerRef('ETagRequired') } } } : {}),
        ...Object.fromEntries([...problems].sort(([a], [b]) => a - b).map(([status, slugs]) => [status, problemResponse(status, slugs)])),
      },
    };
  };

  const paths: Record<string, Record<string, Json>> = {};
  for (const [name, route] of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(name, route);
  }

  // Examples of success answers, from the finished schemas (a schema's own `examples` first).
  const resolve = (ref: string): Json | undefined => components[ref.replace('#/components/schemas/', '')] as Json | undefined;
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      for (const [status, response] of Object.entries<Json>(op.responses)) {
        const media = response.content?.['application/json'] ?? response.content?.['application/ld+json'];
        if (status.startsWith('2') && media && media.example === undefined) media.example = sample(media.schema, resolve);
      }
    }
  }

  const usedTags = [...new Set(routes.map(([, route]) => route.tag))];
  return {
    openapi: '3.1.0',
    info: {
      title: 'StockClub API',
      version: '1.0.0',
      description:
        'Inventory and membership for retail chains. Errors are RFC 9457 problem+json, each `type` a URI under `/problems/` with its own schema. ' +
        'In AWS, API Gateway answers some requests by itself (JWT rejected: 401, throttled: 429, no route: 404) with `{"message": ...}` instead.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-StockClub-Proprietary' },
    },
    servers,
    tags: usedTags.map((name) => ({ name, description: tagDescriptions[name] ?? name })),
    paths,
    components: {
      schemas: components,
      headers: componentHeaders,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
};

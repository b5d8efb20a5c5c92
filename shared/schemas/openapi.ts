import { z } from 'zod';
import { type RouteDefinition, routeList } from '../../infra/routes.ts';
import { Problem } from './common.ts';

type JsonSchema = Record<string, unknown>;

/**
 * Builds the OpenAPI 3.1 document from the route table and its zod schemas.
 * Schemas with a `meta({ id })` become shared components.
 */
export const buildOpenApi = (): Record<string, unknown> => {
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
  const problem = { $ref: '#/components/responses/Problem' };
  const operation = (name: string, route: RouteDefinition) => ({
    operationId: name,
    summary: route.summary,
    tags: [route.tag],
    security: route.auth === 'public' ? [] : [{ bearer: [] }],
    'x-stockclub-roles': route.auth,
    parameters: [
      ...parameters(route.params, 'path'),
      ...parameters(route.query, 'query'),
      ...(route.idempotencyKey
        ? [{ name: 'Idempotency-Key', in: 'header', required: route.idempotencyKey === 'header', schema: { type: 'string', maxLength: 64 } }]
        : []),
      ...(route.ifMatch ? [{ name: 'If-Match', in: 'header', required: true, schema: { type: 'string' } }] : []),
    ],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } } : {}),
    responses: {
      ...Object.fromEntries(
        [route.success, ...(route.alsoSucceeds ? [route.alsoSucceeds] : [])].map((success) => [
          success.status,
          {
            description: success.description,
            ...(success.schema ? { content: { 'application/json': { schema: toSchema(success.schema, 'output') } } } : {}),
          },
        ]),
      ),
      ...(route.auth === 'public' ? {} : { 401: problem, 403: problem }),
      400: problem,
      404: problem,
      409: problem,
      ...(route.ifMatch ? { 412: problem, 428: problem } : {}),
      ...(route.body ? { 413: problem, 422: problem } : route.idempotencyKey ? { 422: problem } : {}),
      503: problem,
    },
  });

  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, route] of routeList()) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(name, route);
  }
  const problemSchema = toSchema(Problem, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'StockClub API',
      version: '1.0.0',
      description: 'Inventory and membership for retail chains. Errors are RFC 9457 problem+json.',
    },
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      responses: {
        Problem: { description: 'A problem (RFC 9457)', content: { 'application/problem+json': { schema: problemSchema } } },
      },
    },
  };
};

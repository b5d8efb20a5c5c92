/**
 * Item 9 of issue 16: an example for every request body and every success
 * response, each valid against the schema it illustrates (ajv, JSON Schema
 * 2020-12 with formats). Request examples (shared/schemas/examples.ts) must
 * also pass the route's own zod schema, so the server takes them as they are.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { routeList } from '../../../infra/routes.ts';
import { requestExamples } from '../../../shared/schemas/examples.ts';
import { buildOpenApi } from '../../../shared/schemas/openapi.ts';
import { openApiValidator } from '../../support/openapi-ajv.ts';

type Json = any;
let doc: Json;
let compile: ReturnType<typeof openApiValidator>;
beforeAll(() => {
  doc = buildOpenApi();
  compile = openApiValidator(doc);
});

const routeCases = routeList().map(([name, route]) => [name, route] as const);
const operationOf = (method: string, path: string): Json => doc.paths[path][method.toLowerCase()];

const expectValid = (schema: Json, example: unknown, what: string) => {
  const validate = compile(schema);
  const valid = validate(example);
  expect(valid, `${what}: ${JSON.stringify(validate.errors, null, 1)}\nexample: ${JSON.stringify(example)}`).toBe(true);
};

describe.each(routeCases)('route %s', (name, route) => {
  it('has a request body example that its zod schema and its JSON Schema accept', () => {
    const body = operationOf(route.method, route.path).requestBody;
    if (!route.body) {
      expect(requestExamples[name], 'an example for a route without a body').toBeUndefined();
      if (!route.ignoredBody) return expect(body).toBeUndefined();
      const media = body.content[route.ignoredBody.mediaType];
      expect(media.example, 'request example').toEqual(route.ignoredBody.example);
      expectValid(media.schema, media.example, 'request body');
      return;
    }
    const media = body.content['application/json'];
    expect(media.example, 'request example').toBeDefined();
    expect(media.example).toEqual(requestExamples[name]);
    const parsed = route.body.safeParse(media.example);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expectValid(media.schema, media.example, 'request body');
  });

  it('has an example for every success response with content, valid against its schema', () => {
    const { responses } = operationOf(route.method, route.path);
    for (const [status, response] of Object.entries<Json>(responses)) {
      if (!status.startsWith('2')) continue;
      for (const [type, media] of Object.entries<Json>(response.content ?? {})) {
        expect(media.example, `${status} ${type}`).toBeDefined();
        expectValid(media.schema, media.example, `${status} ${type}`);
      }
    }
  });
});

describe('examples anywhere in the document', () => {
  it('validate against the schema next to them (schema `examples` included)', () => {
    let seen = 0;
    const walk = (node: Json, at: string) => {
      if (Array.isArray(node)) {
        node.forEach((v, i) => {
          walk(v, `${at}/${i}`);
        });
        return;
      }
      if (node === null || typeof node !== 'object') return;
      if (node.schema && node.example !== undefined) {
        seen++;
        expectValid(node.schema, node.example, at);
      }
      if (Array.isArray(node.examples) && (node.type || node.properties || node.$ref || node.oneOf || node.anyOf)) {
        const { examples, ...schema } = node;
        for (const example of examples) {
          seen++;
          expectValid(schema, example, `${at}/examples`);
        }
      }
      for (const [key, value] of Object.entries(node)) if (key !== 'examples' && key !== 'example') walk(value, `${at}/${key}`);
    };
    walk(doc, '#');
    expect(seen).toBeGreaterThan(routeList().length);
  });

  it('cover only write routes that exist', () => {
    const names = new Set(routeList().map(([name]) => name as string));
    for (const name of Object.keys(requestExamples)) expect(names, name).toContain(name);
  });
});

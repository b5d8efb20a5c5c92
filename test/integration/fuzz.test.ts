import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteDefinition, type RouteName, routeKey, routeList } from '../../infra/routes.ts';
import { tables } from '../../infra/tables.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { derivedId } from '../../shared/domain/ids.ts';
import { maxBodyBytes } from '../../shared/http/middleware/validate-request.ts';
import { maxSaleLineQty, maxSaleTotal, maxUnitPrice, RequestId } from '../../shared/schemas/common.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';
import { writeTemplates } from '../support/route-templates.ts';

/**
 * Property-based fuzzing of every write route (POST, PUT, PATCH in
 * infra/routes.ts) through the local gateway and the real handlers: random
 * and malformed JSON, wrong types, huge strings, unicode, negative and
 * fractional numbers, oversized arrays, prototype-pollution keys, hostile
 * path segments and headers. Every answer must be a 4xx
 * application/problem+json, never a 5xx, and nothing may be written.
 *
 * "Nothing written": other test files write to the same DynamoDB Local at
 * the same time, so the check looks only at items this file could create or
 * change. Every id the fuzz uses (fixtures, path parameters, idempotency
 * keys, the callers' token subjects) carries one run prefix, and every key
 * the API builds from a request embeds those ids or the caller's subject; the
 * snapshot is every item, in every table, whose JSON contains the prefix.
 *
 * Bodies that the route's own zod schema accepts are skipped (fc.pre): they
 * are not hostile input but real writes. Prototype-pollution keys are never
 * skipped that way; a strict schema must refuse them.
 */

const prefix = uniqueId('fz');
const ids = {
  location: `${prefix}-L`,
  sku: `${prefix}-sku`,
  member: `${prefix}-m`,
  missing: (n: number) => `${prefix}-ghost-${n}`,
};
let api: Api;
const callers: Record<'admin' | 'store' | 'member', string> = { admin: '', store: '', member: '' };

// ---- what the fuzz can send

/** Values that are wrong almost anywhere: types, signs, fractions, sizes, encodings. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, -0.5, 0.5, 1.5, -1e12, 1e308, -1e308, 2 ** 53 + 2, 1e-300, 100_000_000_001),
  fc.integer({ min: -1_000_000_000, max: -1 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e\u0644\u0627',
    'Ǆ̸̢͙̘̗̓̈ͅ',
    '𝕏𝕐ℤ',
    '\ud800',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "' OR '1'='1",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style probe string, on purpose
    '${jndi:ldap://x/a}',
    'LOCATION#x',
    'a#b',
    '*',
    '__proto__',
    'constructor',
    'prototype',
    '2026-13-45T25:61:00Z',
    'NaN',
    '1e3',
    '-1',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('x'.repeat(10_000), 'é'.repeat(60_000), `${prefix}-${'a'.repeat(64)}`),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)), { maxLength: 5 }),
  fc.constantFrom(
    Array.from({ length: 1_000 }, () => ({ sku: ids.sku, qty: 1 })),
    Array.from({ length: 101 }, (_, i) => ({ sku: ids.sku, locationId: ids.location, qty: i + 1, unitPrice: 1 })),
    Array.from({ length: 5_000 }, () => 'A'.repeat(24)),
  ),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), { maxKeys: 3 }),
);

const pollutionKey = fc.constantFrom('__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString');
/** A value that, merged the wrong way, would pollute Object.prototype. */
const pollutionValue = fc.constantFrom<unknown>(
  JSON.parse('{"polluted":"yes"}'),
  JSON.parse('{"prototype":{"polluted":"yes"}}'),
  JSON.parse('{"__proto__":{"polluted":"yes"}}'),
  null,
);

/** A valid request body for each write route: the fuzz mutates these. */
const templates = () => writeTemplates(ids);

type Path = (string | number)[];

const pathsOf = (value: unknown, at: Path = []): Path[] => {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => pathsOf(v, [...at, i]))];
  if (value && typeof value === 'object') return [at, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))];
  return [at];
};

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const containerAt = (root: unknown, path: Path): unknown => path.reduce<any>((node, key) => node?.[key], root);

const setAt = (root: unknown, path: Path, value: unknown): unknown => {
  if (path.length === 0) return value;
  const copy = clone(root);
  const parent = containerAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  // defineProperty, so a "__proto__" key becomes an own property as JSON.parse would make it.
  Object.defineProperty(parent, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  return copy;
};

const removeAt = (root: unknown, path: Path): unknown => {
  if (path.length === 0) return undefined;
  const copy = clone(root);
  const parent = containerAt(copy, path.slice(0, -1));
  if (Array.isArray(parent)) parent.splice(Number(path[path.length - 1]), 1);
  else if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[path[path.length - 1] as string];
  return copy;
};

interface Body {
  /** Sent as is; `undefined` sends no body. */
  readonly text: string | undefined;
  /** Pollution cases are sent even if (wrongly) valid: the schema must refuse them. */
  readonly mustRefuse: boolean;
}

const json = (value: unknown, mustRefuse = false): Body => ({ text: value === undefined ? undefined : JSON.stringify(value), mustRefuse });

const bodyFor = (template: unknown): fc.Arbitrary<Body> => {
  const paths = pathsOf(template);
  const objectPaths = paths.filter((p) => {
    const v = containerAt(template, p);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  });
  const text = JSON.stringify(template);
  return fc.oneof(
    // One field replaced by something hostile, anywhere in the document.
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...paths), hostileValue).map(([path, value]) => json(setAt(template, path, value))) },
    // A required field gone.
    { weight: 1, arbitrary: fc.constantFrom(...paths.filter((p) => p.length > 0)).map((path) => json(removeAt(template, path))) },
    // Prototype-pollution keys, at the top or in a nested object.
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...objectPaths), pollutionKey, pollutionValue)
        .map(([path, key, value]) => json(setAt(template, [...path, key], value), true)),
    },
    { weight: 1, arbitrary: fc.constantFrom(...objectPaths).map((path) => json(setAt(template, [...path, 'unexpected'], 1), true)) },
    // Random JSON documents of any shape.
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => json(value)) },
    // Not JSON at all, or JSON broken in the middle.
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.string({ maxLength: 60 }),
          fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut)),
          fc.constantFrom(
            `${text}}`,
            `${text},`,
            `\ufeff${text}`,
            text.replace(/:/, '::'),
            text.replace(/"/, "'"),
            '{"a":1,}',
            'NaN',
            '[1,2',
            'null',
            '""',
            '{}',
            '[]',
            '{"__proto__":{"polluted":"yes"}}',
            '{"constructor":{"prototype":{"polluted":"yes"}}}',
            `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
            `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
          ),
        )
        .map((raw) => ({ text: raw, mustRefuse: false })),
    },
    // Bigger than the API takes (the body limit is checked before parsing).
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(`{"name":"${'x'.repeat(maxBodyBytes)}"}`, JSON.stringify({ ...(template as object), name: '𝕏'.repeat(maxBodyBytes / 4 + 1) }))
        .map((raw) => ({ text: raw, mustRefuse: true })),
    },
  );
};

/** A hostile or unknown path segment (malformed percent-encoding included); never an existing resource on body-less writes. */
const segment = (existing: string | undefined): fc.Arbitrary<string> =>
  fc.oneof(
    ...(existing ? [{ weight: 4, arbitrary: fc.constant(existing) }] : []),
    { weight: 2, arbitrary: fc.integer({ min: 100, max: 999 }).map((n) => ids.missing(n)) },
    {
      weight: 3,
      arbitrary: fc
        .oneof(
          fc.constantFrom('__proto__', 'constructor', '..', '.', '*', 'a b', 'x'.repeat(300), `${prefix}#x`, `${prefix}%00`, 'LOCATION#1', '\u202e', '𝕏', "'"),
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
        )
        .map((s) => encodeURIComponent(s)),
    },
    { weight: 1, arbitrary: fc.constantFrom('%ZZ', '%E0%A4%A', '%', 'a%2') },
  );

const existingFor = (param: string, route: RouteDefinition): string | undefined => {
  // A write without a body acts on its path alone: it must never name something that exists.
  if (!route.body) return undefined;
  return (
    { locationId: ids.location, sku: ids.sku, scope: ids.location, memberId: ids.member, saleId: ids.missing(20), purchaseOrderId: ids.missing(21) } as Record<
      string,
      string
    >
  )[param];
};

const headerArb = (route: RouteDefinition) =>
  fc.record(
    {
      'idempotency-key': fc.option(fc.constantFrom(`${prefix}-k1`, `${prefix}-k2`, 'has space', 'x'.repeat(65), '', '../x', '-lead'), { nil: undefined }),
      'if-match': route.ifMatch
        ? fc.option(fc.constantFrom('"1"', '"0"', 'W/"1"', '*', '"abc"', '"1', '1', '"9999999999999999"', '', '"-1"'), { nil: undefined })
        : fc.constant(undefined),
      'content-type': fc.option(
        fc.constantFrom(
          'text/plain',
          'application/json; charset=utf-8',
          'application/merge-patch+json',
          'application/x-www-form-urlencoded',
          'application/jsonx',
          '',
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: [] },
  );

interface FuzzRequest {
  readonly path: string;
  readonly body: Body;
  readonly headers: Record<string, string>;
  readonly caller: keyof typeof callers;
}

const requestArb = (name: RouteName, route: RouteDefinition): fc.Arbitrary<FuzzRequest> => {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const template = templates()[name];
  const body: fc.Arbitrary<Body> =
    route.body && template !== undefined
      ? bodyFor(template)
      : // A body-less write ignores what it is sent; send hostile bodies anyway.
        fc.oneof(
          fc.constant<Body>({ text: undefined, mustRefuse: false }),
          fc.jsonValue({ maxDepth: 2 }).map((v) => json(v)),
        );
  return fc
    .record({
      segments: fc.tuple(...params.map((p) => segment(existingFor(p, route)))),
      body,
      headers: headerArb(route),
      caller: fc.constantFrom('admin', 'admin', 'admin', 'admin', 'store', 'member') as fc.Arbitrary<keyof typeof callers>,
    })
    .map(({ segments, body: b, headers, caller }) => {
      let i = 0;
      const path = route.path.replace(/\{\w+\}/g, () => segments[i++]!);
      const sent = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
      return { path, body: b, headers: sent, caller };
    });
};

/** Would the route's own schema accept this body? Then it is a real write, not a fuzz case. */
/** Whether the server would take the body: as it does, with the body's id filled from an Idempotency-Key header. */
const schemaAccepts = (route: RouteDefinition, body: Body, headers: Record<string, string> = {}): boolean => {
  if (!route.body || body.text === undefined) return false;
  try {
    const parsed = JSON.parse(body.text) as unknown;
    const key = headers['idempotency-key'];
    const field = route.idempotencyKey && route.idempotencyKey !== 'header' ? route.idempotencyKey : undefined;
    const filled =
      field && key !== undefined && parsed && typeof parsed === 'object' && !Array.isArray(parsed) && (parsed as Record<string, unknown>)[field] === undefined
        ? { ...(parsed as Record<string, unknown>), [field]: key }
        : parsed;
    return route.body.safeParse(filled).success;
  } catch {
    return false;
  }
};

// ---- nothing written

// Written by stream consumers and jobs that other test files run against the shared tables,
// never by a request: left out so they cannot make the comparison flaky.
const derivedEntities = new Set(['DEMAND_DAY', 'DEMAND_MONTH', 'SUGGESTION', 'ABC_REPORT']);
const derivedAttributes = ['reorderPoint', 'abcClass', 'abc'];

const snapshot = async (): Promise<string[]> => {
  const found: string[] = [];
  for (const table of [tables.inventory, tables.members, tables.idempotency, tables.rfid]) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documentClient.send(new ScanCommand({ TableName: tableName(table), ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        const text = JSON.stringify(item, (_k, v) => (v instanceof Set ? [...v].sort() : v));
        if (!text.includes(prefix) || derivedEntities.has(item.entity as string)) continue;
        for (const attribute of derivedAttributes) delete item[attribute];
        found.push(`${table.id} ${JSON.stringify(item, (_k, v) => (v instanceof Set ? [...v].sort() : v))}`);
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return found.sort();
};

// ---- valid bodies that name nothing that exists

/**
 * Routes whose business logic must refuse a schema-valid body that names a
 * location, SKU, member, sale or order that does not exist. Left out: writes
 * that create (locations, products, members), and writes that act on the
 * whole chain or on shared state whatever they name (the program, HQ orders).
 */
const unknownReferenceRoutes: readonly RouteName[] = [
  'updateLocation',
  'updateProduct',
  'createMovement',
  'setAllocation',
  'updateMember',
  'redeemPoints',
  'adjustPoints',
  'buyPaidTier',
  'subscribeStockAlert',
  'createSale',
  'createReturn',
  'createPurchaseOrder',
  'receivePurchaseOrder',
  'setMemberTags',
];

const fixtureIds = (): string[] => [ids.location, ids.sku, ids.member];

/** The template with every fixture id replaced by an id that exists nowhere. */
const pointingNowhere = (template: unknown): unknown =>
  JSON.parse(JSON.stringify(template), (_key, value) => (fixtureIds().includes(value as string) ? ids.missing(50) : value));

/** A value of the same kind as `original` that the schema may well accept: boundaries, unicode, repeats. */
const validish = (original: unknown): fc.Arbitrary<unknown> => {
  if (typeof original === 'string') {
    // Ids stay ids under this run's prefix (so they match nothing that exists); free text goes wild.
    if (original.startsWith(prefix))
      return fc.oneof(
        fc.integer({ min: 60, max: 99 }).map((n) => ids.missing(n)),
        fc.constant(`${prefix}-${'z'.repeat(63 - prefix.length)}`),
      );
    return fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), fc.constantFrom('Ǆ̸̢͙̘̗̓̈ͅ', '𝕏𝕐ℤ', '\u202e\u0644\u0627', 'x'.repeat(200), ' a '));
  }
  if (typeof original === 'number')
    return fc.constantFrom(0, 1, 2, 30, 36, 40, 45, 50, 90, 365, 3650, 1_000_000, 10_000_000, 100_000_000_000, -10_000_000, 0.51, 0.99, 12.5);
  if (typeof original === 'boolean') return fc.boolean();
  if (Array.isArray(original) && original.length > 0) return fc.integer({ min: 1, max: 50 }).map((n) => Array.from({ length: n }, () => original[0]));
  return fc.constant(original);
};

const validishBody = (template: unknown): fc.Arbitrary<unknown> => {
  const paths = pathsOf(template).filter((p) => p.length > 0);
  return fc
    .array(
      fc.constantFrom(...paths).chain((path) => validish(containerAt(template, path)).map((value) => [path, value] as const)),
      { minLength: 1, maxLength: 3 },
    )
    .map((changes) =>
      changes.reduce<unknown>((body, [path, value]) => (containerAt(body, path.slice(0, -1)) === undefined ? body : setAt(body, path, value)), template),
    );
};

// ---- the run

const writeRoutes = routeList().filter(([, r]) => r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH');
const numRuns = Number(process.env.FUZZ_RUNS ?? 40);
let before: string[] = [];
const answered: Record<string, Record<number, number>> = {};

beforeAll(async () => {
  api = await startApi();
  callers.admin = await token({ role: 'admin', subject: `${prefix}-admin` });
  callers.store = await token({ role: 'store', subject: `${prefix}-till`, locations: [ids.location] });
  callers.member = await token({ role: 'member', subject: `${prefix}-member`, memberId: ids.member });
  // Fixtures that path parameters and bodies name, none of which any stream consumer reacts to.
  const fixtures = [
    api.call('POST', '/locations', { token: callers.admin, body: { locationId: ids.location, name: 'Fuzz store', type: 'STORE', timeZone: 'UTC' } }),
    api.call('POST', '/products', {
      token: callers.admin,
      body: { sku: ids.sku, name: 'Fuzz', unitCost: 1, price: 2, currency: 'EUR', memberExclusive: { minTier: 'REGULAR' } },
    }),
    api.call('POST', '/members', {
      token: callers.member,
      headers: { 'idempotency-key': `${prefix}-reg` },
      body: { name: 'Fuzz member', email: `${prefix}-m@example.com` },
    }),
  ];
  // A self-signup answers 202 whether or not the address is taken (issue 20, item 5); the others 201.
  expect((await Promise.all(fixtures)).map((answer) => answer.status)).toEqual([201, 201, 202]);
  before = await snapshot();
  expect(before.length).toBeGreaterThan(3);
});

afterAll(async () => {
  await api?.close();
});

// In order even when tests are shuffled: the last test sums up what the properties before it were answered.
describe('fuzzing every write route through the gateway', { shuffle: false }, () => {
  it('covers every POST, PUT and PATCH route, each with a template when it takes a body', () => {
    expect(writeRoutes.length).toBeGreaterThan(10);
    const missing = writeRoutes.filter(([name, route]) => route.body && templates()[name] === undefined).map(([name]) => name);
    expect(missing).toEqual([]);
    for (const [name, route] of writeRoutes) {
      const template = templates()[name];
      if (route.body) expect(route.body.safeParse(template).success, `${name}: template is valid`).toBe(true);
    }
  });

  for (const [name, route] of writeRoutes) {
    it(`${routeKey(route)}: 4xx problem+json for hostile input, never 5xx`, async () => {
      const counts: Record<number, number> = {};
      answered[name] = counts;
      await fc.assert(
        fc.asyncProperty(requestArb(name, route), async (request) => {
          fc.pre(request.body.mustRefuse || !schemaAccepts(route, request.body, request.headers));
          const answer = await fetch(`${api.url}${request.path}`, {
            method: route.method,
            headers: { authorization: `Bearer ${callers[request.caller]}`, ...request.headers },
            body: request.body.text,
          });
          const text = await answer.text();
          counts[answer.status] = (counts[answer.status] ?? 0) + 1;
          const where = `${route.method} ${request.path.slice(0, 200)} as ${request.caller} ${JSON.stringify(request.headers)} body ${String(request.body.text).slice(0, 300)}`;
          expect(answer.status, `${where} -> ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
          expect(answer.status, `${where} -> ${text.slice(0, 300)}`).toBeLessThan(500);
          expect(answer.headers.get('content-type'), where).toBe('application/problem+json');
          const problem = JSON.parse(text) as { status: number; type: string; title: string };
          expect(problem.status).toBe(answer.status);
          expect(problem.type).toMatch(/^\/problems\/[a-z-]+$/);
          expect(typeof problem.title).toBe('string');
          // Nothing of the request leaks back as a stack trace or an internal name.
          expect(text).not.toMatch(/at .+\.ts:\d+|TableName|ConditionalCheckFailed|TypeError/);
        }),
        { numRuns, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined, endOnFailure: true },
      );
      expect(Object.keys(counts).length).toBeGreaterThan(0);
    });
  }

  for (const name of unknownReferenceRoutes) {
    const route = routeList().find(([n]) => n === name)![1];
    it(`${routeKey(route)}: a valid body naming nothing that exists is a 4xx, with nothing written`, async () => {
      const template = pointingNowhere(templates()[name]);
      const counts: Record<number, number> = {};
      answered[`valid ${name}`] = counts;
      await fc.assert(
        fc.asyncProperty(validishBody(template), fc.integer({ min: 200, max: 299 }), fc.boolean(), async (body, n, withHeaders) => {
          fc.pre(route.body!.safeParse(body).success);
          const path = route.path.replace(/\{\w+\}/g, () => ids.missing(n));
          const headers: Record<string, string> = { authorization: `Bearer ${callers.admin}`, 'content-type': 'application/json' };
          if (withHeaders && route.ifMatch) headers['if-match'] = '"1"';
          if (withHeaders && route.idempotencyKey === 'header') headers['idempotency-key'] = `${prefix}-v${n}`;
          const answer = await fetch(`${api.url}${path}`, { method: route.method, headers, body: JSON.stringify(body) });
          const text = await answer.text();
          counts[answer.status] = (counts[answer.status] ?? 0) + 1;
          const where = `${route.method} ${path} ${JSON.stringify(body).slice(0, 400)} -> ${text.slice(0, 300)}`;
          expect(answer.status, where).toBeGreaterThanOrEqual(400);
          expect(answer.status, where).toBeLessThan(500);
          expect(answer.headers.get('content-type'), where).toBe('application/problem+json');
        }),
        { numRuns: Math.ceil(numRuns / 2), seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined, endOnFailure: true },
      );
    });
  }

  // ---- the classes of input an outside review found answering 500 or passing where it should not

  /** A 400 problem+json whose errors name `field`. */
  const refusedAt = async (answer: Response, field: RegExp, where: string) => {
    const text = await answer.text();
    expect(answer.status, `${where} -> ${text.slice(0, 300)}`).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    const problem = JSON.parse(text) as { errors?: { path: string }[] };
    expect(
      problem.errors?.map((e) => e.path).some((path) => field.test(path)),
      `${where} -> ${text.slice(0, 300)}`,
    ).toBe(true);
  };
  const as = (caller: keyof typeof callers, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${callers[caller]}`, ...extra });

  /** Any instant a Timestamp takes, in any offset. */
  const instant = fc.date({ min: new Date('0001-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true });
  const offset = fc.constantFrom('Z', '+14:00', '-12:00', '+05:30', '-00:01');
  const written = (at: Date, zone: string): string => {
    if (zone === 'Z') return at.toISOString();
    const minutes = (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
    return `${new Date(at.getTime() + minutes * 60_000).toISOString().slice(0, -1)}${zone}`;
  };

  it('GET /movements with a reversed time range: 400 naming to, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(instant, instant, offset, offset, fc.constantFrom('sku', 'locationId', 'both'), async (a, b, zoneA, zoneB, by) => {
        fc.pre(a.getTime() !== b.getTime());
        const [later, earlier] = a > b ? [a, b] : [b, a];
        const query = new URLSearchParams({
          ...(by !== 'locationId' ? { sku: ids.sku } : {}),
          ...(by !== 'sku' ? { locationId: ids.location } : {}),
          from: written(later, zoneA),
          to: written(earlier, zoneB),
        });
        await refusedAt(await fetch(`${api.url}/movements?${query}`, { headers: as('admin') }), /^query\.to$/, `GET /movements?${query}`);
      }),
      { numRuns, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
  });

  it('reversed ranges in a campaign (expiry before its send time, a spend band upside down): 400', async () => {
    await fc.assert(
      fc.asyncProperty(instant, instant, fc.nat(maxUnitPrice), fc.nat(maxUnitPrice), async (a, b, x, y) => {
        fc.pre(a.getTime() !== b.getTime() && x !== y);
        const [later, earlier] = a > b ? [a, b] : [b, a];
        const campaign = templates().createCampaign as Record<string, unknown>;
        const post = (body: unknown) =>
          fetch(`${api.url}/campaigns`, { method: 'POST', headers: as('admin', { 'content-type': 'application/json' }), body: JSON.stringify(body) });
        await refusedAt(
          await post({ ...campaign, sendAt: later.toISOString(), expiresAt: earlier.toISOString() }),
          /^body\.expiresAt$/,
          'campaign expiring before it is sent',
        );
        const segment = { ...(campaign.segment as object), minSpend: Math.max(x, y), maxSpend: Math.min(x, y) };
        await refusedAt(await post({ ...campaign, segment }), /^body\.segment\.maxSpend$/, `segment ${JSON.stringify(segment)}`);
      }),
      { numRuns: Math.ceil(numRuns / 2), seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
  });

  it('POST /sales with money and quantities near 2^53: 400 naming the lines, never a 5xx', async () => {
    const huge = fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(maxUnitPrice, maxUnitPrice + 1, 2 ** 53 - 1, 100_000_000_000));
    const line = fc.record({
      qty: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(maxSaleLineQty, maxSaleLineQty + 1, 100_000)),
      unitPrice: huge,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), async (lines) => {
        const gross = lines.reduce((total, l) => total + l.qty * l.unitPrice, 0);
        // Only sales the schema refuses: one it accepts would be booked.
        fc.pre(gross > maxSaleTotal || lines.some((l) => l.qty > maxSaleLineQty || l.unitPrice > maxUnitPrice));
        const body = {
          saleId: ids.missing(30),
          locationId: ids.location,
          memberId: ids.member,
          lines: lines.map((l, i) => ({ sku: `${ids.sku}-${i}`, ...l })),
        };
        const answer = await fetch(`${api.url}/sales`, {
          method: 'POST',
          headers: as('admin', { 'content-type': 'application/json' }),
          body: JSON.stringify(body),
        });
        await refusedAt(answer, /^body\.lines/, `POST /sales ${JSON.stringify(lines).slice(0, 300)}`);
      }),
      { numRuns, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
  });

  it('control characters in anything that reaches a mail header: 400 naming the field', async () => {
    // C0 and C1 controls, DEL, and Unicode's line and paragraph separators.
    const control = fc
      .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }), fc.constantFrom(0x2028, 0x2029))
      .map((c) => String.fromCharCode(c));
    const targets: { path: string; field: string; headers: Record<string, string>; template: unknown }[] = [
      { path: '/members', field: 'name', headers: { 'idempotency-key': `${prefix}-k3` }, template: templates().registerMember },
      { path: '/campaigns', field: 'headline', headers: {}, template: templates().createCampaign },
      { path: '/campaigns', field: 'name', headers: {}, template: templates().createCampaign },
      { path: '/products', field: 'name', headers: {}, template: templates().createProduct },
      { path: '/locations', field: 'name', headers: {}, template: templates().createLocation },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets),
        fc.string({ minLength: 1, maxLength: 20 }),
        control,
        fc.string({ minLength: 1, maxLength: 20 }),
        async (target, before, c, after) => {
          const value = `${before}${c}${after}`;
          // Controls at either end of a member's name are trimmed away (and never stored); inside, they are refused.
          fc.pre(value.trim() === value);
          const body = { ...(target.template as object), [target.field]: value };
          const answer = await fetch(`${api.url}${target.path}`, {
            method: 'POST',
            headers: as('admin', { 'content-type': 'application/json', ...target.headers }),
            body: JSON.stringify(body),
          });
          await refusedAt(answer, new RegExp(`^body\\.${target.field}$`), `POST ${target.path} ${target.field}=${JSON.stringify(value)}`);
        },
      ),
      { numRuns, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
  });

  it('derived ids never collide and never pass for a client id, so a client can neither squat nor clash with one', () => {
    const clientId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
    const kind = fc.constantFrom('expire', 'campaign', 'po', 'hq', 'rfid');
    // A kind's parts are client ids; only the last may be anything, a derived id included.
    const parts = fc.tuple(
      fc.array(clientId, { maxLength: 3 }),
      fc.oneof(
        clientId,
        fc.string({ minLength: 1, maxLength: 80 }),
        clientId.map((id) => derivedId('expire', id)),
      ),
    );
    fc.assert(
      fc.property(kind, parts, parts, (k, [headA, lastA], [headB, lastB]) => {
        const a = derivedId(k, ...headA, lastA);
        expect(RequestId.safeParse(a).success).toBe(false);
        if (headA.length === headB.length && (headA.join('\n') !== headB.join('\n') || lastA !== lastB)) expect(derivedId(k, ...headB, lastB)).not.toBe(a);
      }),
      { numRuns: 2_000 },
    );
    // The collision the review found: two 64-character hold ids sharing their first 57 characters.
    const [one, two] = ['a', 'b'].map((last) => `${'h'.repeat(63)}${last}`);
    expect(derivedId('expire', one!)).not.toBe(derivedId('expire', two!));
  });

  it("wrote nothing: every item carrying this run's ids is as it was before the fuzz", async () => {
    const after = await snapshot();
    expect(after).toEqual(before);
  });

  it('left Object.prototype unpolluted', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('refused with a spread of statuses, not one blanket answer', () => {
    const statusesOf = (valid: boolean) =>
      new Set(
        Object.entries(answered)
          .filter(([k]) => k.startsWith('valid ') === valid)
          .flatMap(([, c]) => Object.keys(c).map(Number)),
      );
    // Hostile input: 400 validation, 403 a role, 404 unknown ids, 413 too large at least.
    for (const status of [400, 403, 404, 413]) expect(statusesOf(false)).toContain(status);
    // Valid bodies reach the business logic: unknown ids (404) and unknown references (422).
    for (const status of [404, 422]) expect(statusesOf(true)).toContain(status);
    console.info('fuzz answers per route and status', JSON.stringify(answered));
  });
});

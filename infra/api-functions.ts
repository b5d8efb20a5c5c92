/**
 * The API's Lambda functions: one per set of grants. Every route whose grants
 * are identical (`grantsKey`) is served by one function, whose role is those
 * grants, so no route runs with a right it did not declare; a small router
 * (shared/http/router.ts) picks the route's handler by the event's `routeKey`.
 *
 * Why not one function per route: 73 functions meant 73 cold containers in a
 * quiet chain and 73 copies of the SDK deployed; why not one per area: an
 * area's role would be the union of its routes' rights (BENCHMARKS.md, issue
 * 19 part 3).
 *
 * Each function's entry is generated from this table (`npm run api:types`
 * writes functions/api/by-grants/<name>.ts; test/unit/infra/api-functions.test.ts
 * fails when one is stale), so a route that changes its grants changes its
 * function.
 */
import { relative } from 'node:path';
import { type Grants, grantsKey } from './grants.ts';
import { type RouteName, type RouteWithGrants, routeKey, routeList } from './routes.ts';

export interface ApiFunction {
  /** `api` and the grants in words: `apiInventoryRead`, `apiMembersWriteSendsMessages`. */
  readonly name: string;
  /** The generated router, relative to the repository root. */
  readonly entry: string;
  readonly grants: Grants<string>;
  readonly routes: readonly [RouteName, RouteWithGrants][];
}

export const apiFunctionsDir = 'functions/api/by-grants';

const flagWords: Record<Exclude<keyof Grants, 'tables' | 'sendsTo'>, string> = {
  sendsMessages: 'SendsMessages',
  managesPushDevices: 'ManagesPushDevices',
  verifiesUnsubscribeLinks: 'VerifiesUnsubscribeLinks',
  publishesToGates: 'PublishesToGates',
  publishesLiveLevels: 'PublishesLiveLevels',
};

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The grants in words, in a fixed order: each table and its access, the queues, the other rights. */
const grantWords = (grants: Grants<string>): string[] => {
  const tables = Object.entries(grants.tables)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([table, access]) => `${capitalized(table)}${access === 'read' ? 'Read' : 'Write'}`);
  const queues = [...(grants.sendsTo ?? [])].sort().map((queue) => `SendsTo${capitalized(queue)}`);
  const flags = (Object.keys(flagWords) as (keyof typeof flagWords)[]).filter((flag) => grants[flag]).map((flag) => flagWords[flag]);
  const words = [...tables, ...queues, ...flags];
  return words.length > 0 ? words : ['NoTables'];
};

/** For the routers' comments and the functions' descriptions: "inventory read, members read-write, sends messages". */
export const grantsInWords = (grants: Grants<string>): string =>
  grantWords(grants)
    .map((word) =>
      kebab([word.replace(/Write$/, 'ReadWrite')])
        .replaceAll('-', ' ')
        .replace(/read write$/, 'read-write'),
    )
    .join(', ');

const kebab = (words: readonly string[]) => words.map((w) => w.replace(/[A-Z]/g, (c, i) => `${i === 0 ? '' : '-'}${c.toLowerCase()}`)).join('-');

/** Every API function, in the order its first route appears in infra/routes.ts. */
export const apiFunctionList = (): ApiFunction[] => {
  const byKey = new Map<string, { grants: Grants<string>; routes: [RouteName, RouteWithGrants][] }>();
  for (const [name, route] of routeList()) {
    const key = grantsKey(route);
    const group = byKey.get(key) ?? { grants: route, routes: [] };
    group.routes.push([name, route]);
    byKey.set(key, group);
  }
  return [...byKey.values()].map(({ grants, routes }) => {
    const words = grantWords(grants);
    const { tables, sendsTo, sendsMessages, managesPushDevices, verifiesUnsubscribeLinks, publishesToGates, publishesLiveLevels } = grants;
    return {
      name: `api${words.join('')}`,
      entry: `${apiFunctionsDir}/${kebab(words)}.ts`,
      // The grants alone, not the first route's other fields.
      grants: { tables, sendsTo, sendsMessages, managesPushDevices, verifiesUnsubscribeLinks, publishesToGates, publishesLiveLevels },
      routes,
    };
  });
};

/** The function that serves each route. */
export const apiFunctionOf = (): ReadonlyMap<string, ApiFunction> => new Map(apiFunctionList().flatMap((fn) => fn.routes.map(([name]) => [name, fn] as const)));

/** The export every generated router names its handler. */
export const apiFunctionHandler = 'handler';

/** The router module of `fn`: its routes' handlers, imported by name (so the bundle holds only their modules), keyed by route key. */
export const apiFunctionSource = (fn: ApiFunction): string => {
  const importPath = (file: string) => {
    const path = relative(apiFunctionsDir, file);
    return path.startsWith('.') ? path : `./${path}`;
  };
  const byModule = new Map<string, string[]>();
  for (const [name, route] of fn.routes) byModule.set(route.entry, [...(byModule.get(route.entry) ?? []), name]);
  const imports = [...byModule.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([entry, names]) => `import { ${[...names].sort().join(', ')} } from '${importPath(entry)}';`);
  return [
    '/**',
    ` * Generated by \`npm run api:types\` from infra/api-functions.ts; do not edit.`,
    ` * The API function ${fn.name}: the ${fn.routes.length === 1 ? 'route' : `${fn.routes.length} routes`} whose grants are exactly ${grantsInWords(fn.grants)}.`,
    ' */',
    `import { apiRouter } from '${importPath('shared/http/router.ts')}';`,
    ...imports,
    '',
    `export const ${apiFunctionHandler} = apiRouter({`,
    ...fn.routes.map(([name, route]) => `  '${routeKey(route)}': ${name},`),
    '});',
    '',
  ].join('\n');
};

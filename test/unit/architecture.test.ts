import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The rule for what may import what (docs/architecture.md), checked on every
 * relative import and every package import of the source tree.
 */
const root = resolve(import.meta.dirname, '../..');

const sourceFiles = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });

/** Every module a file imports: relative ones resolved to repository paths, packages by name. */
const importsOf = (file: string): string[] => {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]!);
  return specifiers.map((s) => (s.startsWith('.') ? relative(root, resolve(join(root, dirname(file)), s)) : s));
};

/** Layers, most specific first: a file belongs to the first whose prefix it has. */
const layers = [
  ['local cloud', 'infra/local/'],
  ['stack', 'infra/'],
  ['routers', 'functions/api/by-grants/'],
  ['handlers', 'functions/'],
  ['use-cases', 'shared/app/'],
  ['http', 'shared/http/'],
  ['repositories', 'shared/db/'],
  ['adapters', 'shared/messaging/'],
  ['schemas', 'shared/schemas/'],
  ['domain', 'shared/domain/'],
  ['observability', 'shared/observability.ts'],
  ['clock', 'shared/clock.ts'],
  ['shared helpers', 'shared/'],
] as const;
type Layer = (typeof layers)[number][0];

const layerOf = (path: string): Layer | undefined => layers.find(([, prefix]) => path.startsWith(prefix))?.[0];

/** What each layer may import from the repository (packages are checked below). */
const mayImport: Record<Layer, readonly Layer[]> = {
  'local cloud': [
    'local cloud',
    'stack',
    'handlers',
    'use-cases',
    'http',
    'repositories',
    'adapters',
    'schemas',
    'domain',
    'observability',
    'clock',
    'shared helpers',
  ],
  // Declarations read schemas for routes and entity names for stream filters; the stack reads declarations only.
  stack: ['stack', 'schemas', 'domain', 'repositories'],
  // An API function's generated router (infra/api-functions.ts) names the handlers of its routes and the router.
  routers: ['handlers', 'http'],
  // Handlers call use-cases only: never a repository, never an adapter.
  handlers: ['stack', 'http', 'use-cases', 'schemas', 'domain', 'observability', 'clock', 'shared helpers'],
  'use-cases': ['use-cases', 'repositories', 'adapters', 'schemas', 'domain', 'observability', 'clock', 'shared helpers'],
  http: ['http', 'stack', 'schemas', 'domain', 'observability'],
  // Repositories hold keys, items and queries: they send nothing (adapters are the use-cases' to call); they may name a template.
  repositories: ['repositories', 'stack', 'adapters', 'schemas', 'domain', 'observability', 'clock', 'shared helpers'],
  adapters: ['adapters', 'stack', 'schemas', 'domain', 'observability', 'clock'],
  schemas: ['schemas', 'domain', 'stack'],
  domain: ['domain'],
  observability: [],
  // The one clock (shared/clock.ts): what reads the time reads it there; the domain is given it.
  clock: [],
  'shared helpers': ['shared helpers', 'adapters', 'domain', 'schemas', 'observability', 'clock'],
};

/** Where a layer may reach into another only for certain modules, those modules. */
const onlyThese: Partial<Record<Layer, Partial<Record<Layer, readonly string[]>>>> = {
  stack: { repositories: ['shared/db/keys.ts'] },
  repositories: { stack: ['infra/tables.ts'], adapters: ['shared/messaging/templates.ts'] },
  adapters: { stack: ['infra/topics.ts', 'infra/queues.ts'] },
  http: { stack: ['infra/routes.ts'] },
  routers: { http: ['shared/http/router.ts'] },
  // A handler imports its own route module (infra/routes/<name>.ts), so its bundle holds only its own schemas.
  handlers: { stack: readdirSync(join(root, 'infra/routes')).map((file) => `infra/routes/${file}`) },
  schemas: { stack: ['infra/routes.ts'] },
};

const files = [...sourceFiles('shared'), ...sourceFiles('functions'), ...sourceFiles('infra')];

describe('the layers (docs/architecture.md)', () => {
  it('import only what the rule allows', () => {
    const broken: string[] = [];
    for (const file of files) {
      const from = layerOf(file)!;
      for (const target of importsOf(file)) {
        // Packages match no layer's prefix; repository paths do.
        const to = layerOf(target);
        if (!to) continue;
        if (!mayImport[from].includes(to)) broken.push(`${file} (${from}) -> ${target} (${to})`);
        const only = onlyThese[from]?.[to];
        if (only && !only.includes(target)) broken.push(`${file} (${from}) -> ${target}: only ${only.join(', ')}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('keep the domain pure: no AWS SDK, no I/O, no clock of its own', () => {
    const impure = sourceFiles('shared/domain').flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith('@aws-sdk/') || ['node:fs', 'node:http', 'node:net', 'node:child_process'].includes(target))
        .map((t) => `${file} -> ${t}`),
    );
    expect(impure).toEqual([]);
  });

  it('read the time from the one clock (shared/clock.ts), which the local cloud may drive and AWS never does', () => {
    const ownClocks = [...sourceFiles('shared'), ...sourceFiles('functions')]
      .filter((file) => file !== 'shared/clock.ts')
      .flatMap((file) =>
        readFileSync(join(root, file), 'utf8')
          .split('\n')
          .flatMap((line, i) => (/new Date\(\)|Date\.now\(\)/.test(line.replace(/\/\/.*|^\s*\*.*/, '')) ? [`${file}:${i + 1}`] : [])),
      );
    expect(ownClocks).toEqual([]);
  });

  it('keep the simulated physical truth and the benchmarks out of the product', () => {
    const leaks = files.flatMap((file) =>
      importsOf(file)
        .filter((t) => t.startsWith('simulator/') || t.startsWith('bench/'))
        .map((t) => `${file} -> ${t}`),
    );
    expect(leaks).toEqual([]);
  });

  it('keep handlers off the SDK: they call repositories and adapters', () => {
    const direct = sourceFiles('functions').flatMap((file) =>
      importsOf(file)
        .filter((target) => /^@aws-sdk\/(client|lib)-/.test(target))
        .map((t) => `${file} -> ${t}`),
    );
    expect(direct).toEqual([]);
  });
});

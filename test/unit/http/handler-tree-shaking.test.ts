/**
 * An API function (infra/api-functions.ts) bundles the handler modules of its
 * routes, but only the handlers it routes survive: each `httpHandler(...)`
 * call is marked `/* @__PURE__ *\/` and its arguments are free of side
 * effects (the route read from the route module's namespace, `import * as
 * routes`; each route its own export), so esbuild drops the other handlers
 * of a module, their routes and schemas, and everything only they import.
 * Without that, the read-only inventory function carried the checkout and
 * the SES, SNS and SMS clients (through the feedback module's thank-you
 * message), 250 KiB and ~15 ms of init more.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { apiFunctionList, apiFunctionOf } from '../../../infra/api-functions.ts';
import { esbuildOptions } from '../../../infra/bundling.ts';
import { routeList } from '../../../infra/routes.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');

/** The files whose code ends up in the bundle (not merely read while bundling), and its code. */
const bundle = async (entry: string): Promise<{ files: string[]; code: string }> => {
  const result = await build({
    ...esbuildOptions,
    entryPoints: [entry],
    metafile: true,
    write: false,
    outfile: 'index.mjs',
  });
  const [output] = Object.values(result.metafile.outputs);
  const files = Object.entries(output!.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => file);
  return { files, code: result.outputFiles[0]!.text };
};
const bundled = async (entry: string) => (await bundle(entry)).files;

describe('handlers an API function does not route', () => {
  it('are left out of its bundle, with what only they import', { timeout: 60_000 }, async () => {
    // getSale and the ratings reads share modules with createSale and giveFeedback, which are routed elsewhere.
    expect(apiFunctionOf().get('getSale')!.name).toBe('apiInventoryRead');
    expect(apiFunctionOf().get('createSale')!.name).not.toBe('apiInventoryRead');
    const reads = await bundled(apiFunctionOf().get('getSale')!.entry);
    expect(reads).toContain('shared/app/sales.ts');
    expect(reads).not.toContain('shared/app/checkout.ts');
    expect(reads).not.toContain('shared/messaging/channels.ts');
    expect(reads.filter((file) => /node_modules\/@aws-sdk\/client-(sesv2|sns|pinpoint-sms-voice-v2)\//.test(file))).toEqual([]);
    // The function that routes them keeps them.
    const sales = await bundled(apiFunctionOf().get('createSale')!.entry);
    expect(sales).toContain('shared/app/checkout.ts');
  });

  // Sixteen bundles: a few seconds on a quiet machine, more beside a simulation.
  it("and their routes: each function's bundle holds the definitions of its own routes and of no other", { timeout: 120_000 }, async () => {
    for (const fn of apiFunctionList()) {
      const { code } = await bundle(fn.entry);
      const own = new Set(fn.routes.map(([name]) => name));
      // A route's summary is its own text; the OpenAPI document (served by apiNoTables) quotes them all.
      const others = routeList().filter(([name, route]) => !own.has(name) && !fn.routes.some(([, r]) => r.summary === route.summary));
      for (const [name, route] of fn.routes) expect(code.includes(JSON.stringify(route.summary).slice(1, -1)), `${fn.name} lacks ${name}`).toBe(true);
      if (fn.name !== 'apiNoTables')
        expect(
          others.filter(([, route]) => code.includes(JSON.stringify(route.summary).slice(1, -1))).map(([name]) => name),
          fn.name,
        ).toEqual([]);
    }
  });

  it('can be dropped only while every handler is marked pure and reads its route from the namespace', () => {
    const modules = readdirSync(join(repoRoot, 'functions/api'))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(repoRoot, 'functions/api', file), 'utf8'));
    const calls = modules.flatMap((text) => text.match(/=\s*(\/\* @__PURE__ \*\/ )?httpHandler\([^,]+,/g) ?? []);
    expect(calls.length).toBeGreaterThan(50);
    expect(calls.filter((call) => !/= \/\* @__PURE__ \*\/ httpHandler\(routes\.\w+,$/.test(call))).toEqual([]);
    for (const text of modules.filter((t) => t.includes('httpHandler(')))
      expect(text).toMatch(/^import \* as routes from '\.\.\/\.\.\/infra\/routes\/[a-z-]+\.ts';$/m);
  });
});

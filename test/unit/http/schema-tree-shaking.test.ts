/**
 * A function's bundle builds only the zod schemas its code uses
 * (BENCHMARKS.md, issue 19 part 3, session 10): every call at the top level
 * of a schema module carries `/* @__PURE__ *\/`, so esbuild drops the
 * schemas nothing in the bundle reads, and the Lambda does not construct
 * them at init. A call without it (at the top level, or an argument of
 * one) keeps its schema and everything it names in every bundle that
 * imports the module.
 *
 * Checked the way the stack bundles (infra/bundling.ts, zod bundled): a
 * module imported for nothing leaves no zod in the bundle; importing one
 * schema keeps that schema and not its neighbours.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../../infra/bundling.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
// The OpenAPI builder runs at build time only; the rest is what functions import.
const modules = readdirSync(resolve(repoRoot, 'shared/schemas')).filter((f) => f.endsWith('.ts') && f !== 'openapi.ts');

const bundle = async (contents: string): Promise<string> => {
  const result = await build({
    ...esbuildOptions,
    stdin: { contents, resolveDir: repoRoot, loader: 'ts', sourcefile: 'entry.ts' },
    write: false,
  });
  return result.outputFiles[0]!.text;
};

describe('schema modules in a bundle', () => {
  it.each(modules)('%s imported for nothing builds no schema (no zod in the bundle)', async (file) => {
    const code = await bundle(`import './shared/schemas/${file}';`);
    // zod's own code would be ~50 KiB; what may stay is plain constants (regexes, numbers).
    const hint = `a top-level call in shared/schemas/${file} lacks /* @__PURE__ */ (or has an argument that is a call without it)`;
    expect(code, hint).not.toMatch(/\$ZodType|_zod/);
    expect(code.length, hint).toBeLessThan(2048);
  });

  it('importing one schema keeps it and drops its neighbours', async () => {
    const code = await bundle(`import { CampaignParams } from './shared/schemas/members.ts'; export const schema = CampaignParams;`);
    expect(code).toContain('_zod');
    // Member, Email (and libphonenumber with Phone) live in the same module, unused here.
    expect(code).not.toContain('Email address; stored lower-case');
    expect(code).not.toContain('libphonenumber');
  });
});

/**
 * CI lint of the generated document (issue 16, "Kept true by CI"): Redocly
 * CLI with the recommended rules, plus a description and a declared,
 * described tag on every operation (redocly.yaml at the repository root).
 * 0 errors and 0 warnings. Runs offline: telemetry and the update notice are
 * off, the document has no remote $ref and the config extends only the
 * built-in ruleset.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../../shared/schemas/openapi.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'stockclub-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface LintResult {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; message: string; severity: string; location: { pointer?: string }[] }[];
}

const lint = async (doc: unknown, name: string): Promise<LintResult> => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  const bin = join(root, 'node_modules/.bin/redocly');
  const result = await run(bin, ['lint', '--config', join(root, 'redocly.yaml'), '--format', 'json', file], {
    cwd: root,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
  return JSON.parse(result.stdout) as LintResult;
};

describe('redocly lint', () => {
  it('finds no error and no warning in the document', { timeout: 60_000 }, async () => {
    const result = await lint(buildOpenApi(), 'openapi.json');
    const found = result.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(found).toEqual([]);
    expect(result.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('would fail an operation without a description or a tag, or with an undeclared tag', { timeout: 60_000 }, async () => {
    const doc = buildOpenApi() as any;
    delete doc.paths['/health'].get.description;
    delete doc.paths['/health'].get.tags;
    doc.paths['/products'].post.tags = ['undeclared'];
    const result = await lint(doc, 'broken.json');
    const rules = result.problems.filter((p) => p.severity === 'error').map((p) => p.ruleId);
    expect(rules).toEqual(expect.arrayContaining(['operation-description', 'rule/operation-has-tags', 'operation-tag-defined']));
  });
});

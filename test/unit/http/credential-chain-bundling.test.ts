/**
 * A function's bundle carries no part of the SDK's default credential chain
 * (SSO, ini files, processes, web identity, login, token providers and the
 * STS/SSO/signin clients they use): infra/bundling.ts aliases
 * `@aws-sdk/credential-provider-node` to shared/aws/lambda-credentials.ts,
 * which reads Lambda's environment (and the container credentials endpoint).
 *
 * Checked the way the stack bundles (infra/bundling.ts, SDK bundled), from
 * esbuild's metafile: the DynamoDB document client alone, and a handler
 * module.
 */
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../../infra/bundling.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const chain = /node_modules\/@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|login)|nested-clients|token-providers)\//;
const ours = 'shared/aws/lambda-credentials.ts';
const documentClient =
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\n" +
  'export const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n';

/** The bundle's input files, repository-relative. */
const inputs = async (entry: { contents: string } | { file: string }, alias: Record<string, string> = esbuildOptions.alias): Promise<string[]> => {
  const result = await build({
    ...esbuildOptions,
    ...('file' in entry ? { entryPoints: [entry.file] } : { stdin: { contents: entry.contents, resolveDir: repoRoot, loader: 'ts', sourcefile: 'entry.ts' } }),
    alias,
    metafile: true,
    write: false,
  });
  return Object.keys(result.metafile.inputs);
};

describe("the SDK's credential chain in a bundle", () => {
  // A bundle takes a second on a quiet machine, several beside a simulation.
  it('is there without the alias (what the assertions below look for exists)', { timeout: 60_000 }, async () => {
    const files = await inputs({ contents: documentClient }, {});
    expect(files.filter((f) => chain.test(f)).length).toBeGreaterThan(10);
    expect(files).not.toContain(ours);
  });

  it.each([
    ['the DynamoDB document client alone', { contents: documentClient }],
    ['functions/api/stock.ts', { file: 'functions/api/stock.ts' }],
  ])('is gone from %s, shared/aws/lambda-credentials.ts in its place', { timeout: 60_000 }, async (_, entry) => {
    const files = await inputs(entry);
    expect(files.filter((f) => chain.test(f))).toEqual([]);
    expect(files).toContain(ours);
  });
});

/**
 * How every function is bundled: infra/constructs/function.ts hands these to
 * NodejsFunction, bench/lambda.ts to esbuild, so the benchmark measures what
 * the stack ships.
 *
 * Source maps hold the project's own code only: no sources content
 * (`sourcesContent: false`: a stack trace names file, line and column; the
 * code is in the repository at the deployed commit), and, after bundling,
 * no mappings into node_modules (`ownSourceMap`). Before, each map carried the
 * text of every dependency and was ~3.7x its bundle.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import type { BuildOptions } from 'esbuild';

export const bundling = {
  format: 'esm',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  mainFields: ['module', 'main'],
  // The SDK version the tests ran against, not whichever the runtime ships; bundled, it also loads faster (BENCHMARKS.md, issue 19 part 3).
  bundleAwsSDK: true,
  // Some dependencies still call require(); ESM bundles need it defined.
  banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
  // esbuild aliases, package -> file relative to the repository root (esbuild's working directory for the stack and the bench).
  // The SDK's default credential chain is ~125 KiB of each bundle; Lambda's credentials are in the environment (shared/aws/lambda-credentials.ts).
  alias: { '@aws-sdk/credential-provider-node': './shared/aws/lambda-credentials.ts' },
} as const;

/**
 * The same options for esbuild's own API, run from the repository root as
 * NodejsFunction runs it: what bench/lambda.ts and the bundling tests build
 * with (maps and output are theirs to choose).
 */
export const esbuildOptions = {
  absWorkingDir: resolve(import.meta.dirname, '..'),
  bundle: true,
  platform: 'node',
  format: bundling.format,
  target: bundling.target,
  minify: bundling.minify,
  mainFields: [...bundling.mainFields],
  banner: { js: bundling.banner },
  alias: bundling.alias,
  logLevel: 'error',
} as const satisfies BuildOptions;

export interface SourceMapV3 {
  version: number;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  [key: string]: unknown;
}

const inNodeModules = (path: string) => /(^|[/\\])node_modules[/\\]/.test(path);

/**
 * The map with only the mappings into the project's own files (none under
 * node_modules), its sources renumbered in their order and its names in order
 * of first use. Where a dependency's code starts, an unmapped segment ends the
 * preceding mapping, so a frame in a dependency shows its bundle position,
 * never a wrong line of ours. The VLQ mappings are decoded and encoded by
 * @jridgewell/sourcemap-codec.
 */
export const ownSourceMap = (map: SourceMapV3, isOwn = (source: string) => !inNodeModules(source)): SourceMapV3 => {
  const keptSources = new Map<number, number>();
  map.sources.forEach((source, i) => {
    if (isOwn(source)) keptSources.set(i, keptSources.size);
  });
  const keptNames = new Map<number, number>();
  const lines = decode(map.mappings).map((line) => {
    const out: SourceMapSegment[] = [];
    let lastWasOwn = false;
    for (const segment of line) {
      // Unmapped segments are dropped.
      if (segment.length === 1) continue;
      const [column, source, sourceLine, sourceColumn] = segment;
      const newSource = keptSources.get(source);
      if (newSource === undefined) {
        if (lastWasOwn) out.push([column]);
        lastWasOwn = false;
        continue;
      }
      if (segment.length === 5) {
        let newName = keptNames.get(segment[4]);
        if (newName === undefined) {
          newName = keptNames.size;
          keptNames.set(segment[4], newName);
        }
        out.push([column, newSource, sourceLine, sourceColumn, newName]);
      } else {
        out.push([column, newSource, sourceLine, sourceColumn]);
      }
      lastWasOwn = true;
    }
    return out;
  });
  const sources = map.sources.filter((_, i) => keptSources.has(i));
  const names = [...keptNames.keys()].map((i) => map.names[i]!);
  const { sourcesContent, ...rest } = map;
  return {
    ...rest,
    sources,
    ...(sourcesContent ? { sourcesContent: sourcesContent.filter((_, i) => keptSources.has(i)) } : {}),
    names,
    mappings: encode(lines),
  };
};

/** Rewrites a map file in place (the functions' afterBundling hook: `tsx infra/bundling.ts <file.map>...`). */
export const trimSourceMapFile = (file: string): void => {
  const map = JSON.parse(readFileSync(file, 'utf8')) as SourceMapV3;
  // Sources are relative to the map: resolved, a dependency's path has a node_modules segment wherever the bundle was written.
  const root = resolve(dirname(file), typeof map.sourceRoot === 'string' ? map.sourceRoot : '');
  writeFileSync(file, JSON.stringify(ownSourceMap(map, (source) => !inNodeModules(resolve(root, source)))));
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const file of process.argv.slice(2)) trimSourceMapFile(file);
}

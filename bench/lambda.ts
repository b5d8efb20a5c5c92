/**
 * Lambda: for every function the stack deploys (each route handler export,
 * stream consumer, topic rule function and scheduled job), the bundle the
 * stack would ship and its module init time.
 *
 * - Bundle: esbuild with the options infra/constructs/function.ts gives NodejsFunction
 *   (bundle, platform node, ESM, target node22, minify, source map,
 *   mainFields module/main, the createRequire banner, the AWS SDK bundled,
 *   not external). The bundle depends only on the entry file, not on the
 *   handler export, so functions sharing an entry share one bundle: one
 *   build, one row, the functions listed.
 * - Init: `import()` of the built bundle in a fresh `node` process with the
 *   environment the stack sets (NODE_OPTIONS=--enable-source-maps,
 *   Powertools variables), median of 10 processes. Node here is the
 *   machine's (20), not Lambda's 22; the Lambda runtime's own start is not
 *   in it.
 * - SDK clients: every `new ...Client(...)` / `...Client.from(...)` in the
 *   project's own files each bundle contains (from esbuild's metafile),
 *   checked with the TypeScript parser: at module scope (once per
 *   container) or inside a function (possibly once per invocation).
 *
 * Baseline in the same run: a bundle holding only the DynamoDB document
 * client, created at module scope, built and timed the same way.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import ts from 'typescript';
import { routeList } from '../infra/routes.ts';
import { scheduleList } from '../infra/schedules.ts';
import { streamConsumerList } from '../infra/streams.ts';
import { tables } from '../infra/tables.ts';
import { topicRules } from '../infra/topics.ts';
import { type BenchRow, percentile, round } from './harness.ts';

const run = promisify(execFile);
const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const outRoot = join(tmpdir(), `stockclub-bench-lambda-${process.pid}`);
const initRuns = 10;

/** As infra/constructs/function.ts bundles (NodejsFunction with its `bundling` options). */
const bundleEntry = async (entry: string | { contents: string }, outDir: string) => {
  const outfile = join(outDir, 'index.mjs');
  const result = await build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: repoRoot, loader: 'ts' as const, sourcefile: 'sdk-only.ts' } }),
    absWorkingDir: repoRoot,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    banner: { js: "import{createRequire}from'module';const require=createRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'error',
  });
  const code = readFileSync(outfile);
  return {
    outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    mapBytes: statSync(`${outfile}.map`).size,
    inputs: Object.keys(result.metafile.inputs),
  };
};

/** The environment infra/constructs/function.ts gives every function, table names included. */
const functionEnv = (name: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  NODE_OPTIONS: '--enable-source-maps',
  POWERTOOLS_SERVICE_NAME: 'stockclub',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: name,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  // Lambda runs Node 22, where the SDK has nothing to warn about; here (Node 20) the warning would be timed too.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  ...Object.fromEntries(Object.values(tables).map((t) => [t.envVar, `bench-${t.envVar.toLowerCase()}`])),
});

const probe = `const t=performance.now();const m=await import(process.argv[1]);const ms=performance.now()-t;process.stdout.write(JSON.stringify({ms,exports:Object.keys(m)}));`;

/** Median import time of the bundle in fresh processes, and the exports it has. */
const initTime = async (outfile: string, env: NodeJS.ProcessEnv) => {
  const times: number[] = [];
  let exports: string[] = [];
  for (let i = 0; i < initRuns; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe, pathToFileURL(outfile).href], { env, cwd: outRoot });
    const parsed = JSON.parse(stdout) as { ms: number; exports: string[] };
    times.push(parsed.ms);
    exports = parsed.exports;
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), min: times[0]!, max: times[times.length - 1]!, exports };
};

interface ClientSite {
  file: string;
  line: number;
  client: string;
  moduleScope: boolean;
}

/** SDK client constructions in the project's own source, and whether they run at module load. */
const clientSites = (file: string): ClientSite[] => {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const sites: ClientSite[] = [];
  const visit = (node: ts.Node, inFunction: boolean) => {
    let client: string | undefined;
    if (ts.isNewExpression(node) && /Client$/.test(node.expression.getText(source))) client = node.expression.getText(source);
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      /Client$/.test(node.expression.expression.getText(source)) &&
      node.expression.name.text === 'from'
    ) {
      client = node.expression.expression.getText(source);
    }
    if (client) {
      sites.push({
        file: relative(repoRoot, file),
        line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
        client,
        moduleScope: !inFunction,
      });
    }
    ts.forEachChild(node, (child) => visit(child, inFunction || ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)));
  };
  visit(source, false);
  return sites;
};

export const benchLambda = async (): Promise<BenchRow[]> => {
  const functions = [
    ...routeList().map(([name, route]) => ({ name, entry: route.entry, kind: 'route' })),
    ...streamConsumerList().map(([name, consumer]) => ({ name, entry: consumer.entry, kind: 'stream' })),
    ...Object.entries(topicRules).map(([name, rule]) => ({ name, entry: rule.entry, kind: 'topic rule' })),
    ...scheduleList().map(([name, schedule]) => ({ name, entry: schedule.entry, kind: 'job' })),
  ];
  const entries = [...new Set(functions.map((f) => f.entry))];
  rmSync(outRoot, { recursive: true, force: true });
  mkdirSync(outRoot, { recursive: true });
  const rows: BenchRow[] = [];
  try {
    // Baseline: the DynamoDB document client alone, at module scope.
    const baselineEntry = {
      contents:
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\n" +
        'export const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));\nexport const handler = async () => client.config.region;\n',
    };
    const sdkOnly = await bundleEntry(baselineEntry, join(outRoot, 'sdk-only'));
    const sdkInit = await initTime(sdkOnly.outfile, functionEnv('sdkOnly'));
    const sizeBaseline = `DynamoDB document client alone: ${round(sdkOnly.bytes / 1024)} KiB`;
    const initBaseline = `DynamoDB document client alone: ${round(sdkInit.median)} ms`;

    const sites = new Map<string, ClientSite>();
    const totals = { bytes: 0, functions: 0 };
    let largest: { entry: string; outfile: string; bytes: number; init: number; name: string } | undefined;
    for (const entry of entries) {
      const names = functions.filter((f) => f.entry === entry);
      const slug = entry.replace(/[^a-z0-9]+/gi, '-');
      const bundle = await bundleEntry(resolve(repoRoot, entry), join(outRoot, slug));
      const init = await initTime(bundle.outfile, functionEnv(names[0]!.name));
      const missing = names.filter((f) => !init.exports.includes(f.name));
      if (missing.length > 0) throw new Error(`lambda bench: ${entry} does not export ${missing.map((f) => f.name).join(', ')}`);
      for (const input of bundle.inputs) {
        if (input.includes('node_modules') || !/\.[cm]?ts$/.test(input)) continue;
        for (const site of clientSites(resolve(repoRoot, input))) sites.set(`${site.file}:${site.line}:${site.client}`, site);
      }
      const clientsHere = [
        ...new Set(
          bundle.inputs.flatMap((input) => [...sites.values()].filter((s) => resolve(repoRoot, input) === resolve(repoRoot, s.file)).map((s) => s.client)),
        ),
      ];
      if (!largest || bundle.bytes > largest.bytes) largest = { entry, outfile: bundle.outfile, bytes: bundle.bytes, init: init.median, name: names[0]!.name };
      totals.bytes += bundle.bytes * names.length;
      totals.functions += names.length;
      const list = names.map((f) => f.name).join(', ');
      rows.push(
        {
          name: `lambda: ${entry} bundle, minified (${names.length} fn: ${list})`,
          figure: round(bundle.bytes / 1024),
          unit: 'KiB',
          baseline: `gzip ${round(bundle.gzipBytes / 1024)} KiB; source map beside it ${round(bundle.mapBytes / 1024)} KiB; ${bundle.inputs.filter((i) => i.includes('node_modules')).length} of ${bundle.inputs.length} inputs from node_modules; SDK clients ${clientsHere.join(', ') || 'none'}; ${sizeBaseline}`,
        },
        {
          name: `lambda: ${entry} init, median of ${initRuns}`,
          figure: round(init.median),
          unit: 'ms',
          baseline: `min ${round(init.min)}, max ${round(init.max)} ms; ${initBaseline}`,
        },
      );
    }
    // What NODE_OPTIONS=--enable-source-maps (set by the stack) costs at init: the largest bundle without it.
    if (largest) {
      const plain = await initTime(largest.outfile, { ...functionEnv(largest.name), NODE_OPTIONS: '' });
      rows.push({
        name: `lambda: ${largest.entry} init without --enable-source-maps, median of ${initRuns}`,
        figure: round(plain.median),
        unit: 'ms',
        baseline: `with it (as deployed): ${round(largest.init)} ms`,
      });
    }
    const perInvocation = [...sites.values()].filter((s) => !s.moduleScope);
    const moduleScope = [...sites.values()].filter((s) => s.moduleScope);
    rows.push(
      {
        name: `lambda: functions / distinct bundles`,
        figure: totals.functions,
        unit: 'functions',
        baseline: `${entries.length} bundles; ${round(totals.bytes / 1024 / 1024, 2)} MiB deployed in all (each function ships its own copy)`,
      },
      {
        name: 'lambda: AWS SDK clients created inside a function (per invocation)',
        figure: perInvocation.length,
        unit: 'sites',
        baseline:
          (perInvocation.length ? `${perInvocation.map((s) => `${s.client} at ${s.file}:${s.line}`).join('; ')}; ` : '') +
          `module scope (once per container): ${moduleScope.map((s) => `${s.client} at ${s.file}:${s.line}`).join('; ')}`,
      },
    );
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
  return rows;
};

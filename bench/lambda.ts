/**
 * Lambda: for every function the stack deploys (the API's functions, one per
 * set of grants with its generated router, and every stream consumer, topic
 * rule function, scheduled job, queue worker, notification consumer and the
 * live feed's authorizer), the bundle the stack would ship and its module
 * init time.
 *
 * - Bundle: esbuild with infra/bundling.ts's options, the ones
 *   infra/constructs/function.ts gives NodejsFunction (bundle, platform node,
 *   ESM, target node22, minify, mainFields module/main, the createRequire
 *   banner, the AWS SDK bundled, a source map without sources content, cut
 *   to the project's own files after bundling). The bundle depends only on
 *   the entry file, not on the handler export, so functions sharing an entry
 *   share one bundle: one build, one row, the functions listed.
 * - Each bundle is also built with the AWS SDK left to the runtime (external,
 *   resolved from this repository's node_modules as Lambda resolves the
 *   runtime's), and its source map as it was before issue 19 part 3 (every
 *   source, with content): the alternatives, measured in the same run.
 * - Init: `import()` of the built bundle in a fresh `node` process with the
 *   environment the stack sets (NODE_OPTIONS=--enable-source-maps,
 *   Powertools variables), median of 10 processes; also the CPU time the
 *   importing process spent (user + system, process.cpuUsage()), which a
 *   loaded machine disturbs far less than wall time (BENCHMARKS.md, issue 19
 *   part 3, session 10). Paired: the bundle, its
 *   runtime-SDK build and the two baselines run in turn, round after round,
 *   so load on the machine falls on all of them alike. Node here is the
 *   machine's (20), not Lambda's 22; the Lambda runtime's own start is not
 *   in it.
 * - SDK clients: every `new ...Client(...)` / `...Client.from(...)` in the
 *   project's own files each bundle contains (from esbuild's metafile),
 *   checked with the TypeScript parser: at module scope (once per
 *   container) or inside a function (possibly once per invocation).
 * - The API stack's resource count, synthesized (bundling skipped), and the
 *   deployed code, next to the layouts not chosen: one function per route
 *   (each shipping its handler module's bundle, as before session 11) and
 *   one per area (the area's handler modules in one bundle, its size and
 *   init, the IAM grants its one role would need).
 *
 * BENCH_LAMBDA_ENTRIES=functions/api/by-grants/inventory-read.ts,functions/jobs/expire-points.ts
 * measures only those entries (bundle and init rows, and the median over
 * their functions), without the one-function-per-area and source-map parts:
 * a quick before/after of one handler module.
 *
 * Baseline in the same run: a bundle holding only the DynamoDB document
 * client, created at module scope, built and timed the same way (SDK
 * bundled, and SDK from the runtime). The init target's baseline is that
 * client as the SDK ships it; the same client with infra/bundling.ts's
 * credential-chain alias is timed too, so the ratio to it is our own code's
 * share alone.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import ts from 'typescript';
import { bundling, esbuildOptions, trimSourceMapFile } from '../infra/bundling.ts';
import { apiFunctionHandler, apiFunctionList } from '../infra/api-functions.ts';
import { notificationConsumerList } from '../infra/notifications.ts';
import { queueList } from '../infra/queues.ts';
import { routeList } from '../infra/routes.ts';
import { scheduleList } from '../infra/schedules.ts';
import { streamConsumerList } from '../infra/streams.ts';
import { tables } from '../infra/tables.ts';
import { topicRules } from '../infra/topics.ts';
import { type BenchRow, percentile, round } from './harness.ts';

const run = promisify(execFile);
const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
// Inside the repository's node_modules: a bundle built with the SDK external finds it there, as Lambda's finds the runtime's.
const outRoot = join(repoRoot, 'node_modules', '.cache', `stockclub-bench-lambda-${process.pid}`);
const initRuns = 10;

type Sdk = 'bundled' | 'runtime';
type Entry = string | { contents: string; name: string };

/** As infra/constructs/function.ts bundles (NodejsFunction with infra/bundling.ts's options and aliases, the map cut to our own files). */
const bundleEntry = async (entry: Entry, outDir: string, sdk: Sdk = 'bundled', { withAliases = true } = {}) => {
  const outfile = join(outDir, withAliases ? sdk : `${sdk}-as-the-sdk-ships`, 'index.mjs');
  const options = {
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: repoRoot, loader: 'ts' as const, sourcefile: `${entry.name}.ts` } }),
    ...esbuildOptions,
    alias: withAliases ? esbuildOptions.alias : {},
    external: sdk === 'runtime' ? ['@aws-sdk/*'] : [],
  };
  const result = await build({ ...options, outfile, sourcemap: bundling.sourceMap, sourcesContent: bundling.sourcesContent, metafile: true });
  const mapFile = `${outfile}.map`;
  const fullMapBytes = statSync(mapFile).size;
  trimSourceMapFile(mapFile);
  // The map as it was shipped before: every source, with its content.
  const before = await build({ ...options, outfile, sourcemap: true, sourcesContent: true, write: false });
  const code = readFileSync(outfile);
  return {
    outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    mapBytes: statSync(mapFile).size,
    mapBytesAllSources: fullMapBytes,
    mapBytesBefore: before.outputFiles.find((f) => f.path.endsWith('.map'))!.contents.length,
    inputs: Object.keys(result.metafile.inputs),
    // What of the code is the project's own (the rest: the SDK, zod, the logger, middy).
    ownBytes: Object.entries(Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)?.inputs ?? {})
      .filter(([input]) => !input.includes('node_modules'))
      .reduce((n, [, input]) => n + input.bytesInOutput, 0),
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

const probe = `const c=()=>{const u=process.cpuUsage();return (u.user+u.system)/1000};const c0=c();const t=performance.now();const m=await import(process.argv[1]);const ms=performance.now()-t;process.stdout.write(JSON.stringify({ms,cpu:c()-c0,exports:Object.keys(m)}));`;

interface InitTime {
  median: number;
  min: number;
  max: number;
  /** Median CPU time (ms, user + system) of the importing process. */
  cpu: number;
  exports: string[];
}

/**
 * Median import time of each bundle in fresh processes, and the exports it
 * has: paired, every round imports each bundle once, in an order that turns
 * round by round.
 */
const initTimes = async <K extends string>(bundles: Record<K, { outfile: string; env: NodeJS.ProcessEnv }>, runs = initRuns): Promise<Record<K, InitTime>> => {
  const keys = Object.keys(bundles) as K[];
  const times = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const cpus = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const exports = {} as Record<K, string[]>;
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < keys.length; j++) {
      const key = keys[(i + j) % keys.length]!;
      const { outfile, env } = bundles[key];
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe, pathToFileURL(outfile).href], { env, cwd: outRoot });
      const parsed = JSON.parse(stdout) as { ms: number; cpu: number; exports: string[] };
      times[key].push(parsed.ms);
      cpus[key].push(parsed.cpu);
      exports[key] = parsed.exports;
    }
  }
  return Object.fromEntries(
    keys.map((k) => {
      const sorted = times[k].sort((a, b) => a - b);
      const cpu = percentile(
        cpus[k].sort((a, b) => a - b),
        50,
      );
      return [k, { median: percentile(sorted, 50), min: sorted[0]!, max: sorted[sorted.length - 1]!, cpu, exports: exports[k] }];
    }),
  ) as Record<K, InitTime>;
};

const stats = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: percentile(sorted, 50), max: sorted[sorted.length - 1]! };
};
const kib = (bytes: number) => round(bytes / 1024);
const mib = (bytes: number) => round(bytes / 1024 / 1024, 2);

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

/** One function per area, an alternative not chosen: the handler modules each area's function would hold. */
const areas: Record<string, readonly string[]> = {
  // Health and the OpenAPI document stay apart: public, no table, and the document alone is 320 KiB.
  meta: ['meta'],
  stock: ['locations', 'products', 'movements', 'transfers', 'stock'],
  sales: ['sales'],
  members: ['members', 'campaigns', 'recommendations'],
  replenishment: ['replenishment', 'abc'],
};

/** A grant a route has, as one string per table / queue / right ("inventory:readWrite"). */
const grantsOf = (route: ReturnType<typeof routeList>[number][1]): string[] => [
  ...Object.entries(route.tables).map(([table, access]) => `${table}:${access}`),
  ...(route.sendsTo ?? []).map((queue) => `sqs:${queue}`),
  ...(route.sendsMessages ? ['sendsMessages'] : []),
  ...(route.verifiesUnsubscribeLinks ? ['unsubscribeKey'] : []),
  ...(route.publishesToGates ? ['publishesToGates'] : []),
];

/** The API stack synthesized (bundling skipped; the template is the same): resource counts by type. */
const apiStackResources = async () => {
  const { App } = await import('aws-cdk-lib');
  const { Template } = await import('aws-cdk-lib/assertions');
  const { createStockClub } = await import('../infra/stack.ts');
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], jwtIssuer: 'https://idp.example/', jwtAudience: 'stockclub-api' } });
  const stacks = createStockClub(app, 'StockClub');
  return Object.fromEntries(
    Object.entries(stacks).map(([key, stack]) => {
      const resources = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>);
      const byType: Record<string, number> = {};
      for (const r of resources) byType[r.Type] = (byType[r.Type] ?? 0) + 1;
      return [key, { total: resources.length, byType }];
    }),
  );
};

export const benchLambda = async (): Promise<BenchRow[]> => {
  // As the stack deploys them: the API's functions (one per set of grants, each exporting its router as `handler`) and every other function.
  const functions = [
    ...apiFunctionList().map((fn) => ({ name: fn.name, entry: fn.entry, kind: 'api', exportName: apiFunctionHandler })),
    ...[
      ...streamConsumerList().map(([name, consumer]) => ({ name, entry: consumer.entry, kind: 'stream' })),
      ...Object.entries(topicRules).map(([name, rule]) => ({ name, entry: rule.entry, kind: 'topic rule' })),
      ...scheduleList().map(([name, schedule]) => ({ name, entry: schedule.entry, kind: 'job' })),
      ...queueList().map(([name, queue]) => ({ name, entry: queue.entry, kind: 'queue' })),
      ...notificationConsumerList().map(([name, consumer]) => ({ name, entry: consumer.entry, kind: 'notification' })),
      { name: 'liveAuthorizer', entry: 'functions/iot/live-authorizer.ts', kind: 'authorizer' },
    ].map((f) => ({ ...f, exportName: f.name })),
  ];
  const only = process.env.BENCH_LAMBDA_ENTRIES?.split(',').filter(Boolean);
  const entries = [...new Set(functions.map((f) => f.entry))].filter((entry) => !only || only.includes(entry));
  if (only && entries.length !== only.length)
    throw new Error(`lambda bench: BENCH_LAMBDA_ENTRIES names no function's entry: ${only.filter((e) => !entries.includes(e)).join(', ')}`);
  rmSync(outRoot, { recursive: true, force: true });
  mkdirSync(outRoot, { recursive: true });
  const rows: BenchRow[] = [];
  try {
    // Baseline: the DynamoDB document client alone, at module scope; SDK bundled, and from the runtime.
    const baselineEntry = {
      name: 'sdk-only',
      contents:
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\n" +
        'export const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));\nexport const handler = async () => client.config.region;\n',
    };
    const sdkOnly = await bundleEntry(baselineEntry, join(outRoot, 'sdk-only'), 'bundled', { withAliases: false });
    const sdkOnlyTrimmed = await bundleEntry(baselineEntry, join(outRoot, 'sdk-only'));
    const sdkOnlyRuntime = await bundleEntry(baselineEntry, join(outRoot, 'sdk-only'), 'runtime');
    const sizeBaseline = `DynamoDB document client alone: ${kib(sdkOnly.bytes)} KiB as the SDK ships it, ${kib(sdkOnlyTrimmed.bytes)} KiB with the credential alias`;
    const baselines = {
      sdk: { outfile: sdkOnly.outfile, env: functionEnv('sdkOnly') },
      sdkTrimmed: { outfile: sdkOnlyTrimmed.outfile, env: functionEnv('sdkOnly') },
      sdkRuntime: { outfile: sdkOnlyRuntime.outfile, env: functionEnv('sdkOnly') },
    };

    const sites = new Map<string, ClientSite>();
    /** Per function (each ships its own copy): bundle, map, map as before, runtime-SDK bundle; init ratios. */
    const perFunction = { bytes: [] as number[], mapBytes: [] as number[], mapBytesBefore: [] as number[], runtimeBytes: [] as number[] };
    const ratios = {
      bundled: [] as number[],
      api: [] as number[],
      cpu: [] as number[],
      trimmed: [] as number[],
      runtime: [] as number[],
      runtimeVsBundled: [] as number[],
    };
    let ownBytes = 0;
    let otherFunctionsBytes = 0;
    let largest: { entry: string; outfile: string; bytes: number; init: number; name: string } | undefined;
    for (const entry of entries) {
      const names = functions.filter((f) => f.entry === entry);
      const slug = entry.replace(/[^a-z0-9]+/gi, '-');
      const bundle = await bundleEntry(resolve(repoRoot, entry), join(outRoot, slug));
      const runtime = await bundleEntry(resolve(repoRoot, entry), join(outRoot, slug), 'runtime');
      const env = functionEnv(names[0]!.name);
      const init = await initTimes({ bundle: { outfile: bundle.outfile, env }, runtime: { outfile: runtime.outfile, env }, ...baselines });
      const missing = names.filter((f) => !init.bundle.exports.includes(f.exportName));
      if (missing.length > 0) throw new Error(`lambda bench: ${entry} does not export ${missing.map((f) => f.exportName).join(', ')}`);
      for (const input of bundle.inputs) {
        if (input.includes('node_modules') || !/\.[cm]?ts$/.test(input)) continue;
        for (const site of clientSites(resolve(repoRoot, input))) sites.set(`${site.file}:${site.line}:${site.client}`, site);
      }
      const clientsHere = [
        ...new Set(
          bundle.inputs.flatMap((input) => [...sites.values()].filter((s) => resolve(repoRoot, input) === resolve(repoRoot, s.file)).map((s) => s.client)),
        ),
      ];
      if (!largest || bundle.bytes > largest.bytes)
        largest = { entry, outfile: bundle.outfile, bytes: bundle.bytes, init: init.bundle.median, name: names[0]!.name };
      const ratio = init.bundle.median / init.sdk.median;
      for (const f of names) {
        if (f.kind !== 'api') otherFunctionsBytes += bundle.bytes + bundle.mapBytes;
        perFunction.bytes.push(bundle.bytes);
        perFunction.mapBytes.push(bundle.mapBytes);
        perFunction.mapBytesBefore.push(bundle.mapBytesBefore);
        perFunction.runtimeBytes.push(runtime.bytes);
        ratios.bundled.push(ratio);
        if (f.kind === 'api') ratios.api.push(ratio);
        ownBytes += bundle.ownBytes;
        ratios.cpu.push(init.bundle.cpu / init.sdk.cpu);
        ratios.trimmed.push(init.bundle.cpu / init.sdkTrimmed.cpu);
        ratios.runtime.push(init.runtime.median / init.sdk.median);
        ratios.runtimeVsBundled.push(init.runtime.median / init.bundle.median);
      }
      const list = names.map((f) => f.name).join(', ');
      rows.push(
        {
          name: `lambda: ${entry} bundle, minified (${names.length} fn: ${list})`,
          figure: kib(bundle.bytes),
          unit: 'KiB',
          baseline:
            `gzip ${kib(bundle.gzipBytes)} KiB; source map ${kib(bundle.mapBytes)} KiB (own code; all sources without content ${kib(bundle.mapBytesAllSources)} KiB, with content as before ${kib(bundle.mapBytesBefore)} KiB); ` +
            `SDK from the runtime: ${kib(runtime.bytes)} KiB; ${bundle.inputs.filter((i) => i.includes('node_modules')).length} of ${bundle.inputs.length} inputs from node_modules; ` +
            `SDK clients ${clientsHere.join(', ') || 'none'}; ${sizeBaseline}`,
        },
        {
          name: `lambda: ${entry} init, median of ${initRuns}, paired`,
          figure: round(init.bundle.median),
          unit: 'ms',
          baseline:
            `min ${round(init.bundle.min)}, max ${round(init.bundle.max)} ms; ${round(ratio, 2)}x the DynamoDB document client alone (${round(init.sdk.median)} ms); ` +
            `CPU ${round(init.bundle.cpu)} ms, ${round(init.bundle.cpu / init.sdk.cpu, 2)}x the client alone's (${round(init.sdk.cpu)} ms), ${round(init.bundle.cpu / init.sdkTrimmed.cpu, 2)}x with the credential alias (${round(init.sdkTrimmed.cpu)} ms); ` +
            `SDK from the runtime: ${round(init.runtime.median)} ms (client alone ${round(init.sdkRuntime.median)} ms)`,
        },
      );
    }
    // What NODE_OPTIONS=--enable-source-maps (set by the stack) costs at init: the largest bundle without it.
    if (largest && !only) {
      const env = functionEnv(largest.name);
      const plain = await initTimes({ with: { outfile: largest.outfile, env }, without: { outfile: largest.outfile, env: { ...env, NODE_OPTIONS: '' } } });
      rows.push({
        name: `lambda: ${largest.entry} init without --enable-source-maps, median of ${initRuns}, paired`,
        figure: round(plain.without.median),
        unit: 'ms',
        baseline: `with it (as deployed): ${round(plain.with.median)} ms`,
      });
    }

    const bytes = stats(perFunction.bytes);
    const runtimeBytes = stats(perFunction.runtimeBytes);
    const maps = stats(perFunction.mapBytes);
    const mapsBefore = stats(perFunction.mapBytesBefore);
    const bundled = stats(ratios.bundled);
    const cpuRatio = stats(ratios.cpu);
    const trimmedRatio = stats(ratios.trimmed);
    const apiRatio = ratios.api.length > 0 ? stats(ratios.api) : undefined;
    const runtimeRatio = stats(ratios.runtime);
    const runtimeVsBundled = stats(ratios.runtimeVsBundled);
    const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
    rows.push(
      {
        name: 'lambda: bundle per function, minified, median (target <= 400)',
        figure: kib(bytes.median),
        unit: 'KiB',
        baseline: `min ${kib(bytes.min)}, max ${kib(bytes.max)} KiB; SDK from the runtime: min ${kib(runtimeBytes.min)}, median ${kib(runtimeBytes.median)}, max ${kib(runtimeBytes.max)} KiB; ${sizeBaseline}`,
      },
      {
        name: 'lambda: source map per function, own code only, median',
        figure: kib(maps.median),
        unit: 'KiB',
        baseline: `max ${kib(maps.max)} KiB; every source with content (as before): median ${kib(mapsBefore.median)}, max ${kib(mapsBefore.max)} KiB`,
      },
      {
        name: 'lambda: module init / DynamoDB document client init (as the SDK ships it), median over functions, paired (target <= 1.3)',
        figure: round(bundled.median, 2),
        unit: 'x',
        baseline: `min ${round(bundled.min, 2)}, max ${round(bundled.max, 2)}; ${apiRatio ? `the API's functions alone: median ${round(apiRatio.median, 2)}, min ${round(apiRatio.min, 2)}, max ${round(apiRatio.max, 2)}; ` : ''}CPU time: median ${round(cpuRatio.median, 2)}, min ${round(cpuRatio.min, 2)}, max ${round(cpuRatio.max, 2)}; CPU time over the client alone with the credential alias too (our code's share): median ${round(trimmedRatio.median, 2)}, min ${round(trimmedRatio.min, 2)}, max ${round(trimmedRatio.max, 2)}; SDK from the runtime (same client-alone baseline, bundled): median ${round(runtimeRatio.median, 2)}, min ${round(runtimeRatio.min, 2)}, max ${round(runtimeRatio.max, 2)}; runtime SDK / bundled SDK, same function: median ${round(runtimeVsBundled.median, 2)}`,
      },
      {
        name: 'lambda: deployed code, all functions (bundle + map, each function its own copy; target <= 15)',
        figure: mib(sum(perFunction.bytes) + sum(perFunction.mapBytes)),
        unit: 'MiB',
        baseline: `bundles alone ${mib(sum(perFunction.bytes))} MiB, of which the project's own code ${mib(ownBytes)} MiB (the rest: the SDK, zod, the logger, middy, a copy in each function); with maps as before ${mib(sum(perFunction.bytes) + sum(perFunction.mapBytesBefore))} MiB; SDK from the runtime ${mib(sum(perFunction.runtimeBytes))} MiB of bundles`,
      },
      {
        name: 'lambda: functions / distinct bundles',
        figure: functions.filter((f) => entries.includes(f.entry)).length,
        unit: 'functions',
        baseline: `${entries.length} bundles`,
      },
    );

    if (only) return rows;
    const routes = routeList();
    const apiFunctions = apiFunctionList().length;
    const resources = await apiStackResources();
    const api = resources.api!;
    // As deployed, each API function has a function, a role, its policy, one integration and one API-scoped invoke permission.
    const perApiFunction = ['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::ApiGatewayV2::Integration', 'AWS::Lambda::Permission'];
    const withoutApiFunctions = api.total - perApiFunction.length * apiFunctions;
    // The alternatives, on the same template: one function per route (function, integration and route-scoped permission per route; a role and policy per set of grants, as in session 9), or per area.
    const perRouteTotal = withoutApiFunctions + 3 * routes.length + 2 * apiFunctions;
    const areaFunctions = Object.keys(areas).length;
    const areaTotal = withoutApiFunctions + perApiFunction.length * areaFunctions;
    const allStacks = Object.values(resources).reduce((n, r) => n + r.total, 0);
    rows.push({
      name: 'lambda: API stack resources, one function per set of grants (synthesized)',
      figure: api.total,
      unit: 'resources',
      baseline: `${routes.length} routes, ${apiFunctions} functions; ${perApiFunction.map((t) => `${api.byType[t] ?? 0} ${t.split('::')[2]}`).join(', ')}; one function per route: ${perRouteTotal}; one function per area (${areaFunctions} functions): ${areaTotal}; all stacks ${allStacks} (CloudFormation limit 500 per stack)`,
    });
    // The layout before: one function per route, each shipping its handler module's bundle.
    let perRouteBytes = otherFunctionsBytes;
    for (const module of [...new Set(routes.map(([, route]) => route.entry))]) {
      const bundle = await bundleEntry(resolve(repoRoot, module), join(outRoot, `route-module-${module.replace(/[^a-z0-9]+/gi, '-')}`));
      perRouteBytes += (bundle.bytes + bundle.mapBytes) * routes.filter(([, route]) => route.entry === module).length;
    }
    let areaBytes = 0;
    for (const [area, modules] of Object.entries(areas)) {
      const areaRoutes = routes.filter(([, route]) => modules.some((m) => route.entry === `functions/api/${m}.ts`));
      const contents = modules.map((m) => `export * from './functions/api/${m}.ts';`).join('\n');
      const bundle = await bundleEntry({ name: `area-${area}`, contents }, join(outRoot, `area-${area}`));
      areaBytes += bundle.bytes + bundle.mapBytes;
      const init = await initTimes({ bundle: { outfile: bundle.outfile, env: functionEnv(area) }, ...baselines });
      const granted = new Set(areaRoutes.flatMap(([, route]) => grantsOf(route)));
      const union = [...granted].filter((g) => !(g.endsWith(':read') && granted.has(g.replace(/:read$/, ':readWrite'))));
      // A route's grants widen where its area's role holds a right it does not have (readWrite covers read).
      const widened = areaRoutes.filter(([, route]) => {
        const own = new Set(grantsOf(route));
        return union.some((g) => !own.has(g) && !(g.endsWith(':read') && own.has(g.replace(/:read$/, ':readWrite'))));
      });
      rows.push({
        name: `lambda: one function per area: ${area} (${areaRoutes.length} routes, ${modules.length} handler modules) init, median of ${initRuns}, paired`,
        figure: round(init.bundle.median),
        unit: 'ms',
        baseline:
          `${round(init.bundle.median / init.sdk.median, 2)}x the DynamoDB document client alone (${round(init.sdk.median)} ms); bundle ${kib(bundle.bytes)} KiB; ` +
          `its role: ${union.join(', ') || 'nothing'}; ${widened.length} of ${areaRoutes.length} routes would run with more than they need`,
      });
    }

    rows.push({
      name: 'lambda: deployed code, the alternatives (bundle + map, each function its own copy)',
      figure: mib(sum(perFunction.bytes) + sum(perFunction.mapBytes)),
      unit: 'MiB',
      baseline:
        `as deployed, ${apiFunctions} API functions (one per set of grants) and ${functions.length - apiFunctions} others (${mib(otherFunctionsBytes)} MiB); ` +
        `one function per route (${routes.length}): ${mib(perRouteBytes)} MiB; one per area (${Object.keys(areas).length}): ${mib(areaBytes + otherFunctionsBytes)} MiB`,
    });

    const perInvocation = [...sites.values()].filter((s) => !s.moduleScope);
    const moduleScope = [...sites.values()].filter((s) => s.moduleScope);
    rows.push({
      name: 'lambda: AWS SDK clients created inside a function (per invocation)',
      figure: perInvocation.length,
      unit: 'sites',
      baseline:
        (perInvocation.length ? `${perInvocation.map((s) => `${s.client} at ${s.file}:${s.line}`).join('; ')}; ` : '') +
        `module scope (once per container): ${moduleScope.map((s) => `${s.client} at ${s.file}:${s.line}`).join('; ')}`,
    });
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
  return rows;
};

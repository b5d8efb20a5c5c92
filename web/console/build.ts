/**
 * Builds the HQ console (web/console/src) into static files with esbuild: one
 * ES module bundle (preact, htm and the mqtt browser client inside), the page
 * and its stylesheet. The local gateway builds it in memory on first request
 * (infra/local/console.ts); the CDK construct (infra/constructs/console-hosting.ts)
 * and `npm run console:build` write it to a directory.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

export const consoleRoot = resolve(import.meta.dirname);

/** File name -> contents, as a static host serves them from the console's root. */
export type ConsoleFiles = Readonly<Record<string, Uint8Array>>;

export const contentTypes: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  svg: 'image/svg+xml',
};

/** The console as files in memory: index.html, app.js, styles.css. */
export const buildConsole = (options: { minify?: boolean } = {}): ConsoleFiles => {
  const result = buildSync({
    entryPoints: [join(consoleRoot, 'src/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: options.minify ?? true,
    sourcemap: false,
    write: false,
    outfile: 'app.js',
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  });
  const app = result.outputFiles.find((f) => f.path.endsWith('app.js'));
  if (!app) throw new Error('esbuild wrote no app.js');
  return {
    'index.html': readFileSync(join(consoleRoot, 'index.html')),
    'styles.css': readFileSync(join(consoleRoot, 'styles.css')),
    'app.js': app.contents,
  };
};

/** Writes the built console (and a config.json when given) into `outdir`; answers the directory. */
export const writeConsole = (outdir: string, config?: Record<string, unknown>): string => {
  mkdirSync(outdir, { recursive: true });
  for (const [name, contents] of Object.entries(buildConsole())) writeFileSync(join(outdir, name), contents);
  if (config) writeFileSync(join(outdir, 'config.json'), JSON.stringify(config, null, 2));
  return outdir;
};

/** The console's Content-Security-Policy, CloudFront's (infra/constructs/console-hosting.ts) and the local gateway's: its own code only, calls to the API and IoT Core only, never framed. */
export const consoleContentSecurityPolicy = (connectTo: readonly string[]): string =>
  [
    "default-src 'self'",
    `connect-src 'self' ${connectTo.join(' ')}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ].join('; ');

/** Runs each policy's month in its own process (simulator/policy-month.ts) and collects the results. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Problem } from './chain.ts';
import type { Policy, SimulationConfig } from './config.ts';
import type { RunScore } from './scorecard.ts';

export interface MonthResult {
  readonly score: RunScore;
  /** Answers the simulator did not expect, and errors the product logged (as status 0). */
  readonly problems: Problem[];
  /** Units stolen by `locationId|sku`: what the scorer may explain phantom stock with. */
  readonly stolen: Record<string, number>;
  readonly seconds: number;
}

const script = resolve(import.meta.dirname, 'policy-month.ts');

export const runPolicyMonth = async (
  config: SimulationConfig,
  policy: Policy,
  startDay: Date,
  log: (line: string) => void = () => {},
): Promise<MonthResult> => {
  const started = performance.now();
  const directory = mkdtempSync(join(tmpdir(), 'stockclub-sim-'));
  const output = join(directory, 'result.json');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify({ config, policy, startDay: startDay.toISOString() }), output], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const productErrors: Problem[] = [];
    let tail = '';
    const lines = (stream: NodeJS.ReadableStream, each: (line: string) => void) => {
      let buffer = '';
      stream.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const parts = buffer.split('\n');
        buffer = parts.pop()!;
        for (const line of parts) each(line);
      });
    };
    // The handlers' own logs (Powertools JSON on stdout): errors they logged are problems of the month too.
    lines(child.stdout!, (line) => {
      if (line.includes('"level":"ERROR"')) {
        const entry = JSON.parse(line) as { message?: string; function_name?: string; error?: { message?: string } };
        productErrors.push({ request: `${entry.function_name ?? 'handler'} logged`, status: 0, detail: `${entry.message}: ${entry.error?.message ?? ''}` });
      }
    });
    lines(child.stderr!, (line) => {
      tail = `${tail}\n${line}`.slice(-4000);
      if (/^\S.* day \d+\/\d+ |^\S.*? (setup|wrap-up): |^MISMATCH/.test(line)) log(line);
    });
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    if (code !== 0) throw new Error(`${policy.name}: the month's process exited with ${code}:${tail}`);
    const result = JSON.parse(readFileSync(output, 'utf8')) as Omit<MonthResult, 'seconds'>;
    return { ...result, problems: [...result.problems, ...productErrors], seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
};

/**
 * What every benchmark shares: one DynamoDB Local per run with the tables of
 * infra/tables.ts, a latency recorder, and the row format `npm run bench`
 * prints. Figures only; nothing here passes or fails.
 */
import { createTables, localAwsEnv, startDynamoDbLocal } from '../infra/local/dynamodb.ts';

export interface BenchRow {
  readonly name: string;
  readonly figure: number;
  readonly unit: string;
  /** What the figure is measured against in the same run, e.g. the raw SDK rate. */
  readonly baseline?: string;
}

/** Starts DynamoDB Local and points the module-level SDK clients at it; call before importing shared/db. */
export const startBenchDynamo = async () => {
  const dynamo = await startDynamoDbLocal();
  const tableEnv = await createTables(dynamo.endpoint, 'bench');
  Object.assign(process.env, tableEnv, localAwsEnv, { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  return dynamo;
};

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export interface LoadResult {
  readonly opsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
}

/**
 * Runs `total` operations with `concurrency` in flight and measures each one.
 * `operation(i)` resolves true on success.
 */
export const runLoad = async (total: number, concurrency: number, operation: (i: number) => Promise<boolean>): Promise<LoadResult> => {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const started = performance.now();
      const ok = await operation(i);
      latencies.push(performance.now() - started);
      if (!ok) failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { opsPerSecond: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
};

export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/**
 * Replenishment: (1) in the local cloud, the time from a sale's 201 until
 * GET /replenishment/suggestions shows the OPEN suggestion the reorderCheck
 * stream consumer wrote for it, next to the stream poller's own delivery
 * latency (a second poller with the same interval and filter, whose handler
 * only notes when the record arrived) and the plain GET round trip; (2) the
 * pure ABC classification of 100,000 SKUs next to sorting the same values.
 *
 * The local cloud runs in a child process: startLocalCloud starts its own
 * DynamoDB Local, and shared/db/client.ts binds its endpoint once per
 * process, so a cloud started after another bench has used the SDK would
 * send the handlers' writes to the wrong database.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { signLocalToken } from '../infra/local/auth.ts';
import { FailureLog } from '../infra/local/failure-log.ts';
import { seededRandom } from '../infra/local/gate-simulator.ts';
import { streamConsumers } from '../infra/streams.ts';
import { tables } from '../infra/tables.ts';
import { type AbcItemInput, classifyAbc } from '../shared/domain/replenishment/abc.ts';
import { type BenchRow, percentile, round } from './harness.ts';

const childFlag = '--replenishment-cloud';
const location = 'BENCH-REPL';
const productCount = 30;
const skus = Array.from({ length: productCount }, (_, i) => `BENCH-REPL-${String(i).padStart(3, '0')}`);
/** Sales before the measured ones: JIT, connections and the handlers' first loads do not count. */
const warmSkus = Array.from({ length: 5 }, (_, i) => `BENCH-REPL-WARM-${i}`);
const pollMs = 10;
const waitLimitMs = 10_000;
const abcSkus = 100_000;
const abcRuns = 5;

// ---- stream probe: the handler of the second poller, loaded by infra/local/handlers.ts from this file

/** Arrival times of STOCK_LEVEL records by `sku#available`; on globalThis in case the handler loader gets its own module instance. */
const probeHolder = globalThis as { __replenishmentProbe?: Map<string, number> };
probeHolder.__replenishmentProbe ??= new Map<string, number>();
const probeArrivals = probeHolder.__replenishmentProbe;

export const streamProbe = async (event: DynamoDBStreamEvent): Promise<void> => {
  const at = performance.now();
  for (const record of event.Records as DynamoDBRecord[]) {
    const image = record.dynamodb?.NewImage;
    const key = `${image?.sku?.S}#${image?.available?.N}`;
    if (!probeArrivals.has(key)) probeArrivals.set(key, at);
  }
};

// ---- (1) stock write to suggestion, in the child process

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
};

const cloudBench = async (): Promise<BenchRow[]> => {
  const { startLocalCloud } = await import('../infra/local/cloud.ts');
  const { startStreamPoller } = await import('../infra/local/stream-poller.ts');
  const cloud = await startLocalCloud({ port: 0, mqttPort: 0, empty: true, schedules: false });
  const probeFailures = new FailureLog({});
  let probe: Awaited<ReturnType<typeof startStreamPoller>> | undefined;
  try {
    const token = await signLocalToken({ role: 'admin', subject: 'bench' });
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${cloud.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
    const must = async (status: number, method: string, path: string, body?: unknown) => {
      const result = await call(method, path, body);
      if (result.status !== status) throw new Error(`${method} ${path}: ${result.status} ${JSON.stringify(result.body)}`);
      return result.body;
    };

    await must(201, 'POST', '/locations', { locationId: location, name: 'Bench replenishment store', type: 'STORE', timeZone: 'UTC' });
    for (const sku of [...warmSkus, ...skus]) {
      await must(201, 'POST', '/products', { sku, name: sku, unitCost: 100, price: 200, currency: 'EUR', reorder: { min: 5, max: 20 } });
    }
    await must(201, 'POST', '/movements', {
      movementId: 'bench-repl-receipt',
      type: 'RECEIPT',
      locationId: location,
      lines: [...warmSkus, ...skus].map((sku) => ({ sku, qty: 6 })),
    });
    // The receipt's INSERTs and the reorder point the check writes back (a MODIFY, checked again) drain before measuring.
    await cloud.settled();
    await cloud.settled();

    // A second poller on the same table, same interval and filter as reorderCheck; its handler only notes arrivals.
    const inventoryEnv = tables.inventory.envVar;
    probe = await startStreamPoller({
      endpoint: cloud.dynamoEndpoint,
      tableEnv: { [inventoryEnv]: process.env[inventoryEnv]! },
      failures: probeFailures,
      consumers: [['streamProbe', { ...streamConsumers.reorderCheck, entry: 'bench/replenishment.ts', description: 'bench: stream delivery probe' }]],
    });

    const rtts: number[] = [];
    const openSuggestion = async (sku: string): Promise<boolean> => {
      const started = performance.now();
      const { status, body } = await call('GET', `/replenishment/suggestions?locationId=${location}&sku=${sku}`);
      rtts.push(performance.now() - started);
      if (status !== 200) throw new Error(`GET suggestions: ${status} ${JSON.stringify(body)}`);
      return ((body.items ?? []) as { sku: string; status: string }[]).some((s) => s.sku === sku && s.status === 'OPEN');
    };
    for (const sku of skus) if (await openSuggestion(sku)) throw new Error(`${sku} has an open suggestion before its sale`);

    const toSuggestion: number[] = [];
    const toProbe: number[] = [];
    const posts: number[] = [];
    let timeouts = 0;
    for (const [i, sku] of [...warmSkus, ...skus].entries()) {
      const postStarted = performance.now();
      await must(201, 'POST', '/movements', { movementId: `bench-repl-sale-${i}`, type: 'SALE', locationId: location, lines: [{ sku, qty: 2 }] });
      const answered = performance.now();
      let seen: number | undefined;
      while (performance.now() - answered < waitLimitMs) {
        if (await openSuggestion(sku)) {
          seen = performance.now();
          break;
        }
        await sleep(pollMs);
      }
      // The probe poller runs its own 100 ms cycle: give it the same limit.
      while (!probeArrivals.has(`${sku}#4`) && performance.now() - answered < waitLimitMs) await sleep(5);
      const arrived = probeArrivals.get(`${sku}#4`);
      if (warmSkus.includes(sku)) {
        rtts.length = 0;
        continue;
      }
      posts.push(answered - postStarted);
      if (seen === undefined) timeouts++;
      else toSuggestion.push(seen - answered);
      if (arrived !== undefined) toProbe.push(arrived - answered);
    }
    if (toSuggestion.length === 0) throw new Error('no suggestion appeared within the limit');
    const failures = cloud.failures.list().length + probeFailures.list().length;

    const suggestion = stats(toSuggestion);
    const delivery = stats(toProbe);
    const rtt = stats(rtts);
    const post = stats(posts);
    const baseline =
      `stream poller delivery alone, from the same 201: p50 ${delivery.p50} / p99 ${delivery.p99} ms (second poller, same 100 ms interval and filter; ` +
      `negative = delivered before the 201 reached the client, which the commit precedes); GET suggestions round trip p50 ${rtt.p50} / p99 ${rtt.p99} ms; ` +
      `POST /movements itself p50 ${post.p50} / p99 ${post.p99} ms`;
    return [
      {
        name: `replenishment: sale 201 -> OPEN suggestion readable, p50 (${toSuggestion.length} SKUs, sequential, GET every ${pollMs} ms)`,
        figure: suggestion.p50,
        unit: 'ms',
        baseline,
      },
      {
        name: 'replenishment: sale 201 -> OPEN suggestion readable, p99',
        figure: suggestion.p99,
        unit: 'ms',
        baseline: `max ${round(Math.max(...toSuggestion))} ms; ${timeouts} timed out (> ${waitLimitMs / 1000} s); ${failures} stream/handler failures logged`,
      },
    ];
  } finally {
    await probe?.stop();
    await cloud.stop();
  }
};

// ---- (2) ABC over 100,000 SKUs, pure

/** Long tail: lognormal annual units (a few fast movers, many slow ones, 5 % dead stock) times lognormal unit cost. */
const abcItems = (count: number, seed = 20261125): AbcItemInput[] => {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: count }, (_, i) => ({
    sku: `SKU-${String(i).padStart(6, '0')}`,
    annualUnits: random() < 0.05 ? 0 : Math.max(1, Math.round(Math.exp(3 + 1.6 * normal()))),
    unitCost: Math.max(1, Math.round(Math.exp(Math.log(1500) + 0.9 * normal()))),
  }));
};

const medianMs = (runs: number, work: () => unknown): number => {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
};

const abcBench = (): BenchRow[] => {
  const items = abcItems(abcSkus);
  const values = items.map((item) => item.annualUnits * item.unitCost);
  // Warm-up, so the JIT does not count.
  const result = classifyAbc(items);
  [...values].sort((a, b) => b - a);
  const classify = medianMs(abcRuns, () => classifyAbc(items));
  const sortOnly = medianMs(abcRuns, () => [...values].sort((a, b) => b - a));
  const share = (c: 'A' | 'B' | 'C') => `${round(result.pareto[c].skuShare * 100)} %`;
  return [
    {
      name: `replenishment: classifyAbc over ${abcSkus.toLocaleString('en')} SKUs, median of ${abcRuns} (pure classification; the ABC job also reads DynamoDB per SKU)`,
      figure: round(classify),
      unit: 'ms',
      baseline: `sorting the same ${abcSkus.toLocaleString('en')} values alone ${round(sortOnly)} ms; seeded long tail: A/B/C = ${share('A')} / ${share('B')} / ${share('C')} of SKUs`,
    },
  ];
};

// ---- entry points

const runChild = (): Promise<BenchRow[]> =>
  new Promise((resolve, reject) => {
    // The child's output goes to stderr: stdout carries the table.
    const child = fork(fileURLToPath(import.meta.url), [childFlag], { stdio: ['ignore', 2, 2, 'ipc'] });
    const timer = setTimeout(() => child.kill('SIGTERM'), 180_000);
    let answer: { rows?: BenchRow[]; error?: string } | undefined;
    child.on('message', (message) => (answer = message as typeof answer));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (answer?.rows) resolve(answer.rows);
      else reject(new Error(`replenishment bench: ${answer?.error ?? `child exited with ${code} and no figures`}`));
    });
  });

export const benchReplenishment = async (): Promise<BenchRow[]> => [...abcBench(), ...(await runChild())];

const child = globalThis as { __replenishmentChildStarted?: boolean };
if (process.argv.includes(childFlag) && !child.__replenishmentChildStarted) {
  child.__replenishmentChildStarted = true;
  // Exit through 'exit' so DynamoDB Local's JVM is killed with us.
  process.once('SIGTERM', () => process.exit(1));
  const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  cloudBench()
    .then(
      (rows) => send({ rows }),
      (error: Error) => send({ error: error.stack ?? error.message }),
    )
    .finally(() => process.exit(0));
}

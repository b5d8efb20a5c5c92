/**
 * `npm run bench`: every benchmark against one local cloud, one table of
 * figures. Figures, not verdicts: compare each with its baseline from the
 * same run on the same machine. `npm run bench -- <name> [<name>...]` runs
 * only those (names: the keys below).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { type BenchRow, startBenchDynamo } from './harness.ts';
import { benchCampaigns } from './campaigns.ts';
import { benchCheckout } from './checkout.ts';
import { benchHotSku } from './hot-sku.ts';
import { benchLambda } from './lambda.ts';
import { benchLive } from './live.ts';
import { benchReplenishment } from './replenishment.ts';
import { benchRfid } from './rfid.ts';
import { benchStock } from './stock.ts';

/** Benchmarks that use the one DynamoDB Local of the run, then those that do not (run after it stopped). */
const withDynamo: Record<string, () => Promise<BenchRow[]>> = {
  stock: benchStock,
  checkout: benchCheckout,
  'hot-sku': benchHotSku,
  rfid: benchRfid,
  replenishment: benchReplenishment,
  campaigns: benchCampaigns,
};
// live starts the whole local cloud, with its own DynamoDB Local.
const standalone: Record<string, () => Promise<BenchRow[]>> = { lambda: benchLambda, live: benchLive };

// Node 20 here, Node 22 in Lambda: the SDK's notice about Node 20 is noise in every process of the run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const only = process.argv.slice(2);
const unknown = only.filter((name) => !(name in withDynamo) && !(name in standalone));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${[...Object.keys(withDynamo), ...Object.keys(standalone)].join(', ')}`);
  process.exit(2);
}
const selected = (set: Record<string, () => Promise<BenchRow[]>>) => Object.entries(set).filter(([name]) => only.length === 0 || only.includes(name));

const rows: BenchRow[] = [];
const loadBefore = loadavg()[0]!;
const started = performance.now();
const run = async (name: string, bench: () => Promise<BenchRow[]>) => {
  console.error(`running ${name}...`);
  const t = performance.now();
  rows.push(...(await bench()));
  console.error(`${name}: ${round1((performance.now() - t) / 1000)} s`);
};
const round1 = (n: number) => Math.round(n * 10) / 10;

if (selected(withDynamo).length > 0) {
  const dynamo = await startBenchDynamo();
  try {
    for (const [name, bench] of selected(withDynamo)) await run(name, bench);
  } finally {
    await dynamo.stop();
  }
}
for (const [name, bench] of selected(standalone)) await run(name, bench);

// RFID dedupe, derived from bench/rfid.ts's own rows (one burst: reads in, items booked, same seconds).
const rfidReads = rows.find((r) => r.name.startsWith('rfid: tag reads end to end'));
const rfidItems = rows.find((r) => r.name.startsWith('rfid: items booked end to end'));
if (rfidReads && rfidItems && rfidItems.figure > 0) {
  rows.splice(rows.indexOf(rfidItems) + 1, 0, {
    name: 'rfid: dedupe ratio (tag reads in / items booked)',
    figure: Math.round((rfidReads.figure / rfidItems.figure) * 10) / 10,
    unit: 'ratio',
    baseline: `${rfidReads.figure} reads/s end to end; ${(rfidReads.baseline ?? '').split(';')[0]}`,
  });
}

console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, DynamoDB Local; ` +
    `load average ${loadBefore.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end; ${round1((performance.now() - started) / 1000)} s in all`,
);
console.log('| benchmark | figure | unit | baseline (same run) |');
console.log('|---|---:|---|---|');
for (const row of rows) console.log(`| ${row.name} | ${row.figure} | ${row.unit} | ${row.baseline ?? ''} |`);

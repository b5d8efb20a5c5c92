/**
 * `npm run bench`: every benchmark against one local cloud, one table of
 * figures. Figures, not verdicts: compare each with its baseline from the
 * same run on the same machine.
 */
import { cpus, totalmem } from 'node:os';
import { type BenchRow, startBenchDynamo } from './harness.ts';
import { benchReplenishment } from './replenishment.ts';
import { benchRfid } from './rfid.ts';
import { benchStock } from './stock.ts';

const benchmarks: Record<string, () => Promise<BenchRow[]>> = { stock: benchStock, rfid: benchRfid, replenishment: benchReplenishment };

const only = process.argv.slice(2);
const dynamo = await startBenchDynamo();
const rows: BenchRow[] = [];
try {
  for (const [name, bench] of Object.entries(benchmarks)) {
    if (only.length > 0 && !only.includes(name)) continue;
    console.error(`running ${name}...`);
    rows.push(...(await bench()));
  }
} finally {
  await dynamo.stop();
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, DynamoDB Local`);
console.log('| benchmark | figure | unit | baseline (same run) |');
console.log('|---|---:|---|---|');
for (const row of rows) console.log(`| ${row.name} | ${row.figure} | ${row.unit} | ${row.baseline ?? ''} |`);

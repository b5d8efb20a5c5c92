/**
 * `npm run simulate`: a chain-month on the local cloud under the seed's
 * policy; `--compare` runs it once per policy on the same seeded demand and
 * noise. Prints the scorecard and writes it as JSON. Flags: --stores --skus
 * --days --seed --members --units (per store and day) --concurrency
 * --counts-per-day; --policies seed,flat-ABC,documents-only,no-counts;
 * --seeds 1,2,3 (each policy once per seed, then the means over the seeds);
 * --parallel N (months at once); --no-noise, --noise-scale X, and each
 * noise rate by name (--theft 0.01, --read-rate 0.95, ...); --out FILE.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultConfig, defaultNoise, type Noise, noNoise, policies, type Policy, scaleNoise, type SimulationConfig } from './config.ts';
import { mapLimited } from '../shared/concurrency.ts';
import { type MonthResult, runPolicyMonth } from './months.ts';
import { nextMonday } from './run.ts';
import { consumersTable, dailyTable, scorecardTable, seedsTable } from './scorecard.ts';

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const noiseNames = Object.keys(defaultNoise) as (keyof Noise)[];

const { values } = parseArgs({
  options: {
    stores: { type: 'string' },
    skus: { type: 'string' },
    days: { type: 'string' },
    seed: { type: 'string' },
    seeds: { type: 'string' },
    members: { type: 'string' },
    units: { type: 'string' },
    concurrency: { type: 'string' },
    'counts-per-day': { type: 'string' },
    parallel: { type: 'string' },
    policies: { type: 'string' },
    compare: { type: 'boolean', default: false },
    'no-noise': { type: 'boolean', default: false },
    'noise-scale': { type: 'string' },
    out: { type: 'string', default: 'simulation.json' },
    ...Object.fromEntries(noiseNames.map((name) => [kebab(name), { type: 'string' as const }])),
  },
});

const number = (flag: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    console.error(`--${flag} takes a number, not ${value}`);
    process.exit(2);
  }
  return parsed;
};

let noise: Noise = values['no-noise'] ? noNoise : defaultNoise;
noise = scaleNoise(noise, number('noise-scale', values['noise-scale'], 1));
for (const name of noiseNames) {
  const value = (values as Record<string, string | boolean | undefined>)[kebab(name)];
  if (typeof value === 'string') noise = { ...noise, [name]: number(kebab(name), value, noise[name]) };
}

const config: SimulationConfig = {
  stores: number('stores', values.stores, defaultConfig.stores),
  skus: number('skus', values.skus, defaultConfig.skus),
  days: number('days', values.days, defaultConfig.days),
  seed: number('seed', values.seed, defaultConfig.seed),
  members: number('members', values.members, defaultConfig.members),
  dailyUnitsPerStore: number('units', values.units, defaultConfig.dailyUnitsPerStore),
  concurrency: number('concurrency', values.concurrency, defaultConfig.concurrency),
  countsPerDay: number('counts-per-day', values['counts-per-day'], defaultConfig.countsPerDay),
  noise,
};

const slug = (policy: Policy) => policy.name.replace(/\W+/g, '-');
// The seed's chain by default; --compare runs every policy on the same month (four times as long).
const chosen = values.policies
  ? policies.filter((p) => values.policies!.split(',').includes(slug(p)))
  : values.compare
    ? policies
    : policies.filter((p) => p.name === 'seed');
if (chosen.length === 0) {
  console.error(`--policies takes some of ${policies.map(slug).join(', ')}`);
  process.exit(2);
}

const machine = `${availableParallelism()} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const seeds = values.seeds ? values.seeds.split(',').map((seed) => number('seeds', seed, config.seed)) : [config.seed];
console.log(
  `Chain simulator: ${config.stores} stores + 1 warehouse, ${config.skus} SKUs, ${config.days} days, seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')}, ${config.members} members`,
);
console.log(`Noise: ${noiseNames.map((n) => `${n} ${noise[n]}`).join(', ')}`);
console.log(`Machine: ${machine}\n`);

const startDay = nextMonday(new Date());
// Same seed, same month, a fresh chain per policy; `--parallel N` runs N months at once.
const parallel = Math.max(1, number('parallel', values.parallel, 1));
const months = seeds.flatMap((seed) => chosen.map((policy) => ({ seed, policy })));
const results: (MonthResult & { seed: number })[] = await mapLimited(months, parallel, async ({ seed, policy }) => ({
  seed,
  ...(await runPolicyMonth({ ...config, seed }, policy, startDay, (line) => console.log(`${seeds.length > 1 ? `seed ${seed} ` : ''}${line}`))),
}));
for (const seed of seeds) {
  const ofSeed = results.filter((r) => r.seed === seed);
  const label = seeds.length > 1 ? `seed ${seed}, ` : '';
  for (const result of ofSeed) console.log(`\n${label}${result.score.policy}, day by day:\n${dailyTable(result.score)}`);
  for (const result of ofSeed)
    console.log(`\n${label}${result.score.policy}, where the write capacity went (top 15 of the month):\n${consumersTable(result.score)}`);
  console.log(`\n${label}the month, policy by policy:\n${scorecardTable(ofSeed.map((r) => r.score))}\n`);
}
if (seeds.length > 1)
  console.log(
    `Over seeds ${seeds.join(', ')}: mean (min–max)\n${seedsTable(chosen.map((p) => ({ policy: p.name, runs: results.filter((r) => r.score.policy === p.name).map((r) => r.score) })))}\n`,
  );
for (const result of results) {
  console.log(
    `${seeds.length > 1 ? `seed ${result.seed} ` : ''}${result.score.policy}: ${result.seconds.toFixed(0)} s, ${result.problems.length} unexpected answers`,
  );
  for (const problem of result.problems.slice(0, 5)) console.log(`  ${problem.status} ${problem.request}: ${problem.detail.slice(0, 160)}`);
}
writeFileSync(
  values.out!,
  `${JSON.stringify({ config, seeds, machine, startDay: startDay.toISOString(), runs: results.map((r) => ({ ...r.score, seed: r.seed, seconds: r.seconds, problems: r.problems, stolen: r.stolen })) }, null, 2)}\n`,
);
console.log(`\nWritten to ${values.out}`);

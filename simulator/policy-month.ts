/**
 * One policy's month in a process of its own: handler modules keep the
 * clients they made on first use (as a warm Lambda does), so each month
 * needs a fresh process as well as a fresh local cloud. Argument 1: the
 * month as JSON ({config, policy, startDay}); argument 2: where to write
 * the result. Progress goes to stderr.
 */
import { writeFileSync } from 'node:fs';
import { startLocalCloud } from '../infra/local/cloud.ts';
import type { Policy, SimulationConfig } from './config.ts';
import { simulateMonth } from './run.ts';

const [input, output] = process.argv.slice(2);
const { config, policy, startDay } = JSON.parse(input!) as { config: SimulationConfig; policy: Policy; startDay: string };
// The clock starts at the month's first midnight: jumping there from now would run a week of hourly jobs over an empty chain.
const cloudStarted = performance.now();
const cloud = await startLocalCloud({ port: 0, mqttPort: 0, empty: true, startAt: new Date(startDay) });
console.error(`${policy.name} local cloud setup: ${((performance.now() - cloudStarted) / 1000).toFixed(1)} s`);
try {
  const result = await simulateMonth(cloud, { config, policy, startDay: new Date(startDay), log: (line) => console.error(line) });
  writeFileSync(output!, JSON.stringify({ score: result.score, problems: result.problems, stolen: Object.fromEntries(result.world.stolen) }));
} finally {
  await cloud.stop();
}
process.exit(0);

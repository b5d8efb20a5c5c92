/**
 * `npm run rfid:sim -- --location L --gate G --tags N --reads-per-tag K`: a
 * gateway that sends one burst of tags passing its gate to the local broker
 * (as `npm start` runs it) and prints what it sent and what came back on the
 * gate's events topic. Tags are SGTIN-96 EPCs of the demo products unless
 * `--gtin` names others.
 */
import { parseArgs } from 'node:util';
import { connectGate, passReads, publishMessages, seededRandom, splitIntoMessages, tagEpcs } from '../infra/local/gate-simulator.ts';

const demoGtins = ['4006381333931', '4006381333948', '4006381333955', '4006381333962', '4006381333979'];

const { values } = parseArgs({
  options: {
    location: { type: 'string' },
    gate: { type: 'string' },
    tags: { type: 'string', default: '50' },
    'reads-per-tag': { type: 'string', default: '10' },
    direction: { type: 'string', default: 'IN' },
    messages: { type: 'string', default: '1' },
    gtin: { type: 'string', multiple: true },
    'serial-start': { type: 'string' },
    'company-prefix-length': { type: 'string', default: '7' },
    seed: { type: 'string' },
    token: { type: 'string' },
    url: { type: 'string', default: `mqtt://127.0.0.1:${process.env.MQTT_PORT ?? 1883}` },
    'wait-seconds': { type: 'string', default: '60' },
  },
});

const positive = (name: string, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive whole number, not ${value}`);
    process.exit(2);
  }
  return n;
};

if (!values.location || !values.gate) {
  console.error(
    'usage: npm run rfid:sim -- --location L --gate G [--tags N] [--reads-per-tag K] [--direction IN|OUT] [--messages M] [--gtin G ...] [--serial-start S]',
  );
  process.exit(2);
}
if (values.direction !== 'IN' && values.direction !== 'OUT') {
  console.error('--direction must be IN or OUT');
  process.exit(2);
}
const locationId = values.location;
const gateId = values.gate;
const direction = values.direction;
const tags = positive('tags', values.tags);
const readsPerTag = positive('reads-per-tag', values['reads-per-tag']);
// Fresh serials each run unless told: a second run is new items, not the same ones again.
const serialStart = values['serial-start'] ? Number(values['serial-start']) : Date.now() % 1_000_000_000;
const random = seededRandom(values.seed ? Number(values.seed) : Date.now());

const epcs = tagEpcs(values.gtin ?? demoGtins, tags, serialStart, positive('company-prefix-length', values['company-prefix-length']));
const messages = splitIntoMessages(passReads(epcs, readsPerTag, new Date(), random), direction, positive('messages', values.messages));

const gate = await connectGate(values.url, locationId, gateId, values.token);
console.log(`${locationId}/${gateId} ${direction}: ${tags} tags x ${readsPerTag} reads = ${tags * readsPerTag} reads in ${messages.length} message(s)`);
for (const [i, m] of messages.entries()) {
  console.log(`  message ${i + 1}: ${m.reads.length} reads, ${Buffer.byteLength(JSON.stringify(m))} bytes, from ${m.reads[0]!.at}`);
}
try {
  await publishMessages(gate, locationId, gateId, messages);
  await gate.waitFor('ACK', messages.length, positive('wait-seconds', values['wait-seconds']) * 1000);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  for (const event of gate.events) console.log(JSON.stringify(event));
  await gate.close();
}

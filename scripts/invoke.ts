/**
 * `npm run invoke -- <function> <event.json>`: runs any function of the
 * stack (a route, stream consumer, job, queue worker, topic rule or
 * notification consumer) with an event, inside the running local cloud
 * (`npm start`), and prints what it answered. Samples per trigger are in
 * events/. `--url` (or API_URL) points at another local cloud.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { signLocalToken } from '../infra/local/auth.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { url: { type: 'string' } } });
const [name, eventFile] = positionals;
if (!name || !eventFile) {
  console.error('usage: npm run invoke -- <function> <event.json> [--url http://127.0.0.1:3000]');
  process.exit(2);
}
const url = values.url ?? process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const answer = await fetch(`${url}/_local/invoke/${name}`, {
  method: 'POST',
  headers: { authorization: `Bearer ${await signLocalToken({ role: 'admin', subject: 'npm-run-invoke' })}`, 'content-type': 'application/json' },
  body: readFileSync(eventFile, 'utf8'),
}).catch((error: Error) => {
  console.error(`No local cloud at ${url} (${error.message}): start it with npm start`);
  process.exit(1);
});
const body = (await answer.json()) as { result?: unknown; error?: string };
console.log(JSON.stringify(body.error === undefined ? body.result : body, null, 2));
process.exit(answer.ok ? 0 : 1);

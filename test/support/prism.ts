/**
 * Stoplight Prism as a validating proxy in front of the local gateway, for
 * the whole integration suite's traffic (issue 16, "Done when"): run with
 * `npm run test:prism`. The suite's own contract check (infra/local/contract.ts)
 * holds every answer to the document with ajv; this run lets a third-party
 * tool that frontend teams use read the same document and traffic.
 *
 * Each test file runs its own gateway on its own port, in its own worker, so
 * one Prism cannot point at one upstream. It points at a switch instead: the
 * caller names its gateway's port in `x-stockclub-upstream`, and the switch
 * forwards there. Prism reports what it finds in an `sl-violations` header;
 * test/support/local-api.ts turns the ones that count into contract
 * violations, which fail the test file as the gateway's own check does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApi } from '../../shared/schemas/openapi.ts';

export const upstreamHeader = 'x-stockclub-upstream';

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

/** Forwards each request to 127.0.0.1 at the port its upstream header names. */
const startSwitch = async (): Promise<Server> => {
  const server = createServer((incoming, outgoing) => {
    const port = Number(incoming.headers[upstreamHeader]);
    const headers = { ...incoming.headers };
    delete headers[upstreamHeader];
    const forwarded = request({ host: '127.0.0.1', port, method: incoming.method, path: incoming.url, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', (error) => {
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`switch: ${error.message}`);
    });
    incoming.pipe(forwarded);
  });
  await listen(server);
  return server;
};

const freePort = async (): Promise<number> => {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
};

/** Starts the switch and Prism 5 in front of it (its own CORS answers off: the gateway's are under test); resolves with Prism's URL once it listens. */
export const startPrism = async (): Promise<{ url: string; stop: () => Promise<void> }> => {
  const document = join(tmpdir(), `stockclub-openapi-${process.pid}.json`);
  writeFileSync(document, JSON.stringify(buildOpenApi()));
  const upstream = await startSwitch();
  const port = await freePort();
  const prism: ChildProcess = spawn(
    join('node_modules', '.bin', 'prism'),
    [
      'proxy',
      document,
      `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--errors',
      'false',
      '--cors',
      'false',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let printed = '';
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      printed = (printed + chunk.toString('utf8')).slice(-20_000);
      if (printed.includes('Prism is listening')) resolve();
    };
    prism.stdout?.on('data', read);
    prism.stderr?.on('data', read);
    prism.once('exit', (code) => reject(new Error(`prism exited with ${code}: ${printed}`)));
  });
  // Prism logs every request: keep the last lines, so a Prism that dies mid-run says why.
  let stopping = false;
  prism.once('close', (code, signal) => {
    if (!stopping) console.error(`prism exited (${code ?? signal}) during the run; its last output:\n${printed}`);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      stopping = true;
      prism.kill();
      await new Promise((resolve) => upstream.close(resolve));
    },
  };
};

export interface PrismViolation {
  readonly location: readonly string[];
  readonly severity: string;
  readonly code?: string | number;
  readonly message: string;
}

/**
 * The violations that count. Every one on the response does. One on the
 * request counts only when the gateway accepted it (2xx): the suite sends
 * bad requests on purpose, and the 4xx they get is the contract working,
 * but a request the document calls invalid that the server books is a gap.
 * The one documented exception: with an `Idempotency-Key` header the body
 * may leave out its id (the header stands in for it, see the operation's
 * description), which a JSON Schema of the body cannot say.
 */
export const violationsThatCount = (header: string | null, status: number, sentIdempotencyKey: boolean): PrismViolation[] => {
  if (!header) return [];
  // Past its limit Prism says so in words ("Too many violations…"): a request that bad counts only if it was accepted.
  if (!header.startsWith('[')) return status < 300 ? [{ location: ['request'], severity: 'Error', message: header }] : [];
  const all = JSON.parse(header) as PrismViolation[];
  return all.filter((v) => v.severity === 'Error' && (v.location[0] === 'response' || (status < 300 && !sentIdempotencyKey)));
};

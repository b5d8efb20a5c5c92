/**
 * The HQ console at `/console/` on the API's own port, as CloudFront serves it
 * in AWS: the files web/console/build.ts makes (built in memory on the first
 * request; `STOCKCLUB_CONSOLE_REBUILD=1` rebuilds on every page load while
 * working on it), the same security headers as the CloudFront response
 * headers policy, and a `config.json` pointing at this API and its
 * MQTT-over-WebSocket endpoint. Local only: `POST /console/local-token`
 * signs a token with the local key (which is in the source anyway), so the
 * sign-in page can offer "sign in as admin / as a store" without a terminal.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildConsole, type ConsoleFiles, consoleContentSecurityPolicy, contentTypes } from '../../web/console/build.ts';
import { signLocalToken } from './auth.ts';

let built: ConsoleFiles | undefined;

/** What CloudFront's response headers policy sets (infra/constructs/console-hosting.ts), with this API as the place to connect to. */
export const consoleSecurityHeaders = (connectTo: readonly string[]): Record<string, string> => ({
  'content-security-policy': consoleContentSecurityPolicy(connectTo),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
});

const readJson = (body: string): Record<string, unknown> => {
  try {
    const parsed = JSON.parse(body || '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** Answers a request under `/console`; `body` is the request's body (read by the gateway). */
export const serveConsole = async (req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> => {
  const host = req.headers.host ?? '127.0.0.1';
  const api = `http://${host}`;
  const live = `ws://${host}/mqtt`;
  const headers = consoleSecurityHeaders([api, live]);
  if (url.pathname === '/console') {
    res.writeHead(308, { location: '/console/' });
    res.end();
    return;
  }
  const name = url.pathname.slice('/console/'.length) || 'index.html';
  if (name === 'local-token' && req.method === 'POST') {
    const request = readJson(body);
    const role = String(request.role ?? 'admin');
    const locations = Array.isArray(request.locations) ? request.locations.map(String) : [];
    if (!(role === 'admin' || (role === 'store' && locations.length > 0))) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'role admin, or store with locations' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ token: await signLocalToken({ role, locations, subject: `console-${role}` }) }));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    res.end();
    return;
  }
  if (name === 'config.json') {
    res.writeHead(200, { 'content-type': contentTypes.json!, 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify({ apiUrl: api, mqttUrl: live, localTokens: true }));
    return;
  }
  if (name === 'index.html' && process.env.STOCKCLUB_CONSOLE_REBUILD === '1') built = undefined;
  built ??= buildConsole();
  const file = built[name];
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end('Not found');
    return;
  }
  const type = contentTypes[name.split('.').pop() ?? ''] ?? 'application/octet-stream';
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', ...headers });
  res.end(req.method === 'HEAD' ? undefined : file);
};

/**
 * functions/api/meta.ts, invoked the way Lambda would with a hand-built
 * API Gateway v2 event: both routes are public.
 */
import { describe, expect, it } from 'vitest';
import { health, openApi } from '../../../functions/api/meta.ts';
import { routes } from '../../../infra/routes.ts';
import { apiEvent, invoke } from '../../support/api-event.ts';

describe('GET /health', () => {
  it('answers 200 {"status":"ok"} without a token', async () => {
    const result = await invoke(health, apiEvent({ route: routes.health }));
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('application/json');
    expect(result.json).toEqual({ status: 'ok' });
  });

  it('answers the same with a token', async () => {
    const result = await invoke(health, apiEvent({ route: routes.health, claims: { sub: 'hq-1', role: 'admin' } }));
    expect(result.statusCode).toBe(200);
    expect(result.json).toEqual({ status: 'ok' });
  });

  it('ignores query parameters it does not know', async () => {
    const result = await invoke(health, apiEvent({ route: routes.health, query: { verbose: 'true' } }));
    expect(result.statusCode).toBe(200);
  });
});

describe('GET /openapi.json', () => {
  it('answers the OpenAPI 3.1 document without a token, cacheable', async () => {
    const result = await invoke(openApi, apiEvent({ route: routes.openApi }));
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('application/json');
    expect(result.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(result.json.openapi).toBe('3.1.0');
    expect(result.json.paths['/health'].get.operationId).toBe('health');
    expect(result.json.paths['/openapi.json'].get.operationId).toBe('openApi');
  });

  it('serves the same document on every call of a warm container', async () => {
    const first = await invoke(openApi, apiEvent({ route: routes.openApi }));
    const second = await invoke(openApi, apiEvent({ route: routes.openApi, claims: { sub: 'till', role: 'store', locations: 'S1' } }));
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
  });
});

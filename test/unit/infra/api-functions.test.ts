/**
 * One API function per set of grants (infra/api-functions.ts): every route
 * in exactly one function, the function's grants exactly the route's, and
 * the checked-in routers (functions/api/by-grants/) what `npm run api:types`
 * generates from today's routes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { apiFunctionHandler, apiFunctionList, apiFunctionOf, apiFunctionSource, apiFunctionsDir } from '../../../infra/api-functions.ts';
import { grantsKey } from '../../../infra/grants.ts';
import { routeKey, routeList } from '../../../infra/routes.ts';

const root = resolve(import.meta.dirname, '../../..');

describe('API functions', () => {
  it('serve every route once, from the function whose grants are exactly its own', () => {
    const served = apiFunctionList().flatMap((fn) => fn.routes.map(([name]) => name));
    expect([...served].sort()).toEqual(
      routeList()
        .map(([name]) => name)
        .sort(),
    );
    for (const [name, route] of routeList()) expect(grantsKey(apiFunctionOf().get(name)!.grants), name).toBe(grantsKey(route));
    const keys = apiFunctionList().map((fn) => grantsKey(fn.grants));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('are named by their grants, uniquely', () => {
    const names = apiFunctionList().map((fn) => fn.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('apiInventoryRead');
    expect(names).toContain('apiNoTables');
    expect(apiFunctionOf().get('dispatchCampaign')!.name).toBe('apiMembersWriteSendsMessages');
    expect(apiFunctionOf().get('createSale')!.entry).toBe(`${apiFunctionsDir}/inventory-write-members-write-rfid-write.ts`);
  });

  it('have checked-in routers that are current (npm run api:types), and no others', () => {
    const expected = apiFunctionList().map((fn) => fn.entry);
    expect(
      readdirSync(join(root, apiFunctionsDir))
        .map((file) => `${apiFunctionsDir}/${file}`)
        .sort(),
    ).toEqual([...expected].sort());
    for (const fn of apiFunctionList()) {
      expect(readFileSync(join(root, fn.entry), 'utf8') === apiFunctionSource(fn), `${fn.entry} is stale: npm run api:types`).toBe(true);
    }
  });

  it('whose routers load and export the handler the stack names (every request of the integration tests goes through them)', async () => {
    for (const fn of apiFunctionList()) {
      const router = await import(pathToFileURL(join(root, fn.entry)).href);
      expect(typeof router[apiFunctionHandler], fn.entry).toBe('function');
      expect(readFileSync(join(root, fn.entry), 'utf8')).toContain(`'${routeKey(fn.routes[0]![1])}': ${fn.routes[0]![0]},`);
    }
  });
});

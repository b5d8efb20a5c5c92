import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Grants } from '../grants.ts';
import { runWithGrants } from './grants.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const loaded = new Map<string, Promise<unknown>>();
const running = new AsyncLocalStorage<string>();

/** The name of the function whose invocation the caller is inside, if any: what a meter attributes an SDK call to. */
export const runningFunction = (): string | undefined => running.getStore();

/**
 * The export `exportName` (by default `name`) of a handler module, imported
 * on first use as Lambda would on a cold start; later calls reuse the module
 * (a warm container). Each call runs as the function `name` with `grants`: an
 * AWS call outside them fails with AccessDeniedException, as under the
 * stack's IAM role.
 */
export const loadHandler = async <H extends (...args: never[]) => unknown>(
  entry: string,
  name: string,
  grants: Grants<string>,
  exportName = name,
): Promise<H> => {
  const key = `${entry}#${exportName}`;
  let handler = loaded.get(key);
  if (!handler) {
    handler = import(pathToFileURL(resolve(repoRoot, entry)).href).then((module: Record<string, unknown>) => {
      if (typeof module[exportName] !== 'function') throw new Error(`${entry} does not export a handler named ${exportName}`);
      return module[exportName];
    });
    loaded.set(key, handler);
  }
  const run = (await handler) as H;
  return ((...args: Parameters<H>) => running.run(name, () => runWithGrants(name, grants, () => run(...args)))) as H;
};

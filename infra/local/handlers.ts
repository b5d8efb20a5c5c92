import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const repoRoot = resolve(import.meta.dirname, '../..');
const loaded = new Map<string, Promise<unknown>>();

/**
 * The export `name` of a handler module, imported on first use as Lambda
 * would on a cold start; later calls reuse the module (a warm container).
 */
export const loadHandler = <H>(entry: string, name: string): Promise<H> => {
  const key = `${entry}#${name}`;
  let handler = loaded.get(key);
  if (!handler) {
    handler = import(pathToFileURL(resolve(repoRoot, entry)).href).then((module: Record<string, unknown>) => {
      if (typeof module[name] !== 'function') throw new Error(`${entry} does not export a handler named ${name}`);
      return module[name];
    });
    loaded.set(key, handler);
  }
  return handler as Promise<H>;
};

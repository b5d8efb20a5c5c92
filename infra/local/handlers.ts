import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
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
  return ((...args: Parameters<H>) =>
    running.run(name, async () => {
      try {
        return await runWithGrants(name, grants, () => run(...args));
      } finally {
        await commitPendingWrites();
      }
    })) as H;
};

/** The client of the emulator the environment names now (a restarted cloud in the same process brings another). */
let committer: { endpoint: string; client: DynamoDBClient } | undefined;

/**
 * DynamoDB Local acknowledges a TransactWriteItems before it commits it: the
 * transaction is written when the next request reaches the emulator (or the
 * connection closes), so a crash right after loses it, item and stream
 * record alike (measured: the last of five transactions lost on every
 * SIGKILL, none of five PutItems). In AWS an acknowledged write is durable.
 * Any request commits it, so after each invocation the local cloud sends
 * one, before the gateway answers and before a stream checkpoint or a queue
 * delete moves past the work.
 */
const commitPendingWrites = async (): Promise<void> => {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint) return;
  if (committer?.endpoint !== endpoint) {
    committer?.client.destroy();
    committer = { endpoint, client: new DynamoDBClient({ endpoint }) };
  }
  try {
    await committer.client.send(new ListTablesCommand({ Limit: 1 }));
  } catch (error) {
    // The emulator is gone (stopping, or a test without one): nothing is left to commit. Anything else is worth a line.
    if (!/ECONNREFUSED|ECONNRESET|socket hang up/.test(String((error as { code?: string }).code ?? (error as Error).message))) {
      console.warn("local cloud: could not commit DynamoDB Local's pending writes", error);
    }
  }
};

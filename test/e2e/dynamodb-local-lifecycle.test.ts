import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answers, type Child, startScript, waitUntil } from '../support/child-process.ts';

const started: ChildProcess[] = [];
const dirs: string[] = [];

const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockclub-ddb-'));
  dirs.push(dir);
  return dir;
};

/** DynamoDB Local started by its own Node process on dir, as `npm start -- --data dir` does. */
const startDynamo = async (dir: string): Promise<Child<{ endpoint: string }>> => {
  const child = await startScript<{ endpoint: string }>('test/support/dynamodb-process.ts', [dir]);
  started.push(child.process);
  return child;
};

const portOf = (endpoint: string) => Number(new URL(endpoint).port);

const killAndWaitForJvm = async ({ process: parent, ready }: Child<{ endpoint: string }>) => {
  parent.kill('SIGKILL');
  await waitUntil(
    async () => !(await answers('127.0.0.1', portOf(ready.endpoint))),
    `DynamoDB Local at ${ready.endpoint} to stop answering once its parent was killed`,
  );
};

afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('DynamoDB Local started by the local cloud', () => {
  it('dies with the process that started it, even when that process is killed with SIGKILL', async () => {
    const dynamo = await startDynamo(dataDir());
    expect(await answers('127.0.0.1', portOf(dynamo.ready.endpoint))).toBe(true);
    await killAndWaitForJvm(dynamo);
  });

  it('refuses a data directory another live DynamoDB Local holds, and takes over the lock of a dead one', async () => {
    const dir = dataDir();
    const first = await startDynamo(dir);
    await expect(startDynamo(dir)).rejects.toThrow(/data directory .* is in use by another DynamoDB Local \(pid \d+/);
    expect(await answers('127.0.0.1', portOf(first.ready.endpoint))).toBe(true);

    // SIGKILL leaves the lock file behind; its process is gone, so the next start takes it over.
    await killAndWaitForJvm(first);
    const next = await startDynamo(dir);
    expect(await answers('127.0.0.1', portOf(next.ready.endpoint))).toBe(true);
    await killAndWaitForJvm(next);
  });
});

/**
 * DynamoDB Local acknowledges a TransactWriteItems before it commits it: the
 * emulator writes it when its next request arrives, so a crash right after
 * loses an acknowledged sale (and its stream record). The local cloud sends
 * one request after every invocation it runs (infra/local/handlers.ts), so
 * what a handler wrote is on disk before its answer goes out or a stream
 * checkpoint moves past it, as in AWS. Here: a loaded handler transacts,
 * the emulator is SIGKILLed at once, and the item is there after a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, expect, it } from 'vitest';
import { createTables, localClient, startDynamoDbLocal } from '../../infra/local/dynamodb.ts';
import { loadHandler } from '../../infra/local/handlers.ts';
import { tables } from '../../infra/tables.ts';

const dir = mkdtempSync(join(tmpdir(), 'stockclub-durability-'));
const saved = { endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, table: process.env[tables.inventory.envVar] };

const restore = (name: string, value: string | undefined) => {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
};

afterAll(() => {
  restore('AWS_ENDPOINT_URL_DYNAMODB', saved.endpoint);
  restore(tables.inventory.envVar, saved.table);
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

it("keeps a handler's last transaction through a SIGKILL of DynamoDB Local", { timeout: 120_000 }, async () => {
  let dynamo = await startDynamoDbLocal({ dataDir: dir });
  const env = await createTables(dynamo.endpoint, 'durability');
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  process.env[tables.inventory.envVar] = env[tables.inventory.envVar];
  const transactOne = await loadHandler<(event: { pk: string }) => Promise<void>>('test/support/transact-handler.ts', 'transactOne', {
    tables: { inventory: 'readWrite' },
  });
  const keys = ['first', 'second', 'last'];
  for (const pk of keys) await transactOne({ pk });
  // No request after the last transaction: without the local cloud's commit it would be lost.
  await dynamo.stop();
  dynamo = await startDynamoDbLocal({ dataDir: dir });
  const client = localClient(dynamo.endpoint);
  try {
    for (const pk of keys) {
      const { Item } = await client.send(new GetItemCommand({ TableName: env[tables.inventory.envVar], Key: { pk: { S: pk }, sk: { S: 'DURABILITY' } } }));
      expect(Item, pk).toBeDefined();
    }
  } finally {
    client.destroy();
    await dynamo.stop();
  }
});

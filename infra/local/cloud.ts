/**
 * The whole cloud on one machine: DynamoDB Local with the tables of
 * infra/tables.ts, the HTTP gateway, the stream poller, the MQTT broker with
 * the topic rules, the IoT data plane endpoint, the SQS work queues, the
 * scheduler and the outbox.
 * Handlers run in this process with the environment Lambda would give them.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { verifyLocalToken } from './auth.ts';
import { ClockMovesForwardOnly, type LocalClock, localClock } from './clock.ts';
import { createTables, localAwsEnv, startDynamoDbLocal } from './dynamodb.ts';
import { type Failure, FailureLog } from './failure-log.ts';
import { invokeLocally, UnknownFunction } from './functions.ts';
import { createGateway, type LocalEndpoint } from './gateway.ts';
import { startIotDataEndpoint } from './iot-data-endpoint.ts';
import { attachMqttOverWebSocket } from './mqtt-ws.ts';
import { startMqttBroker } from './mqtt.ts';
import { outbox } from '../../shared/messaging/outbox.ts';
import { type LocalScheduler, startScheduler } from './scheduler.ts';
import { seedDemoData } from './seed.ts';
import { type LocalMail, startLocalMail } from './ses.ts';
import { startLocalQueues } from './sqs.ts';
import { startStreamPoller } from './stream-poller.ts';

export interface LocalCloudOptions {
  /** HTTP port (default PORT or 3000); 0 picks a free one. */
  readonly port?: number;
  /** MQTT port (default MQTT_PORT or 1883); 0 picks a free one. */
  readonly mqttPort?: number;
  /** The SES v2 emulator's port (default MAIL_PORT, else a free one). */
  readonly mailPort?: number;
  /** DynamoDB Local's port; a free one by default. */
  readonly dynamoPort?: number;
  /** Persist DynamoDB Local's data (and a failures.jsonl) here instead of in memory. */
  readonly dataDir?: string;
  /** Skip the demo data. */
  readonly empty?: boolean;
  /** What to load when not empty; the demo data by default. */
  readonly seed?: (baseUrl: string, mqttUrl: string) => Promise<void>;
  /** Run jobs on their schedules (default true; tests turn this off and run them through POST /_local/jobs). */
  readonly schedules?: boolean;
  /**
   * Start the clock here (forward of now only), before the scheduler plans its first runs: a
   * simulated month that starts next week then does not run a week of hourly jobs over an empty chain.
   */
  readonly startAt?: Date;
}

export interface LocalCloud {
  readonly url: string;
  readonly mqttUrl: string;
  /** The SES v2 emulator: its page lists the email sent. */
  readonly mailUrl: string;
  readonly dynamoEndpoint: string;
  readonly failures: FailureLog;
  /** Resolves when stream records, queue messages and MQTT messages seen so far have been handled. */
  settled(): Promise<void>;
  /** Stops everything, DynamoDB Local's JVM included, and restores the environment. */
  stop(): Promise<void>;
}

const portFrom = (value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`Not a port: ${value}`);
  return port;
};

const json = (status: number, body: unknown) => ({ status, body });

const parsedOr = (body: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/**
 * The local IAM: handlers sign IoT data plane calls with this secret and the
 * endpoint accepts no other signature. One per process, not per start: warm
 * handler modules keep the credentials their SDK clients resolved first.
 */
const handlerCredentials = { accessKeyId: localAwsEnv.AWS_ACCESS_KEY_ID, secretAccessKey: randomBytes(32).toString('hex') };

/**
 * GET/DELETE /_local/outbox (texts, pushes, and the emails the SES emulator took), GET/DELETE /_local/failures, GET /_local/jobs,
 * POST /_local/jobs/{name}, POST /_local/invoke/{function} (admin token; the body is the event),
 * GET /_local/clock, POST /_local/clock {"at"} (forward only; runs the jobs that fall due on the way).
 */
const localEndpoints = (failures: FailureLog, scheduler: LocalScheduler, mail: LocalMail, clock: LocalClock): LocalEndpoint[] => [
  async (req: IncomingMessage, body: string) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/_local/')) return undefined;
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /_local/outbox') {
      const to = url.searchParams.get('to') ?? undefined;
      // By the second they were sent (the emulator keeps no finer time); in one second, emails before texts.
      const items = [...(await mail.list(to)), ...outbox.list(to)].sort((a, b) => a.sentAt.slice(0, 19).localeCompare(b.sentAt.slice(0, 19)));
      return json(200, { items });
    }
    if (route === 'DELETE /_local/outbox') {
      outbox.clear();
      await mail.clear();
      return json(200, { items: [] });
    }
    if (route === 'DELETE /_local/failures') {
      failures.clear();
      return json(200, { items: [] });
    }
    if (route === 'GET /_local/failures')
      return json(200, { items: failures.list((url.searchParams.get('source') ?? undefined) as Failure['source'] | undefined) });
    if (route === 'GET /_local/jobs') return json(200, { items: scheduler.jobs });
    if (route === 'GET /_local/clock') return json(200, { now: clock.now().toISOString() });
    if (route === 'POST /_local/clock') {
      const at = new Date(String(parsedOr(body)?.at));
      if (Number.isNaN(at.getTime())) return json(400, { message: 'POST /_local/clock takes {"at": an ISO instant}' });
      try {
        const jobs = await scheduler.advanceTo(at);
        return json(200, { now: clock.now().toISOString(), jobs });
      } catch (error) {
        if (error instanceof ClockMovesForwardOnly) return json(409, { message: error.message });
        throw error;
      }
    }
    const invoked = /^POST \/_local\/invoke\/([\w-]+)$/.exec(route)?.[1];
    if (invoked) {
      // Any handler with any event bypasses every check in front of it: only an admin may.
      const claims = await verifyLocalToken((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (claims?.role !== 'admin') return json(401, { message: 'POST /_local/invoke needs an admin token (npm run token -- --role admin)' });
      try {
        return json(200, { function: invoked, result: (await invokeLocally(invoked, JSON.parse(body || 'null'))) ?? null });
      } catch (error) {
        return json(error instanceof UnknownFunction ? 404 : 500, { function: invoked, error: (error as Error).message });
      }
    }
    const job = /^POST \/_local\/jobs\/([\w-]+)$/.exec(route)?.[1];
    if (job) {
      if (!scheduler.jobs.includes(job)) return json(404, { message: `No job ${job}; jobs: ${scheduler.jobs.join(', ')}` });
      try {
        return json(200, { job, result: (await scheduler.runNow(job)) ?? null });
      } catch (error) {
        return json(500, { job, error: (error as Error).message });
      }
    }
    return json(404, { message: `No local endpoint ${route}` });
  },
];

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });

export const startLocalCloud = async (options: LocalCloudOptions = {}): Promise<LocalCloud> => {
  const port = options.port ?? portFrom(process.env.PORT, 3000);
  const mqttPort = options.mqttPort ?? portFrom(process.env.MQTT_PORT, 1883);
  const steps: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    // Last started, first stopped; each step runs once even if stop is called twice.
    for (let step = steps.pop(); step; step = steps.pop()) {
      try {
        await step();
      } catch (error) {
        console.error('local cloud: stopping a part failed:', (error as Error).message);
      }
    }
  };
  // Handlers read their configuration from the environment, as in Lambda; put back what was there on stop.
  const setEnv = (values: Record<string, string>) => {
    const previous = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
    Object.assign(process.env, values);
    steps.push(() => {
      for (const [key, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });
  };

  try {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    const dynamo = await startDynamoDbLocal({ port: options.dynamoPort, dataDir: options.dataDir });
    steps.push(() => dynamo.stop());
    const tableEnv = await createTables(dynamo.endpoint, 'stockclub');
    // Member email goes through the real SES adapter to the SES v2 emulator; texts to the outbox.
    const mail = await startLocalMail(options.mailPort ?? portFrom(process.env.MAIL_PORT, 0));
    steps.push(() => mail.close());
    setEnv({
      ...tableEnv,
      ...localAwsEnv,
      AWS_SECRET_ACCESS_KEY: handlerCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      MESSAGES_TRANSPORT: 'local',
      AWS_ENDPOINT_URL_SESV2: mail.url,
      EMAIL_FROM: 'StockClub <club@stockclub.local>',
      SES_CONFIGURATION_SET: 'stockclub-local',
    });

    const failures = new FailureLog({ file: options.dataDir ? join(options.dataDir, 'failures.jsonl') : undefined });
    const broker = await startMqttBroker({ port: mqttPort, failures });
    steps.push(() => broker.close());
    const iotData = await startIotDataEndpoint(broker, handlerCredentials);
    steps.push(() => iotData.close());
    setEnv({ AWS_ENDPOINT_URL_IOT_DATA_PLANE: iotData.url });

    const queues = await startLocalQueues({ failures, region: localAwsEnv.AWS_REGION });
    steps.push(() => queues.close());
    setEnv({ AWS_ENDPOINT_URL_SQS: queues.url, ...queues.env });

    const poller = await startStreamPoller({
      endpoint: dynamo.endpoint,
      tableEnv,
      failures,
      checkpointFile: options.dataDir ? join(options.dataDir, 'stream-checkpoints.json') : undefined,
    });
    steps.push(() => poller.stop());
    const clock = localClock();
    steps.push(() => clock.reset());
    if (options.startAt) clock.moveTo(options.startAt);
    const scheduler = startScheduler({ failures, clock, enabled: options.schedules ?? true });
    steps.push(() => scheduler.stop());

    const gateway = createGateway({ localEndpoints: localEndpoints(failures, scheduler, mail, clock) });
    const httpPort = await listen(gateway, port);
    steps.push(
      () =>
        new Promise<void>((resolve) => {
          gateway.closeAllConnections();
          gateway.close(() => resolve());
        }),
    );
    // Browsers watch live stock on the same port: ws://127.0.0.1:{PORT}/mqtt (docs/live-stock.md); closed before the server.
    const mqttOverWebSocket = attachMqttOverWebSocket(gateway, broker);
    steps.push(() => mqttOverWebSocket.close());
    const url = `http://127.0.0.1:${httpPort}`;
    // Unsubscribe links point at this gateway, whatever its port (in AWS: the configured public URL, infra/constructs/function.ts).
    setEnv({ UNSUBSCRIBE_URL: process.env.UNSUBSCRIBE_URL ?? `${url}/unsubscribe` });

    if (!options.empty) await (options.seed ?? seedDemoData)(url, broker.url);

    return {
      url,
      mqttUrl: broker.url,
      mailUrl: mail.url,
      dynamoEndpoint: dynamo.endpoint,
      failures,
      settled: async () => {
        await broker.settled();
        // Stream consumers queue work and workers write what streams carry: round again until a round found the queues empty.
        for (let round = 0; round < 10; round++) {
          await poller.idle();
          if (queues.pending() === 0) break;
          await queues.idle();
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};

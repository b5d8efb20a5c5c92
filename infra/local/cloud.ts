/**
 * The whole cloud on one machine: DynamoDB Local with the tables of
 * infra/tables.ts, the HTTP gateway, the stream poller, the MQTT broker with
 * the topic rules, the IoT data plane endpoint, the scheduler and the outbox.
 * Handlers run in this process with the environment Lambda would give them.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTables, localAwsEnv, startDynamoDbLocal } from './dynamodb.ts';
import { FailureLog } from './failure-log.ts';
import { createGateway, type LocalEndpoint } from './gateway.ts';
import { startIotDataEndpoint } from './iot-data-endpoint.ts';
import { startMqttBroker } from './mqtt.ts';
import { outbox } from './outbox.ts';
import { startScheduler } from './scheduler.ts';
import { seedDemoData } from './seed.ts';
import { startStreamPoller } from './stream-poller.ts';

export interface LocalCloudOptions {
  /** HTTP port; 0 picks a free one. */
  readonly port?: number;
  readonly mqttPort?: number;
  /** Persist DynamoDB Local's data here instead of in memory. */
  readonly dataDir?: string;
  /** Skip the demo data. */
  readonly empty?: boolean;
  /** Run jobs on their schedules (tests turn this off and run them on demand). */
  readonly schedules?: boolean;
}

export interface LocalCloud {
  readonly url: string;
  readonly mqttUrl: string;
  readonly dynamoEndpoint: string;
  readonly failures: FailureLog;
  /** Resolves when stream records and MQTT messages seen so far have been handled. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const json = (status: number, body: unknown) => ({ status, body });

export const startLocalCloud = async (options: LocalCloudOptions = {}): Promise<LocalCloud> => {
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const dynamo = await startDynamoDbLocal({ dataDir: options.dataDir });
    stops.push(() => dynamo.stop());
    const tableEnv = await createTables(dynamo.endpoint);
    Object.assign(process.env, tableEnv, localAwsEnv, { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

    const failures = new FailureLog();
    const broker = await startMqttBroker({ port: options.mqttPort ?? 1883, failures });
    stops.push(() => broker.close());
    const iotData = await startIotDataEndpoint(broker);
    stops.push(() => iotData.close());
    process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotData.url;

    const poller = await startStreamPoller({ endpoint: dynamo.endpoint, tableEnv, failures });
    stops.push(() => poller.stop());
    const scheduler = startScheduler({ failures, enabled: options.schedules ?? true });
    stops.push(() => scheduler.stop());

    const localEndpoints: LocalEndpoint[] = [
      async (req: IncomingMessage) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (url.pathname === '/_local/outbox' && req.method === 'GET') return json(200, { items: outbox.list(url.searchParams.get('to') ?? undefined) });
        if (url.pathname === '/_local/outbox' && req.method === 'DELETE') {
          outbox.clear();
          return json(200, { items: [] });
        }
        if (url.pathname === '/_local/failures' && req.method === 'GET') return json(200, { items: failures.list() });
        const job = /^\/_local\/jobs\/(\w+)$/.exec(url.pathname);
        if (job && req.method === 'POST') {
          if (!scheduler.jobs.includes(job[1]!)) return json(404, { message: `No job ${job[1]}; jobs: ${scheduler.jobs.join(', ')}` });
          try {
            return json(200, { job: job[1], result: await scheduler.runNow(job[1]!) });
          } catch (error) {
            return json(500, { job: job[1], error: (error as Error).message });
          }
        }
        return undefined;
      },
    ];
    const gateway = createGateway({ localEndpoints });
    await new Promise<void>((resolve, reject) => {
      gateway.once('error', reject);
      gateway.listen(options.port ?? 3000, '127.0.0.1', resolve);
    });
    stops.push(() => new Promise<void>((resolve) => {
      gateway.closeAllConnections();
      gateway.close(() => resolve());
    }));
    const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;

    if (!options.empty) await seedDemoData(url);

    return {
      url,
      mqttUrl: broker.url,
      dynamoEndpoint: dynamo.endpoint,
      failures,
      settled: async () => {
        await broker.settled();
        await poller.idle();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};

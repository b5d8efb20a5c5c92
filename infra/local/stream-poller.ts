/**
 * The local twin of Lambda's DynamoDB event source mappings: reads the
 * streams of DynamoDB Local, applies each consumer's filter patterns,
 * invokes its handler with Lambda's batch shape and honours
 * `batchItemFailures`: the first failed record and everything after it are
 * retried up to `retryAttempts`, then written to the failure log (AWS: the
 * on-failure destination) and the shard moves on. With a checkpoint file it
 * keeps, as a mapping does, how far each consumer got in each shard, so a
 * restart picks up what a crash or stop left unhandled.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type StreamConsumerDefinition, streamConsumerList, streamConsumerTimeoutSeconds } from '../streams.ts';
import { tables } from '../tables.ts';
import { localAwsEnv, streamArnOf } from './dynamodb.ts';
import { type FailureLog, thrownReason } from './failure-log.ts';
import { assertFilterPatterns, matchesAnyFilter } from './filter-pattern.ts';
import { lambdaContext } from './gateway.ts';
import { loadHandler } from './handlers.ts';
import { nowMillis } from '../../shared/clock.ts';

// biome-ignore lint/suspicious/noConfusingVoidType: a Lambda handler may answer nothing
type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

export interface StreamPollerOptions {
  readonly endpoint: string;
  /** Physical table names by env var, as createTables returned them. */
  readonly tableEnv: Record<string, string>;
  readonly failures: FailureLog;
  readonly intervalMs?: number;
  /** Which consumers to run: infra/streams.ts unless a test brings its own. */
  readonly consumers?: readonly [string, StreamConsumerDefinition][];
  /** Where to keep each consumer's last handled sequence number per shard (a --data run); without it, a start reads from now on. */
  readonly checkpointFile?: string;
}

/** Last handled sequence number by consumer, then by shard. */
type Checkpoints = Record<string, Record<string, string>>;

const knownEvents = new Set(['INSERT', 'MODIFY', 'REMOVE']);

/** Leaves out absent fields, as Lambda's JSON does, so `exists: false` filters see them absent. */
const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/**
 * A stream record as Lambda delivers it. DynamoDB Local reports a TTL
 * deletion under an event name the SDK does not know (it arrives as
 * "UNKNOWN_TO_SDK_VERSION" or similar), where AWS sends REMOVE with the
 * DynamoDB service as the user identity; handlers get what AWS sends.
 */
type Image = Record<string, unknown>;

/**
 * The Streams client hands an empty map back as `{}`, its type lost (every
 * other attribute type has a member); Lambda's JSON carries `{"M":{}}`.
 * Put the type back, at any depth, so handlers unmarshall what AWS sends.
 */
const withEmptyMaps = (image: Image | undefined): Image | undefined => {
  if (!image) return image;
  const repair = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const attribute = value as { M?: Image; L?: unknown[] };
    if (Object.keys(attribute).length === 0) return { M: {} };
    if (attribute.M) return { M: withEmptyMaps(attribute.M) };
    if (attribute.L) return { L: attribute.L.map(repair) };
    return value;
  };
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, repair(value)]));
};

export const toLambdaRecord = (record: StreamRecord, streamArn: string): DynamoDBRecord => {
  const ttlRemoval = !knownEvents.has(String(record.eventName)) && record.dynamodb?.OldImage !== undefined && record.dynamodb?.NewImage === undefined;
  const userIdentity = ttlRemoval ? { type: 'Service', principalId: 'dynamodb.amazonaws.com' } : record.userIdentity;
  return defined({
    eventID: record.eventID,
    eventName: (ttlRemoval ? 'REMOVE' : record.eventName) as DynamoDBRecord['eventName'],
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: localAwsEnv.AWS_REGION,
    eventSourceARN: streamArn,
    userIdentity,
    dynamodb: defined({
      // On the local cloud's clock (infra/local/clock.ts): DynamoDB Local stamps system time.
      ApproximateCreationDateTime: Math.floor(((record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now()) + nowMillis() - Date.now()) / 1000),
      Keys: record.dynamodb?.Keys as never,
      NewImage: withEmptyMaps(record.dynamodb?.NewImage as Image | undefined) as never,
      OldImage: withEmptyMaps(record.dynamodb?.OldImage as Image | undefined) as never,
      SequenceNumber: record.dynamodb?.SequenceNumber,
      SizeBytes: record.dynamodb?.SizeBytes,
      StreamViewType: record.dynamodb?.StreamViewType,
    }),
  });
};

interface Consumer {
  readonly name: string;
  readonly definition: StreamConsumerDefinition;
  readonly streamArn: string;
  /** Open shard iterators by shard id. */
  readonly iterators: Map<string, string>;
  readonly seenShards: Set<string>;
  /** The last record handled per shard: where a restart, or a renewed iterator, picks up. */
  readonly lastSequence: Map<string, string>;
}

export interface StreamPoller {
  /** Resolves once every shard has been read to its end at least once after the call. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export const startStreamPoller = async (options: StreamPollerOptions): Promise<StreamPoller> => {
  const client = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: localAwsEnv.AWS_REGION,
    credentials: { accessKeyId: localAwsEnv.AWS_ACCESS_KEY_ID, secretAccessKey: localAwsEnv.AWS_SECRET_ACCESS_KEY },
  });
  const intervalMs = options.intervalMs ?? 100;
  const { checkpointFile } = options;
  // Checkpoints exist from the first start on a data directory: from then on, a shard without one was never read and is read whole.
  const resuming = checkpointFile !== undefined && existsSync(checkpointFile);
  const saved: Checkpoints = resuming ? (JSON.parse(readFileSync(checkpointFile, 'utf8')) as Checkpoints) : {};

  /** After the last record handled, or from the shard's start if none was. */
  const resumeIterator = async (consumer: Consumer, shardId: string) => {
    const last = consumer.lastSequence.get(shardId);
    const input = { StreamArn: consumer.streamArn, ShardId: shardId };
    try {
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand(
          last ? { ...input, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last } : { ...input, ShardIteratorType: 'TRIM_HORIZON' },
        ),
      );
      return ShardIterator;
    } catch (error) {
      // The stream no longer holds that record (24 hours): everything it still holds came after it.
      if ((error as Error).name !== 'TrimmedDataAccessException') throw error;
      return (await client.send(new GetShardIteratorCommand({ ...input, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    }
  };

  const refreshShards = async (consumer: Consumer, initial: boolean) => {
    const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamArn: consumer.streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId!;
      if (consumer.seenShards.has(shardId)) continue;
      consumer.seenShards.add(shardId);
      let iterator: string | undefined;
      if (initial && !resuming) {
        // Like a mapping created now: what is already there was written before we started.
        const end = shard.SequenceNumberRange?.EndingSequenceNumber;
        if (end !== undefined) {
          consumer.lastSequence.set(shardId, end);
          continue;
        }
        ({ ShardIterator: iterator } = await client.send(
          new GetShardIteratorCommand({ StreamArn: consumer.streamArn, ShardId: shardId, ShardIteratorType: 'LATEST' }),
        ));
      } else {
        iterator = await resumeIterator(consumer, shardId);
      }
      if (iterator) consumer.iterators.set(shardId, iterator);
    }
  };

  const consumers: Consumer[] = [];
  for (const [name, definition] of options.consumers ?? streamConsumerList()) {
    assertFilterPatterns(definition.filters, name);
    const table = options.tableEnv[tables[definition.table].envVar];
    const streamArn = table ? await streamArnOf(options.endpoint, table) : undefined;
    if (!streamArn) throw new Error(`Table ${table ?? definition.table} has no stream for consumer ${name}`);
    const consumer: Consumer = {
      name,
      definition,
      streamArn,
      iterators: new Map(),
      seenShards: new Set(),
      lastSequence: new Map(Object.entries(saved[name] ?? {})),
    };
    await refreshShards(consumer, true);
    consumers.push(consumer);
  }

  /** Whole or not at all: written beside and renamed over, so a crash mid-write leaves the previous checkpoints. */
  const saveCheckpoints = () => {
    if (!checkpointFile) return;
    // Only shards the stream still has: trimmed ones would only grow the file.
    const checkpoints: Checkpoints = Object.fromEntries(
      consumers.map((c) => [c.name, Object.fromEntries([...c.lastSequence].filter(([shardId]) => c.seenShards.has(shardId)))]),
    );
    writeFileSync(`${checkpointFile}.tmp`, JSON.stringify(checkpoints));
    renameSync(`${checkpointFile}.tmp`, checkpointFile);
  };
  saveCheckpoints();

  /** Moves the shard's checkpoint past records handled (or sent to the failure log). */
  const checkpoint = (consumer: Consumer, shardId: string, sequenceNumber: string | undefined) => {
    if (!sequenceNumber) return;
    consumer.lastSequence.set(shardId, sequenceNumber);
    saveCheckpoints();
  };

  const deliver = async (consumer: Consumer, batch: DynamoDBRecord[]) => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      let failedFrom: number;
      let reason: string;
      try {
        // Inside the try: a module that fails to load is a failed invocation, as an init error is in Lambda.
        const handler = await loadHandler<StreamHandler>(consumer.definition.entry, consumer.name, consumer.definition);
        const response = await handler({ Records: pending }, lambdaContext(consumer.name, streamConsumerTimeoutSeconds * 1000));
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        const known = new Set(pending.map((r) => r.dynamodb?.SequenceNumber));
        // Lambda takes an empty or unknown itemIdentifier as the whole batch failing.
        const invalid = [...failed].some((id) => !id || !known.has(id));
        failedFrom = invalid ? 0 : pending.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
        reason = invalid ? `batchItemFailures names records not in the batch: ${JSON.stringify([...failed])}` : 'reported in batchItemFailures';
      } catch (error) {
        failedFrom = 0;
        reason = `handler threw: ${thrownReason(error)}`;
      }
      if (failedFrom < 0) return;
      pending = pending.slice(failedFrom);
      if (attempt >= consumer.definition.retryAttempts) {
        for (const record of pending) options.failures.record({ source: 'stream', name: consumer.name, reason, payload: record });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
    }
  };

  /**
   * DynamoDB Local sometimes refuses an iterator it handed out ("read past
   * the oldest stream record") or lets it expire: start again after the last
   * record handled. Handlers are idempotent, as stream consumers must be, so
   * a record seen twice is safe.
   */
  const renewIterator = async (consumer: Consumer, shardId: string) => {
    const iterator = await resumeIterator(consumer, shardId);
    if (iterator) consumer.iterators.set(shardId, iterator);
    else consumer.iterators.delete(shardId);
  };

  const pollShard = async (consumer: Consumer, shardId: string, iterator: string) => {
    let output: GetRecordsCommandOutput;
    try {
      output = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'TrimmedDataAccessException' && name !== 'ExpiredIteratorException') throw error;
      await renewIterator(consumer, shardId);
      return;
    }
    const lastRecord = output.Records?.at(-1)?.dynamodb?.SequenceNumber;
    const records = (output.Records ?? []).map((r) => toLambdaRecord(r, consumer.streamArn)).filter((r) => matchesAnyFilter(r, consumer.definition.filters));
    for (let i = 0; i < records.length; i += consumer.definition.batchSize) {
      const batch = records.slice(i, i + consumer.definition.batchSize);
      await deliver(consumer, batch);
      checkpoint(consumer, shardId, batch.at(-1)?.dynamodb?.SequenceNumber);
    }
    // Past the records no filter matched, too.
    checkpoint(consumer, shardId, lastRecord);
    if (output.NextShardIterator) consumer.iterators.set(shardId, output.NextShardIterator);
    else consumer.iterators.delete(shardId);
  };

  let stopped = false;
  let cycles = 0;
  let lastRefresh = Date.now();
  const waiters: { until: number; resolve: () => void }[] = [];

  const loop = (async () => {
    while (!stopped) {
      const refresh = Date.now() - lastRefresh > 2000;
      if (refresh) lastRefresh = Date.now();
      // Consumers run side by side, each reading its shards one after another, so a shard's records stay in order.
      // allSettled: one consumer's trouble must not start the next cycle while another is still reading.
      const results = await Promise.allSettled(
        consumers.map(async (consumer) => {
          if (refresh) await refreshShards(consumer, false);
          for (const [shardId, iterator] of [...consumer.iterators]) await pollShard(consumer, shardId, iterator);
        }),
      );
      for (const [i, result] of results.entries()) {
        if (result.status === 'rejected' && !stopped) console.error(`local stream poller (${consumers[i]!.name}):`, (result.reason as Error).message);
      }
      cycles++;
      for (const waiter of waiters.filter((w) => cycles >= w.until)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();

  return {
    idle: () => new Promise<void>((resolve) => waiters.push({ until: cycles + 2, resolve })),
    stop: async () => {
      stopped = true;
      await loop;
      for (const waiter of waiters.splice(0)) waiter.resolve();
      client.destroy();
    },
  };
};

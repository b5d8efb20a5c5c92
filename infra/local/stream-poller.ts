/**
 * The local twin of Lambda's DynamoDB event source mappings: reads the
 * streams of DynamoDB Local, applies each consumer's filter patterns,
 * invokes its handler with Lambda's batch shape and honours
 * `batchItemFailures`: the first failed record and everything after it are
 * retried up to `retryAttempts`, then written to the failure log (AWS: the
 * on-failure destination) and the shard moves on. With a checkpoint file it
 * keeps, as a mapping does, how far each consumer got in each shard, so a
 * restart picks up what a crash or stop left unhandled. The consumers of one
 * table share one read of each shard (each still takes only the records after
 * its own place), so DynamoDB Local serves a record once, not once per
 * consumer.
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
  /** The last record handled per shard: where a restart, or a renewed iterator, picks up. */
  readonly lastSequence: Map<string, string>;
}

/**
 * The consumers of one table's stream. Each keeps its own place per shard,
 * as a mapping does; the shard is read once for all of them (DynamoDB Local
 * pays for every GetRecords, and nine consumers reading the same records
 * nine times cost the local cloud over a quarter of a core while idle), and
 * each consumer takes only what comes after its own place.
 */
interface StreamGroup {
  readonly streamArn: string;
  readonly consumers: Consumer[];
  /** Open shard iterators by shard id, shared by the group. */
  readonly iterators: Map<string, string>;
  readonly seenShards: Set<string>;
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

  /** Orders two sequence numbers (decimal strings, as DynamoDB's are; of any length). */
  const compareSequence = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

  /**
   * Where the group reads a shard from: after the earliest place any of its
   * consumers has handled, or from the shard's start if one has none.
   */
  const groupPlace = (group: StreamGroup, shardId: string): string | undefined => {
    let earliest: string | undefined;
    for (const consumer of group.consumers) {
      const last = consumer.lastSequence.get(shardId);
      if (last === undefined) return undefined;
      if (earliest === undefined || compareSequence(last, earliest) < 0) earliest = last;
    }
    return earliest;
  };

  /** After the last record handled (by every consumer of the group), or from the shard's start if none was. */
  const resumeIterator = async (group: StreamGroup, shardId: string) => {
    const last = groupPlace(group, shardId);
    const input = { StreamArn: group.streamArn, ShardId: shardId };
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

  const refreshShards = async (group: StreamGroup, initial: boolean) => {
    const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamArn: group.streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId!;
      if (group.seenShards.has(shardId)) continue;
      group.seenShards.add(shardId);
      let iterator: string | undefined;
      if (initial && !resuming) {
        // Like a mapping created now: what is already there was written before we started.
        const end = shard.SequenceNumberRange?.EndingSequenceNumber;
        if (end !== undefined) {
          for (const consumer of group.consumers) consumer.lastSequence.set(shardId, end);
          continue;
        }
        ({ ShardIterator: iterator } = await client.send(
          new GetShardIteratorCommand({ StreamArn: group.streamArn, ShardId: shardId, ShardIteratorType: 'LATEST' }),
        ));
      } else {
        iterator = await resumeIterator(group, shardId);
      }
      if (iterator) group.iterators.set(shardId, iterator);
    }
  };

  const consumers: Consumer[] = [];
  const groups = new Map<string, StreamGroup>();
  for (const [name, definition] of options.consumers ?? streamConsumerList()) {
    assertFilterPatterns(definition.filters, name);
    const table = options.tableEnv[tables[definition.table].envVar];
    const streamArn = table ? await streamArnOf(options.endpoint, table) : undefined;
    if (!streamArn) throw new Error(`Table ${table ?? definition.table} has no stream for consumer ${name}`);
    const consumer: Consumer = { name, definition, streamArn, lastSequence: new Map(Object.entries(saved[name] ?? {})) };
    consumers.push(consumer);
    const group: StreamGroup = groups.get(streamArn) ?? { streamArn, consumers: [], iterators: new Map(), seenShards: new Set() };
    group.consumers.push(consumer);
    groups.set(streamArn, group);
  }
  for (const group of groups.values()) await refreshShards(group, true);

  /** Whole or not at all: written beside and renamed over, so a crash mid-write leaves the previous checkpoints. */
  const saveCheckpoints = () => {
    if (!checkpointFile) return;
    // Only shards the stream still has: trimmed ones would only grow the file.
    const checkpoints: Checkpoints = Object.fromEntries(
      consumers.map((c) => [c.name, Object.fromEntries([...c.lastSequence].filter(([shardId]) => groups.get(c.streamArn)!.seenShards.has(shardId)))]),
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
  const renewIterator = async (group: StreamGroup, shardId: string) => {
    const iterator = await resumeIterator(group, shardId);
    if (iterator) group.iterators.set(shardId, iterator);
    else group.iterators.delete(shardId);
  };

  /** One consumer's part of what the group read: the records after its own place, filtered, in batches. */
  const consume = async (consumer: Consumer, shardId: string, read: readonly StreamRecord[]) => {
    const place = consumer.lastSequence.get(shardId);
    const after = place === undefined ? read : read.filter((r) => compareSequence(r.dynamodb?.SequenceNumber ?? '', place) > 0);
    const lastRecord = after.at(-1)?.dynamodb?.SequenceNumber;
    const records = after.map((r) => toLambdaRecord(r, consumer.streamArn)).filter((r) => matchesAnyFilter(r, consumer.definition.filters));
    for (let i = 0; i < records.length; i += consumer.definition.batchSize) {
      const batch = records.slice(i, i + consumer.definition.batchSize);
      await deliver(consumer, batch);
      checkpoint(consumer, shardId, batch.at(-1)?.dynamodb?.SequenceNumber);
    }
    // Past the records no filter matched, too.
    checkpoint(consumer, shardId, lastRecord);
  };

  const pollShard = async (group: StreamGroup, shardId: string, iterator: string) => {
    let output: GetRecordsCommandOutput;
    try {
      output = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'TrimmedDataAccessException' && name !== 'ExpiredIteratorException') throw error;
      await renewIterator(group, shardId);
      return;
    }
    const read = output.Records ?? [];
    const lastRecord = read.at(-1)?.dynamodb?.SequenceNumber;
    // The group's consumers side by side, each through its own records in order.
    const results = await Promise.allSettled(group.consumers.map((consumer) => consume(consumer, shardId, read)));
    for (const [i, result] of results.entries())
      if (result.status === 'rejected' && !stopped) console.error(`local stream poller (${group.consumers[i]!.name}):`, (result.reason as Error).message);
    // A consumer that did not get past what was read (it failed) reads it again: the group goes back to the earliest place.
    const behind =
      lastRecord !== undefined &&
      group.consumers.some((c) => {
        const place = c.lastSequence.get(shardId);
        return place === undefined || compareSequence(place, lastRecord) < 0;
      });
    if (behind) await renewIterator(group, shardId);
    else if (output.NextShardIterator) group.iterators.set(shardId, output.NextShardIterator);
    else group.iterators.delete(shardId);
  };

  let stopped = false;
  let cycles = 0;
  let lastRefresh = Date.now();
  const waiters: { until: number; resolve: () => void }[] = [];
  /** Whether a cycle is under way (it may have passed a shard before an `idle()` call), and how to cut the pause short. */
  let reading = false;
  let wake: (() => void) | undefined;

  const loop = (async () => {
    while (!stopped) {
      reading = true;
      const refresh = Date.now() - lastRefresh > 2000;
      if (refresh) lastRefresh = Date.now();
      // Streams run side by side, each reading its shards one after another, so a shard's records stay in order.
      // allSettled: one stream's trouble must not start the next cycle while another is still reading.
      const all = [...groups.values()];
      const results = await Promise.allSettled(
        all.map(async (group) => {
          if (refresh) await refreshShards(group, false);
          for (const [shardId, iterator] of [...group.iterators]) await pollShard(group, shardId, iterator);
        }),
      );
      for (const [i, result] of results.entries()) {
        if (result.status === 'rejected' && !stopped) console.error(`local stream poller (${all[i]!.streamArn}):`, (result.reason as Error).message);
      }
      cycles++;
      reading = false;
      for (const waiter of waiters.filter((w) => cycles >= w.until)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      // Someone waiting for the streams to be read to their end: read again at once, not after the pause.
      if (waiters.length === 0)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      wake = undefined;
    }
  })();

  return {
    // A cycle under way may have read a shard before the call: then the next one after it, else the next one.
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push({ until: cycles + (reading ? 2 : 1), resolve });
        wake?.();
      }),
    stop: async () => {
      stopped = true;
      await loop;
      for (const waiter of waiters.splice(0)) waiter.resolve();
      client.destroy();
    },
  };
};

import { inject } from 'vitest';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { type StreamPoller, startStreamPoller } from '../../infra/local/stream-poller.ts';
import { type StreamConsumerName, streamConsumers } from '../../infra/streams.ts';

/** The local stream poller on the run's DynamoDB Local, delivering to these consumers as their event source mappings would. */
export const startStreams = (names: readonly StreamConsumerName[], failures: FailureLog = new FailureLog()): Promise<StreamPoller> =>
  startStreamPoller({
    endpoint: inject('dynamoEndpoint'),
    tableEnv: inject('tableEnv'),
    failures,
    consumers: names.map((name) => [name, streamConsumers[name]] as const),
  });

/** Reads until `done` says so, letting the stream consumers catch up between reads; fails naming `what` after 100 rounds. */
export const untilStreamsSettle = async <T>(poller: StreamPoller, read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (done(value)) return value;
    await poller.idle();
  }
  throw new Error(`timed out waiting for ${what}`);
};

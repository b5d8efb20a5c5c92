/**
 * Handlers for every trigger but HTTP (which has shared/http/handler.ts),
 * built the same way: middy with Powertools' injectLambdaContext, so each log
 * line carries the request id and the function. Stream and queue handlers
 * take one record at a time and report partial batch failures, so one bad
 * record never holds up the others.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { logger } from './observability.ts';

/** A scheduled job, an IoT topic rule, an SNS subscription: one event in, one answer out. */
export const eventHandler = <E, R>(handle: (event: E, context: Context) => Promise<R>) =>
  middy<E, R, Error, Context>(handle).use(injectLambdaContext(logger, { resetKeys: true }));

/** A stream record with its images as items (DynamoDB JSON unmarshalled). */
export interface StreamChange {
  readonly record: DynamoDBRecord;
  // biome-ignore lint/suspicious/noExplicitAny: an item of whichever entity the consumer's filter lets through
  readonly newImage?: Record<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: an item of whichever entity the consumer's filter lets through
  readonly oldImage?: Record<string, any>;
}

const itemOf = (image: unknown): Record<string, unknown> | undefined => (image ? unmarshall(image as Record<string, AttributeValue>) : undefined);

/** A DynamoDB stream consumer: one change at a time; a failed one is reported, the rest go on. */
export const streamHandler = (handleChange: (change: StreamChange) => Promise<void>) => {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const handleRecord = (record: DynamoDBRecord) =>
    handleChange({ record, newImage: itemOf(record.dynamodb?.NewImage), oldImage: itemOf(record.dynamodb?.OldImage) });
  return eventHandler((event: DynamoDBStreamEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context }));
};

/** An SQS worker: each message's JSON body parsed by `schema`; a failed message is reported, the rest go on. */
export const queueHandler = <S extends z.ZodType>(schema: S, handleMessage: (message: z.output<S>, context: Context) => Promise<void>) => {
  const processor = new BatchProcessor(EventType.SQS);
  return eventHandler((event: SQSEvent, context: Context) =>
    processPartialResponse(event, (record: SQSRecord) => handleMessage(schema.parse(JSON.parse(record.body)), context), processor, { context }),
  );
};

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { notifyBackInStock } from '../../shared/db/stock-alerts.ts';
import { logger } from '../../shared/http/logger.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/** The filter in infra/streams.ts passes only levels whose available went from 0 or less to more. */
const tellSubscribers = async (record: DynamoDBRecord): Promise<void> => {
  const level = unmarshall(record.dynamodb?.NewImage as Record<string, AttributeValue>);
  // The level's updatedAt is when it came back: the moment subscribers are counted at.
  const counts = await notifyBackInStock(level.sku, level.locationId, level.updatedAt);
  if (Object.values(counts).some((n) => n > 0)) logger.info('Back-in-stock alerts', { sku: level.sku, locationId: level.locationId, ...counts });
};

export const backInStock = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, tellSubscribers, processor, { context });

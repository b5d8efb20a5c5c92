import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { expireHold, holdFromImage } from '../../shared/db/stock.ts';
import { logger } from '../../shared/http/logger.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/**
 * TTL removed a hold nobody released (the sweep job was down): give its
 * stock back. The filter in infra/streams.ts only lets such records through;
 * the release's movement id is the one the sweep would use, so whichever
 * comes second changes nothing.
 */
const releaseRemovedHold = async (record: DynamoDBRecord): Promise<void> => {
  const image = record.dynamodb?.OldImage;
  if (!image) return;
  const hold = holdFromImage(unmarshall(image as Record<string, AttributeValue>));
  const outcome = await expireHold(hold, true);
  logger.info('Released a hold removed by TTL', { reservationId: hold.reservationId, released: outcome !== undefined });
};

export const expiredHolds = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, releaseRemovedHold, processor, { context });

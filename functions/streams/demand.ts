import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { recordDemand, recordMemberDemand } from '../../shared/db/replenishment.ts';
import { entities } from '../../shared/db/keys.ts';
import { logger } from '../../shared/http/logger.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/**
 * SALE ledger entries become daily demand; member sales add their units by
 * tier. Both writes remember what they counted, so a redelivered record or a
 * retried batch counts nothing twice.
 */
const countDemand = async (record: DynamoDBRecord): Promise<void> => {
  const image = unmarshall(record.dynamodb?.NewImage as Record<string, AttributeValue>);
  if (image.entity === entities.ledgerEntry) {
    await recordDemand({ sku: image.sku, locationId: image.locationId, movementId: image.movementId, onHandDelta: image.onHandDelta, at: image.at });
    return;
  }
  const tier = image.receipt?.member?.tier as string | undefined;
  if (!tier) return;
  const counted = await recordMemberDemand({ saleId: image.saleId, locationId: image.locationId, at: image.at, tier, lines: image.lines });
  logger.debug('Member demand counted', { saleId: image.saleId, tier, lines: counted });
};

export const demand = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, countDemand, processor, { context });

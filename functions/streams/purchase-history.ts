import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { recordPurchase } from '../../shared/db/recommendations.ts';
import { logger } from '../../shared/http/logger.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/** The filter in infra/streams.ts passes only new sales with a member; each is counted once, however often it arrives. */
const countPurchase = async (record: DynamoDBRecord): Promise<void> => {
  const sale = unmarshall(record.dynamodb?.NewImage as Record<string, AttributeValue>);
  const chunks = await recordPurchase({
    saleId: sale.saleId,
    memberId: sale.memberId,
    locationId: sale.locationId,
    at: sale.at,
    tier: sale.receipt?.member?.tier,
    lines: sale.lines,
  });
  logger.debug('Purchase counted', { saleId: sale.saleId, memberId: sale.memberId, chunks });
};

export const purchaseHistory = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, countPurchase, processor, { context });

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { checkReorder } from '../../shared/db/replenishment.ts';
import { logger } from '../../shared/http/logger.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/** Only a change that moves the inventory position or the reorder point can change the decision. */
const decisionInputsChanged = (record: DynamoDBRecord): boolean => {
  if (!record.dynamodb?.OldImage) return true;
  const before = unmarshall(record.dynamodb.OldImage as Record<string, AttributeValue>);
  const after = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
  return before.available !== after.available || before.incoming !== after.incoming || before.reorderPoint !== after.reorderPoint;
};

/**
 * A level changed: re-decide from the current state (not from the record),
 * so records arriving late, twice or out of order all end in the same one
 * suggestion for the SKU and location.
 */
const recheck = async (record: DynamoDBRecord): Promise<void> => {
  if (!decisionInputsChanged(record)) return;
  const level = unmarshall(record.dynamodb?.NewImage as Record<string, AttributeValue>);
  const check = await checkReorder(level.sku, level.locationId);
  if (check && check.outcome !== 'UNCHANGED') {
    logger.info('Replenishment suggestion', { sku: level.sku, locationId: level.locationId, outcome: check.outcome, quantity: check.suggestion?.quantity });
  }
};

export const reorderCheck = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, recheck, processor, { context });

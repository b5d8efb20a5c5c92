/**
 * Product feedback as stored (inventory table, beside the sales that verify
 * it): one item per sale and SKU (the once-per-purchase guard), a guard per
 * request id, and running totals per product, per store and per product at
 * a store, added to in the same transaction as the rating.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import type { RatingTotals } from '../domain/feedback.ts';
import type { Feedback } from '../schemas/feedback.ts';
import { getInventoryItem } from './catalog.ts';
import { documentClient, queryAll, tableName } from './client.ts';
import { entities, feedbackKeys, withoutKeys } from './keys.ts';
import type { LabelledItem, TransactItem } from './transact.ts';

const inventory = () => tableName(tables.inventory);

/** The guard of a feedback request id: its fingerprint and the first answer. */
export const readFeedbackRequest = async (feedbackId: string): Promise<{ fingerprint: string; answer: Feedback } | undefined> =>
  (await getInventoryItem(feedbackKeys.feedbackRequest(feedbackId))) as { fingerprint: string; answer: Feedback } | undefined;

export const readFeedback = async (saleId: string, sku: string): Promise<Feedback | undefined> => {
  const item = await getInventoryItem(feedbackKeys.feedback(saleId, sku));
  return item ? withoutKeys<Feedback>(item) : undefined;
};

const addRating = (key: { pk: string; sk: string }, rating: number, extra: Record<string, unknown> = {}): TransactItem => {
  const set = Object.keys(extra);
  return {
    Update: {
      TableName: inventory(),
      Key: key,
      UpdateExpression: `ADD #count :one, #sum :rating, #r :one SET entity = :entity${set.map((name) => `, ${name} = :${name}`).join('')}`,
      ExpressionAttributeNames: { '#count': 'count', '#sum': 'sum', '#r': `r${rating}` },
      ExpressionAttributeValues: {
        ':one': 1,
        ':rating': rating,
        ':entity': entities.ratingSummary,
        ...Object.fromEntries(set.map((name) => [`:${name}`, extra[name]])),
      },
    },
  };
};

/**
 * The rating, its request guard and the totals it adds to, in one
 * transaction. Labels: `request` (the id was used), `feedback` (this
 * purchase was rated already), `totals`.
 */
export const feedbackItems = (feedback: Feedback, fingerprint: string): LabelledItem[] => [
  {
    label: 'request',
    item: {
      Put: {
        TableName: inventory(),
        Item: { ...feedbackKeys.feedbackRequest(feedback.feedbackId), entity: entities.feedbackRequest, fingerprint, answer: feedback, at: feedback.at },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  },
  {
    label: 'feedback',
    item: {
      Put: {
        TableName: inventory(),
        Item: {
          ...feedbackKeys.feedback(feedback.saleId, feedback.sku),
          ...feedbackKeys.feedbackIndexes(feedback.sku, feedback.locationId, feedback.at, feedback.saleId),
          entity: entities.feedback,
          ...feedback,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  },
  { label: 'totals', item: addRating(feedbackKeys.productSummary(feedback.sku), feedback.rating) },
  { label: 'totals', item: addRating(feedbackKeys.storeSummary(feedback.locationId), feedback.rating) },
  {
    label: 'totals',
    item: addRating(feedbackKeys.productAtStore(feedback.sku, feedback.locationId), feedback.rating, {
      ...feedbackKeys.productAtStoreIndex(feedback.sku, feedback.locationId),
      sku: feedback.sku,
      locationId: feedback.locationId,
    }),
  },
];

export const productTotals = async (sku: string): Promise<RatingTotals | undefined> => getInventoryItem(feedbackKeys.productSummary(sku));
export const storeTotals = async (locationId: string): Promise<RatingTotals | undefined> => getInventoryItem(feedbackKeys.storeSummary(locationId));

/** A product's totals per store. */
export const productTotalsByStore = async (sku: string): Promise<(RatingTotals & { locationId: string })[]> =>
  (await queryAll({
    TableName: inventory(),
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': feedbackKeys.storesOf(sku) },
  })) as unknown as (RatingTotals & { locationId: string })[];

/** A store's totals per product. */
export const storeTotalsByProduct = async (locationId: string): Promise<(RatingTotals & { sku: string })[]> =>
  (await queryAll({
    TableName: inventory(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sku)',
    ExpressionAttributeValues: { ':pk': feedbackKeys.storeSummary(locationId).pk, ':sku': 'SKU#' },
    ConsistentRead: true,
  })) as unknown as (RatingTotals & { sku: string })[];

const latest = async (index: 'gsi1' | 'gsi2', pk: string, limit: number): Promise<Feedback[]> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk`,
      ExpressionAttributeValues: { ':pk': pk },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (output.Items ?? []).map((item) => withoutKeys<Feedback>(item));
};

/** The latest ratings of a product, newest first. */
export const latestOfProduct = (sku: string, limit: number) => latest('gsi1', feedbackKeys.ratingsOf(sku), limit);
/** The latest ratings at a store, newest first. */
export const latestAtStore = (locationId: string, limit: number) => latest('gsi2', feedbackKeys.ratingsAt(locationId), limit);

/**
 * DynamoDB stream consumers, declared once. The stack turns each into an
 * event source mapping; the local stream poller reads the same list and
 * applies the same filter patterns before invoking the handler.
 *
 * Filter patterns use Lambda's event filtering syntax over the stream record
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html);
 * the local poller implements the subset used here: exact values, `prefix`,
 * `exists` and `anything-but`.
 */
import { entities } from '../shared/db/keys.ts';
import { demandLedgerTypes } from '../shared/domain/replenishment/demand-source.ts';
import type { Grants } from './grants.ts';
import type { TableKey } from './tables.ts';

export type FilterPattern = Record<string, unknown>;

export interface StreamConsumerDefinition extends Grants {
  readonly table: TableKey;
  readonly entry: string;
  readonly description: string;
  /** Records matching any one pattern are delivered; others never reach the function. */
  readonly filters: readonly FilterPattern[];
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** Retries of a failing batch before its records go to the failure destination. */
  readonly retryAttempts: number;
}

/** Every stream consumer's Lambda timeout. */
export const streamConsumerTimeoutSeconds = 60;

export const streamConsumers = {
  expiredHolds: {
    table: 'inventory',
    entry: 'functions/streams/expired-holds.ts',
    description: 'Releases the stock of a hold whose TTL removed it before anyone released it',
    filters: [{ eventName: ['REMOVE'], dynamodb: { OldImage: { entity: { S: [entities.reservation] }, status: { S: ['ACTIVE'] } } } }],
    batchSize: 25,
    maxBatchingWindowSeconds: 1,
    retryAttempts: 5,
    tables: { inventory: 'readWrite' },
  },
  demand: {
    table: 'inventory',
    entry: 'functions/streams/demand.ts',
    description:
      "Counts sales (and a warehouse's shipments to stores) into daily demand per SKU and location, and member sales by tier, tag and demand segment, for the forecast",
    filters: [
      // Sales, and transfers out: a warehouse's demand is what it ships to the stores (demandUnitsOf).
      { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [entities.ledgerEntry] }, type: { S: [...demandLedgerTypes] } } } },
      { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [entities.sale] }, memberId: { S: [{ exists: true }] } } } },
    ],
    batchSize: 100,
    maxBatchingWindowSeconds: 2,
    retryAttempts: 5,
    // members: the profile (tags) of each member sale and the programme (demand segments).
    tables: { inventory: 'readWrite', members: 'read' },
  },
  purchaseHistory: {
    table: 'inventory',
    entry: 'functions/streams/purchase-history.ts',
    description: 'Counts member sales once into buyers per SKU, bought-together counts, tier favourites and usual stores, for recommendations',
    filters: [{ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [entities.sale] }, memberId: { S: [{ exists: true }] } } } }],
    batchSize: 25,
    maxBatchingWindowSeconds: 2,
    retryAttempts: 5,
    tables: { inventory: 'readWrite', members: 'readWrite' },
  },
  reorderCheck: {
    table: 'inventory',
    entry: 'functions/streams/reorder-check.ts',
    description: 'Re-checks the reorder point of every stock level that changed and keeps one suggestion per SKU and location',
    // A hot SKU's sale moves one of its level's shards: the level it is part of is checked (docs/hot-skus.md).
    filters: [{ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: [entities.level, entities.levelShard] } } } }],
    batchSize: 50,
    maxBatchingWindowSeconds: 2,
    retryAttempts: 5,
    tables: { inventory: 'readWrite' },
  },
  countsDue: {
    table: 'inventory',
    entry: 'functions/streams/counts-due.ts',
    description: 'Raises a count of a SKU at a location whose available stock went below zero (offline sales booked past the shelf)',
    filters: [{ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: [entities.level] }, available: { N: [{ numeric: ['<', 0] }] } } } }],
    batchSize: 50,
    maxBatchingWindowSeconds: 2,
    retryAttempts: 5,
    tables: { inventory: 'readWrite' },
  },
  backInStock: {
    table: 'inventory',
    entry: 'functions/streams/back-in-stock.ts',
    description: 'Tells members who asked, higher tiers first, once, when a SKU becomes available again at a location',
    filters: [
      {
        eventName: ['MODIFY'],
        dynamodb: {
          OldImage: { entity: { S: [entities.level] }, available: { N: [{ numeric: ['<=', 0] }] } },
          NewImage: { available: { N: [{ numeric: ['>', 0] }] } },
        },
      },
      { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [entities.level] }, available: { N: [{ numeric: ['>', 0] }] } } } },
    ],
    batchSize: 25,
    maxBatchingWindowSeconds: 1,
    retryAttempts: 5,
    tables: { inventory: 'read', members: 'readWrite' },
    sendsMessages: true,
  },
  liveLevels: {
    table: 'inventory',
    entry: 'functions/streams/live-levels.ts',
    description: 'Pushes each new version of a stock level to stockclub/live/levels/{locationId} for the consoles watching (docs/live-stock.md)',
    filters: [{ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: [entities.level, entities.levelShard] } } } }],
    batchSize: 100,
    // Live: no batching window, a change goes out as soon as the stream hands it over.
    maxBatchingWindowSeconds: 0,
    retryAttempts: 3,
    // Reads a hot SKU's level with its shards (docs/hot-skus.md); any other level goes out as the stream image.
    tables: { inventory: 'read' },
    publishesLiveLevels: true,
  },
  epcisSales: {
    table: 'inventory',
    entry: 'functions/streams/epcis-sales.ts',
    description: 'Keeps each sale of tagged items (its EPCs) as one retail_selling EPCIS event for GET /epcis/events, keyed by the sale id',
    // Every new sale: a pattern cannot test a list for being non-empty (soldTags is [] without EPCs), so the handler skips those.
    filters: [{ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [entities.sale] } } } }],
    batchSize: 100,
    maxBatchingWindowSeconds: 2,
    retryAttempts: 5,
    tables: { rfid: 'readWrite' },
  },
  welcome: {
    table: 'members',
    entry: 'functions/streams/welcome.ts',
    description:
      "Account messages of registration: a new member's welcome with their gift; a notice to the holder of an email or phone someone else signed up with",
    filters: [{ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [entities.member, entities.signupAttempt] } } } }],
    batchSize: 25,
    maxBatchingWindowSeconds: 1,
    retryAttempts: 5,
    tables: { members: 'readWrite' },
    sendsMessages: true,
  },
} as const satisfies Record<string, StreamConsumerDefinition>;

export type StreamConsumerName = keyof typeof streamConsumers;

export const streamConsumerList = (): [StreamConsumerName, StreamConsumerDefinition][] =>
  Object.entries(streamConsumers) as [StreamConsumerName, StreamConsumerDefinition][];

/**
 * Every DynamoDB table StockClub uses, declared once. The CDK stack builds
 * them in AWS from this list and the local runtime creates them in DynamoDB
 * Local from the same list, so keys, indexes, streams and TTL cannot drift.
 *
 * All key attributes are strings; item shapes and key patterns live in
 * `shared/db/keys.ts`.
 */
export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export interface TableDefinition {
  /** Logical name: CloudFormation id in AWS, table name suffix locally. */
  readonly id: string;
  /** Environment variable through which functions learn the physical name. */
  readonly envVar: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly indexes: readonly IndexDefinition[];
  readonly stream?: 'NEW_AND_OLD_IMAGES';
  /** Only on tables whose items are meant to expire. */
  readonly timeToLiveAttribute?: string;
}

export const tables = {
  /** Products, locations, stock levels, the movement ledger, reservations, replenishment. */
  inventory: {
    id: 'Inventory',
    envVar: 'INVENTORY_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [
      { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    ],
    stream: 'NEW_AND_OLD_IMAGES',
    // Reservations (holds) expire; the stream turns their removal into a RELEASE.
    timeToLiveAttribute: 'expiresAt',
  },
  /** Members, contact uniqueness, points lots and ledger, sends, subscriptions. */
  members: {
    id: 'Members',
    envVar: 'MEMBERS_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [{ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
    stream: 'NEW_AND_OLD_IMAGES',
    timeToLiveAttribute: 'expiresAt',
  },
  /** Idempotency records: request fingerprint and the first response, kept for a day. */
  idempotency: {
    id: 'Idempotency',
    envVar: 'IDEMPOTENCY_TABLE',
    partitionKey: 'pk',
    indexes: [],
    timeToLiveAttribute: 'expiresAt',
  },
  /** RFID dedupe windows (expire) and each serialised item's last known place. */
  rfid: {
    id: 'Rfid',
    envVar: 'RFID_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [],
    timeToLiveAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof tables;

/** What a function may do with each table: IAM grants and table-name env vars follow it. */
export type TableAccess = Partial<Record<TableKey, 'read' | 'readWrite'>>;

export const tableList: readonly TableDefinition[] = Object.values(tables);

/** Physical table name used by the local runtime and the tests. */
export const localTableName = (table: TableDefinition, prefix = 'stockclub'): string => `${prefix}-${table.id}`;

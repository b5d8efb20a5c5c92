/**
 * Locations and products: created once (the id is the idempotency key),
 * changed with optimistic concurrency (If-Match on `version`).
 */
import { BatchGetCommand, type BatchGetCommandOutput, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { AlreadyExists, NotFound, PreconditionFailed, TemporarilyUnavailable } from '../domain/errors.ts';
import { gtinForms } from '../domain/epc.ts';
import { isValidGtin, sameGtin, toGtin14 } from '../domain/gtin.ts';
import { batchGetKeyLimit } from '../domain/limits.ts';
import { documentClient, queryPage, tableName } from './client.ts';
import { cursorScope } from './cursor.ts';
import { requestFingerprint } from './fingerprint.ts';
import { forgetReference } from './reference-cache.ts';
import { entities, inventoryKeys, withoutKeys } from './keys.ts';
import { TransactionCancelled, type TransactItem, transactWrite } from './transact.ts';
import type { Location, Product } from '../schemas/stock.ts';

const inventory = () => tableName(tables.inventory);

export interface Versioned {
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** Same fields, ignoring bookkeeping: is a retried create the same request? */
const sameInput = (existing: object, input: object): boolean => {
  const { version: _v, createdAt: _c, updatedAt: _u, ...rest } = existing as Record<string, unknown>;
  return requestFingerprint(rest) === requestFingerprint(input);
};

/** One inventory item by key, read consistently (the state a write is about to build on). */
export const getInventoryItem = async (key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> =>
  (await documentClient.send(new GetCommand({ TableName: inventory(), Key: key, ConsistentRead: true }))).Item;

/**
 * Creates an item whose id must be new. A retry of the same create gets the
 * existing item back (`created: false`); a different body under the same id
 * is a conflict.
 */
const createOnce = async <T extends object>(
  kind: string,
  key: { pk: string; sk: string },
  item: Record<string, unknown>,
  input: T,
  extraItems: TransactItem[] = [],
): Promise<{ value: T & Versioned; created: boolean }> => {
  try {
    await transactWrite([{ Put: { TableName: inventory(), Item: { ...key, ...item }, ConditionExpression: 'attribute_not_exists(pk)' } }, ...extraItems]);
    return { value: withoutKeys<T & Versioned>(item), created: true };
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    const existing = await getInventoryItem(key);
    if (error.failedAt(0) && existing) {
      const value = withoutKeys<T & Versioned>(existing);
      if (sameInput(value, input)) return { value, created: false };
      throw new AlreadyExists(`${kind} ${String(Object.values(input)[0])} already exists with other values`);
    }
    throw new AlreadyExists(`${kind} refers to a GTIN another product already uses`, { gtin: (input as { gtin?: string }).gtin });
  }
};

const versioned = (now: string) => ({ version: 1, createdAt: now, updatedAt: now });

/**
 * The update that applies a partial change if the item is still at
 * `expectedVersion`. Attribute names come from the validated schema.
 */
const versionedUpdate = (key: { pk: string; sk: string }, patch: object, expectedVersion: number, now: string) => {
  const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':expected': expectedVersion, ':one': 1, ':now': now };
  const sets = ['#updatedAt = :now'];
  Object.entries(patch)
    .filter(([, value]) => value !== undefined)
    .forEach(([field, value], i) => {
      names[`#f${i}`] = field;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
  return {
    TableName: inventory(),
    Key: key,
    UpdateExpression: `SET ${sets.join(', ')} ADD #version :one`,
    ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
};

const staleVersion = async (kind: string, key: { pk: string; sk: string }, expectedVersion: number): Promise<never> => {
  const existing = await getInventoryItem(key);
  if (!existing) throw new NotFound(`${kind} not found`);
  throw new PreconditionFailed(`${kind} is at version ${String(existing.version)}, not ${expectedVersion}`, {
    currentVersion: existing.version,
  });
};

const updateVersioned = async <T>(kind: string, key: { pk: string; sk: string }, patch: object, expectedVersion: number, now: string): Promise<T> => {
  try {
    const output = await documentClient.send(new UpdateCommand({ ...versionedUpdate(key, patch, expectedVersion, now), ReturnValues: 'ALL_NEW' }));
    return withoutKeys<T>(output.Attributes ?? {});
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return staleVersion(kind, key, expectedVersion);
  } finally {
    // Bookings in this container read the change at once (shared/db/reference-cache.ts).
    forgetReference(inventory(), key);
  }
};

const listing = async <T>(indexKey: string, limit: number, cursor: string | undefined): Promise<Page<T>> => {
  const page = await queryPage(
    { TableName: inventory(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': indexKey } },
    limit,
    cursorScope(tables.inventory, 'gsi1', indexKey),
    cursor,
  );
  return { items: page.items.map((i) => withoutKeys<T>(i)), cursor: page.cursor };
};

const batchGetTries = 8;

/**
 * Reads many items of one table by key in as few round trips as BatchGetItem
 * allows (100 keys each). Keys DynamoDB leaves unprocessed are asked for
 * again with backoff; if some are still unprocessed after the last try, it
 * throws TemporarilyUnavailable (HTTP 503; an async invocation is retried):
 * leaving them out would report existing items as missing.
 */
export const batchGetItems = async (table: string, keys: { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> => {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += batchGetKeyLimit) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + batchGetKeyLimit);
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** (attempt - 1)));
      const output: BatchGetCommandOutput = await documentClient.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(output.Responses?.[table] ?? []));
      pending = output.UnprocessedKeys?.[table]?.Keys;
      if (pending?.length && attempt + 1 >= batchGetTries) {
        throw new TemporarilyUnavailable(`BatchGetItem left ${pending.length} keys of ${table} unprocessed after ${batchGetTries} tries`);
      }
    }
  }
  return found;
};

export const batchGetInventory = (keys: { pk: string; sk: string }[]) => batchGetItems(inventory(), keys);

// ---- locations

export interface LocationInput {
  locationId: string;
  name: string;
  type: 'WAREHOUSE' | 'STORE';
  timeZone: string;
}
export const createLocation = (input: LocationInput, now: string) =>
  createOnce(
    'Location',
    inventoryKeys.location(input.locationId),
    {
      ...input,
      ...versioned(now),
      entity: entities.location,
      ...inventoryKeys.locationListing(input.locationId),
    },
    input,
  );

export const getLocation = async (locationId: string): Promise<Location> => {
  const item = await getInventoryItem(inventoryKeys.location(locationId));
  if (!item) throw new NotFound(`Location ${locationId} not found`);
  return withoutKeys<Location>(item);
};

/** Several locations by id, in one round trip; unknown ids are left out. */
export const getLocations = async (locationIds: readonly string[]): Promise<Location[]> =>
  (await batchGetInventory(locationIds.map((id) => inventoryKeys.location(id)))).map((i) => withoutKeys<Location>(i));

export const updateLocation = (locationId: string, patch: Partial<Omit<LocationInput, 'locationId'>>, version: number, now: string) =>
  updateVersioned<Location>(`Location ${locationId}`, inventoryKeys.location(locationId), patch, version, now);

export const listLocations = (limit: number, cursor?: string) => listing<Location>(inventoryKeys.locationListingKey, limit, cursor);

/** Every location, page after page (a chain has tens or hundreds, not millions). */
export const allLocations = async (): Promise<Location[]> => {
  const all: Location[] = [];
  let cursor: string | undefined;
  do {
    const page = await listLocations(100, cursor);
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
};

// ---- products

export interface ProductInput {
  sku: string;
  name: string;
  gtin?: string;
  unitCost: number;
  price: number;
  currency: string;
  packSize?: number;
  supplierId?: string;
  minOrderQty?: number;
  leadTimeDays?: number;
  orderingCost?: number;
  holdingCostPerUnitYear?: number;
  serviceLevel?: number;
  reorder?: { min: number; max: number };
  memberExclusive?: { minTier: 'REGULAR' | 'SILVER' | 'GOLD' | 'PLATINUM'; perMemberLimit?: number };
  rfidTagged?: boolean;
  hotShards?: number;
}
/**
 * The GTIN's claim, keyed by its GTIN-14 whatever length the product holds
 * it in: the same number entered as GTIN-13 and as GTIN-14 is one barcode.
 */
const gtinClaim = (gtin: string, sku: string): TransactItem => ({
  Put: {
    TableName: inventory(),
    Item: { ...inventoryKeys.gtin(toGtin14(gtin)), entity: entities.gtin, gtin: toGtin14(gtin), sku },
    ConditionExpression: 'attribute_not_exists(pk) OR sku = :sku',
    ExpressionAttributeValues: { ':sku': sku },
  },
});

/**
 * Deletes the claims of a GTIN a product gives up: its GTIN-14 claim and,
 * when the product holds it in another length, a claim keyed by the GTIN as
 * entered (how claims were keyed before). Only this SKU's claims go.
 */
const releaseGtin = (gtin: string, sku: string): TransactItem[] =>
  [...new Set(isValidGtin(gtin) ? [toGtin14(gtin), gtin] : [gtin])].map((form) => ({
    Delete: {
      TableName: inventory(),
      Key: inventoryKeys.gtin(form),
      ConditionExpression: 'attribute_not_exists(pk) OR sku = :sku',
      ExpressionAttributeValues: { ':sku': sku },
    },
  }));

export const createProduct = (input: ProductInput, now: string) =>
  createOnce(
    'Product',
    inventoryKeys.product(input.sku),
    {
      ...input,
      // Declared hot from the start: its ledger may be written in that many partitions (docs/hot-skus.md).
      ...((input.hotShards ?? 1) > 1 ? { ledgerShards: input.hotShards } : {}),
      ...versioned(now),
      entity: entities.product,
      ...inventoryKeys.productListing(input.sku),
    },
    input,
    input.gtin ? [gtinClaim(input.gtin, input.sku)] : [],
  );

export const getProduct = async (sku: string): Promise<Product> => {
  const item = await getInventoryItem(inventoryKeys.product(sku));
  if (!item) throw new NotFound(`Product ${sku} not found`);
  return withoutKeys<Product>(item);
};

/** Several products by SKU, in one round trip per 100; unknown SKUs are left out. */
export const getProducts = async (skus: readonly string[]): Promise<Product[]> =>
  (await batchGetInventory(skus.map((sku) => inventoryKeys.product(sku)))).map((i) => withoutKeys<Product>(i));

export const updateProduct = async (
  sku: string,
  patch: Partial<Omit<ProductInput, 'sku'>> & { ledgerShards?: number },
  version: number,
  now: string,
): Promise<Product> => {
  if (patch.gtin === undefined) return updateVersioned<Product>(`Product ${sku}`, inventoryKeys.product(sku), patch, version, now);
  // A new barcode must be claimed in the same write that sets it; the same number in another length keeps its claim.
  const current = await getProduct(sku);
  if (current.gtin !== undefined && sameGtin(current.gtin, patch.gtin))
    return updateVersioned<Product>(`Product ${sku}`, inventoryKeys.product(sku), patch, version, now);
  try {
    await transactWrite([
      { Update: versionedUpdate(inventoryKeys.product(sku), patch, version, now) },
      gtinClaim(patch.gtin, sku),
      ...(current.gtin ? releaseGtin(current.gtin, sku) : []),
    ]);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAt(0)) return staleVersion(`Product ${sku}`, inventoryKeys.product(sku), version);
    if (error.failedAt(1)) throw new AlreadyExists(`GTIN ${patch.gtin} belongs to another product`, { gtin: patch.gtin });
    throw new AlreadyExists(`GTIN ${current.gtin} of product ${sku} is claimed by another product`, { gtin: current.gtin });
  } finally {
    forgetReference(inventory(), inventoryKeys.product(sku));
  }
  return getProduct(sku);
};

export const listProducts = (limit: number, cursor?: string) => listing<Product>(inventoryKeys.productListingKey, limit, cursor);

/**
 * The product a barcode names, through its GTIN claim (two reads by key, no
 * scan). Any length of the number finds it. Claims are read under every form
 * the GTIN-14 has, so one keyed by the GTIN as entered (before claims were
 * keyed by GTIN-14) still answers; a claim whose product no longer carries
 * the number answers nothing.
 */
export const productByGtin = async (gtin: string): Promise<Product | undefined> => {
  const claims = await batchGetInventory(gtinForms(toGtin14(gtin)).map((form) => inventoryKeys.gtin(form)));
  const skus = [...new Set(claims.map((claim) => claim.sku as string))];
  if (skus.length === 0) return undefined;
  return (await getProducts(skus)).find((product) => product.gtin !== undefined && sameGtin(product.gtin, gtin));
};

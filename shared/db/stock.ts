/**
 * Stock movements and the levels they project to. A movement, its ledger
 * entries, its level changes and the hold it opens or closes are one
 * TransactWriteItems call: all of it lands or none of it. Every decrease is
 * conditioned in the write (`available >= drop`), so concurrent buyers sell
 * exactly the units that exist. This file builds those items and reads
 * levels, holds and the ledger; booking and access are in shared/app/stock.ts.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { NotFound, type Shortage, UnknownReference } from '../domain/errors.ts';
import {
  availableDeltaOf,
  countSees,
  heldFieldNames,
  heldFields,
  heldStates,
  type LevelChange,
  type LevelSnapshot,
  type Line,
  mergeLines,
  type MovementReason,
  type MovementType,
} from '../domain/movements.ts';
import { ledgerShardsOf } from '../domain/level-shards.ts';
import { daySeconds, epochSeconds, hourSeconds } from '../domain/time.ts';
import { batchGetInventory, getInventoryItem, type Page } from './catalog.ts';
import { documentClient, queryAll, queryPage, tableName } from './client.ts';
import { cursorScope, decodeCursor, encodeCursor } from './cursor.ts';
import { assertSameRequest } from './fingerprint.ts';
import { cachedReferences } from './reference-cache.ts';
import { foldPartition, shardsOf, shardWrites, spreadLevel, withShards } from './level-shards.ts';
import { queryMergedPage } from './merged-query.ts';
import { applyUpdate } from './update-expression.ts';
import { entities, inventoryKeys, withoutKeys } from './keys.ts';
import { type LabelledItem, labelled, type TransactionCancelled, type TransactItem } from './transact.ts';
import type { Hold, LedgerEntry, MovementResult, StockLevel } from '../schemas/stock.ts';

const inventory = () => tableName(tables.inventory);

export interface MovementCommand {
  movementId: string;
  type: MovementType;
  locationId: string;
  toLocationId?: string;
  reason?: MovementReason;
  lines?: Line[];
  /** When it happened (the till's time), at or before its arrival; absent means when it arrived. */
  occurredAt?: string;
  /** TRANSFER: the units travel and are received later. */
  ship?: boolean;
  /** RESERVE: when the hold lapses. */
  expiresAt?: string;
  /** RELEASE: the hold to release (its RESERVE movement id). */
  reservationId?: string;
}

export interface MovementOutcome {
  result: MovementResult;
  /** The movement id was already booked: nothing new was written. */
  replayed: boolean;
}

/** Released holds stay readable for audits this long, then TTL removes them. */
const releasedHoldRetentionSeconds = 90 * daySeconds;
/**
 * TTL on an active hold lags its expiry by an hour: the sweep job releases it
 * on time, TTL plus the stream consumer is the safety net if the job is down.
 */
const activeHoldTtlGraceSeconds = hourSeconds;

/** Levels written before the unavailable states existed read them as 0. */
const levelView = (item: Record<string, unknown>): StockLevel => {
  const level = withoutKeys<StockLevel>(item, [
    'inventoryPosition',
    'lastCountAt',
    'lastCountId',
    'firstStockedAt',
    'lastMovementType',
    'lastMovementId',
    'shards',
  ]);
  return { ...level, damaged: level.damaged ?? 0, qualityControl: level.qualityControl ?? 0, safetyStock: level.safetyStock ?? 0 };
};

/** Every level as the API shows it, from an item or a stream image. */
export const levelFromImage = levelView;

const holdView = (item: Record<string, unknown>): Hold => ({
  reservationId: item.reservationId as string,
  locationId: item.locationId as string,
  lines: item.lines as Line[],
  status: item.status as Hold['status'],
  expiresAt: item.holdUntil as string,
});

// ---- reads before the write

interface References {
  products: Map<string, Record<string, unknown>>;
  locations: Map<string, Record<string, unknown>>;
}

/**
 * Products and locations are never deleted, so a read before the write is
 * enough to refuse unknown ones. They come from this container's reference
 * cache where fresh (shared/db/reference-cache.ts says what a stale entry can
 * and cannot do); `levels` are read in the same round trip where this
 * container does not know them yet (see levelStates).
 */
export const loadReferences = async (
  skus: readonly string[],
  locationIds: readonly string[],
  levels: readonly { sku: string; locationId: string }[] = [],
): Promise<References> => {
  const unknownLevels = unique(levels).filter((p) => !knownLevels.has(levelCacheKey(p)));
  const levelKeys = new Set(unknownLevels.map((p) => keyText(inventoryKeys.level(p.sku, p.locationId))));
  const items = await cachedReferences(
    inventory(),
    [...skus.map((sku) => inventoryKeys.product(sku)), ...locationIds.map((id) => inventoryKeys.location(id))],
    async (misses) => {
      const found = await batchGetInventory([...misses, ...unknownLevels.map((p) => inventoryKeys.level(p.sku, p.locationId))]);
      rememberLevelReads(
        unknownLevels,
        found.filter((i) => levelKeys.has(keyText(i as { pk: string; sk: string }))),
      );
      return found.filter((i) => !levelKeys.has(keyText(i as { pk: string; sk: string })));
    },
  );
  // Every reference was fresh, but some levels are new to this container: read just those.
  if (unknownLevels.some((p) => !knownLevels.has(levelCacheKey(p)))) await levelStates(unknownLevels);
  const products = new Map(items.filter((i) => i.entity === entities.product).map((i) => [i.sku as string, i]));
  const locations = new Map(items.filter((i) => i.entity === entities.location).map((i) => [i.locationId as string, i]));
  const errors = [
    ...skus.filter((sku) => !products.has(sku)).map((sku) => ({ path: 'body.lines', message: `unknown SKU ${sku}` })),
    ...locationIds.filter((id) => !locations.has(id)).map((id) => ({ path: 'body.locationId', message: `unknown location ${id}` })),
  ];
  if (errors.length > 0) throw new UnknownReference('The request names SKUs or locations that do not exist', errors);
  return { products, locations };
};

// ---- levels this container knows

/**
 * The last state of each level this container read or wrote, as a guess
 * the write proves: a booking conditions each level update on the version
 * it knows (every level write adds 1 to `version`), so when the transaction
 * lands, the level before it was exactly the known one and the level after
 * it is computed, not read. A wrong guess costs a failed condition whose
 * ALL_OLD item is the level as it is: remembered, and the booking planned
 * again. `null` is a level known not to exist yet.
 */
const knownLevels = new Map<string, Record<string, unknown> | null>();
const maxKnownLevels = 50_000;

type Pair = { sku: string; locationId: string };

const keyText = (key: { pk: string; sk: string }) => `${key.pk}\u0000${key.sk}`;
const levelCacheKey = (pair: Pair) => `${inventory()}\u0000${pair.sku}\u0000${pair.locationId}`;
const unique = (pairs: readonly Pair[]): Pair[] => [...new Map(pairs.map((p) => [`${p.sku}#${p.locationId}`, p])).values()];
const versionOf = (item: Record<string, unknown> | null | undefined): number => (item ? Number(item.version ?? 0) : 0);

/** Remembers a level's state, never going back to an older version than one already known. */
const rememberLevel = (pair: Pair, item: Record<string, unknown> | null): void => {
  const key = levelCacheKey(pair);
  const known = knownLevels.get(key);
  if (known !== undefined && versionOf(known) > versionOf(item)) return;
  knownLevels.delete(key);
  knownLevels.set(key, item);
  if (knownLevels.size > maxKnownLevels) {
    const oldest = knownLevels.keys().next().value;
    if (oldest !== undefined) knownLevels.delete(oldest);
  }
};

const rememberLevelReads = (pairs: readonly Pair[], found: readonly Record<string, unknown>[]): void => {
  const byPair = new Map(found.map((i) => [`${String(i.sku)}#${String(i.locationId)}`, i]));
  for (const pair of pairs) rememberLevel(pair, byPair.get(`${pair.sku}#${pair.locationId}`) ?? null);
};

/** Forgets levels written without a proven outcome (the next booking reads them with its references). */
export const forgetLevels = (pairs: readonly Pair[]): void => {
  for (const pair of pairs) knownLevels.delete(levelCacheKey(pair));
};

/** Forgets every known level (tests). */
export const clearKnownLevels = (): void => knownLevels.clear();

/** The known state of each pair (keyed `sku#locationId`), reading the ones this container does not know. */
export const levelStates = async (pairs: readonly Pair[]): Promise<Map<string, Record<string, unknown> | null>> => {
  const missing = unique(pairs).filter((p) => !knownLevels.has(levelCacheKey(p)));
  if (missing.length > 0) rememberLevelReads(missing, await batchGetInventory(missing.map((p) => inventoryKeys.level(p.sku, p.locationId))));
  return new Map(unique(pairs).map((p) => [`${p.sku}#${p.locationId}`, knownLevels.get(levelCacheKey(p)) ?? null]));
};

/** The levels of these SKU/location pairs, as the API shows them; pairs without a level are left out. */
export const readLevels = async (pairs: readonly { sku: string; locationId: string }[]): Promise<StockLevel[]> => {
  const found = await withShards(await batchGetInventory(pairs.map((p) => inventoryKeys.level(p.sku, p.locationId))));
  const byKey = new Map(found.map((i) => [`${String(i.sku)}#${String(i.locationId)}`, levelView(i)]));
  return pairs.map((p) => byKey.get(`${p.sku}#${p.locationId}`)).filter((l): l is StockLevel => l !== undefined);
};

/**
 * The levels a COUNT is planned against, one per SKU of the lines (undefined
 * where there is none yet). A hot SKU's spread level is merged back first:
 * a count pins the level item's version, and a shard sale would not move it.
 */
export const countSnapshots = async (lines: readonly Line[], locationId: string, now: string): Promise<Map<string, LevelSnapshot | undefined>> => {
  const pairs = mergeLines(lines).map((l) => ({ sku: l.sku, locationId }));
  const spread = (await batchGetInventory(pairs.map((p) => inventoryKeys.level(p.sku, p.locationId)))).filter((l) => shardsOf(l) > 1);
  for (const level of spread) await spreadLevel(String(level.sku), locationId, 1, now);
  const levels = await readLevels(pairs);
  const bySku = new Map(levels.map((l) => [l.sku, l]));
  return new Map(mergeLines(lines).map((l) => [l.sku, bySku.get(l.sku)]));
};

export interface LastCount {
  at: string;
  movementId: string;
}

/** The latest COUNT of each of these levels (keyed `sku#locationId`), for changes dated before it. */
export const lastCounts = async (pairs: readonly { sku: string; locationId: string }[]): Promise<Map<string, LastCount | undefined>> => {
  const found = await batchGetInventory(pairs.map((p) => inventoryKeys.level(p.sku, p.locationId)));
  return new Map(
    found
      .filter((i) => typeof i.lastCountAt === 'string')
      .map((i) => [`${String(i.sku)}#${String(i.locationId)}`, { at: i.lastCountAt as string, movementId: i.lastCountId as string }]),
  );
};

/**
 * The net onHand change of entries that happened after `after` at one level
 * and were not absorbed by a count, over the `ledgerShards` partitions its
 * SKU's ledger was ever written in (docs/hot-skus.md).
 */
export const onHandChangeSince = async (sku: string, locationId: string, after: string, ledgerShards = 1): Promise<number> => {
  const partitions = await Promise.all(
    Array.from({ length: ledgerShards }, (_, shard) =>
      queryAll({
        TableName: inventory(),
        KeyConditionExpression: 'pk = :pk AND sk > :after',
        ExpressionAttributeValues: { ':pk': inventoryKeys.ledgerOfSkuAtLocation(sku, locationId, shard), ':after': `${after}~` },
        ProjectionExpression: 'onHandDelta, absorbedBy',
      }),
    ),
  );
  return partitions
    .flat()
    .filter((e) => e.absorbedBy === undefined)
    .reduce((sum, e) => sum + Number(e.onHandDelta ?? 0), 0);
};

// ---- the write

/** What the level update needs to know about the booking: which movement, and when it happened. */
export interface Booking {
  movementId: string;
  occurredAt: string;
}

/**
 * Whether the change writes the level with a level update labelled `levels`:
 * an absorbed one does not, nor one a reconciliation confirmed whole (the
 * other side already moved its units: writing nothing saves the write, and
 * the ledger entry still records it), nor a hot SKU's sale line (its writes
 * are labelled `shards`, see shared/db/level-shards.ts).
 */
const writesLevel = (change: LevelChange): boolean =>
  change.absorbedBy === undefined &&
  change.shard === undefined &&
  !(change.confirmed !== undefined && change.onHandDelta === 0 && change.reservedDelta === 0 && !change.incomingDelta && availableDeltaOf(change) === 0);
/** Whether the change books a ledger entry: units in transit do not (they only raise `incoming`). */
const writesLedger = (change: LevelChange): boolean => !change.inTransit;

export const levelUpdate = (change: LevelChange, product: Record<string, unknown> | undefined, now: string, booking?: Booking): TransactItem => {
  const availableDelta = availableDeltaOf(change);
  const names: Record<string, string> = {
    '#sku': 'sku',
    '#locationId': 'locationId',
    '#gsi1pk': 'gsi1pk',
    '#gsi1sk': 'gsi1sk',
    '#entity': 'entity',
    '#updatedAt': 'updatedAt',
    '#onHand': 'onHand',
    '#reserved': 'reserved',
    '#available': 'available',
    '#incoming': 'incoming',
    '#position': 'inventoryPosition',
    '#version': 'version',
    '#damaged': 'damaged',
    '#qualityControl': 'qualityControl',
    '#safetyStock': 'safetyStock',
  };
  const index = inventoryKeys.levelByLocation(change.sku, change.locationId);
  const values: Record<string, unknown> = {
    ':sku': change.sku,
    ':locationId': change.locationId,
    ':gsi1pk': index.gsi1pk,
    ':gsi1sk': index.gsi1sk,
    ':entity': entities.level,
    ':now': now,
    ':onHand': change.onHandDelta,
    ':reserved': change.reservedDelta,
    ':available': availableDelta,
    ':incoming': change.incomingDelta ?? 0,
    ':position': availableDelta + (change.incomingDelta ?? 0),
    ':one': 1,
    ':damaged': change.held?.damaged ?? 0,
    ':qualityControl': change.held?.qualityControl ?? 0,
    ':safetyStock': change.held?.safetyStock ?? 0,
  };
  const sets = ['#sku = :sku', '#locationId = :locationId', '#gsi1pk = :gsi1pk', '#gsi1sk = :gsi1sk', '#entity = :entity', '#updatedAt = :now'];
  // What caused this version, for the live feed (shared/app/live-levels.ts); a change without a booking (a purchase order's incoming) has no movement id.
  names['#lastMovementType'] = 'lastMovementType';
  names['#lastMovementId'] = 'lastMovementId';
  values[':lastMovementType'] = change.ledgerType;
  sets.push('#lastMovementType = :lastMovementType');
  if (booking) {
    values[':lastMovementId'] = booking.movementId;
    sets.push('#lastMovementId = :lastMovementId');
  }
  // A fixed min on the product seeds the level's reorder point; replenishment refines it per location later.
  const reorderMin = (product?.reorder as { min?: number } | undefined)?.min;
  if (reorderMin !== undefined) {
    names['#reorderPoint'] = 'reorderPoint';
    values[':reorderPoint'] = reorderMin;
    sets.push('#reorderPoint = if_not_exists(#reorderPoint, :reorderPoint)');
  }
  // The forecast of a new item reads its history from here (forecastWindow), not from a whole window it was not stocked for.
  if (change.onHandDelta > 0) {
    names['#firstStockedAt'] = 'firstStockedAt';
    sets.push('#firstStockedAt = if_not_exists(#firstStockedAt, :now)');
  }
  const conditions: string[] = [];
  if (change.availableDrop > 0) {
    values[':drop'] = change.availableDrop;
    conditions.push('#available >= :drop');
  }
  // No unavailable state goes below zero either.
  for (const field of heldFieldNames) {
    const delta = change.held?.[field] ?? 0;
    if (delta < 0) {
      values[`:${field}Drop`] = -delta;
      conditions.push(`#${field} >= :${field}Drop`);
    }
  }
  if (booking && change.ledgerType === 'COUNT') {
    names['#lastCountAt'] = 'lastCountAt';
    names['#lastCountId'] = 'lastCountId';
    values[':occurredAt'] = booking.occurredAt;
    values[':countId'] = booking.movementId;
    sets.push('#lastCountAt = :occurredAt', '#lastCountId = :countId');
  }
  // Dated in the past: only if no count has been booked as of a later time since it was planned (see absorbInto).
  if (booking && booking.occurredAt < now && countSees(change)) {
    names['#lastCountAt'] = 'lastCountAt';
    values[':occurredAt'] = booking.occurredAt;
    conditions.push('(attribute_not_exists(#lastCountAt) OR #lastCountAt < :occurredAt)');
  }
  if (change.expectedVersion !== undefined) {
    if (change.expectedVersion === 0) conditions.push('attribute_not_exists(pk)');
    else {
      values[':expectedVersion'] = change.expectedVersion;
      conditions.push('#version = :expectedVersion');
    }
  }
  return {
    Update: {
      TableName: inventory(),
      Key: inventoryKeys.level(change.sku, change.locationId),
      UpdateExpression: `SET ${sets.join(', ')} ADD #onHand :onHand, #reserved :reserved, #available :available, #incoming :incoming, #position :position, #version :one, #damaged :damaged, #qualityControl :qualityControl, #safetyStock :safetyStock${booking ? '' : ' REMOVE #lastMovementId'}`,
      ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
};

const ledgerPut = (change: LevelChange, command: MovementCommand, by: string, at: string): TransactItem => ({
  Put: {
    TableName: inventory(),
    Item: {
      ...inventoryKeys.ledgerEntry(change.sku, change.locationId, command.occurredAt ?? at, at, command.movementId, change.shard ?? 0),
      entity: entities.ledgerEntry,
      movementId: command.movementId,
      type: change.ledgerType,
      sku: change.sku,
      locationId: change.locationId,
      onHandDelta: change.onHandDelta,
      reservedDelta: change.reservedDelta,
      reason: command.reason,
      counted: change.counted,
      ...(change.held && Object.keys(change.held).length > 0 ? { stateDeltas: change.held } : {}),
      from: change.from,
      to: change.to,
      absorbedBy: change.absorbedBy,
      confirmed: change.confirmed,
      occurredAt: command.occurredAt ?? at,
      at,
      by,
    },
  },
});

export interface HoldWrite {
  item: TransactItem;
  hold: Hold;
}

export const openHold = (command: MovementCommand, lines: Line[], by: string, now: string): HoldWrite => {
  const expiresAt = new Date(command.expiresAt ?? '').toISOString();
  const hold: Hold = { reservationId: command.movementId, locationId: command.locationId, lines, status: 'ACTIVE', expiresAt };
  return {
    hold,
    item: {
      Put: {
        TableName: inventory(),
        Item: {
          ...inventoryKeys.reservation(command.locationId, command.movementId),
          ...inventoryKeys.activeReservation(expiresAt, command.locationId, command.movementId),
          entity: entities.reservation,
          reservationId: command.movementId,
          locationId: command.locationId,
          lines,
          status: 'ACTIVE',
          holdUntil: expiresAt,
          createdAt: now,
          by,
          expiresAt: epochSeconds(expiresAt) + activeHoldTtlGraceSeconds,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
};

/** Closes a hold; if TTL already removed its item, a tombstone records how it ended. */
export const closeHold = (hold: Hold, status: 'RELEASED' | 'EXPIRED', itemGone: boolean, by: string, now: string): HoldWrite => {
  const closed: Hold = { ...hold, status };
  const retention = epochSeconds(now) + releasedHoldRetentionSeconds;
  if (itemGone) {
    return {
      hold: closed,
      item: {
        Put: {
          TableName: inventory(),
          Item: {
            ...inventoryKeys.reservation(hold.locationId, hold.reservationId),
            entity: entities.reservation,
            reservationId: hold.reservationId,
            locationId: hold.locationId,
            lines: hold.lines,
            status,
            holdUntil: hold.expiresAt,
            closedAt: now,
            closedBy: by,
            expiresAt: retention,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  }
  return {
    hold: closed,
    item: {
      Update: {
        TableName: inventory(),
        Key: inventoryKeys.reservation(hold.locationId, hold.reservationId),
        UpdateExpression: 'SET #status = :status, closedAt = :now, closedBy = :by, expiresAt = :retention REMOVE gsi2pk, gsi2sk',
        ConditionExpression: '#status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':now': now, ':by': by, ':retention': retention, ':active': 'ACTIVE' },
      },
    },
  };
};

const movementPut = (
  { expiresAt, ...command }: MovementCommand,
  affected: { sku: string; locationId: string }[],
  fingerprint: string,
  by: string,
  at: string,
  response?: MovementResult,
): TransactItem => ({
  Put: {
    TableName: inventory(),
    Item: {
      ...inventoryKeys.movement(command.locationId, command.movementId),
      entity: entities.movement,
      ...command,
      // `expiresAt` is the table's TTL attribute; a hold's end is kept under another name.
      holdUntil: expiresAt,
      affected,
      fingerprint,
      at,
      by,
      // The first answer, written with the booking itself: a replay reads it back.
      ...(response ? { response } : {}),
    },
    // The permanent idempotency guard: a movement id is booked once, ever.
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/**
 * The stock half of a transaction, labelled: the movement record
 * (`movement`), a level update per change (`levels`), a ledger entry per
 * change (`ledger`). Checkout, returns and receipts add their own items.
 */
export const movementItems = (
  command: MovementCommand,
  changes: readonly LevelChange[],
  products: ReadonlyMap<string, Record<string, unknown>>,
  fingerprint: string,
  by: string,
  now: string,
  response?: MovementResult,
): LabelledItem[] => [
  ...labelled('movement', [
    movementPut(
      command,
      changes.map((c) => ({ sku: c.sku, locationId: c.locationId })),
      fingerprint,
      by,
      now,
      response,
    ),
  ]),
  ...labelled(
    'levels',
    changes.filter(writesLevel).map((c) => levelUpdate(c, products.get(c.sku), now, { movementId: command.movementId, occurredAt: command.occurredAt ?? now })),
  ),
  ...labelled(
    'shards',
    changes
      .filter((c) => c.shard !== undefined)
      .flatMap((c) =>
        c.shard === 0 && !c.shardPlan
          ? [levelUpdate(c, products.get(c.sku), now, { movementId: command.movementId, occurredAt: command.occurredAt ?? now })]
          : shardWrites(c, command.movementId, now),
      ),
  ),
  ...labelled(
    'ledger',
    changes.filter(writesLedger).map((c) => ledgerPut(c, command, by, now)),
  ),
];

/** A movement whose answer is known before it is written (see answeredMovementItems). */
export interface AnsweredMovement {
  items: LabelledItem[];
  result: MovementResult;
  /** After the transaction landed: the levels it proved become this container's known levels. */
  landed: () => void;
}

/**
 * The movement's items with each level update conditioned on the version
 * `before` holds for it, the levels after computed from those updates, and
 * the answer (`answer` of those levels) stored on the movement record in the
 * same transaction. Undefined when a level is not proven by the write (a
 * change that does not write its level, or one already pinned to a version)
 * or its update is beyond the evaluator: then book with movementItems and
 * read the levels after.
 */
export const answeredMovementItems = (
  command: MovementCommand,
  changes: readonly LevelChange[],
  products: ReadonlyMap<string, Record<string, unknown>>,
  fingerprint: string,
  by: string,
  now: string,
  before: ReadonlyMap<string, Record<string, unknown> | null>,
  answer: (levels: StockLevel[]) => MovementResult,
): AnsweredMovement | undefined => {
  if (changes.length === 0 || changes.some((c) => !writesLevel(c) || c.expectedVersion !== undefined)) return undefined;
  // A spread level is its item and its shards: one item does not prove it (docs/hot-skus.md).
  if (changes.some((c) => shardsOf(before.get(`${c.sku}#${c.locationId}`)) > 1)) return undefined;
  const pinned = changes.map((c) => ({ ...c, expectedVersion: versionOf(before.get(`${c.sku}#${c.locationId}`)) }));
  const after: Record<string, unknown>[] = [];
  for (const change of pinned) {
    const update = levelUpdate(change, products.get(change.sku), now, { movementId: command.movementId, occurredAt: command.occurredAt ?? now }).Update;
    const item = update && applyUpdate(before.get(`${change.sku}#${change.locationId}`) ?? undefined, update);
    if (!item) return undefined;
    after.push(item);
  }
  const result = answer(after.map(levelView));
  return {
    items: movementItems(command, pinned, products, fingerprint, by, now, result),
    result,
    landed: () => {
      for (const [i, change] of pinned.entries()) rememberLevel(change, after[i]!);
    },
  };
};

/**
 * Whether an answered booking failed only because a level was not at the
 * version this container knew: the levels as they are (the failed
 * conditions' ALL_OLD items, or none where the level does not exist) become
 * the known ones, and the booking is planned again. False when every failed
 * level was at the known version: then its own conditions refused it.
 */
export const staleLevels = (
  error: TransactionCancelled,
  changes: readonly LevelChange[],
  before: ReadonlyMap<string, Record<string, unknown> | null>,
): boolean => {
  const reasons = error.reasonsAt('levels');
  let stale = false;
  for (const [i, change] of changes.filter(writesLevel).entries()) {
    const reason = reasons[i];
    if (reason?.code !== 'ConditionalCheckFailed') continue;
    const now = reason.item ?? null;
    if (versionOf(now) !== versionOf(before.get(`${change.sku}#${change.locationId}`))) {
      stale = true;
      knownLevels.delete(levelCacheKey(change));
      rememberLevel(change, now);
    }
  }
  return stale;
};

/** A booked movement's answer: the stored first one, else (booked, answer not stored: a concurrent duplicate or a crash in between) the levels now. */
const answerOf = async (movement: Record<string, unknown>): Promise<MovementResult> => {
  if (movement.response) return movement.response as MovementResult;
  const pairs = (movement.affected as { sku: string; locationId: string }[] | undefined) ?? [];
  return { movementId: movement.movementId as string, type: movement.type as MovementResult['type'], levels: await readLevels(pairs) };
};

/** The first answer for a movement id already booked, or undefined if it is new; 422 if booked with another body. */
export const replay = async (command: MovementCommand, fingerprint: string): Promise<MovementOutcome | undefined> => {
  const existing = await getInventoryItem(inventoryKeys.movement(command.locationId, command.movementId));
  if (!existing) return undefined;
  assertSameRequest(existing.fingerprint, fingerprint, `Movement ${command.movementId}`);
  return { result: await answerOf(existing), replayed: true };
};

/** What booking the movement answered, for `GET /locations/{locationId}/movements/{movementId}`; undefined if no such movement. */
export const movementAnswer = async (locationId: string, movementId: string): Promise<MovementResult | undefined> => {
  const existing = await getInventoryItem(inventoryKeys.movement(locationId, movementId));
  return existing ? answerOf(existing) : undefined;
};

/** Stores the answer on the movement record, so a replay gets it back. */
export const saveMovementResponse = async (locationId: string, result: MovementResult): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: inventory(),
      Key: inventoryKeys.movement(locationId, result.movementId),
      UpdateExpression: 'SET #response = :response',
      ExpressionAttributeNames: { '#response': 'response' },
      ExpressionAttributeValues: { ':response': result },
    }),
  );
};

/**
 * A decrease other than a sale (a transfer, a hold, a write-off) found a
 * spread level's item short: its shards are merged back into it, so the
 * booking can be tried again against the whole level. False when no short
 * level was spread.
 */
export const mergeShortSpreadLevels = async (error: TransactionCancelled, changes: readonly LevelChange[], now: string): Promise<boolean> => {
  const reasons = error.reasonsAt('levels');
  const spread = changes.filter(writesLevel).filter((_, i) => reasons[i]?.code === 'ConditionalCheckFailed' && shardsOf(reasons[i]?.item) > 1);
  for (const change of spread) await spreadLevel(change.sku, change.locationId, 1, now);
  forgetLevels(spread);
  return spread.length > 0;
};

/** What did not fit, from a cancelled transaction whose level updates are labelled `levels` (see movementItems). */
export const shortagesOf = (error: TransactionCancelled, changes: readonly LevelChange[]): Shortage[] =>
  changes.filter(writesLevel).flatMap((change, i): Shortage[] => {
    const reason = error.reasonsAt('levels')[i];
    if (reason?.code !== 'ConditionalCheckFailed') return [];
    const item = reason.item ?? {};
    const where = { sku: change.sku, locationId: change.locationId };
    const available = Number(item.available ?? 0);
    if (change.availableDrop > 0 && available < change.availableDrop) return [{ ...where, requested: change.availableDrop, available }];
    const state = heldStates.find((s) => (change.held?.[heldFields[s]] ?? 0) < 0 && Number(item[heldFields[s]] ?? 0) < -(change.held?.[heldFields[s]] ?? 0));
    if (state) return [{ ...where, requested: -(change.held?.[heldFields[state]] ?? 0), available: Number(item[heldFields[state]] ?? 0), state }];
    return [{ ...where, requested: change.availableDrop, available }];
  });

// ---- holds that lapse

/** Active holds whose expiry has passed, oldest first (gsi2, no scan). */
export const lapsedHolds = async (now: string, limit: number, cursor?: string): Promise<Page<Hold>> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :now',
      ExpressionAttributeValues: { ':pk': inventoryKeys.activeReservations, ':now': now },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, cursorScope(tables.inventory, 'gsi2', inventoryKeys.activeReservations)),
    }),
  );
  return { items: (output.Items ?? []).map(holdView), cursor: encodeCursor(output.LastEvaluatedKey) };
};

export const holdFromImage = holdView;

/** A hold by its location and id; undefined if there is none. */
export const findHold = async (locationId: string, reservationId: string): Promise<Hold | undefined> => {
  const item = await getInventoryItem(inventoryKeys.reservation(locationId, reservationId));
  return item ? holdView(item) : undefined;
};

export const getHold = async (locationId: string, reservationId: string): Promise<Hold> => {
  const hold = await findHold(locationId, reservationId);
  if (!hold) throw new NotFound(`Hold ${reservationId} not found`);
  return hold;
};

// ---- reads

/**
 * Levels a transaction could not write because a count dated at or after
 * the booking was booked in between (keyed `sku#locationId`): plan again
 * with them absorbed.
 */
export const countsBookedSince = (error: TransactionCancelled, changes: readonly LevelChange[], occurredAt: string): Map<string, LastCount> =>
  new Map(
    changes.filter(writesLevel).flatMap((change, i) => {
      const item = error.reasonsAt('levels')[i]?.item;
      const at = item?.lastCountAt as string | undefined;
      if (!at || at < occurredAt || !countSees(change)) return [];
      return [[`${change.sku}#${change.locationId}`, { at, movementId: item?.lastCountId as string }] as const];
    }),
  );

/** A SKU at every location: one query on the SKU's partition. */
export const levelsOfSku = async (sku: string): Promise<StockLevel[]> => {
  const [product] = await batchGetInventory([inventoryKeys.product(sku)]);
  if (!product) throw new NotFound(`Product ${sku} not found`);
  const items = await queryAll({
    TableName: inventory(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': inventoryKeys.levelsOfSku(sku) },
  });
  return foldPartition(items).map(levelView);
};

/** One location's stock, one query on gsi1; optionally only what needs reordering. */
export const levelsAtLocation = async (
  locationId: string,
  options: { belowReorderPoint?: boolean; limit: number; cursor?: string },
): Promise<Page<StockLevel>> => {
  const [location] = await batchGetInventory([inventoryKeys.location(locationId)]);
  if (!location) throw new NotFound(`Location ${locationId} not found`);
  const page = await queryPage(
    {
      TableName: inventory(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      // Reorder when what is free plus what is on order no longer covers the reorder point.
      ...(options.belowReorderPoint ? { FilterExpression: 'inventoryPosition <= reorderPoint' } : {}),
      ExpressionAttributeValues: { ':pk': inventoryKeys.levelsOfLocation(locationId) },
    },
    options.limit,
    cursorScope(tables.inventory, 'gsi1', inventoryKeys.levelsOfLocation(locationId)),
    options.cursor,
  );
  const levels = await withShards(page.items);
  // The filter saw a spread level's item alone: with its shards, it may be above its reorder point after all.
  const listed = options.belowReorderPoint ? levels.filter((l) => Number(l.inventoryPosition ?? 0) <= Number(l.reorderPoint ?? Number.NaN)) : levels;
  return { items: listed.map(levelView), cursor: page.cursor };
};

export interface LedgerQuery {
  sku?: string;
  locationId?: string;
  from?: string;
  to?: string;
  /** `arrival` (default): as booked; `occurredAt`: as it happened (one SKU at one location). */
  order?: 'arrival' | 'occurredAt';
  limit: number;
  cursor?: string;
}

/**
 * The ledger, oldest first, by SKU and location (base table, in the order
 * things happened, or gsi1 filtered to the location, in the order they were
 * booked), SKU (gsi1) or location (gsi2); `visible` keeps only entries at
 * those locations.
 */
export const readLedger = async (query: LedgerQuery, visible: readonly string[] | undefined): Promise<Page<LedgerEntry>> => {
  const [partitionOf, index, sortKey] =
    query.order === 'occurredAt'
      ? [(shard: number) => inventoryKeys.ledgerOfSkuAtLocation(query.sku ?? '', query.locationId ?? '', shard), undefined, 'sk']
      : query.sku
        ? [(shard: number) => inventoryKeys.ledgerOfSku(query.sku ?? '', shard), 'gsi1', 'gsi1sk']
        : [(shard: number) => inventoryKeys.ledgerOfLocation(query.locationId ?? '', shard), 'gsi2', 'gsi2sk'];
  const pk = index ? `${index}pk` : 'pk';
  // Sort keys start with the ISO time; '~' sorts after every character that follows it.
  const from = query.from ? new Date(query.from).toISOString() : '0';
  const to = query.to ? `${new Date(query.to).toISOString()}~` : '~';
  const values: Record<string, unknown> = { ':from': from, ':to': to };
  const filters: string[] = [];
  if (query.order !== 'occurredAt' && query.sku && query.locationId) {
    values[':location'] = query.locationId;
    filters.push('locationId = :location');
  }
  if (visible) {
    const names = visible.map((_, i) => `:loc${i}`);
    for (const [i, loc] of visible.entries()) values[`:loc${i}`] = loc;
    filters.push(names.length > 0 ? `locationId IN (${names.join(', ')})` : 'attribute_not_exists(pk)');
  }
  // A hot SKU's entries were written in more partitions (docs/hot-skus.md): its product, or the location, says how many.
  const [owner] = await batchGetInventory([query.sku ? inventoryKeys.product(query.sku) : inventoryKeys.location(query.locationId ?? '')]);
  const partitions = Array.from({ length: ledgerShardsOf(owner) }, (_, shard) => {
    const value = partitionOf(shard);
    return { value, scope: cursorScope(tables.inventory, index, value) };
  });
  const page = await queryMergedPage(
    {
      TableName: inventory(),
      IndexName: index,
      KeyConditionExpression: `${pk} = :pk AND ${sortKey} BETWEEN :from AND :to`,
      ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
      ExpressionAttributeValues: values,
    },
    partitions,
    sortKey,
    query.limit,
    query.cursor,
  );
  return { items: page.items.map((i) => withoutKeys<LedgerEntry>(i)), cursor: page.cursor };
};

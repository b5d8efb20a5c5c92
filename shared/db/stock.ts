/**
 * Stock movements and the levels they project to. A movement, its ledger
 * entries, its level changes and the hold it opens or closes are one
 * TransactWriteItems call: all of it lands or none of it. Every decrease is
 * conditioned in the write (`available >= drop`), so concurrent buyers sell
 * exactly the units that exist.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { Conflict, NotEligible, NotFound, OutOfStock, type Shortage, UnknownReference, ValidationFailed } from '../domain/errors.ts';
import {
  type AdjustmentReason,
  assertFitsOneTransaction,
  type LevelChange,
  type LevelSnapshot,
  type Line,
  mergeLines,
  type MovementType,
  planMovement,
} from '../domain/movements.ts';
import { derivedId } from '../domain/ids.ts';
import { assertLocationAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import { dayMillis, daySeconds, epochSeconds, hourSeconds } from '../domain/time.ts';
import { batchGetInventory, getInventoryItem, type Page } from './catalog.ts';
import { documentClient, queryAll, tableName } from './client.ts';
import { cursorScope, decodeCursor, encodeCursor } from './cursor.ts';
import { assertSameRequest, requestFingerprint } from './fingerprint.ts';
import { entities, inventoryKeys, withoutKeys } from './keys.ts';
import { TransactionCancelled, type TransactItem, transactWrite } from './transact.ts';

const inventory = () => tableName(tables.inventory);

export interface StockLevel {
  sku: string;
  locationId: string;
  onHand: number;
  reserved: number;
  available: number;
  incoming: number;
  reorderPoint?: number;
  version: number;
  updatedAt: string;
}

export interface MovementCommand {
  movementId: string;
  type: MovementType;
  locationId: string;
  toLocationId?: string;
  reason?: AdjustmentReason;
  lines?: Line[];
  /** RESERVE: when the hold lapses. */
  expiresAt?: string;
  /** RELEASE: the hold to release (its RESERVE movement id). */
  reservationId?: string;
}

export interface Hold {
  reservationId: string;
  locationId: string;
  lines: Line[];
  status: 'ACTIVE' | 'RELEASED' | 'EXPIRED';
  expiresAt: string;
}

export interface MovementResult {
  movementId: string;
  type: MovementType;
  levels: StockLevel[];
  reservation?: Hold;
}

export interface MovementOutcome {
  result: MovementResult;
  /** The movement id was already booked: nothing new was written. */
  replayed: boolean;
}

/** Longest hold a RESERVE may ask for: holds are for click & collect, not for parking stock. */
export const maxHoldDays = 30;
/** Released holds stay readable for audits this long, then TTL removes them. */
const releasedHoldRetentionSeconds = 90 * daySeconds;
/**
 * TTL on an active hold lags its expiry by an hour: the sweep job releases it
 * on time, TTL plus the stream consumer is the safety net if the job is down.
 */
const activeHoldTtlGraceSeconds = hourSeconds;

const levelView = (item: Record<string, unknown>): StockLevel => withoutKeys<StockLevel>(item, ['inventoryPosition']);

const holdView = (item: Record<string, unknown>): Hold => ({
  reservationId: item.reservationId as string,
  locationId: item.locationId as string,
  lines: item.lines as Line[],
  status: item.status as Hold['status'],
  expiresAt: item.holdUntil as string,
});

/** The request as it is fingerprinted: everything but the id that keys it. */
const fingerprintOf = (command: MovementCommand): string => requestFingerprint({ ...command, movementId: undefined });

// ---- reads before the write

interface References {
  products: Map<string, Record<string, unknown>>;
}

/** Products and locations are never deleted, so a read before the write is enough to refuse unknown ones. */
export const loadReferences = async (skus: readonly string[], locationIds: readonly string[]): Promise<References> => {
  const items = await batchGetInventory([...skus.map((sku) => inventoryKeys.product(sku)), ...locationIds.map((id) => inventoryKeys.location(id))]);
  const products = new Map(items.filter((i) => i.entity === entities.product).map((i) => [i.sku as string, i]));
  const locations = new Set(items.filter((i) => i.entity === entities.location).map((i) => i.locationId as string));
  const errors = [
    ...skus.filter((sku) => !products.has(sku)).map((sku) => ({ path: 'body.lines', message: `unknown SKU ${sku}` })),
    ...locationIds.filter((id) => !locations.has(id)).map((id) => ({ path: 'body.locationId', message: `unknown location ${id}` })),
  ];
  if (errors.length > 0) throw new UnknownReference('The request names SKUs or locations that do not exist', errors);
  return { products };
};

/** The levels of these SKU/location pairs, as the API shows them; pairs without a level are left out. */
export const readLevels = async (pairs: readonly { sku: string; locationId: string }[]): Promise<StockLevel[]> => {
  const found = await batchGetInventory(pairs.map((p) => inventoryKeys.level(p.sku, p.locationId)));
  const byKey = new Map(found.map((i) => [`${String(i.sku)}#${String(i.locationId)}`, levelView(i)]));
  return pairs.map((p) => byKey.get(`${p.sku}#${p.locationId}`)).filter((l): l is StockLevel => l !== undefined);
};

const countSnapshots = async (lines: readonly Line[], locationId: string): Promise<Map<string, LevelSnapshot | undefined>> => {
  const levels = await readLevels(mergeLines(lines).map((l) => ({ sku: l.sku, locationId })));
  const bySku = new Map(levels.map((l) => [l.sku, l]));
  return new Map(mergeLines(lines).map((l) => [l.sku, bySku.get(l.sku)]));
};

// ---- the write

export const levelUpdate = (change: LevelChange, product: Record<string, unknown> | undefined, now: string): TransactItem => {
  const availableDelta = change.onHandDelta - change.reservedDelta;
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
  };
  const sets = ['#sku = :sku', '#locationId = :locationId', '#gsi1pk = :gsi1pk', '#gsi1sk = :gsi1sk', '#entity = :entity', '#updatedAt = :now'];
  // A fixed min on the product seeds the level's reorder point; replenishment refines it per location later.
  const reorderMin = (product?.reorder as { min?: number } | undefined)?.min;
  if (reorderMin !== undefined) {
    names['#reorderPoint'] = 'reorderPoint';
    values[':reorderPoint'] = reorderMin;
    sets.push('#reorderPoint = if_not_exists(#reorderPoint, :reorderPoint)');
  }
  const conditions: string[] = [];
  if (change.availableDrop > 0) {
    values[':drop'] = change.availableDrop;
    conditions.push('#available >= :drop');
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
      UpdateExpression: `SET ${sets.join(', ')} ADD #onHand :onHand, #reserved :reserved, #available :available, #incoming :incoming, #position :position, #version :one`,
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
      ...inventoryKeys.ledgerEntry(change.sku, change.locationId, at, command.movementId),
      entity: entities.ledgerEntry,
      movementId: command.movementId,
      type: change.ledgerType,
      sku: change.sku,
      locationId: change.locationId,
      onHandDelta: change.onHandDelta,
      reservedDelta: change.reservedDelta,
      reason: command.reason,
      counted: change.counted,
      at,
      by,
    },
  },
});

interface HoldWrite {
  item: TransactItem;
  hold: Hold;
}

const openHold = (command: MovementCommand, lines: Line[], by: string, now: string): HoldWrite => {
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
const closeHold = (hold: Hold, status: 'RELEASED' | 'EXPIRED', itemGone: boolean, by: string, now: string): HoldWrite => {
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
    },
    // The permanent idempotency guard: a movement id is booked once, ever.
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/**
 * The stock half of a transaction: the movement record (first), a level
 * update per change, then a ledger entry per change. Checkout and returns
 * add their own items after these.
 */
export const movementItems = (
  command: MovementCommand,
  changes: readonly LevelChange[],
  products: ReadonlyMap<string, Record<string, unknown>>,
  fingerprint: string,
  by: string,
  now: string,
): TransactItem[] => [
  movementPut(
    command,
    changes.map((c) => ({ sku: c.sku, locationId: c.locationId })),
    fingerprint,
    by,
    now,
  ),
  ...changes.map((c) => levelUpdate(c, products.get(c.sku), now)),
  ...changes.map((c) => ledgerPut(c, command, by, now)),
];

const replay = async (command: MovementCommand, fingerprint: string): Promise<MovementOutcome | undefined> => {
  const existing = await getInventoryItem(inventoryKeys.movement(command.locationId, command.movementId));
  if (!existing) return undefined;
  assertSameRequest(existing.fingerprint, fingerprint, `Movement ${command.movementId}`);
  if (existing.response) return { result: existing.response as MovementResult, replayed: true };
  // Booked, but its response was not stored yet (a concurrent duplicate, or a crash in between): show the levels now.
  const pairs = (existing.affected as { sku: string; locationId: string }[] | undefined) ?? [];
  return { result: { movementId: command.movementId, type: command.type, levels: await readLevels(pairs) }, replayed: true };
};

interface PreparedHold {
  hold: Hold;
  gone: boolean;
}

/** How the request's lines, location and hold come together before planning. */
interface Prepared {
  lines: Line[];
  locationId: string;
  hold?: Hold;
  holdGone?: boolean;
}

const prepare = async (command: MovementCommand, now: string, holdOverride?: PreparedHold): Promise<Prepared> => {
  if (command.type !== 'RELEASE') {
    if (command.type === 'RESERVE') {
      const until = Date.parse(command.expiresAt ?? '');
      if (!(until > Date.parse(now)) || until > Date.parse(now) + maxHoldDays * dayMillis) {
        throw new ValidationFailed('A hold must expire in the future and within 30 days', [
          { path: 'body.expiresAt', message: `after now and at most ${maxHoldDays} days ahead` },
        ]);
      }
    }
    return { lines: command.lines ?? [], locationId: command.locationId };
  }
  const reservationId = command.reservationId ?? '';
  if (holdOverride) return { lines: holdOverride.hold.lines, locationId: holdOverride.hold.locationId, hold: holdOverride.hold, holdGone: holdOverride.gone };
  // Holds are keyed by their location: another store's hold id is simply unknown here.
  const item = await getInventoryItem(inventoryKeys.reservation(command.locationId, reservationId));
  if (!item) throw new UnknownReference(`No hold ${reservationId} at ${command.locationId}`, [{ path: 'body.reservationId', message: 'unknown hold' }]);
  const hold = holdView(item);
  if (hold.status !== 'ACTIVE') throw new Conflict(`Hold ${reservationId} is already ${hold.status.toLowerCase()}`, { status: hold.status });
  return { lines: hold.lines, locationId: hold.locationId, hold };
};

export const shortagesOf = (error: TransactionCancelled, changes: readonly LevelChange[], firstLevelIndex: number): Shortage[] =>
  changes.flatMap((change, i) => {
    const reason = error.reasons[firstLevelIndex + i];
    if (reason?.code !== 'ConditionalCheckFailed') return [];
    return [
      {
        sku: change.sku,
        locationId: change.locationId,
        requested: change.availableDrop,
        available: Number(reason.item?.available ?? 0),
      },
    ];
  });

/** A COUNT raced with another movement on the same level: recount from the new state this many times. */
const countAttempts = 3;

/**
 * Books a movement. Returns the first result again for a replayed movement
 * id; throws OutOfStock (nothing written) when a decrease does not fit.
 */
export const recordMovement = async (
  command: MovementCommand,
  principal: Principal,
  now = new Date().toISOString(),
  options: { hold?: PreparedHold; holdStatus?: 'RELEASED' | 'EXPIRED' } = {},
): Promise<MovementOutcome> => {
  // Access first: a replay must never show a location's levels to a caller who may not act there.
  assertLocationAccess(principal, command.locationId);
  const fingerprint = fingerprintOf(command);
  const earlier = await replay(command, fingerprint);
  if (earlier) return earlier;

  const prepared = await prepare(command, now, options.hold);
  const lines = mergeLines(prepared.lines);
  const locationIds = [...new Set([prepared.locationId, ...(command.toLocationId ? [command.toLocationId] : [])])];
  const holdItems = command.type === 'RESERVE' || prepared.hold ? 1 : 0;
  // Size first: a request that can never fit is refused before any read.
  assertFitsOneTransaction(planMovement({ ...command, locationId: prepared.locationId, lines }), holdItems);
  const { products } = await loadReferences(
    lines.map((l) => l.sku),
    locationIds,
  );
  const exclusive = command.type === 'SALE' ? lines.filter((l) => products.get(l.sku)?.memberExclusive).map((l) => l.sku) : [];
  if (exclusive.length > 0) {
    // The tier, the allocation and the per-member limit are checked at the checkout only.
    throw new NotEligible(`${exclusive.join(', ')} are member-exclusive: sell them through POST /sales`, { skus: exclusive });
  }

  for (let attempt = 1; ; attempt++) {
    const snapshots = command.type === 'COUNT' ? await countSnapshots(lines, prepared.locationId) : undefined;
    const changes = planMovement({ ...command, locationId: prepared.locationId, lines }, snapshots);
    const holdWrite =
      command.type === 'RESERVE'
        ? openHold(command, lines, principal.subject, now)
        : prepared.hold
          ? closeHold(prepared.hold, options.holdStatus ?? 'RELEASED', prepared.holdGone ?? false, principal.subject, now)
          : undefined;

    const affected = changes.map((c) => ({ sku: c.sku, locationId: c.locationId }));
    const items: TransactItem[] = [
      ...movementItems({ ...command, locationId: prepared.locationId }, changes, products, fingerprint, principal.subject, now),
      ...(holdWrite ? [holdWrite.item] : []),
    ];
    try {
      await transactWrite(items);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (error.failedAt(0)) {
        const concurrent = await replay(command, fingerprint);
        if (concurrent) return concurrent;
      }
      if (holdWrite && error.failedAt(items.length - 1)) {
        throw new Conflict(`Hold ${holdWrite.hold.reservationId} is no longer active`);
      }
      if (command.type === 'COUNT' && attempt < countAttempts) continue;
      if (command.type === 'COUNT') throw new Conflict('The counted stock kept changing while booking the count; count again');
      const shortages = shortagesOf(error, changes, 1);
      if (shortages.length > 0) throw new OutOfStock(shortages);
      throw error;
    }

    const result: MovementResult = {
      movementId: command.movementId,
      type: command.type,
      levels: await readLevels(affected),
      ...(holdWrite ? { reservation: holdWrite.hold } : {}),
    };
    await documentClient.send(
      new UpdateCommand({
        TableName: inventory(),
        Key: inventoryKeys.movement(prepared.locationId, command.movementId),
        UpdateExpression: 'SET #response = :response',
        ExpressionAttributeNames: { '#response': 'response' },
        ExpressionAttributeValues: { ':response': result },
      }),
    );
    return { result, replayed: false };
  }
};

// ---- holds that lapse

const systemPrincipal = (subject: string): Principal => ({ subject, role: 'service', locations: [] });

/**
 * The movement id an expiry books: the same whoever notices first (sweep job
 * or TTL stream), and one no client can book first.
 */
export const expiryMovementId = (reservationId: string): string => derivedId('expire', reservationId);

/** Releases a hold that lapsed. `gone` is true when TTL already deleted its item. */
export const expireHold = async (hold: Hold, gone: boolean, now = new Date().toISOString()): Promise<MovementOutcome | undefined> => {
  try {
    return await recordMovement(
      { movementId: expiryMovementId(hold.reservationId), type: 'RELEASE', locationId: hold.locationId, reservationId: hold.reservationId },
      systemPrincipal('system:hold-expiry'),
      now,
      { hold: { hold, gone }, holdStatus: 'EXPIRED' },
    );
  } catch (error) {
    // Someone released it first: there is nothing left to expire.
    if (error instanceof Conflict) return undefined;
    throw error;
  }
};

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

export const getHold = async (locationId: string, reservationId: string): Promise<Hold> => {
  const item = await getInventoryItem(inventoryKeys.reservation(locationId, reservationId));
  if (!item) throw new NotFound(`Hold ${reservationId} not found`);
  return holdView(item);
};

// ---- reads

/** A SKU at every location the caller may see: one query on the SKU's partition. */
export const stockOfSku = async (sku: string, principal: Principal): Promise<{ sku: string; levels: StockLevel[] }> => {
  const [product] = await batchGetInventory([inventoryKeys.product(sku)]);
  if (!product) throw new NotFound(`Product ${sku} not found`);
  const visible = visibleLocations(principal);
  const items = await queryAll({
    TableName: inventory(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': inventoryKeys.levelsOfSku(sku) },
  });
  const levels = items.map(levelView).filter((l) => !visible || visible.includes(l.locationId));
  return { sku, levels };
};

/** One location's stock, one query on gsi1; optionally only what needs reordering. */
export const stockAtLocation = async (
  locationId: string,
  principal: Principal,
  options: { belowReorderPoint?: boolean; limit: number; cursor?: string },
): Promise<Page<StockLevel>> => {
  assertLocationAccess(principal, locationId);
  const [location] = await batchGetInventory([inventoryKeys.location(locationId)]);
  if (!location) throw new NotFound(`Location ${locationId} not found`);
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      // Reorder when what is free plus what is on order no longer covers the reorder point.
      ...(options.belowReorderPoint ? { FilterExpression: 'inventoryPosition <= reorderPoint' } : {}),
      ExpressionAttributeValues: { ':pk': inventoryKeys.levelsOfLocation(locationId) },
      Limit: options.limit,
      ExclusiveStartKey: decodeCursor(options.cursor, cursorScope(tables.inventory, 'gsi1', inventoryKeys.levelsOfLocation(locationId))),
    }),
  );
  return { items: (output.Items ?? []).map(levelView), cursor: encodeCursor(output.LastEvaluatedKey) };
};

export interface LedgerEntry {
  movementId: string;
  type: string;
  sku: string;
  locationId: string;
  onHandDelta: number;
  reservedDelta: number;
  reason?: string;
  counted?: number;
  at: string;
  by: string;
}

export interface LedgerQuery {
  sku?: string;
  locationId?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/**
 * The ledger, oldest first, by SKU and location (base table), SKU (gsi1) or
 * location (gsi2). Store staff asking by SKU alone see their locations only.
 */
export const ledger = async (query: LedgerQuery, principal: Principal): Promise<Page<LedgerEntry>> => {
  if (query.locationId) assertLocationAccess(principal, query.locationId);
  const visible = query.locationId ? undefined : visibleLocations(principal);
  const [partition, index, sortKey] =
    query.sku && query.locationId
      ? [inventoryKeys.ledgerOfSkuAtLocation(query.sku, query.locationId), undefined, 'sk']
      : query.sku
        ? [inventoryKeys.ledgerOfSku(query.sku), 'gsi1', 'gsi1sk']
        : [inventoryKeys.ledgerOfLocation(query.locationId ?? ''), 'gsi2', 'gsi2sk'];
  const pk = index ? `${index}pk` : 'pk';
  // Sort keys start with the ISO time; '~' sorts after every character that follows it.
  const from = query.from ? new Date(query.from).toISOString() : '0';
  const to = query.to ? `${new Date(query.to).toISOString()}~` : '~';
  const values: Record<string, unknown> = { ':pk': partition, ':from': from, ':to': to };
  let filter: string | undefined;
  if (visible) {
    const names = visible.map((_, i) => `:loc${i}`);
    for (const [i, loc] of visible.entries()) values[`:loc${i}`] = loc;
    filter = names.length > 0 ? `locationId IN (${names.join(', ')})` : 'attribute_not_exists(pk)';
  }
  const output = await documentClient.send(
    new QueryCommand({
      TableName: inventory(),
      IndexName: index,
      KeyConditionExpression: `${pk} = :pk AND ${sortKey} BETWEEN :from AND :to`,
      FilterExpression: filter,
      ExpressionAttributeValues: values,
      Limit: query.limit,
      ExclusiveStartKey: decodeCursor(query.cursor, cursorScope(tables.inventory, index, partition)),
    }),
  );
  return {
    items: (output.Items ?? []).map((i) => withoutKeys<LedgerEntry>(i)),
    cursor: encodeCursor(output.LastEvaluatedKey),
  };
};

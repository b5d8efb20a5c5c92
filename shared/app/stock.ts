/**
 * Stock use-cases: booking a movement (and the holds it opens or closes),
 * releasing lapsed holds, and the stock and ledger reads, each scoped to
 * the locations the caller may act at or see. The reads and the pure
 * queries the handlers need (lapsed holds, a hold from a stream image) are
 * thin: the access check, then the repository in shared/db/stock.ts.
 */
import {
  Conflict,
  IdempotencyKeyReused,
  NotEligible,
  NotFound,
  OutOfStock,
  TemporarilyUnavailable,
  UnknownReference,
  ValidationFailed,
} from '../domain/errors.ts';
import { derivedId } from '../domain/ids.ts';
import { ledgerShardsOf } from '../domain/level-shards.ts';
import {
  absorbInto,
  assertFitsOneTransaction,
  assertOccurredAt,
  countSees,
  isOfflineSale,
  type LevelChange,
  type Line,
  mergeLines,
  occurredAtOf,
  type PlanContext,
  planMovement,
  skusOf,
  withoutConfirmed,
} from '../domain/movements.ts';
import { reconcileSideOf } from '../domain/reconcile.ts';
import { assertLocationAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import { dayMillis } from '../domain/time.ts';
import { allLocations, getProducts, type Page } from '../db/catalog.ts';
import { requestFingerprint } from '../db/fingerprint.ts';
import {
  answeredMovementItems,
  closeHold,
  countsBookedSince,
  countSnapshots,
  type LastCount,
  lastCounts,
  findHold,
  forgetLevels,
  type LedgerQuery,
  levelsAtLocation,
  levelStates,
  levelsOfSku,
  loadReferences,
  mergeShortSpreadLevels,
  type MovementCommand,
  type MovementOutcome,
  movementItems,
  onHandChangeSince,
  openHold,
  readLedger,
  readLevels,
  movementAnswer,
  replay,
  saveMovementResponse,
  shortagesOf,
  staleLevels,
} from '../db/stock.ts';
import { completeCounts } from '../db/counts.ts';
import { noReconciliation, planReconciliation } from './reconcile.ts';
import { replanShortHotSales, routeHotSales, settleOfflineHotSales } from './hot-stock.ts';
import { transferPut } from '../db/transfers.ts';
import { backOff, labelled, TransactionCancelled, transactLabelled } from '../db/transact.ts';
import type { Availability, Hold, LedgerEntry, MovementResult, StockLevel } from '../schemas/stock.ts';
import { nowIso } from '../clock.ts';

export { holdFromImage, lapsedHolds } from '../db/stock.ts';

/** Longest hold a RESERVE may ask for: holds are for click & collect, not for parking stock. */
export const maxHoldDays = 30;

/** The request as it is fingerprinted: everything but the id that keys it. */
const fingerprintOf = (command: MovementCommand): string => requestFingerprint({ ...command, movementId: undefined });

// ---- booking a movement

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
  const hold = await findHold(command.locationId, reservationId);
  if (!hold) throw new UnknownReference(`No hold ${reservationId} at ${command.locationId}`, [{ path: 'body.reservationId', message: 'unknown hold' }]);
  if (hold.status !== 'ACTIVE') throw new Conflict(`Hold ${reservationId} is already ${hold.status.toLowerCase()}`, { holdStatus: hold.status });
  return { lines: hold.lines, locationId: hold.locationId, hold };
};

/**
 * A COUNT raced with another movement on the same level: recount from the new
 * state this many times, backing off with jitter between tries. A till
 * selling at the engine's pace (one round trip a sale) can keep moving the
 * level through a count's read and write; 20 concurrent sales beat 3 quick
 * tries (test/integration/field-stock.test.ts).
 */
const countAttempts = 8;
/** A change dated in the past met a count booked in between: plan again this many times. */
const lateAttempts = 3;
/** Another booking of the same SKU changed its reconciliation meanwhile: plan again this many times. */
const reconcileAttempts = 8;

/** What planning needs to know about the levels first: what a COUNT recounts, what happened after a COUNT dated in the past. */
const planContext = async (
  command: MovementCommand,
  lines: Line[],
  locationId: string,
  occurredAt: string,
  now: string,
  products: ReadonlyMap<string, Record<string, unknown>>,
): Promise<PlanContext> => {
  if (command.type === 'COUNT') {
    const counts = await countSnapshots(lines, locationId, now);
    if (occurredAt >= now) return { counts };
    const later = await Promise.all(
      skusOf(lines).map(async (sku) => [sku, await onHandChangeSince(sku, locationId, occurredAt, ledgerShardsOf(products.get(sku)))] as const),
    );
    return { counts, laterOnHand: new Map(later) };
  }
  return { offline: command.type === 'SALE' && isOfflineSale(occurredAt, now) };
};

/** A level moved on since this container last saw it: plan again with the level as it is, this many times, then book without the guess. */
const staleAttempts = 3;
/** Hot sale lines found their shards short (others sold the units meanwhile): plan again over all shards this many times. */
const hotAttempts = 12;

/**
 * Books a movement. Returns the first result again for a replayed movement
 * id; throws OutOfStock (nothing written) when a decrease does not fit.
 *
 * The movement record's own conditional put is the replay check: nothing is
 * read first, and the record is read only when the booking fails (its put
 * found the id taken, or any refusal, since a refusal now may be a replay of
 * a request that was accepted then). A first booking stores its answer in
 * the same transaction, with the levels after it computed from the levels
 * this container knew, which the transaction proves by their versions
 * (answeredMovementItems in shared/db/stock.ts).
 */
export const recordMovement = async (
  command: MovementCommand,
  principal: Principal,
  now = nowIso(),
  options: { hold?: PreparedHold; holdStatus?: 'RELEASED' | 'EXPIRED' } = {},
): Promise<MovementOutcome> => {
  // Access first: a replay must never show a location's levels to a caller who may not act there.
  assertLocationAccess(principal, command.locationId);
  const fingerprint = fingerprintOf(command);
  try {
    return await bookMovement(command, principal, fingerprint, now, options);
  } catch (error) {
    if (error instanceof IdempotencyKeyReused) throw error;
    // The same id booked before answers with its first answer (or 422 for another request), whatever refuses it now.
    const earlier = await replay(command, fingerprint);
    if (earlier) return earlier;
    throw error;
  }
};

const bookMovement = async (
  command: MovementCommand,
  principal: Principal,
  fingerprint: string,
  now: string,
  options: { hold?: PreparedHold; holdStatus?: 'RELEASED' | 'EXPIRED' },
): Promise<MovementOutcome> => {
  assertOccurredAt(command.occurredAt, now, 'body.occurredAt');
  const occurredAt = occurredAtOf(command.occurredAt, now);
  const prepared = await prepare(command, now, options.hold);
  const lines = mergeLines(prepared.lines);
  const booking: MovementCommand = { ...command, locationId: prepared.locationId, ...(occurredAt < now ? { occurredAt } : { occurredAt: undefined }) };
  const locationIds = [...new Set([prepared.locationId, ...(command.toLocationId ? [command.toLocationId] : [])])];
  const holdItems = command.type === 'RESERVE' || prepared.hold ? 1 : 0;
  // A shipped TRANSFER also writes the transfer its destination receives against (shared/app/transfers.ts).
  const shipment = command.type === 'TRANSFER' && command.ship === true;
  // Size first: a request that can never fit is refused before any read. A COUNT also closes the count task of each SKU.
  const planned = planMovement({ ...booking, lines });
  assertFitsOneTransaction(planned, holdItems + (shipment ? 1 : 0), command.type === 'COUNT' ? 3 : 2);
  // A COUNT pins its levels to the versions it counted against; every other movement guesses them from what this container knows.
  let answerable = command.type !== 'COUNT';
  const pairs = planned.map((c) => ({ sku: c.sku, locationId: c.locationId }));
  const { products, locations } = await loadReferences(skusOf(lines), locationIds, answerable ? pairs : []);
  const reconciled = reconcileSideOf(command.type);
  const exclusive = command.type === 'SALE' ? lines.filter((l) => products.get(l.sku)?.memberExclusive).map((l) => l.sku) : [];
  if (exclusive.length > 0) {
    // The tier, the allocation and the per-member limit are checked at the checkout only.
    throw new NotEligible(`${exclusive.join(', ')} are member-exclusive: sell them through POST /sales`, { skus: exclusive });
  }

  // Dated in the past: a count booked as of a later time already saw it.
  let counted: Map<string, LastCount | undefined> = new Map();
  const absorbable = (changes: LevelChange[]) => changes.filter(countSees).map((c) => ({ sku: c.sku, locationId: c.locationId }));
  if (occurredAt < now) counted = await lastCounts(absorbable(planned));

  let stale = 0;
  // Hot sale lines an attempt found short on their shard, planned over all shards (shared/app/hot-stock.ts).
  let fallen = new Map<string, LevelChange>();
  let hotRetries = 0;
  let merged = false;
  for (let attempt = 1; ; attempt++) {
    const context = await planContext(command, lines, prepared.locationId, occurredAt, now, products);
    // Units a gate already read in (or a document already named) are confirmed, not moved again.
    const reconciliation = reconciled
      ? await planReconciliation({
          ...reconciled,
          locationId: prepared.locationId,
          ref: command.movementId,
          at: occurredAt,
          lines,
          products,
          location: locations.get(prepared.locationId),
          now,
        })
      : noReconciliation;
    const changes = await routeHotSales(
      withoutConfirmed(absorbInto(planMovement({ ...booking, lines }, context), occurredAt, counted), reconciliation.confirmed, prepared.locationId),
      products,
      command.movementId,
      now,
      fallen,
      occurredAt < now,
    );
    const holdWrite =
      command.type === 'RESERVE'
        ? openHold(command, lines, principal.subject, now)
        : prepared.hold
          ? closeHold(prepared.hold, options.holdStatus ?? 'RELEASED', prepared.holdGone ?? false, principal.subject, now)
          : undefined;

    const affected = changes.map((c) => ({ sku: c.sku, locationId: c.locationId }));
    const answerOf = (levels: StockLevel[]): MovementResult => ({
      movementId: command.movementId,
      type: command.type,
      levels,
      ...(holdWrite ? { reservation: holdWrite.hold } : {}),
      ...(reconciliation.confirmed.size > 0 ? { confirmed: [...reconciliation.confirmed].map(([sku, qty]) => ({ sku, qty })) } : {}),
    });
    const before = answerable ? await levelStates(affected) : new Map<string, Record<string, unknown> | null>();
    const answered = answerable ? answeredMovementItems(booking, changes, products, fingerprint, principal.subject, now, before, answerOf) : undefined;
    const items = [
      ...(answered?.items ?? movementItems(booking, changes, products, fingerprint, principal.subject, now)),
      ...labelled('hold', holdWrite ? [holdWrite.item] : []),
      ...labelled('transfer', shipment ? [transferPut(booking, lines, principal.subject, now)] : []),
      ...labelled('reconcile', reconciliation.items),
      ...labelled('counts', command.type === 'COUNT' ? completeCounts(prepared.locationId, changes, now) : []),
    ];
    try {
      await transactLabelled(items);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (error.failedAtLabel('movement')) {
        const concurrent = await replay(command, fingerprint);
        if (concurrent) return concurrent;
      }
      if (holdWrite && error.failedAtLabel('hold')) {
        throw new Conflict(`Hold ${holdWrite.hold.reservationId} is no longer active`);
      }
      // A level moved on since this container saw it: its failed condition brought it back; plan again (not counted as an attempt).
      if (answered && staleLevels(error, changes, before)) {
        stale++;
        if (stale >= staleAttempts) answerable = false;
        attempt--;
        continue;
      }
      const short = await replanShortHotSales(error, changes, products);
      if (short && short.shortages.length > 0) throw new OutOfStock([...short.shortages, ...shortagesOf(error, changes)]);
      if (short && hotRetries >= hotAttempts) throw new TemporarilyUnavailable('The hot SKU kept selling out from under this sale; try again');
      if (short) {
        fallen = short.fallen;
        hotRetries++;
        attempt--;
        await backOff(hotRetries);
        continue;
      }
      if (error.failedAtLabel('reconcile') && attempt < reconcileAttempts) continue;
      const countedSince = countsBookedSince(error, changes, occurredAt);
      if (countedSince.size > 0 && attempt < lateAttempts) {
        counted = new Map([...counted, ...countedSince]);
        continue;
      }
      if (command.type === 'COUNT' && attempt < countAttempts) {
        await backOff(attempt);
        continue;
      }
      if (command.type === 'COUNT') throw new Conflict('The counted stock kept changing while booking the count; count again');
      const shortages = shortagesOf(error, changes);
      // A decrease other than a sale met a spread level's item short: merge its shards back once and book again (the next hot sale spreads them).
      if (shortages.length > 0 && !merged && (await mergeShortSpreadLevels(error, changes, now))) {
        merged = true;
        attempt--;
        continue;
      }
      if (shortages.length > 0) throw new OutOfStock(shortages);
      throw error;
    }

    await settleOfflineHotSales(changes, products, now);
    if (answered) {
      answered.landed();
      return { result: answered.result, replayed: false };
    }
    // Booked without a proven answer (a COUNT, a level it does not write, a contended level): read the levels, then store the answer.
    forgetLevels(affected);
    const result = answerOf(await readLevels(affected));
    await saveMovementResponse(prepared.locationId, result);
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
export const expireHold = async (hold: Hold, gone: boolean, now = nowIso()): Promise<MovementOutcome | undefined> => {
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

// ---- reads

/** A booked movement as its booking answered it (what `Location` on a movement's 201 points at). */
export const movementOf = async (locationId: string, movementId: string, principal: Principal): Promise<MovementResult> => {
  assertLocationAccess(principal, locationId);
  const answer = await movementAnswer(locationId, movementId);
  if (!answer) throw new NotFound(`Movement ${movementId} not found at ${locationId}`);
  return answer;
};

/** A SKU at every location the caller may see. */
export const stockOfSku = async (sku: string, principal: Principal): Promise<{ sku: string; levels: StockLevel[] }> => {
  const visible = visibleLocations(principal);
  const levels = (await levelsOfSku(sku)).filter((l) => !visible || visible.includes(l.locationId));
  return { sku, levels };
};

/**
 * Where a product can be bought, for anyone signed in (members included):
 * every store with its available units (never below zero), nothing a
 * member should not see (costs, holds, what is on order, warehouses).
 */
export const availabilityOf = async (sku: string): Promise<Availability> => {
  const [product] = await getProducts([sku]);
  if (!product) throw new NotFound(`Product ${sku} not found`);
  const levels = new Map((await levelsOfSku(sku)).map((l) => [l.locationId, l]));
  const stores = (await allLocations()).filter((l) => l.type === 'STORE');
  return {
    sku,
    name: product.name,
    price: product.price,
    currency: product.currency,
    stores: stores.map((store) => {
      const available = Math.max(0, levels.get(store.locationId)?.available ?? 0);
      return { locationId: store.locationId, name: store.name, available, inStock: available > 0 };
    }),
  };
};

/** One location's stock; optionally only what needs reordering. */
export const stockAtLocation = async (
  locationId: string,
  principal: Principal,
  options: { belowReorderPoint?: boolean; limit: number; cursor?: string },
): Promise<Page<StockLevel>> => {
  assertLocationAccess(principal, locationId);
  return levelsAtLocation(locationId, options);
};

/** The ledger. Store staff asking by SKU alone see their locations only. */
export const ledger = async (query: LedgerQuery, principal: Principal): Promise<Page<LedgerEntry>> => {
  if (query.locationId) assertLocationAccess(principal, query.locationId);
  const visible = query.locationId ? undefined : visibleLocations(principal);
  return readLedger(query, visible);
};

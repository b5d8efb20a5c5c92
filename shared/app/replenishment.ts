/**
 * Replenishment use-cases: demand counting, the reorder decision for one SKU
 * and location (stream, sweep), chain cover and reading suggestions
 * (purchase orders are in purchase-orders.ts, ABC in abc.ts). Access scoping
 * happens here; the repository
 * (shared/db/replenishment.ts) holds keys, queries and transactions. One
 * suggestion per SKU and location is computed from the current state, so
 * retries, duplicate stream records and sweeps repeat the same answer
 * instead of adding to it.
 */
import { shardsOf } from '../db/level-shards.ts';
import { TemporarilyUnavailable, ValidationFailed } from '../domain/errors.ts';
import { assertLocationAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import { chooseDonor, type DonorCandidate, donorPhrase, surplusUnits } from '../domain/replenishment/chain.ts';
import { roundOrderQuantity } from '../domain/replenishment/packs.ts';
import { dailyDemandStats, type DemandWindow, forecastWindow } from '../domain/replenishment/demand.ts';
import { asDonor, demandUnitsOf } from '../domain/replenishment/demand-source.ts';
import { type AbcClass, type AbcPolicy, policyOf } from '../domain/replenishment/abc.ts';
import { economicOrderQuantity } from '../domain/replenishment/eoq.ts';
import { type Overstock, overstockOf, type OverstockPolicy } from '../domain/replenishment/overstock.ts';
import { replenishmentReason } from '../domain/replenishment/reason.ts';
import { type ReorderPlan, reorderPoint } from '../domain/replenishment/reorder-point.ts';
import { type OrderPolicy, sameDecision, suggestOrder } from '../domain/replenishment/suggestion.ts';
import { transferNeed, transferSizePhrase } from '../domain/replenishment/transfer-size.ts';
import { memberDemandKeys, memberDemandUplift } from '../domain/replenishment/uplift.ts';
import type { SegmentMember } from '../domain/segments.ts';
import { addDays, dayOf } from '../domain/time.ts';
import { forEachSettled } from '../concurrency.ts';
import { logger } from '../observability.ts';
import { getLocations, listLocations, type Page } from '../db/catalog.ts';
import { entities } from '../db/keys.ts';
import {
  type DayDemand,
  demandHistory,
  findSuggestions,
  levelsAcrossChain,
  memberForDemand,
  type Product,
  type PromiseChange,
  recordDemand,
  recordMemberDemand,
  reorderState,
  setLevelReorderPoint,
  type SuggestionStatus,
  type TransferPromises,
  transferPromises,
  writeSuggestionWithPromises,
} from '../db/replenishment.ts';
import { loadProgram } from '../db/members.ts';
import { levelsAtLocation } from '../db/stock.ts';
import type { ReplenishmentSuggestion } from '../schemas/replenishment.ts';
import { nowIso } from '../clock.ts';

/** Days of history behind the forecast: two four-week periods, so member demand growth can be measured too. */

export const demandWindowDays = 56;
const defaultLeadTimeDays = 7;
const defaultServiceLevel = 0.95;

const daysBefore = (iso: string, days: number) => dayOf(addDays(iso, -days));

// ---- demand from the stream

/** Location types by id, kept while the function is warm: a location's type does not change in practice, and a transfer costs no extra read then. */
const locationTypes = new Map<string, string | undefined>();
const locationTypeOf = async (locationId: string): Promise<string | undefined> => {
  if (!locationTypes.has(locationId)) {
    const [location] = await getLocations([locationId]);
    if (!location) return undefined;
    locationTypes.set(locationId, location.type);
  }
  return locationTypes.get(locationId);
};

/**
 * A record of the demand stream: a SALE ledger entry counts its units, a
 * warehouse's TRANSFER_OUT entry the units it shipped (its demand is the
 * chain's pull), a member's sale its units by tier, by each of the member's tags and by each
 * demand segment of the programme the member is in. Both writes remember
 * what they counted. The member's tags are not on the sale, so a member sale
 * costs one read of the member's profile (the programme is cached).
 */
// biome-ignore lint/suspicious/noExplicitAny: a SALE ledger entry or a member's sale, as the demand stream's filter lets through
export const countDemand = async (image: Record<string, any>): Promise<void> => {
  if (image.entity === entities.ledgerEntry) {
    // A warehouse's demand is what it ships (demandUnitsOf): only a transfer needs the location's type.
    const locationType = image.type === 'SALE' ? undefined : await locationTypeOf(image.locationId as string);
    const units = demandUnitsOf({ type: image.type, onHandDelta: image.onHandDelta }, locationType);
    if (units <= 0) return;
    // Demand is dated when the sale (or the shipment) happened: a till posting late still sold on its own day.
    await recordDemand({
      sku: image.sku,
      locationId: image.locationId,
      movementId: image.movementId,
      onHandDelta: -units,
      at: image.occurredAt ?? image.at,
    });
    return;
  }
  const tier = image.receipt?.member?.tier as string | undefined;
  if (!tier) return;
  // Dated like its ledger entries: when the till made the sale.
  const at = (image.receipt?.occurredAt as string | undefined) ?? (image.at as string);
  const [member, program] = await Promise.all([memberForDemand(image.memberId as string), loadProgram()]);
  // Tags and demand segments as the member is when the sale is counted; a redelivery after a change counts nothing again.
  const groups = member
    ? memberDemandKeys({ spendByMonth: {}, visitsByMonth: {}, ...member } as unknown as SegmentMember, program.demandSegments ?? [], at, program.rollingMonths)
    : [];
  const counted = await recordMemberDemand({ saleId: image.saleId, locationId: image.locationId, at, tier, groups, lines: image.lines });
  logger.debug('Member demand counted', { saleId: image.saleId, tier, groups, lines: counted });
};

// ---- the forecast and the reorder decision

export interface Forecast {
  meanDailyDemand: number;
  stdDevDailyDemand: number;
  upliftReason: string;
}

/** The forecast from a window of daily demand: its mean and deviation, raised by a growing member segment (the window's later half against its earlier). */
const forecastOf = (history: readonly DayDemand[], window: DemandWindow): Forecast => {
  const stats = dailyDemandStats(history, window);
  const half = Math.floor(window.days / 2);
  const split = dayOf(addDays(`${window.firstDay}T00:00:00.000Z`, window.days - half));
  const recent = history.filter((d) => d.day >= split);
  const previous = history.filter((d) => d.day < split);
  const segments = [...new Set(history.flatMap((d) => Object.keys(d.segments)))].map((segment) => ({
    segment,
    recentUnits: recent.reduce((sum, d) => sum + (d.segments[segment] ?? 0), 0),
    previousUnits: previous.reduce((sum, d) => sum + (d.segments[segment] ?? 0), 0),
  }));
  const uplift = memberDemandUplift({
    baseForecast: stats.meanDaily,
    recentTotalUnits: recent.reduce((sum, d) => sum + d.units, 0),
    segments,
    periodDays: half,
  });
  return { meanDailyDemand: uplift.forecast, stdDevDailyDemand: stats.stdDevDaily, upliftReason: uplift.reason };
};

/**
 * The forecast of one level: its demand over the product's class window (A
 * short, C long; `demandWindowDays` when unclassified), ending today, read
 * from the day the level was first stocked when that is later (forecastWindow).
 */
const forecastFor = async (sku: string, level: Record<string, unknown>, now: string, windowDays = demandWindowDays): Promise<Forecast> => {
  const history = await demandHistory(sku, level.locationId as string, daysBefore(now, windowDays - 1), dayOf(now));
  const firstStockedAt = level.firstStockedAt as string | undefined;
  const window = forecastWindow({
    windowDays,
    today: dayOf(now),
    firstStockedDay: firstStockedAt && dayOf(firstStockedAt),
    firstDemandDay: history.reduce<string | undefined>((first, d) => (first === undefined || d.day < first ? d.day : first), undefined),
  });
  return forecastOf(history, window);
};

/**
 * The ABC class and policy a product is held to (stored by the last
 * classification; fields a policy stored before they existed come from the
 * class's defaults). Undefined for a product never classified.
 */
export const classPolicyOf = (product: Pick<Product, 'abcClass' | 'abcPolicy'>): { abcClass: AbcClass; policy: AbcPolicy } | undefined => {
  const policy = policyOf(product.abcClass, product.abcPolicy);
  return product.abcClass && policy ? { abcClass: product.abcClass, policy } : undefined;
};

/** Days of demand history the forecast should read for this product: its class's window (A 28, B 42, C 56 by default), else `demandWindowDays`. */
export const forecastWindowDaysOf = (product: Pick<Product, 'abcClass' | 'abcPolicy'>): number =>
  classPolicyOf(product)?.policy.forecastWindowDays ?? demandWindowDays;

/**
 * How much to order: min/max when the product fixes it, EOQ when its costs
 * are known, else cover up to twice the reorder point. The class's
 * `orderMultiple` scales the EOQ or that cover: C buys in bulk (2x: larger,
 * rarer orders), A buys the plain EOQ.
 */
const orderPolicyOf = (product: Product, plan: ReorderPlan, meanDailyDemand: number): OrderPolicy => {
  if (plan.kind === 'MIN_MAX') return { kind: 'ORDER_UP_TO', max: plan.orderUpTo };
  const multiple = classPolicyOf(product)?.policy.orderMultiple ?? 1;
  if (product.orderingCost !== undefined && product.holdingCostPerUnitYear !== undefined && product.holdingCostPerUnitYear > 0) {
    return {
      kind: 'EOQ',
      eoq: economicOrderQuantity({
        annualDemand: meanDailyDemand * 365,
        orderingCost: product.orderingCost,
        holdingCostPerUnitYear: product.holdingCostPerUnitYear,
        packSize: product.packSize,
        minOrderQty: product.minOrderQty,
      }),
      ...(multiple !== 1 ? { multiple } : {}),
    };
  }
  return { kind: 'ORDER_UP_TO', max: Math.max(1, Math.ceil(plan.reorderPoint * (1 + multiple))) };
};

const planFor = (product: Product, forecast: Forecast): ReorderPlan =>
  reorderPoint({
    meanDailyDemand: forecast.meanDailyDemand,
    stdDevDailyDemand: forecast.stdDevDailyDemand,
    leadTimeDays: product.leadTimeDays ?? defaultLeadTimeDays,
    // The class's service level and safety factor: A low (0.95, x0.8), C high (0.98, x1.25).
    serviceLevel: classPolicyOf(product)?.policy.serviceLevel ?? product.serviceLevel ?? defaultServiceLevel,
    safetyStockFactor: classPolicyOf(product)?.policy.safetyStockFactor ?? 1,
    reorder: product.reorder,
  });

/** The class's review period (14 days when unclassified). */
const reviewPeriodDaysOf = (product: Product) => classPolicyOf(product)?.policy.reviewPeriodDays ?? 14;

/** Days of demand a location keeps before it gives stock away: lead time plus the class's review period. */
const targetDaysOfCover = (product: Product) => (product.leadTimeDays ?? defaultLeadTimeDays) + reviewPeriodDaysOf(product);

export interface ReorderCheck {
  reorderPoint: number;
  suggestion?: ReplenishmentSuggestion;
  /** What the check did: opened or updated the open suggestion, closed it, or nothing. */
  outcome: 'SUGGESTED' | 'CLOSED' | 'UNCHANGED';
}

/**
 * Recomputes the reorder point of one SKU at one location from its demand
 * history and, when available + incoming <= reorder point, writes the one
 * open suggestion for it (a transfer from a location with surplus, else a
 * purchase). Everything is derived from current state, so running it again
 * — a retried stream batch, a duplicate record, the sweep — rewrites the
 * same suggestion rather than adding a second one or adding to it.
 */
export const checkReorder = async (sku: string, locationId: string, now = nowIso()): Promise<ReorderCheck | undefined> => {
  const { level, product, suggestion: current } = await reorderState(sku, locationId);
  if (!level || !product) return undefined;
  const windowDays = forecastWindowDaysOf(product);
  const forecast = await forecastFor(sku, level, now, windowDays);
  const plan = planFor(product, forecast);
  const available = level.available as number;
  const incoming = (level.incoming as number | undefined) ?? 0;
  if (level.reorderPoint !== plan.reorderPoint) await setLevelReorderPoint(sku, locationId, plan.reorderPoint);

  const order = orderPolicyOf(product, plan, forecast.meanDailyDemand);
  const decision = suggestOrder({ available, incoming, reorderPoint: plan.reorderPoint, order, packSize: product.packSize, minOrderQty: product.minOrderQty });
  const reason = replenishmentReason({
    available,
    incoming,
    plan,
    order,
    suggestion: decision,
    packSize: product.packSize,
    minOrderQty: product.minOrderQty,
    upliftReason: forecast.upliftReason,
    abc: classPolicyOf(product),
  });

  if (!decision.needed) {
    if (current?.status !== 'OPEN') return { reorderPoint: plan.reorderPoint, outcome: 'UNCHANGED' };
    // Closing releases what it was promised by a donor, in the same transaction.
    for (let attempt = 1; ; attempt++) {
      const closing: ReplenishmentSuggestion = { ...current, status: 'CLOSED', reason, updatedAt: now };
      const released = await releasesOf(locationId, current, undefined, new Map());
      const closed = await writeSuggestionWithPromises(closing, 'OPEN', released);
      if (!closed.stale) return { reorderPoint: plan.reorderPoint, suggestion: closed.suggestion, outcome: 'CLOSED' };
      if (attempt >= planAttempts) throw new TemporarilyUnavailable(`Promises of ${sku} keep changing; the check is retried`, 1);
    }
  }
  // A donor's free surplus is decided from one read of its promises and written with them, conditioned on
  // that read: a check that raced another for the same surplus fails its write and plans again.
  // A donor is asked for the location's own need (up to its cover), not the supplier's EOQ: asking for the EOQ let
  // the first store short take a warehouse's whole stock (docs/replenishment.md, "Transfers sized to the need").
  // With no donor the purchase keeps the EOQ-sized quantity; a split buys the rest of the transfer need.
  const sizing = {
    available,
    incoming,
    reorderPoint: plan.reorderPoint,
    meanDailyDemand: forecast.meanDailyDemand,
    reviewPeriodDays: reviewPeriodDaysOf(product),
    ...(plan.kind === 'MIN_MAX' ? { orderUpTo: plan.orderUpTo } : {}),
    packSize: product.packSize,
    purchaseQuantity: decision.quantity,
  };
  const need = transferNeed(sizing);
  for (let attempt = 1; ; attempt++) {
    const { donor, promises, donorAvailable, donorSpread } = await donorFor(product, locationId, need.quantity, now);
    const bought = donor && donor.rest > 0 ? roundOrderQuantity(donor.rest, product.packSize, product.minOrderQty).quantity : undefined;
    const split = donor !== undefined && bought !== undefined;
    const suggestion: ReplenishmentSuggestion = {
      sku,
      locationId,
      kind: donor && !split ? 'TRANSFER' : 'PURCHASE',
      quantity: donor ? (split ? bought : donor.quantity) : decision.quantity,
      reorderPoint: plan.reorderPoint,
      ...(order.kind === 'EOQ' ? { eoq: order.eoq.quantity } : {}),
      ...(donor ? { fromLocationId: donor.locationId } : {}),
      ...(split ? { transferQuantity: donor.quantity } : {}),
      ...((!donor || split) && product.supplierId ? { supplierId: product.supplierId } : {}),
      reason: donor ? `${reason}; ${transferSizePhrase(need, sizing)}; ${donorPhrase(donor, targetDaysOfCover(product), bought)}` : reason,
      status: 'OPEN',
      inputs: {
        available,
        incoming,
        meanDailyDemand: round(forecast.meanDailyDemand),
        stdDevDailyDemand: round(forecast.stdDevDailyDemand),
        leadTimeDays: product.leadTimeDays ?? defaultLeadTimeDays,
        plan: plan.kind,
        basis: decision.basis,
        rule: decision.rule,
        // Units this suggestion buys before packs and the supplier minimum: the HQ order sums these, then rounds once.
        needed: split ? donor.rest : Math.ceil(decision.wanted),
        ...(product.abcClass ? { abcClass: product.abcClass } : {}),
        ...(donor ? { donorSurplus: donor.surplus, donorPromised: donor.promised } : {}),
      },
      updatedAt: now,
    };
    // The open suggestion already decides this: its inputs and reason stay those of the decision (sameDecision).
    if (current?.status === 'OPEN' && sameDecision(current, suggestion)) return { reorderPoint: plan.reorderPoint, suggestion: current, outcome: 'UNCHANGED' };
    // An ORDERED suggestion whose order did not lift the position enough is replaced by a new open one.
    const changes = await releasesOf(locationId, current, donor ? { locationId: donor.locationId, units: donor.quantity } : undefined, promises);
    const written = await writeSuggestionWithPromises(
      suggestion,
      current?.status,
      changes,
      // A hot SKU's spread donor holds its units over several items: the promises alone guard it (docs/hot-skus.md).
      donor && !donorSpread ? { locationId: donor.locationId, atLeast: donorAvailable - (donor.surplus - donor.promised) + donor.quantity } : undefined,
    );
    if (!written.stale) return { reorderPoint: plan.reorderPoint, suggestion: written.suggestion, outcome: 'SUGGESTED' };
    if (attempt >= planAttempts) throw new TemporarilyUnavailable(`The surplus of ${sku} is contended; the check is retried`, 1);
  }
};

/** How often one check plans again after racing another for a donor's surplus before it gives up (the stream retries it). */
const planAttempts = 8;

const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * The promise items a suggestion write changes: the new donor's (this
 * recipient's entry set to the units it takes) and the old donor's when it
 * differs (the entry released). `read` holds the promises the plan was made
 * from, so the write is conditioned on the version the plan saw.
 */
const releasesOf = async (
  recipient: string,
  current: ReplenishmentSuggestion | undefined,
  next: { locationId: string; units: number } | undefined,
  read: ReadonlyMap<string, TransferPromises>,
): Promise<PromiseChange[]> => {
  const changes: PromiseChange[] = [];
  if (next) {
    const before = read.get(next.locationId)!;
    changes.push({ before, after: { ...before.promised, [recipient]: next.units } });
  }
  const old = current?.fromLocationId;
  if (current && old && old !== next?.locationId) {
    const before = read.get(old) ?? (await transferPromises(current.sku, old));
    if (before.version > 0) changes.push({ before, after: Object.fromEntries(Object.entries(before.promised).filter(([r]) => r !== recipient)) });
  }
  return changes;
};

/**
 * The donor for a need: another location's surplus beyond its days of cover
 * and reorder point, less what it already promised to other locations; the
 * whole need when one has that much free, else the most any has free and
 * the rest is bought. Returns the promises read, keyed by donor, and the
 * donor's available as read, for the conditional write.
 */
const donorFor = async (product: Product, locationId: string, quantity: number, now: string) => {
  const others = (await levelsAcrossChain(product.sku, true)).filter((l) => l.locationId !== locationId && (l.available as number) > 0);
  const recipientType = await locationTypeOf(locationId);
  // A warehouse gives a store all it has beyond a fixed minimum, and is given nothing by one (asDonor).
  const candidates: DonorCandidate[] = (
    await Promise.all(
      others.map(async (level) => {
        const windowDays = forecastWindowDaysOf(product);
        const forecast = await forecastFor(product.sku, level, now, windowDays);
        const candidate: DonorCandidate = {
          locationId: level.locationId as string,
          available: level.available as number,
          meanDailyDemand: forecast.meanDailyDemand,
          targetDaysOfCover: targetDaysOfCover(product),
          reorderPoint: (level.reorderPoint as number | undefined) ?? planFor(product, forecast).reorderPoint,
        };
        return asDonor(candidate, { type: await locationTypeOf(candidate.locationId), fixedMinimum: product.reorder !== undefined }, recipientType);
      }),
    )
  ).filter((c): c is DonorCandidate => c !== undefined);
  const withSurplus = candidates.filter((c) => surplusUnits(c) > 0);
  const promises = new Map(await Promise.all(withSurplus.map(async (c) => [c.locationId, await transferPromises(product.sku, c.locationId)] as const)));
  const promisedToOthers = (donor: string) =>
    Object.entries(promises.get(donor)?.promised ?? {}).reduce((sum, [recipient, units]) => (recipient === locationId ? sum : sum + units), 0);
  const donor = chooseDonor(
    { locationId, quantity },
    withSurplus.map((c) => ({ ...c, promised: promisedToOthers(c.locationId) })),
  );
  return {
    donor,
    promises,
    donorAvailable: donor ? withSurplus.find((c) => c.locationId === donor.locationId)!.available : 0,
    donorSpread: donor !== undefined && shardsOf(others.find((l) => l.locationId === donor.locationId)) > 1,
  };
};

/** The chain's days of cover for a SKU: every location's available stock against its forecast. */
export const chainCoverOf = async (sku: string, policy: OverstockPolicy, now = nowIso()): Promise<Overstock> => {
  const levels = await Promise.all(
    (await levelsAcrossChain(sku)).map(async (level) => ({
      available: level.available as number,
      meanDailyDemand: (await forecastFor(sku, level, now)).meanDailyDemand,
    })),
  );
  return overstockOf(levels, policy);
};

/**
 * The daily sweep: every level of every location re-checked, what the stream
 * consumer would have done for a record it never got. One level's failure is
 * logged and counted; `outOfTime` stops it between locations (`more`).
 */
export const sweepReorderChecks = async (outOfTime: () => boolean) => {
  const summary = { levels: 0, suggested: 0, closed: 0, failed: 0, more: false };
  let locationCursor: string | undefined;
  do {
    const locations = await listLocations(100, locationCursor);
    for (const location of locations.items) {
      let cursor: string | undefined;
      do {
        const page = await levelsAtLocation(location.locationId, { limit: 100, cursor });
        summary.failed += await forEachSettled(
          page.items,
          1,
          async (level) => {
            const check = await checkReorder(level.sku, level.locationId);
            summary.levels++;
            if (check?.outcome === 'SUGGESTED') summary.suggested++;
            if (check?.outcome === 'CLOSED') summary.closed++;
          },
          (level, error) => logger.error('Reorder check failed for a level', { sku: level.sku, locationId: level.locationId, error }),
        );
        cursor = page.cursor;
      } while (cursor);
    }
    locationCursor = locations.cursor;
    summary.more = locationCursor !== undefined && outOfTime();
  } while (locationCursor && !summary.more);
  return summary;
};

// ---- reading suggestions

/** Open suggestions (or those with `status`); HQ sees every location, store staff their own. */
export const listSuggestions = async (
  query: { locationId?: string; sku?: string; status: SuggestionStatus; limit: number; cursor?: string },
  principal: Principal,
): Promise<Page<ReplenishmentSuggestion>> => {
  const visible = visibleLocations(principal);
  if (query.locationId) assertLocationAccess(principal, query.locationId);
  if (!query.locationId && visible && visible.length !== 1) {
    throw new ValidationFailed('Store staff ask for one of their locations', [{ path: 'query.locationId', message: 'required for store staff' }]);
  }
  return findSuggestions({ ...query, locationId: query.locationId ?? visible?.[0] });
};

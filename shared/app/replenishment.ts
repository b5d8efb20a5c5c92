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
import { ValidationFailed } from '../domain/errors.ts';
import { assertLocationAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import { chooseDonor, type DonorCandidate } from '../domain/replenishment/chain.ts';
import { dailyDemandStats } from '../domain/replenishment/demand.ts';
import { economicOrderQuantity } from '../domain/replenishment/eoq.ts';
import { type Overstock, overstockOf, type OverstockPolicy } from '../domain/replenishment/overstock.ts';
import { replenishmentReason } from '../domain/replenishment/reason.ts';
import { type ReorderPlan, reorderPoint } from '../domain/replenishment/reorder-point.ts';
import { type OrderPolicy, suggestOrder } from '../domain/replenishment/suggestion.ts';
import { memberDemandUplift } from '../domain/replenishment/uplift.ts';
import { addDays, dayOf } from '../domain/time.ts';
import { forEachSettled } from '../concurrency.ts';
import { logger } from '../observability.ts';
import { listLocations, type Page } from '../db/catalog.ts';
import { entities } from '../db/keys.ts';
import { requestFingerprint } from '../db/fingerprint.ts';
import {
  type DayDemand,
  demandHistory,
  findSuggestions,
  levelsAcrossChain,
  type Product,
  recordDemand,
  recordMemberDemand,
  reorderState,
  setLevelReorderPoint,
  type SuggestionStatus,
  writeSuggestion,
} from '../db/replenishment.ts';
import { levelsAtLocation } from '../db/stock.ts';
import type { ReplenishmentSuggestion } from '../schemas/replenishment.ts';

/** Days of history behind the forecast: two four-week periods, so member demand growth can be measured too. */

export const demandWindowDays = 56;
const defaultLeadTimeDays = 7;
const defaultServiceLevel = 0.95;

const daysBefore = (iso: string, days: number) => dayOf(addDays(iso, -days));

// ---- demand from the stream

/**
 * A record of the demand stream: a SALE ledger entry counts its units, a
 * member's sale its units by tier. Both writes remember what they counted.
 */
// biome-ignore lint/suspicious/noExplicitAny: a SALE ledger entry or a member's sale, as the demand stream's filter lets through
export const countDemand = async (image: Record<string, any>): Promise<void> => {
  if (image.entity === entities.ledgerEntry) {
    await recordDemand({ sku: image.sku, locationId: image.locationId, movementId: image.movementId, onHandDelta: image.onHandDelta, at: image.at });
    return;
  }
  const tier = image.receipt?.member?.tier as string | undefined;
  if (!tier) return;
  const counted = await recordMemberDemand({ saleId: image.saleId, locationId: image.locationId, at: image.at, tier, lines: image.lines });
  logger.debug('Member demand counted', { saleId: image.saleId, tier, lines: counted });
};

/** The demand window ending today. */
const demandOf = (sku: string, locationId: string, now: string) => demandHistory(sku, locationId, daysBefore(now, demandWindowDays - 1), dayOf(now));

// ---- the forecast and the reorder decision

export interface Forecast {
  meanDailyDemand: number;
  stdDevDailyDemand: number;
  upliftReason: string;
}

const forecastOf = (history: readonly DayDemand[], now: string): Forecast => {
  const firstDay = daysBefore(now, demandWindowDays - 1);
  const stats = dailyDemandStats(history, { firstDay, days: demandWindowDays });
  const split = daysBefore(now, demandWindowDays / 2 - 1);
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
  });
  return { meanDailyDemand: uplift.forecast, stdDevDailyDemand: stats.stdDevDaily, upliftReason: uplift.reason };
};

/** How much to order: min/max when the product fixes it, EOQ when its costs are known, else up to twice the reorder point. */
const orderPolicyOf = (product: Product, plan: ReorderPlan, meanDailyDemand: number): OrderPolicy => {
  if (plan.kind === 'MIN_MAX') return { kind: 'ORDER_UP_TO', max: plan.orderUpTo };
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
    };
  }
  return { kind: 'ORDER_UP_TO', max: Math.max(1, plan.reorderPoint * 2) };
};

const planFor = (product: Product, forecast: Forecast): ReorderPlan =>
  reorderPoint({
    meanDailyDemand: forecast.meanDailyDemand,
    stdDevDailyDemand: forecast.stdDevDailyDemand,
    leadTimeDays: product.leadTimeDays ?? defaultLeadTimeDays,
    serviceLevel: product.abcPolicy?.serviceLevel ?? product.serviceLevel ?? defaultServiceLevel,
    safetyStockFactor: product.abcPolicy?.safetyStockFactor ?? 1,
    reorder: product.reorder,
  });

/** Days of demand a location keeps before it gives stock away: lead time plus the class's review period. */
const targetDaysOfCover = (product: Product) => (product.leadTimeDays ?? defaultLeadTimeDays) + (product.abcPolicy?.reviewPeriodDays ?? 14);

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
export const checkReorder = async (sku: string, locationId: string, now = new Date().toISOString()): Promise<ReorderCheck | undefined> => {
  const { level, product, suggestion: current } = await reorderState(sku, locationId);
  if (!level || !product) return undefined;
  const forecast = forecastOf(await demandOf(sku, locationId, now), now);
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
  });

  if (!decision.needed) {
    if (current?.status !== 'OPEN') return { reorderPoint: plan.reorderPoint, outcome: 'UNCHANGED' };
    const closed = await writeSuggestion({ ...current, status: 'CLOSED', reason, updatedAt: now }, 'OPEN');
    return { reorderPoint: plan.reorderPoint, suggestion: closed, outcome: 'CLOSED' };
  }
  const donor = await donorFor(product, locationId, decision.quantity, now);
  const suggestion: ReplenishmentSuggestion = {
    sku,
    locationId,
    kind: donor ? 'TRANSFER' : 'PURCHASE',
    quantity: donor ? donor.quantity : decision.quantity,
    reorderPoint: plan.reorderPoint,
    ...(order.kind === 'EOQ' ? { eoq: order.eoq.quantity } : {}),
    ...(donor ? { fromLocationId: donor.locationId } : product.supplierId ? { supplierId: product.supplierId } : {}),
    reason: donor
      ? `${reason}; transfer from ${donor.locationId}, which holds ${donor.surplus} beyond its ${targetDaysOfCover(product)} days of cover`
      : reason,
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
      ...(product.abcClass ? { abcClass: product.abcClass } : {}),
    },
    updatedAt: now,
  };
  if (current?.status === 'OPEN' && sameSuggestion(current, suggestion)) return { reorderPoint: plan.reorderPoint, suggestion: current, outcome: 'UNCHANGED' };
  // An ORDERED suggestion whose order did not lift the position enough is replaced by a new open one.
  const written = await writeSuggestion(suggestion, current?.status);
  return { reorderPoint: plan.reorderPoint, suggestion: written, outcome: 'SUGGESTED' };
};

const round = (value: number) => Math.round(value * 1000) / 1000;

const sameSuggestion = (a: ReplenishmentSuggestion, b: ReplenishmentSuggestion) =>
  requestFingerprint({ ...a, updatedAt: undefined }) === requestFingerprint({ ...b, updatedAt: undefined });
/** Another location of the chain with more than its days of cover, able to give the whole quantity. */
const donorFor = async (product: Product, locationId: string, quantity: number, now: string) => {
  const others = (await levelsAcrossChain(product.sku, true)).filter((l) => l.locationId !== locationId && (l.available as number) > quantity);
  const candidates: DonorCandidate[] = await Promise.all(
    others.map(async (level) => {
      const forecast = forecastOf(await demandOf(product.sku, level.locationId as string, now), now);
      return {
        locationId: level.locationId as string,
        available: level.available as number,
        meanDailyDemand: forecast.meanDailyDemand,
        targetDaysOfCover: targetDaysOfCover(product),
        reorderPoint: (level.reorderPoint as number | undefined) ?? planFor(product, forecast).reorderPoint,
      };
    }),
  );
  return chooseDonor({ locationId, quantity }, candidates);
};

/** The chain's days of cover for a SKU: every location's available stock against its forecast. */
export const chainCoverOf = async (sku: string, policy: OverstockPolicy, now = new Date().toISOString()): Promise<Overstock> => {
  const levels = await Promise.all(
    (await levelsAcrossChain(sku)).map(async (level) => ({
      available: level.available as number,
      meanDailyDemand: forecastOf(await demandOf(sku, level.locationId as string, now), now).meanDailyDemand,
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

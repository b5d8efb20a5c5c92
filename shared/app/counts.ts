/**
 * Counts due at a location, soonest first: every SKU with stock there by its
 * ABC class's frequency (derived from the level's last count, not stored),
 * plus counts raised by events: an offline sale that took `available` below
 * zero, a count that found a large variance (both stored, completed by the
 * next COUNT), and RFID-tagged units a gate and the documents still disagree
 * on past the window (from the location's reconciliation). Blind: no task
 * shows the expected quantity.
 */
import { type CountReason, scheduledCountDue } from '../domain/counts.ts';
import { assertLocationAccess, type Principal } from '../domain/principal.ts';
import { bucketStatus, windowMillis } from '../domain/reconcile.ts';
import { defaultAbcConfig } from '../domain/replenishment/abc.ts';
import { addDays } from '../domain/time.ts';
import { getLocation, getProducts } from '../db/catalog.ts';
import { countsDueAt, levelsForCounting, raiseCountDue } from '../db/counts.ts';
import { reconciliationsAt } from '../db/reconcile.ts';
import type { CountsDue } from '../schemas/stock.ts';
import { nowIso } from '../clock.ts';

/** A level that went below zero (offline sales) needs a count: the figure is known to be wrong. */
export const raiseCountIfNegative = async (level: { sku: string; locationId: string; available: number; updatedAt: string }): Promise<boolean> => {
  if (level.available >= 0) return false;
  return raiseCountDue({ sku: level.sku, locationId: level.locationId, dueAt: level.updatedAt, reason: 'NEGATIVE_AVAILABLE', raisedAt: level.updatedAt });
};

interface Due {
  sku: string;
  dueAt: string;
  reason: CountReason;
}

/** One task per SKU: the soonest an event raised, else its scheduled count (an event says more than the calendar). */
const onePerSku = (events: readonly Due[], scheduled: readonly Due[]): Due[] => {
  const bySku = new Map<string, Due>();
  for (const task of events) {
    const seen = bySku.get(task.sku);
    if (!seen || task.dueAt < seen.dueAt) bySku.set(task.sku, task);
  }
  for (const task of scheduled) if (!bySku.has(task.sku)) bySku.set(task.sku, task);
  return [...bySku.values()];
};

/**
 * A location's counts due within `days` from now (default: 1, what to count
 * today), soonest first, with each SKU's ABC class. SKUs never classified
 * are counted as class C (once a year by default).
 */
export const countsDue = async (locationId: string, principal: Principal, options: { days?: number } = {}, now = nowIso()): Promise<CountsDue> => {
  assertLocationAccess(principal, locationId);
  const location = await getLocation(locationId);
  const until = addDays(now, options.days ?? 1);
  const [raised, levels, reconciliations] = await Promise.all([countsDueAt(locationId), levelsForCounting(locationId), reconciliationsAt(locationId)]);
  const stocked = levels.filter((l) => l.onHand !== 0);
  const products = new Map((await getProducts([...new Set([...stocked.map((l) => l.sku), ...raised.map((t) => t.sku)])])).map((p) => [p.sku, p]));
  const countsPerYear = (sku: string) => {
    const product = products.get(sku) as { abcClass?: 'A' | 'B' | 'C'; abcPolicy?: { cycleCountsPerYear?: number } } | undefined;
    return product?.abcPolicy?.cycleCountsPerYear ?? defaultAbcConfig.policies[product?.abcClass ?? 'C'].cycleCountsPerYear;
  };
  const window = windowMillis(location.reconcileWindowHours);
  const scheduled: Due[] = stocked.map((l) => ({
    sku: l.sku,
    dueAt: scheduledCountDue({ sku: l.sku, locationId, lastCountAt: l.lastCountAt, countsPerYear: countsPerYear(l.sku), now }),
    reason: 'SCHEDULED',
  }));
  // Units a gate and the documents still disagree on after the window: count to settle it.
  const disagreements: Due[] = reconciliations.flatMap((r) => {
    const past = [...r.documents, ...r.gateReads].filter((b) => bucketStatus(b, now, window) === 'DISCREPANCY');
    if (past.length === 0) return [];
    const oldest = past.map((b) => b.at).sort()[0]!;
    return [{ sku: r.sku, dueAt: new Date(Date.parse(oldest) + window).toISOString(), reason: 'GATE_DISCREPANCY' as const }];
  });
  const items = onePerSku([...raised, ...disagreements], scheduled)
    .filter((t) => t.dueAt <= until)
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.sku.localeCompare(b.sku))
    .map((t) => {
      const abcClass = products.get(t.sku)?.abcClass;
      return { sku: t.sku, ...(abcClass ? { abcClass } : {}), dueAt: t.dueAt, reason: t.reason };
    });
  return { locationId, items };
};

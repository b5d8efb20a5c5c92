/**
 * Counts due at a location: raised by events that make a stock figure
 * doubtful (an offline sale that took `available` below zero), completed
 * by a COUNT of the SKU there (shared/app/stock.ts books it in the count's
 * transaction).
 */
import { assertLocationAccess, type Principal } from '../domain/principal.ts';
import { getLocation, getProducts } from '../db/catalog.ts';
import { countsDueAt, raiseCountDue } from '../db/counts.ts';
import type { CountsDue } from '../schemas/stock.ts';

/** A level that went below zero (offline sales) needs a count: the figure is known to be wrong. */
export const raiseCountIfNegative = async (level: { sku: string; locationId: string; available: number; updatedAt: string }): Promise<boolean> => {
  if (level.available >= 0) return false;
  return raiseCountDue({ sku: level.sku, locationId: level.locationId, dueAt: level.updatedAt, reason: 'NEGATIVE_AVAILABLE', raisedAt: level.updatedAt });
};

/** A location's counts due, soonest first, with each SKU's ABC class. Blind: no expected quantity. */
export const countsDue = async (locationId: string, principal: Principal): Promise<CountsDue> => {
  assertLocationAccess(principal, locationId);
  await getLocation(locationId);
  const tasks = await countsDueAt(locationId);
  const classes = new Map((await getProducts(tasks.map((t) => t.sku))).map((p) => [p.sku, p.abcClass]));
  const items = tasks
    .map((t) => {
      const abcClass = classes.get(t.sku);
      return { sku: t.sku, ...(abcClass ? { abcClass } : {}), dueAt: t.dueAt, reason: t.reason };
    })
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.sku.localeCompare(b.sku));
  return { locationId, items };
};

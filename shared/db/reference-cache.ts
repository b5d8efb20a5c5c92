/**
 * Reference items that change rarely (products, locations), kept per
 * container for a short, fixed time so a booking does not read them on
 * every request.
 *
 * What a stale entry can do, for at most `referenceFreshnessMs` after a
 * change made through another container: book with the product's previous
 * price, cost, currency, GTIN, member-exclusive terms or reorder minimum, or
 * the location's previous reconciliation window. What it can never do:
 * oversell or book a unit twice (stock lives in the level items, checked in
 * the write, never here), accept an unknown SKU or location (absence is
 * never cached: a miss is read again every time), or outlive the bound (age
 * is measured on shared/clock.ts, the clock the local simulator drives).
 * A change made in this container forgets its entry at once.
 */
import { nowMillis } from '../clock.ts';
import { minuteMillis } from '../domain/time.ts';

/**
 * How long a read product or location is used without reading it again: the
 * same minute the membership programme is cached for (shared/db/members.ts).
 * Shorter bounds cost a read on most sales (a store sells each of many SKUs
 * less often than every few seconds); price changes are planned, not urgent.
 */
export const referenceFreshnessMs = minuteMillis;
/** Entries kept at most; the oldest read goes first. */
const maxEntries = 20_000;

interface Entry {
  item: Record<string, unknown>;
  readAt: number;
}

const entries = new Map<string, Entry>();

const cacheKey = (table: string, key: { pk: string; sk: string }) => `${table}\u0000${key.pk}\u0000${key.sk}`;

/**
 * The items of `keys`, from the cache where fresh, the rest through `read`
 * (one call for all misses). Items `read` does not return are simply absent.
 */
export const cachedReferences = async (
  table: string,
  keys: readonly { pk: string; sk: string }[],
  read: (keys: { pk: string; sk: string }[]) => Promise<Record<string, unknown>[]>,
): Promise<Record<string, unknown>[]> => {
  const now = nowMillis();
  const hits: Record<string, unknown>[] = [];
  const misses: { pk: string; sk: string }[] = [];
  for (const key of keys) {
    const entry = entries.get(cacheKey(table, key));
    // A clock driven backwards makes no entry fresh forever.
    const age = entry ? now - entry.readAt : Number.POSITIVE_INFINITY;
    if (entry && age >= 0 && age < referenceFreshnessMs) hits.push(entry.item);
    else misses.push(key);
  }
  if (misses.length === 0) return hits;
  const read_ = await read(misses);
  const readAt = nowMillis();
  for (const item of read_) rememberReference(table, { pk: item.pk as string, sk: item.sk as string }, item, readAt);
  return [...hits, ...read_];
};

/** Records an item just read or written (`readAt` defaults to now). */
export const rememberReference = (table: string, key: { pk: string; sk: string }, item: Record<string, unknown>, readAt = nowMillis()): void => {
  const id = cacheKey(table, key);
  entries.delete(id);
  entries.set(id, { item, readAt });
  if (entries.size > maxEntries) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
};

/** Forgets an item this container changed: the next booking reads it. */
export const forgetReference = (table: string, key: { pk: string; sk: string }): void => {
  entries.delete(cacheKey(table, key));
};

/** Forgets everything (tests). */
export const clearReferenceCache = (): void => entries.clear();

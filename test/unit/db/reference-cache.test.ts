import { afterEach, describe, expect, it } from 'vitest';
import { driveClock } from '../../../shared/clock.ts';
import { cachedReferences, clearReferenceCache, forgetReference, referenceFreshnessMs } from '../../../shared/db/reference-cache.ts';

let now = Date.parse('2026-03-01T10:00:00Z');
const key = { pk: 'PRODUCT#a', sk: 'PRODUCT' };

/** A store whose reads are counted; its price is whatever the test last set. */
const store = () => {
  const state = { price: 100, reads: 0, exists: true };
  const read = async (keys: { pk: string; sk: string }[]) => {
    state.reads++;
    return state.exists ? keys.map((k) => ({ ...k, price: state.price })) : [];
  };
  return { state, read };
};

afterEach(() => {
  driveClock(undefined);
  clearReferenceCache();
});

describe('the reference cache', () => {
  it('reads once within the freshness bound, measured on the driven clock, and again after it', async () => {
    driveClock(() => now);
    const { state, read } = store();
    expect((await cachedReferences('t', [key], read))[0]?.price).toBe(100);
    state.price = 120;
    now += referenceFreshnessMs - 1;
    expect((await cachedReferences('t', [key], read))[0]?.price).toBe(100);
    expect(state.reads).toBe(1);
    now += 1;
    expect((await cachedReferences('t', [key], read))[0]?.price).toBe(120);
    expect(state.reads).toBe(2);
  });

  it('never caches absence: a product created later is found at once', async () => {
    driveClock(() => now);
    const { state, read } = store();
    state.exists = false;
    expect(await cachedReferences('t', [key], read)).toEqual([]);
    state.exists = true;
    expect(await cachedReferences('t', [key], read)).toHaveLength(1);
  });

  it('forgets a change made in this container at once, keys by table, and treats a clock driven backwards as stale', async () => {
    driveClock(() => now);
    const { state, read } = store();
    await cachedReferences('t', [key], read);
    state.price = 130;
    forgetReference('t', key);
    expect((await cachedReferences('t', [key], read))[0]?.price).toBe(130);
    expect((await cachedReferences('other', [key], read))[0]?.price).toBe(130);
    // Another table (another test run's tables) is another entry.
    expect(state.reads).toBe(3);
    now -= 1_000;
    await cachedReferences('t', [key], read);
    expect(state.reads).toBe(4);
  });
});

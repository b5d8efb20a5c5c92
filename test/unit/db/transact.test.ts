import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, labelled, type RetryPolicy, TransactionCancelled } from '../../../shared/db/transact.ts';

const policy: RetryPolicy = { maxAttempts: 12, baseDelayMs: 10, maxDelayMs: 500 };
const justUnderOne = 1 - Number.EPSILON;

describe('backoffDelay (full jitter)', () => {
  it('is zero when the dice say zero', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(0);
    expect(backoffDelay(11, policy, () => 0)).toBe(0);
  });

  it('doubles its ceiling with every attempt', () => {
    expect([0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, policy, () => justUnderOne))).toEqual([9, 19, 39, 79, 159, 319]);
  });

  it('never goes past the maximum delay', () => {
    expect(backoffDelay(6, policy, () => justUnderOne)).toBe(499);
    expect(backoffDelay(11, policy, () => justUnderOne)).toBe(499);
    expect(backoffDelay(2000, policy, () => justUnderOne)).toBe(499);
  });

  it('scales the ceiling by the random draw', () => {
    expect(backoffDelay(3, policy, () => 0.5)).toBe(40);
  });

  it('is a whole number of milliseconds in [0, min(max, base * 2^attempt)) for any attempt and draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 60_000 }),
        (attempt, draw, baseDelayMs, maxDelayMs) => {
          const delay = backoffDelay(attempt, { maxAttempts: 10, baseDelayMs, maxDelayMs }, () => draw);
          const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
        },
      ),
    );
  });

  it('uses Math.random unless given a source', () => {
    const delay = backoffDelay(2, policy);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(40);
  });
});

describe('labelled transaction items', () => {
  const put = (pk: string) => ({ Put: { TableName: 't', Item: { pk } } });

  it('read a cancellation by the name of the items, not their position', () => {
    const items = [...labelled('movement', [put('m')]), ...labelled('levels', [put('a'), put('b'), put('c')]), ...labelled('hold', [])];
    const reasons = [{ code: 'None' }, { code: 'None' }, { code: 'ConditionalCheckFailed', item: { available: 1 } }, { code: 'None' }];
    const error = new TransactionCancelled(
      reasons,
      items.map((i) => i.label),
    );
    expect(error.failedAtLabel('movement')).toBe(false);
    expect(error.failedAtLabel('levels')).toBe(true);
    expect(error.failuresAt('levels')).toEqual([1]);
    expect(error.reasonsAt('levels')[1]).toEqual({ code: 'ConditionalCheckFailed', item: { available: 1 } });
    // A label with no items in this transaction never fails.
    expect(error.failedAtLabel('hold')).toBe(false);
  });
});

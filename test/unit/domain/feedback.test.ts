import { describe, expect, it } from 'vitest';
import { NotFound, ValidationFailed } from '../../../shared/domain/errors.ts';
import { addTotals, assertBought, needsFollowUp, summaryOf } from '../../../shared/domain/feedback.ts';
import { thrown } from '../../support/thrown.ts';

describe('product feedback', () => {
  it('summarises totals: count, mean to two decimals, distribution', () => {
    expect(summaryOf(undefined)).toEqual({ count: 0, mean: 0, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } });
    expect(summaryOf({ count: 3, sum: 10, r2: 1, r3: 1, r5: 1 })).toEqual({
      count: 3,
      mean: 3.33,
      distribution: { '1': 0, '2': 1, '3': 1, '4': 0, '5': 1 },
    });
  });

  it('adds the totals of several stores', () => {
    expect(
      summaryOf(
        addTotals([
          { count: 1, sum: 5, r5: 1 },
          { count: 2, sum: 3, r1: 1, r2: 1 },
        ]),
      ),
    ).toEqual({
      count: 3,
      mean: 2.67,
      distribution: { '1': 1, '2': 1, '3': 0, '4': 0, '5': 1 },
    });
  });

  it('accepts only a line of the member’s own sale that was not returned in full', () => {
    const sale = {
      memberId: 'm1',
      lines: [
        { sku: 'A', qty: 2, returned: 1 },
        { sku: 'B', qty: 1, returned: 1 },
      ],
    };
    expect(() => assertBought(sale, 'm1', 's1', 'A')).not.toThrow();
    expect(thrown(() => assertBought(sale, 'm2', 's1', 'A'))).toBeInstanceOf(NotFound);
    expect(thrown(() => assertBought(undefined, 'm1', 's1', 'A'))).toBeInstanceOf(NotFound);
    expect(thrown(() => assertBought(sale, 'm1', 's1', 'C'))).toBeInstanceOf(ValidationFailed);
    expect(thrown(() => assertBought(sale, 'm1', 's1', 'B'))).toBeInstanceOf(ValidationFailed);
  });

  it('follows up a rating of 2 or less on a purchase of the last 30 days', () => {
    const now = '2027-03-31T12:00:00.000Z';
    expect(needsFollowUp(2, '2027-03-01T12:00:00.000Z', now)).toBe(true);
    expect(needsFollowUp(1, '2027-03-01T11:59:59.000Z', now)).toBe(false);
    expect(needsFollowUp(3, '2027-03-30T12:00:00.000Z', now)).toBe(false);
  });
});

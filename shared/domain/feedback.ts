/**
 * Product feedback: a rating of 1 to 5 on something the member bought,
 * once per purchase (sale and SKU); the aggregates HQ reads; when a low
 * rating asks for a service message. Pure.
 */
import { NotFound, ValidationFailed } from './errors.ts';
import { dayMillis } from './time.ts';

export const ratings = [1, 2, 3, 4, 5] as const;

/** A rating at or below this on a recent purchase triggers a service follow-up. */
export const lowRating = 2;
/** How recent a purchase must be for a low rating to trigger a follow-up. */
export const followUpWindowDays = 30;

export interface RatingSummary {
  readonly count: number;
  /** Mean rating, two decimals; 0 when there are none. */
  readonly mean: number;
  readonly distribution: Readonly<Record<'1' | '2' | '3' | '4' | '5', number>>;
}

/** A running total as stored: count, sum and one counter per rating. */
export interface RatingTotals {
  readonly count?: number;
  readonly sum?: number;
  readonly r1?: number;
  readonly r2?: number;
  readonly r3?: number;
  readonly r4?: number;
  readonly r5?: number;
}

export const summaryOf = (totals: RatingTotals | undefined): RatingSummary => {
  const count = Number(totals?.count ?? 0);
  const sum = Number(totals?.sum ?? 0);
  return {
    count,
    mean: count === 0 ? 0 : Math.round((sum / count) * 100) / 100,
    distribution: {
      '1': Number(totals?.r1 ?? 0),
      '2': Number(totals?.r2 ?? 0),
      '3': Number(totals?.r3 ?? 0),
      '4': Number(totals?.r4 ?? 0),
      '5': Number(totals?.r5 ?? 0),
    },
  };
};

/** Adds totals (a store-scoped reader's sum over its stores). */
export const addTotals = (all: readonly RatingTotals[]): RatingTotals =>
  all.reduce<Record<string, number>>((sum, totals) => {
    for (const key of ['count', 'sum', 'r1', 'r2', 'r3', 'r4', 'r5'] as const) sum[key] = (sum[key] ?? 0) + Number(totals[key] ?? 0);
    return sum;
  }, {});

export interface PurchasedLine {
  readonly sku: string;
  readonly qty: number;
  readonly returned?: number;
}

/**
 * The member bought `sku` in this sale: the sale is theirs and has the line.
 * Anything else is 404 (a member learns nothing about sales that are not
 * theirs); a line returned in full cannot be rated either (422).
 */
export const assertBought = (sale: { memberId?: unknown; lines?: unknown } | undefined, memberId: string, saleId: string, sku: string): void => {
  if (!sale || sale.memberId !== memberId) throw new NotFound(`Member ${memberId} has no sale ${saleId}`);
  const line = ((sale.lines ?? []) as PurchasedLine[]).find((l) => l.sku === sku);
  if (!line) {
    throw new ValidationFailed(`Sale ${saleId} has no ${sku}`, [{ path: 'body.sku', message: 'a SKU the member bought in this sale' }]);
  }
  if (line.qty - (line.returned ?? 0) <= 0) {
    throw new ValidationFailed(`Every ${sku} of sale ${saleId} was returned`, [{ path: 'body.sku', message: 'a SKU the member kept' }]);
  }
};

/** A low rating of a purchase made in the last `followUpWindowDays` days asks for a service message. */
export const needsFollowUp = (rating: number, boughtAt: string, now: string): boolean =>
  rating <= lowRating && Date.parse(now) - Date.parse(boughtAt) <= followUpWindowDays * dayMillis;

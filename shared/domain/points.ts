/**
 * Points as lots. Every earn (or gift) opens a lot with its own expiry and,
 * for purchases, a pending period covering the return window. Spending takes
 * from the soonest-expiring spendable lots first; a return claws back from
 * pending lots first. The points ledger records each change; the lots are
 * what is left. Pure: the clock comes in as `now`.
 */
import { InsufficientPoints, ValidationFailed } from './errors.ts';

export const pointsEntryTypes = ['EARN', 'REDEEM', 'EXPIRE', 'ADJUST', 'CLAWBACK'] as const;
export type PointsEntryType = (typeof pointsEntryTypes)[number];

export interface Lot {
  readonly lotId: string;
  readonly remaining: number;
  /** ISO time after which the lot is worthless. */
  readonly expiresOn: string;
  /** Not spendable before this time (return window of the sale that earned it). */
  readonly pendingUntil?: string;
  /** The sale that earned it, for clawback. */
  readonly saleId?: string;
}

/** Points taken from (or given back to) one lot. */
export interface LotTake {
  readonly lotId: string;
  readonly points: number;
  readonly expiresOn: string;
}

const live = (lot: Lot, now: string) => lot.remaining > 0 && lot.expiresOn > now;
const isPending = (lot: Lot, now: string) => lot.pendingUntil !== undefined && lot.pendingUntil > now;
const byExpiry = (a: Lot, b: Lot) => a.expiresOn.localeCompare(b.expiresOn) || a.lotId.localeCompare(b.lotId);

export interface Balance {
  readonly available: number;
  readonly pending: number;
}

export const balanceOf = (lots: readonly Lot[], now: string): Balance => {
  let available = 0;
  let pending = 0;
  for (const lot of lots) {
    if (!live(lot, now)) continue;
    if (isPending(lot, now)) pending += lot.remaining;
    else available += lot.remaining;
  }
  return { available, pending };
};

const takeInOrder = (lots: readonly Lot[], points: number): { takes: LotTake[]; left: number } => {
  const takes: LotTake[] = [];
  let left = points;
  for (const lot of lots) {
    if (left === 0) break;
    const take = Math.min(left, lot.remaining);
    takes.push({ lotId: lot.lotId, points: take, expiresOn: lot.expiresOn });
    left -= take;
  }
  return { takes, left };
};

/** Which lots a redemption spends: spendable lots, soonest expiry first. */
export const planRedemption = (lots: readonly Lot[], points: number, now: string): LotTake[] => {
  if (!Number.isInteger(points) || points <= 0) {
    throw new ValidationFailed('Points to redeem must be a positive whole number', [{ path: 'body.points', message: 'positive integer' }]);
  }
  const spendable = lots.filter((l) => live(l, now) && !isPending(l, now)).sort(byExpiry);
  const { takes, left } = takeInOrder(spendable, points);
  if (left > 0) throw new InsufficientPoints(points, points - left);
  return takes;
};

export interface Clawback {
  readonly takes: LotTake[];
  /** Points the member had already spent: they cannot be taken back from lots. */
  readonly shortfall: number;
}

/**
 * What a return takes back: first the lot the sale itself earned (still
 * pending inside the return window), then other pending lots, then
 * spendable lots soonest-expiry first. Whatever the member already spent is
 * reported as a shortfall rather than driving the balance negative.
 */
export const planClawback = (lots: readonly Lot[], points: number, saleId: string, now: string): Clawback => {
  const candidates = lots.filter((l) => live(l, now));
  const ownLots = candidates.filter((l) => l.saleId === saleId).sort(byExpiry);
  const otherPending = candidates.filter((l) => l.saleId !== saleId && isPending(l, now)).sort(byExpiry);
  const spendable = candidates.filter((l) => l.saleId !== saleId && !isPending(l, now)).sort(byExpiry);
  const { takes, left } = takeInOrder([...ownLots, ...otherPending, ...spendable], points);
  return { takes, shortfall: left };
};

/** Lots whose expiry has passed with points left: each becomes an EXPIRE entry. */
export const expiredLots = (lots: readonly Lot[], now: string): Lot[] => lots.filter((l) => l.remaining > 0 && l.expiresOn <= now).sort(byExpiry);

/** Rates (points per unit, multipliers, percentages) are exact to four decimals. */
const scaled = (rate: number): bigint => BigInt(Math.round(rate * 10_000));

/**
 * Points a paid amount earns: whole points only, rounded down. In integer
 * arithmetic, because floating point makes e.g. 1.15 x 20.97 million fall
 * one point short.
 */
export const pointsFor = (paidMinor: number, perCurrencyUnit: number, multiplier: number): number =>
  Number((BigInt(paidMinor) * scaled(perCurrencyUnit) * scaled(multiplier)) / 10_000_000_000n);

/** `percent` % of an amount in minor units, rounded down, exactly. */
export const percentOf = (amount: number, percent: number): number => Number((BigInt(amount) * scaled(percent)) / 1_000_000n);

/**
 * The share of `total` that belongs to the units from `before` to
 * `before + units` out of `of`: cumulative rounding, so returning a line in
 * parts claws back exactly what returning it at once would.
 */
export const proratedShare = (total: number, before: number, units: number, of: number): number =>
  Math.round((total * (before + units)) / of) - Math.round((total * before) / of);

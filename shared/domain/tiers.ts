/**
 * Membership tiers: who qualifies, when a tier changes, what it gives.
 * Thresholds and benefits are data (the loyalty program, stored and edited
 * by HQ); this module only applies them. Pure: the clock comes in as `now`.
 */
import { Conflict, ValidationFailed } from './errors.ts';
import type { Segment } from './segments.ts';
import { addMonths, dayMillis, monthOf } from './time.ts';
export const tierNames = ['REGULAR', 'SILVER', 'GOLD', 'PLATINUM'] as const;
export type TierName = (typeof tierNames)[number];

export interface TierRule {
  readonly tier: TierName;
  /** Qualifying spend over the rolling window, minor units. */
  readonly minSpend: number;
  /** Visits (sales) over the rolling window. */
  readonly minVisits: number;
  readonly discountPercent: number;
  readonly pointsMultiplier: number;
  /** May buy member-exclusive products (subject to each product's minimum tier). */
  readonly exclusiveAccess: boolean;
  /** Price of the tier as a paid membership, per month, minor units; without it the tier cannot be bought. */
  readonly monthlyFee?: number;
  /** Points given on the member's birthday. */
  readonly birthdayPoints?: number;
}

export interface PointsRule {
  /** Points per whole currency unit (100 minor units) paid. */
  readonly perCurrencyUnit: number;
  /** What one point is worth when redeemed, minor units. */
  readonly pointValue: number;
  readonly expiryDays: number;
  /** Earned points stay pending (not spendable) for the return window. */
  readonly pendingDays: number;
}

/** A yearly holiday: on `date` (MM-DD, UTC) the members of its segment get the offer and their tier's gift. */
export interface Holiday {
  readonly holidayId: string;
  readonly name: string;
  readonly date: string;
  readonly headline: string;
  readonly text: string;
  readonly pointsByTier?: Partial<Record<TierName, number>>;
  /** Who gets it; everyone by default. */
  readonly segment?: Segment;
  /** The coupon the message carries (functions/jobs/holiday-offers.ts): 10 % off once per member when left out. */
  readonly offer?: { readonly percentOff?: number; readonly amountOff?: number; readonly minSpend?: number };
}

/** A named segment whose members' purchases the forecast watches, counted as `segment:{segmentId}` (docs/replenishment.md). */
export interface DemandSegment {
  readonly segmentId: string;
  readonly name?: string;
  /** Any campaign criterion but product affinity (the sale being counted is the purchase). */
  readonly segment: Segment;
}

export interface Program {
  readonly tiers: readonly TierRule[];
  readonly points: PointsRule;
  readonly welcomeGift: { readonly points: number; readonly expiryDays: number };
  /** Months of spend and visits that count towards a tier, this month included. */
  readonly rollingMonths: number;
  /** A tier reached is kept at least this long before a review may lower it. */
  readonly reviewGraceDays: number;
  /** A member kept at their tier by a review is reviewed again this much later (default 30). */
  readonly reviewIntervalDays?: number;
  readonly holidays?: readonly Holiday[];
  /** Segments whose buying raises the forecast of what they buy, besides tiers and tags. */
  readonly demandSegments?: readonly DemandSegment[];
  /**
   * Back-in-stock waves: minutes between one tier's subscribers and the next
   * lower tier's (0: all at once, higher tiers first). Without it,
   * `defaultBackInStockWaveMinutes`.
   */
  readonly backInStockWaveMinutes?: number;
}

/** The head start each tier waiting for a SKU gets over the next lower one, in minutes, unless the program says otherwise. */
export const defaultBackInStockWaveMinutes = 15;

export const defaultProgram: Program = {
  tiers: [
    { tier: 'REGULAR', minSpend: 0, minVisits: 0, discountPercent: 0, pointsMultiplier: 1, exclusiveAccess: true, birthdayPoints: 100 },
    { tier: 'SILVER', minSpend: 50_000, minVisits: 5, discountPercent: 2, pointsMultiplier: 1.25, exclusiveAccess: true, monthlyFee: 300, birthdayPoints: 200 },
    { tier: 'GOLD', minSpend: 150_000, minVisits: 12, discountPercent: 5, pointsMultiplier: 1.5, exclusiveAccess: true, monthlyFee: 900, birthdayPoints: 400 },
    {
      tier: 'PLATINUM',
      minSpend: 500_000,
      minVisits: 24,
      discountPercent: 10,
      pointsMultiplier: 2,
      exclusiveAccess: true,
      monthlyFee: 1900,
      birthdayPoints: 800,
    },
  ],
  points: { perCurrencyUnit: 1, pointValue: 1, expiryDays: 365, pendingDays: 30 },
  welcomeGift: { points: 500, expiryDays: 90 },
  rollingMonths: 12,
  reviewGraceDays: 90,
  reviewIntervalDays: 30,
  backInStockWaveMinutes: defaultBackInStockWaveMinutes,
  holidays: [
    {
      holidayId: 'new-year',
      name: 'New Year',
      date: '01-01',
      headline: 'Happy New Year from StockClub',
      text: 'thank you for a year with us. Your tier gift is waiting for your next visit.',
      pointsByTier: { SILVER: 100, GOLD: 250, PLATINUM: 500 },
    },
  ],
};

export const tierRank = (tier: TierName): number => tierNames.indexOf(tier);

export const higherTier = (a: TierName, b: TierName): TierName => (tierRank(a) >= tierRank(b) ? a : b);

export const ruleOf = (program: Program, tier: TierName): TierRule => {
  const rule = program.tiers.find((t) => t.tier === tier);
  if (!rule) throw new Error(`The program has no rule for tier ${tier}`);
  return rule;
};

/** Monthly buckets of spend or visits, keyed `YYYY-MM` (UTC). */
export type MonthlyTotals = Readonly<Record<string, number>>;

/** The months of the rolling window ending with `now`'s month, oldest first. */
export const rollingWindow = (now: string, months: number): string[] => {
  const date = new Date(`${monthOf(now)}-01T00:00:00Z`);
  return Array.from({ length: months }, (_, i) => {
    const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - (months - 1 - i), 1));
    return monthOf(d.toISOString());
  });
};

export const rollingTotal = (totals: MonthlyTotals, now: string, months: number): number =>
  rollingWindow(now, months).reduce((sum, month) => sum + (totals[month] ?? 0), 0);

/** Adds to this month's bucket and drops buckets that left the window, so the record stays small. */
export const addToMonth = (totals: MonthlyTotals, month: string, amount: number, now: string, months: number): Record<string, number> => {
  const window = new Set(rollingWindow(now, months));
  const next: Record<string, number> = {};
  for (const [m, value] of Object.entries(totals)) if (window.has(m)) next[m] = value;
  if (window.has(month)) next[month] = Math.max(0, (next[month] ?? 0) + amount);
  return next;
};

/** The highest tier whose spend and visit thresholds are both met. Points never count. */
export const qualifyingTier = (program: Program, spend: number, visits: number): TierName =>
  [...program.tiers].sort((a, b) => tierRank(b.tier) - tierRank(a.tier)).find((rule) => spend >= rule.minSpend && visits >= rule.minVisits)?.tier ?? 'REGULAR';

export interface TierState {
  /** Earned by spend and visits. */
  readonly qualifiedTier: TierName;
  /** When the qualified tier was last reached or lowered. */
  readonly qualifiedSince: string;
  readonly paidTier?: TierName;
  readonly paidUntil?: string;
}

/** The higher of the qualified tier and a paid tier still in force. */
export const effectiveTier = (state: TierState, now: string): TierName =>
  state.paidTier && state.paidUntil && state.paidUntil > now ? higherTier(state.qualifiedTier, state.paidTier) : state.qualifiedTier;

/** After a sale: upgrade at once when the rolling figures earn a higher tier; never lower. */
export const afterPurchase = (state: TierState, program: Program, spend: number, visits: number, now: string): TierState => {
  const earned = qualifyingTier(program, spend, visits);
  return tierRank(earned) > tierRank(state.qualifiedTier) ? { ...state, qualifiedTier: earned, qualifiedSince: now } : state;
};

/** The tier a sale lifted the member from, kept on the sale so a return can take the upgrade back. */
export interface Upgrade {
  readonly from: TierName;
  readonly fromSince: string;
  /** When the sale upgraded (the tier's `qualifiedSince` since then). */
  readonly at: string;
}

export const upgradeOf = (before: TierState, after: TierState): Upgrade | undefined =>
  after.qualifiedTier !== before.qualifiedTier ? { from: before.qualifiedTier, fromSince: before.qualifiedSince, at: after.qualifiedSince } : undefined;

/**
 * After a return: a tier that the returned sale earned, and that nothing has
 * changed since, is taken back as far as the corrected figures require —
 * otherwise buying to upgrade and returning everything would keep the tier
 * until the review. Any other tier waits for the review as usual.
 */
export const afterReturn = (state: TierState, program: Program, spend: number, visits: number, upgrade: Upgrade | undefined): TierState => {
  if (!upgrade || state.qualifiedSince !== upgrade.at) return state;
  const earned = qualifyingTier(program, spend, visits);
  if (tierRank(earned) >= tierRank(state.qualifiedTier)) return state;
  return tierRank(earned) > tierRank(upgrade.from)
    ? { ...state, qualifiedTier: earned }
    : { ...state, qualifiedTier: upgrade.from, qualifiedSince: upgrade.fromSince };
};

/**
 * A paid membership: the fee must be the program's price for the tier and
 * months. Buying the tier already paid for extends it from its end; a
 * different tier while one is in force is refused, so no paid time is lost.
 */
export const buyTier = (state: TierState, program: Program, tier: TierName, months: number, fee: number, now: string): TierState => {
  const price = ruleOf(program, tier).monthlyFee;
  if (price === undefined) throw new ValidationFailed(`${tier} cannot be bought`, [{ path: 'body.tier', message: 'not sold as a paid membership' }]);
  if (fee !== price * months) {
    throw new ValidationFailed(`${months} months of ${tier} cost ${price * months}`, [{ path: 'body.fee', message: `must be ${price * months}` }]);
  }
  const inForce = state.paidTier && state.paidUntil && state.paidUntil > now;
  if (inForce && state.paidTier !== tier) {
    throw new Conflict(`${state.paidTier} is paid until ${state.paidUntil}; buy ${state.paidTier} to extend it, or wait for it to end`);
  }
  return { ...state, paidTier: tier, paidUntil: addMonths(inForce ? state.paidUntil! : now, months) };
};

/**
 * The scheduled review: a member below their tier's thresholds drops one
 * step, and only once the tier has been held for the grace period. An
 * upgrade the figures earn is applied here too (it would have happened at
 * the last sale anyway).
 */
export const reviewTier = (state: TierState, program: Program, spend: number, visits: number, now: string): TierState => {
  const earned = qualifyingTier(program, spend, visits);
  const current = tierRank(state.qualifiedTier);
  if (tierRank(earned) > current) return { ...state, qualifiedTier: earned, qualifiedSince: now };
  if (tierRank(earned) === current) return state;
  if (Date.parse(now) - Date.parse(state.qualifiedSince) < program.reviewGraceDays * dayMillis) return state;
  return { ...state, qualifiedTier: tierNames[current - 1]!, qualifiedSince: now };
};

/**
 * When the scheduled review should next look at a member: never for
 * REGULAR (there is nothing to lower), otherwise when the grace period of
 * the tier ends, or a review interval from now, whichever is later.
 */
export const nextReviewAt = (state: TierState, program: Program, now: string): string | undefined => {
  if (state.qualifiedTier === 'REGULAR') return undefined;
  const graceEnds = Date.parse(state.qualifiedSince) + program.reviewGraceDays * dayMillis;
  const interval = Date.parse(now) + (program.reviewIntervalDays ?? 30) * dayMillis;
  return new Date(Math.max(graceEnds, interval)).toISOString();
};

/**
 * Chain-level replenishment: move stock a location does not need before
 * buying more, and buy for the whole chain in one order per supplier so
 * minimums and packs are met once, at HQ, instead of at every store.
 */
import { ceilTolerant, requireInt, requireNumber } from './validate.ts';

/** Days the available stock lasts at the mean daily demand; Infinity when nothing sells. */
export const daysOfCover = (available: number, meanDailyDemand: number): number =>
  requireNumber('meanDailyDemand', meanDailyDemand) === 0 ? Number.POSITIVE_INFINITY : available / meanDailyDemand;

export interface DonorCandidate {
  readonly locationId: string;
  readonly available: number;
  readonly meanDailyDemand: number;
  /** How many days of demand the location's policy keeps (e.g. lead time + review period). */
  readonly targetDaysOfCover: number;
  /** The location's own reorder point for the SKU. */
  readonly reorderPoint: number;
  /** Units of its surplus already promised to other locations by their open transfer suggestions (default 0). */
  readonly promised?: number;
}

/**
 * Units a location can give away and still hold its days-of-cover target
 * and stay above its own reorder point (so a transfer never triggers a
 * purchase at the donor). Incoming stock is not counted: it may be late.
 */
export const surplusUnits = (candidate: DonorCandidate): number => {
  const cover = ceilTolerant(requireNumber('meanDailyDemand', candidate.meanDailyDemand) * requireNumber('targetDaysOfCover', candidate.targetDaysOfCover));
  const keep = Math.max(cover, requireInt('reorderPoint', candidate.reorderPoint) + 1);
  return Math.max(0, requireInt('available', candidate.available, Number.MIN_SAFE_INTEGER) - keep);
};

/** The part of the surplus not yet promised to another location: a surplus is promised once. */
export const freeSurplus = (candidate: DonorCandidate): number => Math.max(0, surplusUnits(candidate) - requireInt('promised', candidate.promised ?? 0));

export interface DonorChoice {
  readonly locationId: string;
  /** Units beyond the donor's cover target and reorder point. */
  readonly surplus: number;
  /** Of those, already promised to other locations. */
  readonly promised: number;
  /** What this transfer takes: the whole need, or all the donor has free when that is less. */
  readonly quantity: number;
  /** The part of the need the transfer does not cover, to be bought (0 when the donor covers it all). */
  readonly rest: number;
}

/**
 * The location to transfer from instead of buying: the one with the most
 * free surplus (surplus minus what is already promised to others); ties go
 * to the smaller locationId. It gives the whole need when its free surplus
 * covers it, else all it has free and `rest` is bought. One donor per
 * suggestion. Undefined when no location has anything free, and the caller
 * buys everything.
 */
export const chooseDonor = (
  need: { readonly locationId: string; readonly quantity: number },
  candidates: readonly DonorCandidate[],
): DonorChoice | undefined => {
  const quantity = requireInt('need.quantity', need.quantity, 1);
  let best: { candidate: DonorCandidate; free: number } | undefined;
  for (const candidate of candidates) {
    if (candidate.locationId === need.locationId) continue;
    const free = freeSurplus(candidate);
    if (free <= 0) continue;
    if (!best || free > best.free || (free === best.free && candidate.locationId < best.candidate.locationId)) best = { candidate, free };
  }
  if (!best) return undefined;
  const given = Math.min(quantity, best.free);
  return {
    locationId: best.candidate.locationId,
    surplus: surplusUnits(best.candidate),
    promised: best.candidate.promised ?? 0,
    quantity: given,
    rest: quantity - given,
  };
};

/**
 * The reason's transfer phrase: how much the donor holds beyond its cover,
 * how much of that is already promised to others, and what is bought.
 */
export const donorPhrase = (choice: DonorChoice, targetDaysOfCover: number, bought?: number): string => {
  const promised = choice.promised > 0 ? `${choice.promised} of them already promised to other locations` : 'none of it promised elsewhere';
  const head = `transfer from ${choice.locationId}, which holds ${choice.surplus} beyond its ${targetDaysOfCover} days of cover (${promised})`;
  if (choice.rest === 0) return head;
  const packed = bought !== undefined && bought !== choice.rest ? ` (${bought} with packs and supplier minimum)` : '';
  return `${head}: ${choice.quantity} of ${choice.quantity + choice.rest}, the other ${choice.rest} bought${packed}`;
};

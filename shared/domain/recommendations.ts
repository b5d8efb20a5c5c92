/**
 * Recommendations from purchase history: products often bought together
 * with what the member bought lately, and what their tier buys most.
 * Pure: the counts come in, a ranked list goes out.
 */

export type RecommendationReason = 'BOUGHT_TOGETHER' | 'SEGMENT_FAVOURITE';

export interface Recommendation {
  readonly sku: string;
  readonly score: number;
  readonly reasons: RecommendationReason[];
  /** The member's purchases that led to it, strongest first (bought-together only). */
  readonly becauseOf?: string[];
}

export interface PurchaseSignals {
  /** SKUs the member bought lately, most recent first; never recommended back. */
  readonly purchased: readonly string[];
  /** Per purchased SKU: other SKU -> sales that had both. */
  readonly boughtWith: ReadonlyMap<string, Readonly<Record<string, number>>>;
  /** Units per SKU the member's tier bought lately. */
  readonly segmentFavourites: Readonly<Record<string, number>>;
}

/** A segment favourite counts at most half as much as the strongest bought-together link. */
export const segmentWeight = 0.5;
/** Purchases that explain a recommendation, at most. */
const maxBecauseOf = 3;

// Rounded so float noise never decides an order, and the API shows tidy numbers.
const rounded = (score: number) => Math.round(score * 10_000) / 10_000;

const maxOf = (counts: Readonly<Record<string, number>>) => Math.max(0, ...Object.values(counts));

/**
 * Scores every SKU the signals suggest, best first (ties by SKU, so the order
 * is stable). Bought-together: for each purchase, the share of its strongest
 * partner's count, weighted down by how long ago it was bought (1, 1/2,
 * 1/3...), summed over purchases. Segment favourite: units relative to the
 * tier's top SKU, times `segmentWeight`.
 */
export const scoreCandidates = (signals: PurchaseSignals): Recommendation[] => {
  const bought = new Set(signals.purchased);
  const scores = new Map<string, { together: number; favourite: number; because: Map<string, number> }>();
  const entry = (sku: string) => {
    let found = scores.get(sku);
    if (!found) {
      found = { together: 0, favourite: 0, because: new Map() };
      scores.set(sku, found);
    }
    return found;
  };
  signals.purchased.forEach((source, recency) => {
    const partners = signals.boughtWith.get(source) ?? {};
    const strongest = maxOf(partners);
    for (const [sku, count] of Object.entries(partners)) {
      if (bought.has(sku) || count <= 0) continue;
      const contribution = count / strongest / (recency + 1);
      const candidate = entry(sku);
      candidate.together += contribution;
      candidate.because.set(source, contribution);
    }
  });
  const topUnits = maxOf(signals.segmentFavourites);
  for (const [sku, units] of Object.entries(signals.segmentFavourites)) {
    if (bought.has(sku) || units <= 0) continue;
    entry(sku).favourite = (segmentWeight * units) / topUnits;
  }
  return [...scores]
    .map(([sku, s]): Recommendation => {
      const reasons: RecommendationReason[] = [];
      if (s.together > 0) reasons.push('BOUGHT_TOGETHER');
      if (s.favourite > 0) reasons.push('SEGMENT_FAVOURITE');
      const becauseOf = [...s.because]
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
        .slice(0, maxBecauseOf)
        .map(([source]) => source);
      return { sku, score: rounded(s.together + s.favourite), reasons, ...(becauseOf.length ? { becauseOf } : {}) };
    })
    .sort((a, b) => b.score - a.score || a.sku.localeCompare(b.sku));
};

export interface Unavailable {
  /** Out of stock where the member usually shops. */
  readonly outOfStock: ReadonlySet<string>;
  /** Member-exclusive above the member's tier, or products no longer in the catalogue. */
  readonly notForMember: ReadonlySet<string>;
}

/** The best `limit` candidates the member can actually buy. */
export const pickRecommendations = (candidates: readonly Recommendation[], unavailable: Unavailable, limit: number): Recommendation[] =>
  candidates.filter((c) => !unavailable.outOfStock.has(c.sku) && !unavailable.notForMember.has(c.sku)).slice(0, limit);

/** Of a sale's SKUs, the ones whose pairs are counted: the most units first, at most `max`, so a big basket writes a bounded number of items. */
export const pairedSkus = (units: ReadonlyMap<string, number>, max: number): string[] =>
  [...units]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, max)
    .map(([sku]) => sku);

/** The location with the most of the member's sales (ties: the lower id), or undefined without any. */
export const usualLocation = (salesByLocation: Readonly<Record<string, number>>): string | undefined =>
  Object.entries(salesByLocation)
    .filter(([, sales]) => sales > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0]?.[0];

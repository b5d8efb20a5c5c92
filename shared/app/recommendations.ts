/**
 * Purchase history and recommendations: the `purchaseHistory` stream
 * consumer counts each member sale once (shared/db/recommendations.ts holds
 * the counters); the GET reads a bounded handful of those counts and ranks
 * with shared/domain/recommendations.ts. Choices and bounds:
 * docs/recommendations.md.
 */
import { getProducts } from '../db/catalog.ts';
import { loadProgram } from '../db/members.ts';
import { countPurchaseChunk, type MemberSale, maxPairedSkus, memberHistory, purchaseCounts, skusPerChunk } from '../db/recommendations.ts';
import { readLevels } from '../db/stock.ts';
import { NotFound } from '../domain/errors.ts';
import { assertMemberAccess, type Principal } from '../domain/principal.ts';
import { pairedSkus, pickRecommendations, scoreCandidates, usualLocation } from '../domain/recommendations.ts';
import { effectiveTier, ruleOf, type TierName, type TierState, tierRank } from '../domain/tiers.ts';
import { addMonths, monthOf } from '../domain/time.ts';
import type { Recommendations } from '../schemas/recommendations.ts';
import type { Product } from '../schemas/stock.ts';
import { nowIso } from '../clock.ts';

// ---- counting a sale (stream consumer)

/**
 * Counts one member sale into the purchase history, once. Its SKUs are cut
 * into chunks that each fit one transaction with their own guard item, so a
 * big basket is counted fully and a redelivered record (or a batch retried
 * after some chunks were written) counts no chunk twice. Returns the chunks
 * counted now.
 */
export const recordPurchase = async (sale: MemberSale, now = nowIso()): Promise<number> => {
  const units = new Map<string, number>();
  for (const line of sale.lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.qty);
  // Sorted, so a redelivery cuts the same chunks and finds the same guards.
  const lines = [...units].sort(([a], [b]) => a.localeCompare(b));
  let counted = 0;
  for (let chunk = 0; chunk * skusPerChunk < lines.length; chunk++) {
    const part = lines.slice(chunk * skusPerChunk, (chunk + 1) * skusPerChunk);
    const paired = chunk === 0 ? pairedSkus(units, maxPairedSkus) : [];
    if (await countPurchaseChunk(sale, chunk, part, paired, now)) counted++;
  }
  return counted;
};

// ---- recommending

/** Of the member's latest purchases, the most recent ones whose bought-together counts are read. */
const sourceSkus = 10;
/** Candidates checked for stock and catalogue per recommendation asked for: the best ones may be unavailable. */
const candidatesPerPick = 3;

/** Two months of counts: this one (still filling up) and the last full one. */
const monthsToRead = (now: string) => [monthOf(now), monthOf(addMonths(`${monthOf(now)}-01T00:00:00.000Z`, -1))];

const canBuyExclusive = (product: Product, tier: TierName, exclusiveAccess: boolean): boolean => {
  const terms = product.memberExclusive;
  return !terms || (exclusiveAccess && tierRank(tier) >= tierRank(terms.minTier));
};

/**
 * What to offer a member: bought together with their latest purchases and
 * favourites of their tier, in stock where they usually shop, never what they
 * bought lately. A member without history gets their tier's favourites; with
 * nothing counted at all, an empty list.
 */
export const recommendationsFor = async (memberId: string, principal: Principal, limit: number, now = nowIso()): Promise<Recommendations> => {
  assertMemberAccess(principal, memberId);
  const [{ profile, sales, storeSales }, program] = await Promise.all([memberHistory(memberId), loadProgram()]);
  if (!profile) throw new NotFound(`Member ${memberId} not found`);
  const tier = effectiveTier(profile as unknown as TierState, now);
  const purchased = [...new Set(sales.flatMap((sale) => sale.lines.map((line) => line.sku)))];
  const locationId = usualLocation(storeSales) ?? sales[0]?.locationId;

  const { boughtWith, segmentFavourites } = await purchaseCounts(purchased.slice(0, sourceSkus), tier, monthsToRead(now));
  const candidates = scoreCandidates({ purchased, boughtWith, segmentFavourites }).slice(0, limit * candidatesPerPick);

  const skus = candidates.map((c) => c.sku);
  const [levels, products] = await Promise.all([
    locationId ? readLevels(skus.map((sku) => ({ sku, locationId }))) : Promise.resolve(undefined),
    getProducts(skus),
  ]);
  const available = new Set(levels?.filter((level) => level.available > 0).map((level) => level.sku));
  const product = new Map(products.map((item) => [item.sku, item]));
  const exclusiveAccess = ruleOf(program, tier).exclusiveAccess;
  const picked = pickRecommendations(
    candidates,
    {
      // Without a location (no sale yet) there is no store to check.
      outOfStock: new Set(levels ? skus.filter((sku) => !available.has(sku)) : []),
      notForMember: new Set(skus.filter((sku) => !product.has(sku) || !canBuyExclusive(product.get(sku)!, tier, exclusiveAccess))),
    },
    limit,
  );
  return {
    memberId,
    ...(locationId ? { locationId } : {}),
    items: picked.map((r) => ({ ...r, name: product.get(r.sku)!.name })),
  };
};

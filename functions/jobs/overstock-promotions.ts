import type { Context, ScheduledEvent } from 'aws-lambda';
import { createCampaign, startCampaign } from '../../shared/app/campaigns.ts';
import { ensurePromotion } from '../../shared/app/promotions.ts';
import { listProducts } from '../../shared/app/catalog.ts';
import { chainCoverOf } from '../../shared/app/replenishment.ts';
import { forEachSettled } from '../../shared/concurrency.ts';
import { IdempotencyKeyReused } from '../../shared/domain/errors.ts';
import { derivedId } from '../../shared/domain/ids.ts';
import { defaultOverstockPolicy, type OverstockPolicy } from '../../shared/domain/replenishment/overstock.ts';
import { addDays, dayOf } from '../../shared/domain/time.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';
import { nowIso } from '../../shared/clock.ts';

const reserveMillis = 30_000;
// The members who bought the SKU in the last year are its affinity segment.
const affinityDays = 365;
const offerDays = 7;

/** `overstock:{day}:{sku}`: derived, so no campaign an admin creates can take it. */
const overstockCampaignId = (sku: string, now: string): string => derivedId('overstock', dayOf(now), sku);

/** What an overstock offer takes off the SKU, in percent (OVERSTOCK_OFFER_PERCENT). */
const offerPercent = (): number => Number(process.env.OVERSTOCK_OFFER_PERCENT ?? 15);

/** The code printed in the message: derived from the SKU and the day, so a re-run prints the same one. */
export const overstockCode = (sku: string, now: string): string => {
  let hash = 0x811c9dc5;
  for (const char of `${dayOf(now)}|${sku}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return `OVER-${(hash >>> 0).toString(36).toUpperCase()}`;
};

/**
 * The offer the message carries: a members-only coupon on the SKU's lines
 * (`overstock:{day}:{sku}`), redeemable once per member for the week, with
 * the code in the text. A coupon, not a member price: it changes nothing for
 * members who do not come for it, and it counts who did.
 */
const overstockCoupon = async (product: { sku: string; name: string }, now: string) => {
  const until = dayOf(addDays(now, offerDays));
  const code = overstockCode(product.sku, now);
  await ensurePromotion(
    {
      ruleId: overstockCampaignId(product.sku, now),
      name: `Overstock ${product.name}`,
      kind: 'COUPON',
      percentOff: offerPercent(),
      sharedCode: code,
      stacking: 'COMBINABLE',
      priority: 0,
      conditions: { membersOnly: true, perMemberLimit: 1, skus: [product.sku], from: dayOf(now), to: until },
    },
    now,
  );
  return { code, until };
};

const policy = (): OverstockPolicy => ({
  maxDaysOfCover: Number(process.env.OVERSTOCK_DAYS_OF_COVER ?? defaultOverstockPolicy.maxDaysOfCover),
  minUnits: Number(process.env.OVERSTOCK_MIN_UNITS ?? defaultOverstockPolicy.minUnits),
});

/**
 * Weekly: every SKU with more days of cover across the chain than the
 * policy allows becomes a campaign to the members who bought it in the last
 * year (the buyer index, never a scan), one per SKU and week
 * (`overstock:{day}:{sku}`), fanned out through the campaign-pages queue.
 * Member-exclusive products are left out: their scarcity is the point.
 */
export const overstockPromotions = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const now = nowIso();
  const limits = policy();
  const summary = { checked: 0, campaigns: [] as { campaignId: string; sku: string; daysOfCover: number | null; available: number }[], failed: 0, more: false };
  let cursor: string | undefined;
  do {
    const page = await listProducts(100, cursor);
    // One product's trouble is logged and counted; the others still get their offer.
    summary.failed += await forEachSettled(
      page.items,
      1,
      async (product) => {
        if (product.memberExclusive) return;
        summary.checked++;
        const cover = await chainCoverOf(product.sku, limits, now);
        if (!cover.overstocked) return;
        const campaignId = overstockCampaignId(product.sku, now);
        const offer = await overstockCoupon(product, now);
        try {
          await createCampaign(
            {
              campaignId,
              name: `Overstock ${product.name}`,
              segment: { affinity: { skus: [product.sku], withinDays: affinityDays } },
              channels: ['email', 'sms', 'push'],
              headline: `${product.name}: a member offer`,
              text: `you bought ${product.name} from us before, and we have it in stock at your store. Your code: ${offer.code} (${offerPercent()} % off it, once, until ${offer.until}).`,
              expiresAt: addDays(now, offerDays),
              cap: { count: 1, days: 30 },
            },
            'system:overstock-promotions',
            now,
          );
        } catch (error) {
          if (!(error instanceof IdempotencyKeyReused)) throw error;
        }
        await startCampaign(campaignId, now);
        // JSON has no Infinity: stock that does not sell at all reports null days of cover.
        summary.campaigns.push({
          campaignId,
          sku: product.sku,
          daysOfCover: Number.isFinite(cover.daysOfCover) ? Math.round(cover.daysOfCover) : null,
          available: cover.available,
        });
      },
      (product, error) => logger.error('Overstock promotion failed for a product', { sku: product.sku, error }),
    );
    cursor = page.cursor;
    summary.more = cursor !== undefined && context.getRemainingTimeInMillis() <= reserveMillis;
  } while (cursor && !summary.more);
  logger.info('Overstock promotions', summary);
  return summary;
});

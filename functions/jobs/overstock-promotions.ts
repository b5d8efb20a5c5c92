import type { Context, ScheduledEvent } from 'aws-lambda';
import { createCampaign, startCampaign } from '../../shared/app/campaigns.ts';
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
        try {
          await createCampaign(
            {
              campaignId,
              name: `Overstock ${product.name}`,
              segment: { affinity: { skus: [product.sku], withinDays: affinityDays } },
              channels: ['email', 'sms'],
              headline: `${product.name}: a member offer`,
              text: `you bought ${product.name} from us before, and we have it in stock at your store. Come by this week.`,
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

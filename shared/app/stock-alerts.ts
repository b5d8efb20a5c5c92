/** Back-in-stock alerts as use-cases: subscribing, and telling the subscribers once the stock is back. */
import { NotFound } from '../domain/errors.ts';
import { assertMemberAccess, type Principal } from '../domain/principal.ts';
import { effectiveTier, tierRank } from '../domain/tiers.ts';
import type { DeliveryStatus } from '../db/messages.ts';
import { alertContext, markNotified, memberExists, putStockAlert, waitingAlerts } from '../db/stock-alerts.ts';
import { loadReferences } from '../db/stock.ts';
import { deliver } from './messages.ts';
import type { StockAlert } from '../schemas/members.ts';
import { nowIso } from '../clock.ts';

/** Subscribes (or subscribes again after being told): one subscription per member, SKU and location. */
export const subscribeStockAlert = async (memberId: string, sku: string, locationId: string, principal: Principal, now = nowIso()): Promise<StockAlert> => {
  assertMemberAccess(principal, memberId);
  if (!(await memberExists(memberId))) throw new NotFound(`Member ${memberId} not found`);
  await loadReferences([sku], [locationId]);
  return putStockAlert({ memberId, sku, locationId, status: 'ACTIVE', subscribedAt: now });
};

/**
 * The SKU became available again at the location at `restockedAt`: tell each
 * subscriber who was waiting then, strictly one after the other, higher
 * effective tiers first (then who asked first). Someone who subscribed after
 * it is told on the next restock: a stream record handled late must not
 * tell them about stock that may be gone again. The message's send key is
 * the subscription, so a redelivered stream record tells nobody twice; a
 * subscription once told is closed, so a later restock is silent.
 */
export const notifyBackInStock = async (sku: string, locationId: string, restockedAt: string, now = nowIso()): Promise<Record<DeliveryStatus, number>> => {
  const counts = { SENT: 0, DEFERRED: 0, SKIPPED: 0, FAILED: 0, DUPLICATE: 0 };
  const alerts = await waitingAlerts(sku, locationId, restockedAt);
  if (alerts.length === 0) return counts;
  const { product, location, profiles } = await alertContext(sku, locationId, alerts);
  const rank = (alert: StockAlert) => {
    const profile = profiles.get(alert.memberId);
    return profile ? tierRank(effectiveTier(profile as never, now)) : -1;
  };
  const ordered = [...alerts].sort((a, b) => rank(b) - rank(a) || a.subscribedAt.localeCompare(b.subscribedAt));
  for (const alert of ordered) {
    if (!profiles.has(alert.memberId)) continue;
    const delivery = await deliver(
      alert.memberId,
      {
        source: `stock-alert-${sku}-${locationId}-${alert.subscribedAt}`,
        kind: 'transactional',
        template: 'BACK_IN_STOCK',
        vars: { productName: (product?.name as string | undefined) ?? sku, locationName: (location?.name as string | undefined) ?? locationId },
        channels: ['sms', 'email'],
      },
      now,
    );
    counts[delivery.status]++;
    await markNotified(alert, delivery.status, now);
  }
  return counts;
};

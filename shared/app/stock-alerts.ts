/** Back-in-stock alerts as use-cases: subscribing, and telling the subscribers once the stock is back. */
import { NotFound } from '../domain/errors.ts';
import { assertMemberAccess, type Principal } from '../domain/principal.ts';
import { planWaves, waveMinutesOf } from '../domain/stock-alerts.ts';
import { effectiveTier } from '../domain/tiers.ts';
import { forEachSettled } from '../concurrency.ts';
import { logger } from '../observability.ts';
import { loadProgram } from '../db/members.ts';
import type { DeliveryStatus } from '../db/messages.ts';
import {
  alertContext,
  availableNow,
  dueWaves,
  markNotified,
  memberExists,
  putStockAlert,
  reopenAlert,
  scheduleAlert,
  waitingAlerts,
} from '../db/stock-alerts.ts';
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

type WaveCounts = Record<DeliveryStatus | 'SCHEDULED' | 'REOPENED', number>;
const noCounts = (): WaveCounts => ({ SENT: 0, DEFERRED: 0, SKIPPED: 0, FAILED: 0, DUPLICATE: 0, SCHEDULED: 0, REOPENED: 0 });

/** Tells one subscriber (transactional: they asked), keyed by the subscription, and closes it. */
const tell = async (alert: StockAlert, names: { productName: string; locationName: string }, now: string): Promise<DeliveryStatus> => {
  const delivery = await deliver(
    alert.memberId,
    {
      source: `stock-alert-${alert.sku}-${alert.locationId}-${alert.subscribedAt}`,
      kind: 'transactional',
      template: 'BACK_IN_STOCK',
      vars: names,
      channels: ['sms', 'email', 'push'],
    },
    now,
  );
  await markNotified(alert, delivery.status, now);
  return delivery.status;
};

const namesOf = (sku: string, locationId: string, product?: Record<string, unknown>, location?: Record<string, unknown>) => ({
  productName: (product?.name as string | undefined) ?? sku,
  locationName: (location?.name as string | undefined) ?? locationId,
});

/**
 * The SKU became available again at the location at `restockedAt`: tell the
 * subscribers who were waiting then, in waves by effective tier, highest
 * first (`planWaves`): the first wave now, strictly one after the other
 * (who asked first first), each later wave scheduled `backInStockWaveMinutes`
 * (the program) after the one before; `releaseDueWaves` tells them then if
 * the stock is still there. The later waves are scheduled before the first
 * is told, so a stream record retried half way plans the same waves again
 * from the subscriptions still waiting. Someone who subscribed after the
 * restock is told on the next one: a stream record handled late must not
 * tell them about stock that may be gone again. The message's send key is
 * the subscription, so a redelivered stream record tells nobody twice; a
 * subscription once told is closed, so a later restock is silent.
 */
export const notifyBackInStock = async (sku: string, locationId: string, restockedAt: string, now = nowIso()): Promise<WaveCounts> => {
  const counts = noCounts();
  const alerts = await waitingAlerts(sku, locationId, restockedAt);
  if (alerts.length === 0) return counts;
  const [{ product, location, profiles }, program] = await Promise.all([alertContext(sku, locationId, alerts), loadProgram()]);
  const waiting = alerts
    .filter((alert) => profiles.has(alert.memberId))
    .map((alert) => ({ ...alert, tier: effectiveTier(profiles.get(alert.memberId) as never, now) }));
  const plan = planWaves(waiting, now, waveMinutesOf(program));
  for (const { subscriber, dueAt } of plan.filter((place) => place.dueAt > now)) {
    const { tier: _tier, ...alert } = subscriber;
    if (await scheduleAlert(alert, dueAt, restockedAt)) counts.SCHEDULED++;
  }
  const names = namesOf(sku, locationId, product, location);
  for (const { subscriber } of plan.filter((place) => place.dueAt <= now)) {
    const { tier: _tier, ...alert } = subscriber;
    counts[await tell(alert, names, now)]++;
  }
  return counts;
};

/**
 * The later waves whose time has come (one day's index, a page at a time):
 * each subscriber is told if the SKU is still available at the location,
 * else the subscription waits again with its place kept, to be told at the
 * next restock. Run by the deferred-messages job; `more` when the page was full.
 */
export const releaseDueWaves = async (day: string, now = nowIso()): Promise<{ counts: WaveCounts; more: boolean }> => {
  const counts = noCounts();
  const due = await dueWaves(day, now);
  const inStock = new Map<string, Promise<boolean>>();
  const context = new Map<string, Promise<{ productName: string; locationName: string }>>();
  const failed = await forEachSettled(
    due,
    1,
    async (alert) => {
      const pair = `${alert.sku}#${alert.locationId}`;
      if (!inStock.has(pair)) inStock.set(pair, availableNow(alert.sku, alert.locationId));
      if (!(await inStock.get(pair))) {
        if (await reopenAlert(alert)) counts.REOPENED++;
        return;
      }
      if (!context.has(pair)) {
        context.set(
          pair,
          alertContext(alert.sku, alert.locationId, []).then(({ product, location }) => namesOf(alert.sku, alert.locationId, product, location)),
        );
      }
      counts[await tell(alert, await context.get(pair)!, now)]++;
    },
    (alert, error) => logger.error('A back-in-stock wave could not be released', { memberId: alert.memberId, sku: alert.sku, error }),
  );
  counts.FAILED += failed;
  return { counts, more: due.length === 100 && failed < due.length };
};

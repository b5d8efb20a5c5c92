import type { Context, ScheduledEvent } from 'aws-lambda';
import { dispatchDeferredPage } from '../../shared/app/messages.ts';
import { releaseDueWaves } from '../../shared/app/stock-alerts.ts';
import { addDays, dayOf } from '../../shared/domain/time.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';
import { nowIso } from '../../shared/clock.ts';

const reserveMillis = 20_000;

/**
 * Every few minutes: messages deferred by quiet hours or a frequency cap
 * whose time has come go through the gate again, and back-in-stock waves
 * whose time has come are told (if the stock is still there). Yesterday's
 * partitions are read too, so what was due just before midnight is not left behind.
 */
export const dispatchDeferred = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const now = nowIso();
  const days = [dayOf(addDays(now, -1)), dayOf(now)];
  const counts: Record<string, number> = {};
  let more = false;
  for (const day of days) {
    for (;;) {
      const page = await dispatchDeferredPage(day, now);
      for (const [status, n] of Object.entries(page.counts)) counts[status] = (counts[status] ?? 0) + n;
      more = page.more && context.getRemainingTimeInMillis() > reserveMillis;
      if (!more) break;
    }
  }
  const waves: Record<string, number> = {};
  for (const day of days) {
    for (;;) {
      const page = await releaseDueWaves(day, now);
      for (const [status, n] of Object.entries(page.counts)) if (n > 0) waves[status] = (waves[status] ?? 0) + n;
      if (!(page.more && context.getRemainingTimeInMillis() > reserveMillis)) break;
    }
  }
  logger.info('Deferred messages dispatched', { ...counts, ...(Object.keys(waves).length > 0 ? { backInStockWaves: waves } : {}) });
  return Object.keys(waves).length > 0 ? { ...counts, backInStockWaves: waves } : counts;
});

import type { Context, ScheduledEvent } from 'aws-lambda';
import { listLocations } from '../../shared/db/catalog.ts';
import { checkReorder } from '../../shared/db/replenishment.ts';
import { stockAtLocation } from '../../shared/db/stock.ts';
import { forEachSettled } from '../../shared/concurrency.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

const system = { subject: 'system:replenishment-sweep', role: 'service', locations: [] } as const;
const reserveMillis = 30_000;

/**
 * Re-checks every stock level: what the stream consumer would have done for
 * a record it never got. The check derives the suggestion from the current
 * state, so running the sweep again (or beside the consumer) changes
 * nothing that is already right.
 */
export const replenishmentSweep = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const summary = { levels: 0, suggested: 0, closed: 0, failed: 0, more: false };
  let locationCursor: string | undefined;
  do {
    const locations = await listLocations(100, locationCursor);
    for (const location of locations.items) {
      let cursor: string | undefined;
      do {
        const page = await stockAtLocation(location.locationId, system, { limit: 100, cursor });
        summary.failed += await forEachSettled(
          page.items,
          1,
          async (level) => {
            const check = await checkReorder(level.sku, level.locationId);
            summary.levels++;
            if (check?.outcome === 'SUGGESTED') summary.suggested++;
            if (check?.outcome === 'CLOSED') summary.closed++;
          },
          (level, error) => logger.error('Reorder check failed for a level', { sku: level.sku, locationId: level.locationId, error }),
        );
        cursor = page.cursor;
      } while (cursor);
    }
    locationCursor = locations.cursor;
    summary.more = locationCursor !== undefined && context.getRemainingTimeInMillis() <= reserveMillis;
  } while (locationCursor && !summary.more);
  logger.info('Replenishment sweep', summary);
  return summary;
});

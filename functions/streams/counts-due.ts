import { raiseCountIfNegative } from '../../shared/app/counts.ts';
import { logger } from '../../shared/observability.ts';
import { streamHandler } from '../../shared/triggers.ts';

/** The filter in infra/streams.ts passes only levels whose available is below zero (offline sales booked past the shelf). */
export const countsDue = streamHandler(async ({ newImage: level }) => {
  if (!level) return;
  const raised = await raiseCountIfNegative({ sku: level.sku, locationId: level.locationId, available: Number(level.available), updatedAt: level.updatedAt });
  if (raised) logger.info('Count due', { sku: level.sku, locationId: level.locationId, available: level.available });
});

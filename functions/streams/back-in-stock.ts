import { notifyBackInStock } from '../../shared/app/stock-alerts.ts';
import { logger } from '../../shared/observability.ts';
import { streamHandler } from '../../shared/triggers.ts';

/** The filter in infra/streams.ts passes only levels whose available went from 0 or less to more. */
export const backInStock = streamHandler(async ({ newImage: level }) => {
  if (!level) return;
  // The level's updatedAt is when it came back: the moment subscribers are counted at.
  const counts = await notifyBackInStock(level.sku, level.locationId, level.updatedAt);
  if (Object.values(counts).some((n) => n > 0)) logger.info('Back-in-stock alerts', { sku: level.sku, locationId: level.locationId, ...counts });
});

import { recordSaleEvent } from '../../shared/app/epcis.ts';
import { logger } from '../../shared/observability.ts';
import { streamHandler } from '../../shared/triggers.ts';

/**
 * The filter in infra/streams.ts passes new sales; a sale with EPCs (its
 * `soldTags`) becomes one `retail_selling` EPCIS event, keyed by the sale id,
 * so a retried or replayed record writes it once.
 */
export const epcisSales = streamHandler(async ({ newImage: sale }) => {
  if (!sale?.soldTags?.length) return;
  const epcs = await recordSaleEvent({
    saleId: sale.saleId,
    locationId: sale.locationId,
    at: sale.at,
    occurredAt: sale.receipt?.occurredAt,
    soldTags: sale.soldTags,
  });
  logger.debug('Sale kept as an EPCIS event', { saleId: sale.saleId, epcs });
});

import { recordPurchase } from '../../shared/app/recommendations.ts';
import { logger } from '../../shared/observability.ts';
import { streamHandler } from '../../shared/triggers.ts';

/** The filter in infra/streams.ts passes only new sales with a member; each is counted once, however often it arrives. */
export const purchaseHistory = streamHandler(async ({ newImage: sale }) => {
  if (!sale) return;
  const chunks = await recordPurchase({
    saleId: sale.saleId,
    memberId: sale.memberId,
    locationId: sale.locationId,
    at: sale.at,
    tier: sale.receipt?.member?.tier,
    lines: sale.lines,
  });
  logger.debug('Purchase counted', { saleId: sale.saleId, memberId: sale.memberId, chunks });
});

import { recordDemand, recordMemberDemand } from '../../shared/db/replenishment.ts';
import { entities } from '../../shared/db/keys.ts';
import { logger } from '../../shared/observability.ts';
import { streamHandler } from '../../shared/triggers.ts';

/**
 * SALE ledger entries become daily demand; member sales add their units by
 * tier. Both writes remember what they counted, so a redelivered record or a
 * retried batch counts nothing twice.
 */
export const demand = streamHandler(async ({ newImage: image }) => {
  if (!image) return;
  if (image.entity === entities.ledgerEntry) {
    await recordDemand({ sku: image.sku, locationId: image.locationId, movementId: image.movementId, onHandDelta: image.onHandDelta, at: image.at });
    return;
  }
  const tier = image.receipt?.member?.tier as string | undefined;
  if (!tier) return;
  const counted = await recordMemberDemand({ saleId: image.saleId, locationId: image.locationId, at: image.at, tier, lines: image.lines });
  logger.debug('Member demand counted', { saleId: image.saleId, tier, lines: counted });
});

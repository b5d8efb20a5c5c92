import { countDemand } from '../../shared/app/replenishment.ts';
import { streamHandler } from '../../shared/triggers.ts';

/**
 * SALE ledger entries become daily demand, and so do a warehouse's
 * TRANSFER_OUT entries (its demand is what it ships to the stores; a store's
 * transfer is not demand); member sales add their units by tier, by the
 * member's tags and by the programme's demand segments the member is in (one
 * read of the member per sale). Both writes remember what they counted, so
 * a redelivered record or a retried batch counts nothing twice.
 */
export const demand = streamHandler(async ({ newImage: image }) => {
  if (!image) return;
  await countDemand(image);
});

import { expireHold, holdFromImage } from '../../shared/app/stock.ts';
import { logger } from '../../shared/observability.ts';
import { streamHandler } from '../../shared/triggers.ts';

/**
 * TTL removed a hold nobody released (the sweep job was down): give its
 * stock back. The filter in infra/streams.ts only lets such records through;
 * the release's movement id is the one the sweep would use, so whichever
 * comes second changes nothing.
 */
export const expiredHolds = streamHandler(async ({ oldImage }) => {
  if (!oldImage) return;
  const hold = holdFromImage(oldImage);
  const outcome = await expireHold(hold, true);
  logger.info('Released a hold removed by TTL', { reservationId: hold.reservationId, released: outcome !== undefined });
});

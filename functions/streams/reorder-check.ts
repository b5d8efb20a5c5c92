import { checkReorder } from '../../shared/app/replenishment.ts';
import { logger } from '../../shared/observability.ts';
import { type StreamChange, streamHandler } from '../../shared/triggers.ts';

/** Only a change that moves the inventory position or the reorder point can change the decision. */
const decisionInputsChanged = ({ oldImage: before, newImage: after }: StreamChange): boolean =>
  !before || before.available !== after?.available || before.incoming !== after?.incoming || before.reorderPoint !== after?.reorderPoint;

/**
 * A level changed: re-decide from the current state (not from the record),
 * so records arriving late, twice or out of order all end in the same one
 * suggestion for the SKU and location.
 */
export const reorderCheck = streamHandler(async (change) => {
  if (!decisionInputsChanged(change)) return;
  const level = change.newImage!;
  const check = await checkReorder(level.sku, level.locationId);
  if (check && check.outcome !== 'UNCHANGED') {
    logger.info('Replenishment suggestion', { sku: level.sku, locationId: level.locationId, outcome: check.outcome, quantity: check.suggestion?.quantity });
  }
});

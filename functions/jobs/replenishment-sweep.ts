import type { Context, ScheduledEvent } from 'aws-lambda';
import { sweepReorderChecks } from '../../shared/app/replenishment.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

const reserveMillis = 30_000;

/**
 * Re-checks every stock level: what the stream consumer would have done for
 * a record it never got. The check derives the suggestion from the current
 * state, so running the sweep again (or beside the consumer) changes
 * nothing that is already right.
 */
export const replenishmentSweep = eventHandler(async (_event: ScheduledEvent, context: Context) => {
  const summary = await sweepReorderChecks(() => context.getRemainingTimeInMillis() <= reserveMillis);
  logger.info('Replenishment sweep', summary);
  return summary;
});

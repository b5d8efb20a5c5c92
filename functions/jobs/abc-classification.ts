import type { ScheduledEvent } from 'aws-lambda';
import { reclassifyCatalogue } from '../../shared/app/abc.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

/**
 * Weekly ABC (EventBridge Scheduler, infra/schedules.ts): every product's
 * annual consumption value (twelve monthly demand buckets x unit cost),
 * classified in one pass with the configuration in force (the last one set
 * over `POST /analytics/abc/runs`, else the seed's defaults), class and
 * policy written back. Reports how many products changed class.
 */
export const abcClassification = eventHandler(async (_event: ScheduledEvent) => {
  const report = await reclassifyCatalogue();
  logger.info('ABC classification', { skus: report.skus, changed: report.changed, pareto: report.pareto });
  return report;
});

import * as z from 'zod';
import { type BatchJob, type BatchPage, batchJobs, drainPartition } from '../../shared/batches.ts';
import { logger } from '../../shared/observability.ts';
import { Timestamp } from '../../shared/schemas/common.ts';
import { birthdayPage } from '../../shared/app/birthdays.ts';
import { expirePointsPage } from '../../shared/app/points.ts';
import { tierReviewPage } from '../../shared/app/tiers.ts';
import { pointsExpiryPage } from '../../shared/app/messages.ts';
import { queueHandler } from '../../shared/triggers.ts';

const reserveMillis = 30_000;

const pages: Record<BatchJob, BatchPage> = {
  birthdayGifts: birthdayPage,
  pointsExpiryReminders: pointsExpiryPage,
  expirePoints: expirePointsPage,
  tierReview: tierReviewPage,
};

export const MemberBatch = z.strictObject({
  job: z.enum(batchJobs),
  partition: z.string().regex(/^(\d{4}-)?\d{2}-\d{2}$/),
  runAt: Timestamp,
  cursor: z.string().max(2048).optional(),
});

/** The rest of a job's partition that its run could not finish: more pages, and the rest queued again. */
export const memberBatches = queueHandler(MemberBatch, async (batch, context) => {
  const result = await drainPartition(batch, pages[batch.job], () => context.getRemainingTimeInMillis(), reserveMillis);
  logger.info('Member batch', { job: batch.job, partition: batch.partition, ...result });
});

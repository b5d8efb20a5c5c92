/**
 * Jobs over an index partition of members (today's birthdays, the lots of a
 * day, the reviews due) run page after page while their Lambda has time,
 * then hand the rest to the memberBatches queue, whose worker does the same.
 * A partition of any size is finished, in as many runs as it takes: a
 * holiday gift to a million members makes a million lots expire on one day,
 * and that day's reminders and expiry must not stop at what one run can do.
 * Every page is idempotent (send keys, gift keys, deleted lots), so a
 * redelivered batch repeats nothing.
 */
import { addDays, dayOf } from './domain/time.ts';
import { enqueue } from './messaging/queue.ts';

export const batchJobs = ['birthdayGifts', 'pointsExpiryReminders', 'expirePoints', 'tierReview'] as const;
export type BatchJob = (typeof batchJobs)[number];

export interface MemberBatch {
  readonly job: BatchJob;
  /** The index partition's day or `MM-DD`. */
  readonly partition: string;
  /** When the job ran: the day its keys are made of. */
  readonly runAt: string;
  readonly cursor?: string;
}

export interface PageOutcome {
  /** Where the next page starts; none when the partition is done (or should not go on now). */
  readonly cursor?: string;
  readonly counts: Readonly<Record<string, number>>;
}

export type BatchPage = (batch: MemberBatch) => Promise<PageOutcome>;

/**
 * Pages through the batch's partition while more than `reserveMillis` are
 * left, then queues the rest; with too little time even for one page, it
 * queues the batch untouched.
 */
export const drainPartition = async (batch: MemberBatch, page: BatchPage, millisLeft: () => number, reserveMillis: number) => {
  const counts: Record<string, number> = {};
  let rest: MemberBatch | undefined = batch;
  while (rest && millisLeft() > reserveMillis) {
    const outcome = await page(rest);
    for (const [name, n] of Object.entries(outcome.counts)) counts[name] = (counts[name] ?? 0) + n;
    rest = outcome.cursor ? { ...batch, cursor: outcome.cursor } : undefined;
  }
  if (rest) await enqueue('memberBatches', [rest]);
  return { counts, handedOff: rest !== undefined };
};

/** Drains each partition in turn (a job's catch-up days, both birthday keys), adding up the counts. */
export const drainPartitions = async (
  job: BatchJob,
  partitions: readonly string[],
  page: BatchPage,
  runAt: string,
  millisLeft: () => number,
  reserveMillis: number,
): Promise<{ counts: Record<string, number>; more: boolean }> => {
  const counts: Record<string, number> = {};
  let more = false;
  for (const partition of partitions) {
    const drained = await drainPartition({ job, partition, runAt }, page, millisLeft, reserveMillis);
    for (const [name, n] of Object.entries(drained.counts)) counts[name] = (counts[name] ?? 0) + n;
    more ||= drained.handedOff;
  }
  return { counts, more };
};

/** The UTC days from `days - 1` days before `runAt` up to its own, oldest first. */
export const catchUpDays = (runAt: string, days: number): string[] => Array.from({ length: days }, (_, i) => dayOf(addDays(runAt, -(days - 1 - i))));

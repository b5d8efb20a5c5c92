import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue, ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TemporarilyUnavailable } from '../domain/errors.ts';
import { documentClient } from './client.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface CancellationReason {
  readonly code: string;
  /** The item as it was, where the write asked for it on a failed condition. */
  readonly item?: Record<string, unknown>;
}

/** A transaction item with the name its cancellation reason is read by, instead of its position. */
export interface LabelledItem {
  readonly label: string;
  readonly item: TransactItem;
}

/** Puts `items` under one label, in their order. */
export const labelled = (label: string, items: readonly TransactItem[]): LabelledItem[] => items.map((item) => ({ label, item }));

/**
 * A transaction refused by one of its conditions: nothing was written.
 * `labels` is index-aligned with `reasons` when the items were labelled.
 */
export class TransactionCancelled extends Error {
  constructor(
    readonly reasons: readonly CancellationReason[],
    readonly labels: readonly string[] = [],
  ) {
    super(`Transaction cancelled: ${reasons.map((r) => r.code).join(', ')}`);
    this.name = 'TransactionCancelled';
  }

  failedAt(index: number): boolean {
    return this.reasons[index]?.code === 'ConditionalCheckFailed';
  }

  /** The reasons of the items under `label`, in the order the items were given. */
  reasonsAt(label: string): CancellationReason[] {
    return this.labels.flatMap((l, i) => (l === label ? [this.reasons[i] ?? { code: 'None' }] : []));
  }

  /** Positions among the items under `label` whose condition failed. */
  failuresAt(label: string): number[] {
    return this.reasonsAt(label).flatMap((reason, i) => (reason.code === 'ConditionalCheckFailed' ? [i] : []));
  }

  failedAtLabel(label: string): boolean {
    return this.failuresAt(label).length > 0;
  }
}

// Contention and throttling clear up on their own; a failed condition does not.
const retryableReasons = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);
const retryableErrors = new Set([
  'TransactionConflictException',
  'TransactionInProgressException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
]);

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 12, baseDelayMs: 10, maxDelayMs: 500 };

/** Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff and Jitter"). */
export const backoffDelay = (attempt: number, policy: RetryPolicy, random = Math.random): number =>
  Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits one full-jitter backoff step: for a caller that plans its write again after losing a race. */
export const backOff = (attempt: number, policy: RetryPolicy = defaultRetryPolicy): Promise<unknown> => sleep(backoffDelay(attempt, policy));

interface CancelledError {
  name: string;
  CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[];
}

/**
 * Runs one TransactWriteItems call: all items or none. Conflicts with
 * concurrent transactions and throttling are retried with backoff; past the
 * budget the caller gets TemporarilyUnavailable (503 with Retry-After), never
 * a half-applied write. A failed condition throws TransactionCancelled with
 * the reasons, index-aligned with `items`.
 */
export const transactWrite = async (items: TransactItem[], policy: RetryPolicy = defaultRetryPolicy): Promise<ConsumedCapacity[] | undefined> => {
  for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
    try {
      const output = await documentClient.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' }));
      return output.ConsumedCapacity;
    } catch (error) {
      const { name, CancellationReasons } = error as CancelledError;
      if (name === 'TransactionCanceledException') {
        const reasons = (CancellationReasons ?? []).map((r) => ({
          code: r.Code ?? 'None',
          item: r.Item ? unmarshall(r.Item) : undefined,
        }));
        const conditionFailed = reasons.some((r) => r.code === 'ConditionalCheckFailed');
        if (conditionFailed || !reasons.some((r) => retryableReasons.has(r.code))) throw new TransactionCancelled(reasons);
      } else if (!retryableErrors.has(name)) {
        throw error;
      }
      await sleep(backoffDelay(attempt, policy));
    }
  }
  throw new TemporarilyUnavailable('Too much contention on these items; retry shortly', 1);
};

/** Runs labelled items as one transaction (see `transactWrite`); a cancellation answers by label. */
export const transactLabelled = async (items: readonly LabelledItem[], policy: RetryPolicy = defaultRetryPolicy): Promise<ConsumedCapacity[] | undefined> => {
  try {
    return await transactWrite(
      items.map((i) => i.item),
      policy,
    );
  } catch (error) {
    if (error instanceof TransactionCancelled)
      throw new TransactionCancelled(
        error.reasons,
        items.map((i) => i.label),
      );
    throw error;
  }
};

/**
 * Runs `work` over `items` with at most `limit` in flight; results keep the
 * input order. After a failure no new item starts (those in flight finish),
 * and the first error is thrown.
 */
export const mapLimited = async <T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> => {
  const results: R[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await work(items[i]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  // Settled, not all: the caller hears of the failure only when nothing of this call is still running.
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
};

/**
 * Runs `work` over every item, at most `limit` at once, and goes on past a
 * failing item: a sweep must never let one bad record stop the rest. Each
 * failure goes to `failed` (to log it); returns how many failed.
 */
export const forEachSettled = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  failed: (item: T, error: unknown) => void,
): Promise<number> => {
  let failures = 0;
  await mapLimited(items, limit, async (item) => {
    try {
      await work(item);
    } catch (error) {
      failures++;
      failed(item, error);
    }
  });
  return failures;
};

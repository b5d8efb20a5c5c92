import { describe, expect, it } from 'vitest';
import { forEachSettled, mapLimited } from '../../shared/concurrency.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('mapLimited', () => {
  it('keeps the input order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimited([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('starts nothing new after a failure, lets what runs finish, then throws the failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    await expect(
      mapLimited([1, 2, 3, 4, 5, 6], 2, async (n) => {
        started.push(n);
        await tick();
        if (n === 1) throw new Error('one failed');
        await tick();
        finished.push(n);
        return n;
      }),
    ).rejects.toThrow('one failed');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
  });
});

describe('forEachSettled', () => {
  it('goes on past failing items, hands each failure over and counts them', async () => {
    const done: number[] = [];
    const failures: [number, string][] = [];
    const failed = await forEachSettled(
      [1, 2, 3, 4, 5],
      2,
      async (n) => {
        await tick();
        if (n % 2 === 0) throw new Error(`bad ${n}`);
        done.push(n);
      },
      (n, error) => failures.push([n, (error as Error).message]),
    );
    expect(failed).toBe(2);
    expect(done.sort()).toEqual([1, 3, 5]);
    expect(failures.sort()).toEqual([
      [2, 'bad 2'],
      [4, 'bad 4'],
    ]);
  });
});

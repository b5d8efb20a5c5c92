/**
 * The local cloud's clock. By default it is the system clock. The chain
 * simulator moves it forward (POST /_local/clock) so a month runs in minutes:
 * the simulated time keeps ticking at real speed from where it was set, and
 * handlers, jobs, holds, TTL reads and stream records all read it through
 * shared/clock.ts. It only moves forward, as a real clock does for the
 * ledger, windows and expiries written against it. Never installed in AWS.
 */
import { driveClock, nowMillis } from '../../shared/clock.ts';

export class ClockMovesForwardOnly extends Error {
  constructor(now: Date, at: Date) {
    super(`The clock moves forward only: it is ${now.toISOString()}, not ${at.toISOString()}`);
  }
}

export interface LocalClock {
  /** Now, on the local cloud's clock. */
  now(): Date;
  /** Sets the clock to `at` (not before now); time goes on from there. Returns the previous instant. */
  set(at: Date): Date;
  /** Back to the system clock. */
  reset(): void;
}

export const localClock = (): LocalClock => {
  let offsetMillis = 0;
  return {
    now: () => new Date(nowMillis()),
    set: (at) => {
      const previous = nowMillis();
      if (at.getTime() < previous) throw new ClockMovesForwardOnly(new Date(previous), at);
      offsetMillis = at.getTime() - Date.now();
      driveClock(() => Date.now() + offsetMillis);
      return new Date(previous);
    },
    reset: () => {
      offsetMillis = 0;
      driveClock(undefined);
    },
  };
};

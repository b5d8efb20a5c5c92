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
  /** Moves the clock to `at`, or leaves it where it is if that is later; time goes on from there. */
  moveTo(at: Date): void;
  /** Back to the system clock. */
  reset(): void;
}

export const localClock = (): LocalClock => {
  let offsetMillis = 0;
  return {
    now: () => new Date(nowMillis()),
    moveTo: (at) => {
      if (at.getTime() <= nowMillis()) return;
      offsetMillis = at.getTime() - Date.now();
      driveClock(() => Date.now() + offsetMillis);
    },
    reset: () => {
      offsetMillis = 0;
      driveClock(undefined);
    },
  };
};

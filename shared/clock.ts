/**
 * The one clock handlers, jobs and use-cases read. In AWS it is the system
 * clock: nothing installs a driver there. The local cloud may install one
 * (infra/local/clock.ts) so the chain simulator runs a month in minutes with
 * jobs, holds, windows and expiries all on simulated time.
 */
const driverKey = Symbol.for('stockclub.clock');

type ClockDriver = () => number;

const driver = (): ClockDriver | undefined => (globalThis as { [driverKey]?: ClockDriver })[driverKey];

/** Milliseconds since the epoch, now. */
export const nowMillis = (): number => driver()?.() ?? Date.now();

/** The ISO instant now: the `now`/`at` a request or job reads once and passes down (shared/domain/time.ts). */
export const nowIso = (): string => new Date(nowMillis()).toISOString();

/** Installs (or with undefined removes) the local clock driver: infra/local/clock.ts only. */
export const driveClock = (next: ClockDriver | undefined): void => {
  (globalThis as { [driverKey]?: ClockDriver })[driverKey] = next;
};

/**
 * Back-in-stock waves: when a SKU is available again at a location, the
 * members waiting for it are told tier by tier, highest first, each tier a
 * configured delay after the one before (the program's
 * `backInStockWaveMinutes`). Pure: the clock, the tiers and the delay come
 * in as arguments.
 */
import { minuteMillis } from './time.ts';
import { defaultBackInStockWaveMinutes, type Program, type TierName, tierRank } from './tiers.ts';

export interface WaitingSubscriber {
  readonly memberId: string;
  readonly subscribedAt: string;
  /** The member's effective tier when the stock came back. */
  readonly tier: TierName;
}

export interface WavePlace<T extends WaitingSubscriber> {
  readonly subscriber: T;
  /** 0 for the highest tier waiting, 1 for the next tier present, and so on. */
  readonly wave: number;
  /** When this wave is told: `now` for wave 0, `now + wave × delay` after it. */
  readonly dueAt: string;
}

/** The delay between waves the program sets, in minutes (its default when it sets none). */
export const waveMinutesOf = (program: Pick<Program, 'backInStockWaveMinutes'>): number => program.backInStockWaveMinutes ?? defaultBackInStockWaveMinutes;

/**
 * Who is told when. Waves are the tiers present among the subscribers, so
 * nobody waits behind a tier nobody is in: with GOLD and REGULAR members
 * waiting, REGULAR is told one delay after GOLD, not three. Within a wave,
 * who asked first comes first (then by member id, so the order is total).
 * A delay of 0 puts every wave at `now`: one pass, higher tiers first.
 */
export const planWaves = <T extends WaitingSubscriber>(subscribers: readonly T[], now: string, waveMinutes: number): WavePlace<T>[] => {
  const ranks = [...new Set(subscribers.map((s) => tierRank(s.tier)))].sort((a, b) => b - a);
  const start = Date.parse(now);
  return [...subscribers]
    .sort((a, b) => tierRank(b.tier) - tierRank(a.tier) || a.subscribedAt.localeCompare(b.subscribedAt) || a.memberId.localeCompare(b.memberId))
    .map((subscriber) => {
      const wave = ranks.indexOf(tierRank(subscriber.tier));
      return { subscriber, wave, dueAt: new Date(start + wave * waveMinutes * minuteMillis).toISOString() };
    });
};

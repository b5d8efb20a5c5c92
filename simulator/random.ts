/**
 * Seeded randomness for the chain simulator: the same seed gives the same
 * month, so policies are compared on identical demand and noise.
 */
import { seededRandom } from '../infra/local/gate-simulator.ts';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** Poisson-distributed count with mean `mean` (Knuth; fine for the small means of one SKU at one store in one hour). */
  poisson(mean: number): number;
  /** A new generator derived from this one and a label, so adding draws in one area never shifts another's. */
  fork(label: string): Random;
}

const hash = (text: string): number => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
};

export const randomFrom = (seed: number): Random => {
  const next = seededRandom(seed);
  const random: Random = {
    next,
    chance: (p) => p > 0 && next() < p,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    poisson: (mean) => {
      if (mean <= 0) return 0;
      // Large means (a flash sale) by the normal approximation, to keep the loop short.
      if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(next)));
      const limit = Math.exp(-mean);
      let k = 0;
      for (let p = next(); p > limit; p *= next()) k++;
      return k;
    },
    fork: (label) => randomFrom((seed ^ hash(label)) >>> 0),
  };
  return random;
};

const gaussian = (next: () => number): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());

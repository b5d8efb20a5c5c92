/**
 * What a simulated chain-month is made of: its size, its noise and the
 * policies compared on it. Every noise source is a rate that 0 switches off
 * (`--no-noise` switches all off) and `--noise-scale` multiplies.
 */

export interface Noise {
  /** Share of shelf units stolen per day (leave through the exit without a sale). */
  readonly theft: number;
  /** Share of shelf units found damaged per day; written off. */
  readonly damage: number;
  /** Share of damage found that staff book (the rest goes in the bin unbooked). */
  readonly damageBooked: number;
  /** Share of shelf units misplaced per day (not sold, not counted, back on the shelf 2-5 days later). */
  readonly misplace: number;
  /** Share of delivery lines whose advance notice is wrong: short, over, or the wrong SKU. */
  readonly supplierErrors: number;
  /** Share of a gate's tags it reads (per pass). */
  readonly readRate: number;
  /** Share of gate messages the gateway sends twice. */
  readonly duplicateMessages: number;
  /** Share of store-days with the tills offline for some hours (their sales posted late). */
  readonly offlineTills: number;
  /** Share of counted lines off by one. */
  readonly miscount: number;
  /** Share of requests the till or gateway retries (same id) as if the answer was lost. */
  readonly retries: number;
  /** Share of member sales lines returned one to three days later. */
  readonly returns: number;
}

export const defaultNoise: Noise = {
  theft: 0.002,
  damage: 0.001,
  damageBooked: 0.8,
  misplace: 0.002,
  supplierErrors: 0.1,
  readRate: 0.98,
  duplicateMessages: 0.05,
  offlineTills: 0.1,
  miscount: 0.02,
  retries: 0.02,
  returns: 0.03,
};

/** Perfect world: every rate 0, every gate reads every tag. */
export const noNoise: Noise = {
  theft: 0,
  damage: 0,
  damageBooked: 1,
  misplace: 0,
  supplierErrors: 0,
  readRate: 1,
  duplicateMessages: 0,
  offlineTills: 0,
  miscount: 0,
  retries: 0,
  returns: 0,
};

/** Multiplies the rates of trouble (not readRate's success or damageBooked's diligence, whose shortfalls are scaled instead). */
export const scaleNoise = (noise: Noise, scale: number): Noise => ({
  ...noise,
  theft: noise.theft * scale,
  damage: noise.damage * scale,
  damageBooked: Math.max(0, 1 - (1 - noise.damageBooked) * scale),
  misplace: noise.misplace * scale,
  supplierErrors: Math.min(1, noise.supplierErrors * scale),
  readRate: Math.max(0, 1 - (1 - noise.readRate) * scale),
  duplicateMessages: Math.min(1, noise.duplicateMessages * scale),
  offlineTills: Math.min(1, noise.offlineTills * scale),
  miscount: Math.min(1, noise.miscount * scale),
  retries: Math.min(1, noise.retries * scale),
  returns: Math.min(1, noise.returns * scale),
});

/** How the chain runs: the three choices the scorecard compares. */
export interface Policy {
  readonly name: string;
  /** ABC: the seed's policy per class, or one policy (class B's) for every class. */
  readonly abc: 'seed' | 'flat';
  /** RFID: products tagged, dock and exit gates reconciled with documents; or documents (and barcodes) only. */
  readonly rfid: boolean;
  /** Counts: staff do the counts due (ABC cycle, negative available, variances, gate discrepancies) and count when a till is refused; or never count. */
  readonly counts: boolean;
}

export const policies: readonly Policy[] = [
  { name: 'seed', abc: 'seed', rfid: true, counts: true },
  { name: 'flat ABC', abc: 'flat', rfid: true, counts: true },
  { name: 'documents only', abc: 'seed', rfid: false, counts: true },
  { name: 'no counts', abc: 'seed', rfid: true, counts: false },
];

export interface SimulationConfig {
  readonly stores: number;
  readonly skus: number;
  readonly days: number;
  readonly seed: number;
  readonly members: number;
  /** Units the whole chain sells per day across the catalogue, before seasonality. */
  readonly dailyUnitsPerStore: number;
  readonly noise: Noise;
  /** Counts a store does per morning at most. */
  readonly countsPerDay: number;
  /** Requests the simulator keeps in flight (tills selling at once). */
  readonly concurrency: number;
  /** The first simulated day (UTC midnight); default: the next Monday after now. */
  readonly startDay?: string;
}

export const defaultConfig: SimulationConfig = {
  stores: 5,
  skus: 200,
  days: 14,
  seed: 42,
  members: 100,
  dailyUnitsPerStore: 120,
  noise: defaultNoise,
  countsPerDay: 25,
  concurrency: 8,
};

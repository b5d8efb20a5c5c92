/**
 * The physical chain: what is really on each shelf, in each truck and in
 * each customer's bag. The simulator changes it as things happen and tells
 * the product only what a real chain's tills, gates and staff would; the
 * product never reads it, the scorer does.
 */
import { encodeSgtin96, gs1CheckDigit } from '../shared/domain/epc.ts';
import type { SimulationConfig } from './config.ts';
import type { Random } from './random.ts';

export const warehouseId = 'WH-SIM';
export const storeIds = (stores: number): string[] => Array.from({ length: stores }, (_, i) => `STORE-${String(i + 1).padStart(2, '0')}`);

const companyPrefix = '4012345';
const companyPrefixLength = companyPrefix.length;

export interface SimProduct {
  readonly sku: string;
  readonly gtin: string;
  readonly unitCost: number;
  readonly price: number;
  readonly packSize: number;
  readonly leadTimeDays: number;
  readonly supplierId: string;
  readonly orderingCost: number;
  readonly holdingCostPerUnitYear: number;
  /** Share of a store's daily units this SKU sells: a long tail (Zipf, s = 1.1), so ABC has something to find. */
  readonly demandShare: number;
}

export const catalogue = (config: Pick<SimulationConfig, 'skus'>, random: Random): SimProduct[] => {
  const weights = Array.from({ length: config.skus }, (_, i) => 1 / (i + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((weight, i) => {
    const body = `${companyPrefix}${String(i + 1).padStart(5, '0')}`;
    const unitCost = random.int(2, 60) * 100;
    return {
      sku: `SIM-${String(i + 1).padStart(4, '0')}`,
      gtin: `${body}${gs1CheckDigit(body)}`,
      unitCost,
      price: Math.round((unitCost * 2.2) / 100) * 100 - 1,
      packSize: random.pick([1, 4, 6, 12]),
      leadTimeDays: random.int(3, 7),
      supplierId: `SUP-${1 + (i % 3)}`,
      orderingCost: 5000,
      holdingCostPerUnitYear: Math.round(unitCost * 0.25),
      demandShare: weight / total,
    };
  });
};

export const epcOf = (product: Pick<SimProduct, 'gtin'>, serial: number): string => encodeSgtin96({ gtin: product.gtin, serial, companyPrefixLength });

/**
 * Opening hours, 09:00-21:00 UTC (the simulated locations keep UTC), in
 * trading blocks of three hours: each block's sales are posted at its start,
 * its exits pass the gate at its end. The shares follow a retail day (quiet
 * morning, lunch, the after-work peak).
 */
export const tradingBlocks = [9, 12, 15, 18] as const;
const blockWeights = [0.2, 0.27, 0.23, 0.3];
export const blockShare = (blockIndex: number): number => blockWeights[blockIndex]!;

/** Weekly seasonality, Sunday first (Date.getUTCDay). */
const weekday = [0.6, 0.8, 0.85, 0.9, 1.0, 1.25, 1.6];

export interface DemandPlan {
  /** Expected units of product `p` at store `s` on day `d` (before the hour split). */
  expected(store: number, product: number, day: number): number;
  readonly promotions: { sku: string; fromDay: number; toDay: number }[];
  readonly flashSale?: { sku: string; day: number; factor: number };
}

/** Demand with weekly seasonality, store sizes, three-day promotions (x2) and one flash-sale day (x12 on a top seller). */
export const demandPlan = (config: SimulationConfig, products: readonly SimProduct[], startDay: Date, random: Random): DemandPlan => {
  const storeFactor = Array.from({ length: config.stores }, () => 0.7 + random.next() * 0.6);
  const promotions: DemandPlan['promotions'] = [];
  for (let day = 0; day < config.days; day++)
    for (const product of products) if (random.chance(0.01)) promotions.push({ sku: product.sku, fromDay: day, toDay: day + 2 });
  const flashSale = config.days >= 3 && products.length > 2 ? { sku: products[2]!.sku, day: Math.floor(config.days / 2), factor: 12 } : undefined;
  const promoted = new Map<string, DemandPlan['promotions']>();
  for (const promotion of promotions) promoted.set(promotion.sku, [...(promoted.get(promotion.sku) ?? []), promotion]);
  return {
    promotions,
    flashSale,
    expected: (store, index, day) => {
      const product = products[index]!;
      const date = new Date(startDay.getTime() + day * 86_400_000);
      let units = config.dailyUnitsPerStore * product.demandShare * storeFactor[store]! * weekday[date.getUTCDay()]!;
      if (promoted.get(product.sku)?.some((p) => day >= p.fromDay && day <= p.toDay)) units *= 2;
      if (flashSale && flashSale.sku === product.sku && flashSale.day === day) units *= flashSale.factor;
      return units;
    },
  };
};

const key = (locationId: string, sku: string) => `${locationId}|${sku}`;

/** Units by serial: a serial is unique per SKU across the chain, and is the tag's serial when products are tagged. */
export class PhysicalChain {
  private readonly shelves = new Map<string, number[]>();
  private readonly misplaced: { locationId: string; sku: string; serial: number; backOnDay: number }[] = [];
  private readonly nextSerial = new Map<string, number>();
  /** Units stolen, by SKU-location: the scorer's explanation for phantom stock. */
  readonly stolen = new Map<string, number>();

  /** New units from a supplier. */
  make(sku: string, qty: number): number[] {
    const first = this.nextSerial.get(sku) ?? 1;
    this.nextSerial.set(sku, first + qty);
    return Array.from({ length: qty }, (_, i) => first + i);
  }

  shelf(locationId: string, sku: string): readonly number[] {
    return this.shelves.get(key(locationId, sku)) ?? [];
  }

  put(locationId: string, sku: string, serials: readonly number[]): void {
    const k = key(locationId, sku);
    this.shelves.set(k, [...(this.shelves.get(k) ?? []), ...serials]);
  }

  /** Takes up to `qty` units off the shelf (the oldest first). */
  take(locationId: string, sku: string, qty: number): number[] {
    const shelf = this.shelves.get(key(locationId, sku)) ?? [];
    return shelf.splice(0, Math.min(qty, shelf.length));
  }

  steal(locationId: string, sku: string, qty: number): number[] {
    const taken = this.take(locationId, sku, qty);
    const k = key(locationId, sku);
    this.stolen.set(k, (this.stolen.get(k) ?? 0) + taken.length);
    return taken;
  }

  misplace(locationId: string, sku: string, qty: number, backOnDay: number): void {
    for (const serial of this.take(locationId, sku, qty)) this.misplaced.push({ locationId, sku, serial, backOnDay });
  }

  /** Misplaced units found again on `day` go back on the shelf. */
  findMisplaced(day: number): void {
    for (let i = this.misplaced.length - 1; i >= 0; i--) {
      const unit = this.misplaced[i]!;
      if (unit.backOnDay > day) continue;
      this.put(unit.locationId, unit.sku, [unit.serial]);
      this.misplaced.splice(i, 1);
    }
  }

  /** The physical truth: every unit at the location, on the shelf or misplaced in the back room. */
  onHand(locationId: string, sku: string): number {
    return this.shelf(locationId, sku).length + this.misplaced.filter((u) => u.locationId === locationId && u.sku === sku).length;
  }
}

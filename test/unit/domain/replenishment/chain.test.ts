import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../../shared/domain/errors.ts';
import { chooseDonor, daysOfCover, type DonorCandidate, donorPhrase, freeSurplus, surplusUnits } from '../../../../shared/domain/replenishment/chain.ts';

describe('daysOfCover and surplusUnits', () => {
  it('divides available by mean daily demand; nothing selling lasts forever', () => {
    expect(daysOfCover(30, 2)).toBe(15);
    expect(daysOfCover(5, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps the days-of-cover target and stays above the own reorder point', () => {
    expect(surplusUnits({ locationId: 'S2', available: 100, meanDailyDemand: 2, targetDaysOfCover: 14, reorderPoint: 20 })).toBe(72); // keeps 28
    expect(surplusUnits({ locationId: 'S2', available: 100, meanDailyDemand: 2, targetDaysOfCover: 14, reorderPoint: 40 })).toBe(59); // keeps 41
    expect(surplusUnits({ locationId: 'S2', available: 10, meanDailyDemand: 2, targetDaysOfCover: 14, reorderPoint: 5 })).toBe(0);
  });
});

describe('chooseDonor', () => {
  const candidate = (locationId: string, available: number, reorderPoint = 20): DonorCandidate => ({
    locationId,
    available,
    meanDailyDemand: 2,
    targetDaysOfCover: 14,
    reorderPoint,
  });

  it('picks the location with the most free surplus, never the one asking', () => {
    const candidates = [candidate('S1', 1000), candidate('S3', 48), candidate('S4', 90), candidate('S2', 60)];
    // Surpluses: S3 20, S4 62, S2 32.
    expect(chooseDonor({ locationId: 'S1', quantity: 30 }, candidates)).toEqual({ locationId: 'S4', surplus: 62, promised: 0, quantity: 30, rest: 0 });
  });

  it('breaks ties by locationId', () => {
    expect(chooseDonor({ locationId: 'S1', quantity: 30 }, [candidate('S4', 100), candidate('S2', 100)])).toEqual({
      locationId: 'S2',
      surplus: 72,
      promised: 0,
      quantity: 30,
      rest: 0,
    });
  });

  it('gives all it has free when no location covers the whole need, and the rest is bought', () => {
    // Surpluses: S2 20, S3 29.
    expect(chooseDonor({ locationId: 'S1', quantity: 30 }, [candidate('S2', 48), candidate('S3', 57)])).toEqual({
      locationId: 'S3',
      surplus: 29,
      promised: 0,
      quantity: 29,
      rest: 1,
    });
  });

  it('returns undefined when nothing is free anywhere', () => {
    expect(chooseDonor({ locationId: 'S1', quantity: 30 }, [candidate('S2', 28), candidate('S3', 57, 60)])).toBeUndefined();
    expect(chooseDonor({ locationId: 'S1', quantity: 30 }, [])).toBeUndefined();
  });
});

describe('a surplus is promised once', () => {
  // The audit's case: WH-CENTRAL holds 25 beyond its 35 days of cover; Berlin needs 16, Munich 12.
  const warehouse = (promised: number): DonorCandidate => ({
    locationId: 'WH-CENTRAL',
    available: 60,
    meanDailyDemand: 1,
    targetDaysOfCover: 35,
    reorderPoint: 4,
    promised,
  });

  it('counts what is promised to others against the surplus', () => {
    expect(surplusUnits(warehouse(0))).toBe(25);
    expect(freeSurplus(warehouse(16))).toBe(9);
    expect(freeSurplus(warehouse(30))).toBe(0); // promised beyond a surplus that shrank: nothing free, never negative
    expect(() => freeSurplus(warehouse(-1))).toThrow(ValidationFailed);
  });

  it('gives the second store only what is left and buys the rest, in either order', () => {
    const berlinFirst = chooseDonor({ locationId: 'STORE-BERLIN', quantity: 16 }, [warehouse(0)])!;
    const munichThen = chooseDonor({ locationId: 'STORE-MUNICH', quantity: 12 }, [warehouse(berlinFirst.quantity)])!;
    expect([berlinFirst.quantity, munichThen.quantity, munichThen.rest]).toEqual([16, 9, 3]);

    const munichFirst = chooseDonor({ locationId: 'STORE-MUNICH', quantity: 12 }, [warehouse(0)])!;
    const berlinThen = chooseDonor({ locationId: 'STORE-BERLIN', quantity: 16 }, [warehouse(munichFirst.quantity)])!;
    expect([munichFirst.quantity, berlinThen.quantity, berlinThen.rest]).toEqual([12, 13, 3]);
    for (const [a, b] of [
      [berlinFirst, munichThen],
      [munichFirst, berlinThen],
    ])
      expect(a!.quantity + b!.quantity).toBeLessThanOrEqual(25);
  });

  it('prefers a donor with enough free over one with more surplus that is mostly promised', () => {
    const store = { locationId: 'STORE-HAMBURG', available: 50, meanDailyDemand: 1, targetDaysOfCover: 35, reorderPoint: 4 };
    expect(chooseDonor({ locationId: 'STORE-BERLIN', quantity: 10 }, [warehouse(20), store])).toMatchObject({
      locationId: 'STORE-HAMBURG',
      quantity: 10,
      rest: 0,
    });
  });

  it('says in the reason how much is already promised and what is bought', () => {
    const choice = chooseDonor({ locationId: 'STORE-MUNICH', quantity: 12 }, [warehouse(16)])!;
    expect(donorPhrase(choice, 35, 4)).toBe(
      'transfer from WH-CENTRAL, which holds 25 beyond its 35 days of cover (16 of them already promised to other locations): 9 of 12, the other 3 bought (4 with packs and supplier minimum)',
    );
    expect(donorPhrase(chooseDonor({ locationId: 'STORE-BERLIN', quantity: 16 }, [warehouse(0)])!, 35)).toBe(
      'transfer from WH-CENTRAL, which holds 25 beyond its 35 days of cover (none of it promised elsewhere)',
    );
  });
});

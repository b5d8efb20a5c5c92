import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InsufficientPoints, ValidationFailed } from '../../../shared/domain/errors.ts';
import { balanceOf, expiredLots, type Lot, planClawback, planRedemption, pointsFor, proratedShare } from '../../../shared/domain/points.ts';
import { addDays, dayMillis } from '../../../shared/domain/time.ts';
import { thrown } from '../../support/thrown.ts';

const now = '2025-06-01T12:00:00.000Z';
const before = (days: number) => addDays(now, -days);
const daysLater = (days: number) => addDays(now, days);

const lot = (lotId: string, remaining: number, expiresInDays: number, extra: Partial<Lot> = {}): Lot => ({
  lotId,
  remaining,
  expiresOn: daysLater(expiresInDays),
  ...extra,
});

/** Random lots with distinct ids; some pending, some expired, some empty, some from sale S1. */
const lotsArb = fc
  .array(
    fc.record({
      remaining: fc.nat(1_000),
      expiresIn: fc.integer({ min: -30, max: 400 }),
      pendingFor: fc.option(fc.integer({ min: -30, max: 30 }), { nil: undefined }),
      saleId: fc.option(fc.constantFrom('S1', 'S2', 'S3'), { nil: undefined }),
    }),
    { maxLength: 12 },
  )
  .map((specs) =>
    specs.map(
      (s, i): Lot => ({
        lotId: `L${String(i).padStart(2, '0')}`,
        remaining: s.remaining,
        expiresOn: daysLater(s.expiresIn),
        ...(s.pendingFor === undefined ? {} : { pendingUntil: daysLater(s.pendingFor) }),
        ...(s.saleId === undefined ? {} : { saleId: s.saleId }),
      }),
    ),
  );

describe('balanceOf', () => {
  it('splits live points into available and pending', () => {
    const lots = [lot('a', 100, 30), lot('b', 40, 300, { pendingUntil: daysLater(10), saleId: 'S1' }), lot('c', 7, 1, { pendingUntil: before(1) })];
    expect(balanceOf(lots, now)).toEqual({ available: 107, pending: 40 });
  });

  it('excludes expired lots, pending or not, the expiry instant included', () => {
    const lots = [lot('a', 100, -1), { lotId: 'b', remaining: 50, expiresOn: now }, lot('c', 30, -5, { pendingUntil: daysLater(5) }), lot('d', 5, 1)];
    expect(balanceOf(lots, now)).toEqual({ available: 5, pending: 0 });
  });

  it('treats pendingUntil as passed at its instant', () => {
    expect(balanceOf([lot('a', 10, 30, { pendingUntil: now })], now)).toEqual({ available: 10, pending: 0 });
    expect(balanceOf([lot('a', 10, 30, { pendingUntil: addDays(now, 1 / dayMillis) })], now)).toEqual({ available: 0, pending: 10 });
  });

  it('is zero without lots and ignores empty lots', () => {
    expect(balanceOf([], now)).toEqual({ available: 0, pending: 0 });
    expect(balanceOf([lot('a', 0, 30)], now)).toEqual({ available: 0, pending: 0 });
  });

  it('available + pending is the sum of the unexpired lots', () => {
    fc.assert(
      fc.property(lotsArb, (lots) => {
        const { available, pending } = balanceOf(lots, now);
        expect(available + pending).toBe(lots.filter((l) => l.expiresOn > now).reduce((s, l) => s + l.remaining, 0));
        expect(pending).toBe(
          lots.filter((l) => l.expiresOn > now && l.pendingUntil !== undefined && l.pendingUntil > now).reduce((s, l) => s + l.remaining, 0),
        );
      }),
    );
  });
});

describe('planRedemption', () => {
  it('spends the soonest-expiring lot first, across lots', () => {
    const lots = [lot('late', 100, 300), lot('soon', 30, 10), lot('mid', 50, 100)];
    expect(planRedemption(lots, 60, now)).toEqual([
      { lotId: 'soon', points: 30, expiresOn: daysLater(10) },
      { lotId: 'mid', points: 30, expiresOn: daysLater(100) },
    ]);
  });

  it('takes exactly what is asked from a single lot', () => {
    expect(planRedemption([lot('a', 100, 30)], 100, now)).toEqual([{ lotId: 'a', points: 100, expiresOn: daysLater(30) }]);
  });

  it('breaks expiry ties by lotId', () => {
    const lots = [lot('b', 10, 30), lot('a', 10, 30), lot('c', 10, 30)];
    expect(planRedemption(lots, 15, now).map((t) => [t.lotId, t.points])).toEqual([
      ['a', 10],
      ['b', 5],
    ]);
  });

  it('skips pending, expired and empty lots', () => {
    const lots = [
      lot('pending', 500, 1, { pendingUntil: daysLater(1) }),
      lot('expired', 500, -1),
      lot('empty', 0, 2),
      lot('ok', 20, 50),
      lot('wasPending', 5, 60, { pendingUntil: before(1) }),
    ];
    expect(planRedemption(lots, 25, now)).toEqual([
      { lotId: 'ok', points: 20, expiresOn: daysLater(50) },
      { lotId: 'wasPending', points: 5, expiresOn: daysLater(60) },
    ]);
  });

  it('refuses more than is available, naming requested and available (pending not counted)', () => {
    const lots = [lot('a', 30, 10), lot('b', 20, 20), lot('p', 1_000, 20, { pendingUntil: daysLater(5) }), lot('x', 1_000, -1)];
    const error = thrown(() => planRedemption(lots, 51, now));
    expect(error).toBeInstanceOf(InsufficientPoints);
    expect(error).toMatchObject({ type: 'insufficient-points', requested: 51, available: 50, details: { requested: 51, available: 50 } });
    expect((error as Error).message).toBe('Requested 51 points, 50 available');
  });

  it('refuses with available 0 when there are no spendable lots', () => {
    expect(thrown(() => planRedemption([], 1, now))).toMatchObject({ requested: 1, available: 0 });
  });

  it.each([0, -1, -100, 1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d points as a validation failure', (points) => {
    const error = thrown(() => planRedemption([lot('a', 1_000, 10)], points, now));
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error).toMatchObject({ errors: [{ path: 'body.points', message: 'positive integer' }] });
  });

  it('takes exactly the points asked, only from spendable lots, none beyond a lot, in expiry order', () => {
    fc.assert(
      fc.property(lotsArb, fc.integer({ min: 1, max: 5_000 }), (lots, points) => {
        const { available } = balanceOf(lots, now);
        if (points > available) {
          expect(thrown(() => planRedemption(lots, points, now))).toMatchObject({ requested: points, available });
          return;
        }
        const takes = planRedemption(lots, points, now);
        expect(takes.reduce((s, t) => s + t.points, 0)).toBe(points);
        const byId = new Map(lots.map((l) => [l.lotId, l]));
        for (const take of takes) {
          const source = byId.get(take.lotId)!;
          expect(take.points).toBeGreaterThan(0);
          expect(take.points).toBeLessThanOrEqual(source.remaining);
          expect(take.expiresOn).toBe(source.expiresOn);
          expect(source.expiresOn > now).toBe(true);
          expect(source.pendingUntil === undefined || source.pendingUntil <= now).toBe(true);
        }
        for (let i = 1; i < takes.length; i++) {
          const a = takes[i - 1]!;
          const b = takes[i]!;
          expect(a.expiresOn < b.expiresOn || (a.expiresOn === b.expiresOn && a.lotId < b.lotId)).toBe(true);
          // every lot but the last is emptied
          expect(a.points).toBe(byId.get(a.lotId)!.remaining);
        }
      }),
    );
  });
});

describe('planClawback', () => {
  it("takes from the sale's own pending lot first", () => {
    const lots = [
      lot('avail', 100, 5),
      lot('own', 40, 365, { pendingUntil: daysLater(20), saleId: 'S1' }),
      lot('other', 30, 200, { pendingUntil: daysLater(10), saleId: 'S2' }),
    ];
    expect(planClawback(lots, 40, 'S1', now)).toEqual({ takes: [{ lotId: 'own', points: 40, expiresOn: daysLater(365) }], shortfall: 0 });
  });

  it('then other pending lots, then available lots soonest-expiring first', () => {
    const lots = [
      lot('avail-late', 100, 300),
      lot('avail-soon', 100, 5),
      lot('own', 10, 365, { pendingUntil: daysLater(20), saleId: 'S1' }),
      lot('other', 30, 200, { pendingUntil: daysLater(10), saleId: 'S2' }),
    ];
    expect(planClawback(lots, 150, 'S1', now)).toEqual({
      takes: [
        { lotId: 'own', points: 10, expiresOn: daysLater(365) },
        { lotId: 'other', points: 30, expiresOn: daysLater(200) },
        { lotId: 'avail-soon', points: 100, expiresOn: daysLater(5) },
        { lotId: 'avail-late', points: 10, expiresOn: daysLater(300) },
      ],
      shortfall: 0,
    });
  });

  it("takes the sale's own lot first even once it is no longer pending", () => {
    const lots = [lot('avail', 100, 5), lot('own', 40, 365, { pendingUntil: before(1), saleId: 'S1' })];
    expect(planClawback(lots, 50, 'S1', now).takes).toEqual([
      { lotId: 'own', points: 40, expiresOn: daysLater(365) },
      { lotId: 'avail', points: 10, expiresOn: daysLater(5) },
    ]);
  });

  it('orders other pending lots by expiry, then lotId', () => {
    const lots = [
      lot('p2', 5, 100, { pendingUntil: daysLater(3) }),
      lot('p1', 5, 100, { pendingUntil: daysLater(3) }),
      lot('p0', 5, 50, { pendingUntil: daysLater(3) }),
    ];
    expect(planClawback(lots, 12, 'S9', now).takes.map((t) => [t.lotId, t.points])).toEqual([
      ['p0', 5],
      ['p1', 5],
      ['p2', 2],
    ]);
  });

  it('reports what the member already spent as a shortfall, never a negative lot', () => {
    const lots = [lot('own', 10, 365, { pendingUntil: daysLater(20), saleId: 'S1' }), lot('avail', 5, 30)];
    expect(planClawback(lots, 40, 'S1', now)).toEqual({
      takes: [
        { lotId: 'own', points: 10, expiresOn: daysLater(365) },
        { lotId: 'avail', points: 5, expiresOn: daysLater(30) },
      ],
      shortfall: 25,
    });
    expect(planClawback([], 40, 'S1', now)).toEqual({ takes: [], shortfall: 40 });
  });

  it('skips expired lots, even its own', () => {
    const lots = [lot('own', 10, -1, { saleId: 'S1' }), lot('avail', 100, -2), lot('ok', 3, 1)];
    expect(planClawback(lots, 10, 'S1', now)).toEqual({ takes: [{ lotId: 'ok', points: 3, expiresOn: daysLater(1) }], shortfall: 7 });
  });

  it('takes nothing for zero points', () => {
    expect(planClawback([lot('a', 10, 10)], 0, 'S1', now)).toEqual({ takes: [], shortfall: 0 });
  });

  it('takes + shortfall = points; own lots before other pending before available', () => {
    fc.assert(
      fc.property(lotsArb, fc.nat(5_000), (lots, points) => {
        const { takes, shortfall } = planClawback(lots, points, 'S1', now);
        const live = lots.filter((l) => l.expiresOn > now).reduce((s, l) => s + l.remaining, 0);
        expect(takes.reduce((s, t) => s + t.points, 0) + shortfall).toBe(points);
        expect(shortfall).toBe(Math.max(0, points - live));
        const byId = new Map(lots.map((l) => [l.lotId, l]));
        const group = (id: string) => {
          const l = byId.get(id)!;
          if (l.saleId === 'S1') return 0;
          return l.pendingUntil !== undefined && l.pendingUntil > now ? 1 : 2;
        };
        const groups = takes.map((t) => group(t.lotId));
        expect(groups).toEqual([...groups].sort());
        for (const take of takes) {
          expect(take.points).toBeGreaterThan(0);
          expect(take.points).toBeLessThanOrEqual(byId.get(take.lotId)!.remaining);
          expect(byId.get(take.lotId)!.expiresOn > now).toBe(true);
        }
        expect(new Set(takes.map((t) => t.lotId)).size).toBe(takes.length);
      }),
    );
  });
});

describe('expiredLots', () => {
  it('lists lots with points left whose expiry has passed, the instant included, soonest first', () => {
    const lots = [
      lot('b', 10, -1),
      lot('a', 10, -1),
      lot('old', 3, -100),
      { lotId: 'now', remaining: 1, expiresOn: now },
      lot('live', 50, 1),
      lot('empty', 0, -5),
    ];
    expect(expiredLots(lots, now).map((l) => l.lotId)).toEqual(['old', 'a', 'b', 'now']);
  });

  it('includes pending lots that expired and returns the lots unchanged', () => {
    const pending = lot('p', 7, -1, { pendingUntil: daysLater(2), saleId: 'S1' });
    expect(expiredLots([pending], now)).toEqual([pending]);
  });

  it('is empty when nothing expired', () => {
    expect(expiredLots([lot('a', 1, 1)], now)).toEqual([]);
  });

  it('expired lots and the balance partition the non-empty lots', () => {
    fc.assert(
      fc.property(lotsArb, (lots) => {
        const expired = expiredLots(lots, now).reduce((s, l) => s + l.remaining, 0);
        const { available, pending } = balanceOf(lots, now);
        expect(expired + available + pending).toBe(lots.reduce((s, l) => s + l.remaining, 0));
      }),
    );
  });
});

describe('pointsFor', () => {
  it.each([
    [100, 1, 1, 1],
    [199, 1, 1, 1],
    [99, 1, 1, 0],
    [0, 1, 1, 0],
    [12_345, 1, 1, 123],
    [12_345, 1, 1.25, 154],
    [12_345, 2, 1.5, 370],
    [1_000, 1, 2, 20],
    [1_000, 0.5, 1, 5],
    [1_000, 0, 2, 0],
  ])('%i minor units at %d per unit and x%d earn %i points', (paid, perUnit, multiplier, points) => {
    expect(pointsFor(paid, perUnit, multiplier)).toBe(points);
  });

  it('is not thrown off by float noise (1.15, 1.1, 1.3 multipliers)', () => {
    expect(1.15 * 100).toBeLessThan(115); // 114.99999999999999: a bare floor would give 114
    expect(pointsFor(2_000, 1, 1.15)).toBe(23);
    expect(pointsFor(10_000, 1, 1.15)).toBe(115);
    expect(pointsFor(1_000, 1, 1.1)).toBe(11);
    expect(pointsFor(1_000, 1, 1.3)).toBe(13);
    expect(pointsFor(300, 1, 1.1)).toBe(3); // 3.3000000000000003
  });

  it('gives exactly floor(paid * perUnit * multiplier / 100) for 1.05 .. 1.5 multipliers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.constantFrom(1, 2, 3, 5, 10),
        fc.constantFrom(100, 105, 110, 115, 120, 125, 130, 135, 150, 200),
        (paid, perUnit, multiplierPercent) => {
          const exact = Number((BigInt(paid) * BigInt(perUnit) * BigInt(multiplierPercent)) / 10_000n);
          expect(pointsFor(paid, perUnit, multiplierPercent / 100)).toBe(exact);
        },
      ),
    );
  });

  // Floating point gives 24,117,270 here (1.15 is not exact in binary); a single line may be this large.
  it('is exact for large amounts too', () => {
    expect(pointsFor(2_097_154_000, 1, 1.15)).toBe(24_117_271);
  });

  it('never gives more than the exact value, nor a fraction', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 500 }), (paid, multiplierPercent) => {
        const points = pointsFor(paid, 1, multiplierPercent / 100);
        expect(Number.isInteger(points)).toBe(true);
        expect(points).toBeLessThanOrEqual((paid * multiplierPercent) / 10_000 + 1e-6);
        expect(points).toBeGreaterThan((paid * multiplierPercent) / 10_000 - 1);
      }),
    );
  });
});

describe('proratedShare', () => {
  it('gives the rounded cumulative share', () => {
    expect(proratedShare(100, 0, 1, 3)).toBe(33);
    expect(proratedShare(100, 1, 1, 3)).toBe(34);
    expect(proratedShare(100, 2, 1, 3)).toBe(33);
    expect(proratedShare(10, 0, 1, 4)).toBe(3); // 2.5 rounds up
    expect(proratedShare(10, 1, 1, 4)).toBe(2);
  });

  it('gives the whole total for a full return, and 0 for no units', () => {
    expect(proratedShare(12_345, 0, 7, 7)).toBe(12_345);
    expect(proratedShare(12_345, 3, 0, 7)).toBe(0);
    expect(proratedShare(0, 0, 3, 3)).toBe(0);
  });

  it('shares over any split of the units add up to the total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 20 }), (total, parts) => {
        const of = parts.reduce((a, b) => a + b, 0);
        let done = 0;
        let sum = 0;
        for (const units of parts) {
          const share = proratedShare(total, done, units, of);
          expect(share).toBeGreaterThanOrEqual(0);
          expect(Math.abs(share - (total * units) / of)).toBeLessThanOrEqual(1);
          sum += share;
          done += units;
        }
        expect(sum).toBe(total);
        expect(proratedShare(total, 0, of, of)).toBe(total);
      }),
    );
  });
});

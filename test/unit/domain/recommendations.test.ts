import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  pairedSkus,
  pickRecommendations,
  type PurchaseSignals,
  scoreCandidates,
  segmentWeight,
  usualLocation,
} from '../../../shared/domain/recommendations.ts';

const signals = (partial: Partial<PurchaseSignals>): PurchaseSignals => ({ purchased: [], boughtWith: new Map(), segmentFavourites: {}, ...partial });
const nothingUnavailable = { outOfStock: new Set<string>(), notForMember: new Set<string>() };

describe('scoreCandidates', () => {
  it('ranks what is bought with the latest purchases first, and says because of what', () => {
    const ranked = scoreCandidates(
      signals({
        purchased: ['tent', 'boots'],
        boughtWith: new Map<string, Record<string, number>>([
          ['tent', { pegs: 8, mat: 4 }],
          ['boots', { socks: 10, pegs: 1 }],
        ]),
      }),
    );
    expect(ranked.map((r) => r.sku)).toEqual(['pegs', 'mat', 'socks']);
    expect(ranked[0]).toEqual({ sku: 'pegs', score: 1.05, reasons: ['BOUGHT_TOGETHER'], becauseOf: ['tent', 'boots'] });
    // socks: the strongest partner of boots, but boots was bought before the tent.
    expect(ranked[2]).toEqual({ sku: 'socks', score: 0.5, reasons: ['BOUGHT_TOGETHER'], becauseOf: ['boots'] });
  });

  it('adds segment favourites relative to the tier top seller, at most half a strongest link', () => {
    const ranked = scoreCandidates(signals({ segmentFavourites: { torch: 40, stove: 20, zero: 0 } }));
    expect(ranked).toEqual([
      { sku: 'torch', score: segmentWeight, reasons: ['SEGMENT_FAVOURITE'] },
      { sku: 'stove', score: segmentWeight / 2, reasons: ['SEGMENT_FAVOURITE'] },
    ]);
  });

  it('combines both reasons on one SKU', () => {
    const [top] = scoreCandidates(signals({ purchased: ['tent'], boughtWith: new Map([['tent', { pegs: 3 }]]), segmentFavourites: { pegs: 5 } }));
    expect(top).toEqual({ sku: 'pegs', score: 1.5, reasons: ['BOUGHT_TOGETHER', 'SEGMENT_FAVOURITE'], becauseOf: ['tent'] });
  });

  it('never recommends what the member bought lately', () => {
    const ranked = scoreCandidates(
      signals({
        purchased: ['tent', 'pegs'],
        boughtWith: new Map([['tent', { pegs: 9, mat: 1 }]]),
        segmentFavourites: { tent: 100, mat: 1 },
      }),
    );
    expect(ranked.map((r) => r.sku)).toEqual(['mat']);
  });

  it('is empty with nothing counted', () => {
    expect(scoreCandidates(signals({ purchased: ['tent'] }))).toEqual([]);
  });

  it('orders by score, ties by SKU, whatever order the counts come in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.integer({ min: 1, max: 5 })), (favourites) => {
        const reversed = Object.fromEntries(Object.entries(favourites).reverse());
        const ranked = scoreCandidates(signals({ segmentFavourites: favourites }));
        expect(scoreCandidates(signals({ segmentFavourites: reversed }))).toEqual(ranked);
        for (let i = 1; i < ranked.length; i++) {
          const [before, after] = [ranked[i - 1]!, ranked[i]!];
          expect(before.score > after.score || (before.score === after.score && before.sku < after.sku)).toBe(true);
        }
      }),
    );
  });
});

describe('pickRecommendations', () => {
  const ranked = scoreCandidates(signals({ segmentFavourites: { a: 5, b: 4, c: 3, d: 2 } }));

  it('skips what is out of stock or not for the member, then cuts at the limit', () => {
    const picked = pickRecommendations(ranked, { outOfStock: new Set(['a']), notForMember: new Set(['c']) }, 1);
    expect(picked.map((r) => r.sku)).toEqual(['b']);
    expect(pickRecommendations(ranked, nothingUnavailable, 3).map((r) => r.sku)).toEqual(['a', 'b', 'c']);
  });
});

describe('pairedSkus', () => {
  it('keeps the SKUs with the most units, ties by SKU, at most max', () => {
    expect(
      pairedSkus(
        new Map([
          ['c', 1],
          ['a', 1],
          ['b', 5],
          ['d', 2],
        ]),
        3,
      ),
    ).toEqual(['b', 'd', 'a']);
  });
});

describe('usualLocation', () => {
  it('is where the member bought most often, ties by id, none without sales', () => {
    expect(usualLocation({ B: 3, A: 3, C: 1 })).toBe('A');
    expect(usualLocation({ C: 1, D: 4 })).toBe('D');
    expect(usualLocation({})).toBeUndefined();
  });
});

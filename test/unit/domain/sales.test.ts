import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../shared/domain/errors.ts';
import { apportion, type MemberTerms, mergeSaleLines, priceReturn, priceSale, type SaleLineInput, type SoldLine } from '../../../shared/domain/sales.ts';
import { thrown } from '../../support/thrown.ts';

const gold: MemberTerms = { discountPercent: 5, pointsMultiplier: 1.5, perCurrencyUnit: 1, pointValue: 1 };
const regular: MemberTerms = { discountPercent: 0, pointsMultiplier: 1, perCurrencyUnit: 1, pointValue: 1 };

const sold = (lines: readonly SaleLineInput[], terms: MemberTerms | undefined, redeem = 0): SoldLine[] =>
  priceSale(lines, terms, redeem).lines.map((l) => ({ ...l, returned: 0 }));

/** Lines with distinct SKUs (one price each). */
const linesArb = fc.uniqueArray(
  fc.record({
    sku: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'),
    qty: fc.integer({ min: 1, max: 50 }),
    unitPrice: fc.integer({ min: 0, max: 100_000 }),
  }),
  { minLength: 1, maxLength: 8, selector: (l) => l.sku },
);
const termsArb = fc.record({
  discountPercent: fc.integer({ min: 0, max: 90 }),
  pointsMultiplier: fc.constantFrom(1, 1.1, 1.15, 1.25, 1.5, 2, 3),
  perCurrencyUnit: fc.constantFrom(0, 1, 2, 5),
  pointValue: fc.integer({ min: 1, max: 10 }),
});

describe('mergeSaleLines', () => {
  it('merges repeated scans of one SKU at one price, in order of first scan', () => {
    expect(
      mergeSaleLines([
        { sku: 'A', qty: 1, unitPrice: 500 },
        { sku: 'B', qty: 2, unitPrice: 100 },
        { sku: 'A', qty: 3, unitPrice: 500 },
      ]),
    ).toEqual([
      { sku: 'A', qty: 4, unitPrice: 500 },
      { sku: 'B', qty: 2, unitPrice: 100 },
    ]);
  });

  it('leaves distinct lines alone and does not modify the input', () => {
    const input = Object.freeze([Object.freeze({ sku: 'A', qty: 1, unitPrice: 5 }), Object.freeze({ sku: 'A', qty: 2, unitPrice: 5 })]);
    expect(mergeSaleLines([{ sku: 'X', qty: 1, unitPrice: 1 }])).toEqual([{ sku: 'X', qty: 1, unitPrice: 1 }]);
    expect(mergeSaleLines(input)).toEqual([{ sku: 'A', qty: 3, unitPrice: 5 }]);
    expect(input[0]).toEqual({ sku: 'A', qty: 1, unitPrice: 5 });
  });

  it('refuses one SKU at two prices, even far apart', () => {
    const error = thrown(() =>
      mergeSaleLines([
        { sku: 'A', qty: 1, unitPrice: 500 },
        { sku: 'B', qty: 1, unitPrice: 100 },
        { sku: 'A', qty: 1, unitPrice: 450 },
      ]),
    );
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error).toMatchObject({ message: 'A appears at two prices', errors: [{ path: 'body.lines', message: 'one unit price per SKU (A)' }] });
  });

  it('keeps the quantity per SKU and gives each SKU once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ sku: fc.constantFrom('A', 'B', 'C'), qty: fc.integer({ min: 1, max: 100 }) }), { minLength: 1, maxLength: 20 }),
        (scans) => {
          const lines = scans.map((s) => ({ ...s, unitPrice: s.sku.charCodeAt(0) }));
          const merged = mergeSaleLines(lines);
          expect(merged.map((l) => l.sku)).toEqual([...new Set(lines.map((l) => l.sku))]);
          for (const line of merged) {
            expect(line.qty).toBe(lines.filter((l) => l.sku === line.sku).reduce((s, l) => s + l.qty, 0));
            expect(line.unitPrice).toBe(line.sku.charCodeAt(0));
          }
        },
      ),
    );
  });
});

describe('apportion', () => {
  it('splits in proportion', () => {
    expect(apportion(100, [1, 3])).toEqual([25, 75]);
    expect(apportion(500, [2848, 4750])).toEqual([187, 313]);
  });

  it('gives leftover units to the largest remainders, ties to the earlier weight', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(apportion(2, [1, 1, 1])).toEqual([1, 1, 0]);
    expect(apportion(10, [1, 2])).toEqual([3, 7]); // 3.33 / 6.67
  });

  it('gives nothing to zero weights, and zeros when all weights are zero', () => {
    expect(apportion(7, [0, 3, 0, 4])).toEqual([0, 3, 0, 4]);
    expect(apportion(5, [0, 1, 0])).toEqual([0, 5, 0]);
    expect(apportion(10, [0, 0])).toEqual([0, 0]);
    expect(apportion(0, [1, 2])).toEqual([0, 0]);
    expect(apportion(10, [])).toEqual([]);
  });

  it('shares sum to the amount, each within 1 of its exact proportion, zero weights get 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000_000 })), { minLength: 1, maxLength: 40 }),
        (amount, weights) => {
          const total = weights.reduce((a, b) => a + b, 0);
          const shares = apportion(amount, weights);
          expect(shares).toHaveLength(weights.length);
          if (total === 0) {
            expect(shares.every((s) => s === 0)).toBe(true);
            return;
          }
          expect(shares.reduce((a, b) => a + b, 0)).toBe(amount);
          shares.forEach((share, i) => {
            expect(Number.isInteger(share)).toBe(true);
            expect(Math.abs(share - (amount * weights[i]!) / total)).toBeLessThan(1);
            if (weights[i] === 0) expect(share).toBe(0);
          });
        },
      ),
    );
  });
});

describe('priceSale', () => {
  const basket: SaleLineInput[] = [
    { sku: 'A', qty: 3, unitPrice: 999 },
    { sku: 'B', qty: 1, unitPrice: 4999 },
  ];

  it('without a member: no discount, no points, total = subtotal', () => {
    expect(priceSale(basket, undefined)).toEqual({
      lines: [
        { sku: 'A', qty: 3, unitPrice: 999, gross: 2997, discount: 0, pointsValue: 0, paid: 2997, pointsEarned: 0 },
        { sku: 'B', qty: 1, unitPrice: 4999, gross: 4999, discount: 0, pointsValue: 0, paid: 4999, pointsEarned: 0 },
      ],
      subtotal: 7996,
      discount: 0,
      pointsRedeemed: 0,
      pointsValue: 0,
      total: 7996,
      pointsEarned: 0,
    });
  });

  it('refuses to redeem points without a member', () => {
    const error = thrown(() => priceSale(basket, undefined, 10));
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error).toMatchObject({ errors: [{ path: 'body.redeemPoints', message: 'needs memberId' }] });
  });

  it('REGULAR member: no discount, points at 1 per currency unit, floored per line', () => {
    const sale = priceSale(basket, regular);
    expect(sale.lines.map((l) => [l.discount, l.paid, l.pointsEarned])).toEqual([
      [0, 2997, 29],
      [0, 4999, 49],
    ]);
    expect(sale).toMatchObject({ subtotal: 7996, discount: 0, total: 7996, pointsEarned: 78 }); // not floor(79.96) = 79
  });

  it('floors the tier discount per line', () => {
    const sale = priceSale(basket, gold);
    // 5% of 2997 = 149.85, of 4999 = 249.95
    expect(sale.lines.map((l) => l.discount)).toEqual([149, 249]);
    expect(sale.discount).toBe(398); // not floor(5% of 7996) = 399
    expect(sale.total).toBe(7996 - 398);
  });

  it('apportions a redemption over the lines by what they cost after discount, and earns on what was paid', () => {
    expect(priceSale(basket, gold, 500)).toEqual({
      lines: [
        { sku: 'A', qty: 3, unitPrice: 999, gross: 2997, discount: 149, pointsValue: 187, paid: 2661, pointsEarned: 39 },
        { sku: 'B', qty: 1, unitPrice: 4999, gross: 4999, discount: 249, pointsValue: 313, paid: 4437, pointsEarned: 66 },
      ],
      subtotal: 7996,
      discount: 398,
      pointsRedeemed: 500,
      pointsValue: 500,
      total: 7098,
      pointsEarned: 105,
    });
  });

  it('values redeemed points at pointValue', () => {
    const sale = priceSale([{ sku: 'A', qty: 1, unitPrice: 1_000 }], { ...regular, pointValue: 5 }, 10);
    expect(sale).toMatchObject({ pointsRedeemed: 10, pointsValue: 50, total: 950, pointsEarned: 9 });
  });

  it('allows redeeming exactly what is payable: nothing paid, nothing earned', () => {
    const sale = priceSale([{ sku: 'A', qty: 1, unitPrice: 1_000 }], { ...gold, discountPercent: 10, pointValue: 2 }, 450);
    expect(sale).toMatchObject({ subtotal: 1_000, discount: 100, pointsValue: 900, total: 0, pointsEarned: 0 });
  });

  it('refuses points worth more than is payable, saying how many fit', () => {
    const error = thrown(() => priceSale([{ sku: 'A', qty: 1, unitPrice: 1_000 }], { ...gold, discountPercent: 10, pointValue: 2 }, 451));
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error).toMatchObject({
      message: 'Points worth 902 exceed the 900 to pay',
      errors: [{ path: 'body.redeemPoints', message: 'at most 450 for this sale' }],
    });
  });

  it('refuses any redemption on a free sale', () => {
    expect(thrown(() => priceSale([{ sku: 'A', qty: 2, unitPrice: 0 }], gold, 1))).toMatchObject({
      errors: [{ path: 'body.redeemPoints', message: 'at most 0 for this sale' }],
    });
    expect(priceSale([{ sku: 'A', qty: 2, unitPrice: 0 }], gold)).toMatchObject({ total: 0, pointsEarned: 0 });
  });

  it('merges repeated scans before pricing, and refuses one SKU at two prices', () => {
    const sale = priceSale(
      [
        { sku: 'A', qty: 1, unitPrice: 999 },
        { sku: 'B', qty: 1, unitPrice: 4999 },
        { sku: 'A', qty: 2, unitPrice: 999 },
      ],
      gold,
    );
    expect(sale.lines.map((l) => [l.sku, l.qty, l.gross, l.discount])).toEqual([
      ['A', 3, 2997, 149],
      ['B', 1, 4999, 249],
    ]);
    expect(() =>
      priceSale(
        [
          { sku: 'A', qty: 1, unitPrice: 1 },
          { sku: 'A', qty: 1, unitPrice: 2 },
        ],
        gold,
      ),
    ).toThrow(ValidationFailed);
  });

  it('uses the multiplier and perCurrencyUnit, without float noise', () => {
    // 2000 * 1.15 / 100 = 22.999999999999996 in floats
    expect(priceSale([{ sku: 'A', qty: 1, unitPrice: 2_000 }], { ...regular, pointsMultiplier: 1.15 }).pointsEarned).toBe(23);
    expect(priceSale([{ sku: 'A', qty: 1, unitPrice: 2_050 }], { ...regular, perCurrencyUnit: 2, pointsMultiplier: 2 }).pointsEarned).toBe(82);
  });

  // In floating point 11_000 * 0.7 is 7699.999999999999, which would floor to 76.
  it('floors fractional discount percentages exactly', () => {
    expect(priceSale([{ sku: 'A', qty: 1, unitPrice: 11_000 }], { ...regular, discountPercent: 0.7 }).discount).toBe(77);
  });

  it('adds up: every line and the totals, over random baskets and terms', () => {
    fc.assert(
      fc.property(linesArb, fc.option(termsArb, { nil: undefined }), fc.nat(2_000_000), (lines, terms, wish) => {
        const payable = lines.reduce((s, l) => s + l.qty * l.unitPrice - Math.floor((l.qty * l.unitPrice * (terms?.discountPercent ?? 0)) / 100), 0);
        const redeem = terms ? Math.min(wish, Math.floor(payable / terms.pointValue)) : 0;
        const sale = priceSale(lines, terms, redeem);
        expect(sale.lines).toHaveLength(lines.length);
        sale.lines.forEach((line, i) => {
          const input = lines[i]!;
          expect(line).toMatchObject(input);
          expect(line.gross).toBe(input.qty * input.unitPrice);
          expect(line.discount).toBe(Math.floor((line.gross * (terms?.discountPercent ?? 0)) / 100));
          expect(line.paid).toBe(line.gross - line.discount - line.pointsValue);
          expect(line.paid).toBeGreaterThanOrEqual(0);
          expect(line.pointsValue).toBeGreaterThanOrEqual(0);
          // whole points per line, rounded down (exact integer arithmetic: multipliers are whole percents)
          const exactPoints = terms ? Math.floor((line.paid * terms.perCurrencyUnit * Math.round(terms.pointsMultiplier * 100)) / 10_000) : 0;
          expect(line.pointsEarned).toBe(exactPoints);
        });
        const sum = (pick: (l: (typeof sale.lines)[number]) => number) => sale.lines.reduce((s, l) => s + pick(l), 0);
        expect(sale.subtotal).toBe(sum((l) => l.gross));
        expect(sale.discount).toBe(sum((l) => l.discount));
        expect(sale.pointsValue).toBe(sum((l) => l.pointsValue));
        expect(sale.pointsValue).toBe(redeem * (terms?.pointValue ?? 0));
        expect(sale.pointsRedeemed).toBe(redeem);
        expect(sale.total).toBe(sum((l) => l.paid));
        expect(sale.total).toBe(sale.subtotal - sale.discount - sale.pointsValue);
        expect(sale.pointsEarned).toBe(sum((l) => l.pointsEarned));
        if (!terms) expect(sale).toMatchObject({ discount: 0, pointsEarned: 0, total: sale.subtotal });
      }),
    );
  });

  it('refuses every redemption worth more than the payable amount', () => {
    fc.assert(
      fc.property(linesArb, termsArb, fc.integer({ min: 1, max: 1_000 }), (lines, terms, extra) => {
        const payable = priceSale(lines, terms).total;
        const tooMany = Math.floor(payable / terms.pointValue) + extra;
        const error = thrown(() => priceSale(lines, terms, tooMany));
        expect(error).toBeInstanceOf(ValidationFailed);
        expect(error).toMatchObject({ errors: [{ path: 'body.redeemPoints', message: `at most ${Math.floor(payable / terms.pointValue)} for this sale` }] });
      }),
    );
  });
});

describe('priceReturn', () => {
  const basket: SaleLineInput[] = [
    { sku: 'A', qty: 3, unitPrice: 999 },
    { sku: 'B', qty: 1, unitPrice: 4999 },
  ];
  // A: paid 2661, earned 39; B: paid 4437, earned 66 (gold, 500 points redeemed)
  const lines = sold(basket, gold, 500);

  it('returning everything gives back all that was paid and earned, and completes the sale', () => {
    expect(
      priceReturn(lines, [
        { sku: 'A', qty: 3 },
        { sku: 'B', qty: 1 },
      ]),
    ).toEqual({
      lines: [
        { sku: 'A', qty: 3, refund: 2661, spendReversed: 2661, pointsClawedBack: 39 },
        { sku: 'B', qty: 1, refund: 4437, spendReversed: 4437, pointsClawedBack: 66 },
      ],
      refund: 7098,
      pointsClawedBack: 105,
      completesSale: true,
    });
  });

  it('refunds pro rata with cumulative rounding', () => {
    // 2661 / 3 = 887 each; 39 / 3 = 13 each
    expect(priceReturn(lines, [{ sku: 'A', qty: 1 }])).toEqual({
      lines: [{ sku: 'A', qty: 1, refund: 887, spendReversed: 887, pointsClawedBack: 13 }],
      refund: 887,
      pointsClawedBack: 13,
      completesSale: false,
    });
    const odd = sold([{ sku: 'X', qty: 3, unitPrice: 100 }], { ...regular, pointsMultiplier: 1.15 }); // paid 300, earned 3
    expect(priceReturn(odd, [{ sku: 'X', qty: 2 }])).toMatchObject({ refund: 200, pointsClawedBack: 2 });
    const cents = sold([{ sku: 'X', qty: 3, unitPrice: 1 }], undefined, 0).map((l) => ({ ...l, paid: 100 }));
    expect(priceReturn(cents, [{ sku: 'X', qty: 1 }]).refund).toBe(33);
    expect(
      priceReturn(
        cents.map((l) => ({ ...l, returned: 1 })),
        [{ sku: 'X', qty: 1 }],
      ).refund,
    ).toBe(34);
    expect(
      priceReturn(
        cents.map((l) => ({ ...l, returned: 2 })),
        [{ sku: 'X', qty: 1 }],
      ).refund,
    ).toBe(33);
  });

  it('adds up lines naming the same SKU', () => {
    expect(
      priceReturn(lines, [
        { sku: 'A', qty: 1 },
        { sku: 'A', qty: 2 },
      ]),
    ).toMatchObject({
      lines: [{ sku: 'A', qty: 3, refund: 2661, pointsClawedBack: 39 }],
      refund: 2661,
    });
  });

  it('completes the sale when the rest of a partly returned sale comes back', () => {
    const partly = lines.map((l) => (l.sku === 'A' ? { ...l, returned: 2 } : l));
    expect(priceReturn(partly, [{ sku: 'A', qty: 1 }]).completesSale).toBe(false);
    const result = priceReturn(partly, [
      { sku: 'A', qty: 1 },
      { sku: 'B', qty: 1 },
    ]);
    expect(result).toMatchObject({ completesSale: true, refund: 2661 - 1774 + 4437, pointsClawedBack: 39 - 26 + 66 });
    const bDone = lines.map((l) => (l.sku === 'B' ? { ...l, returned: 1 } : l));
    expect(priceReturn(bDone, [{ sku: 'A', qty: 3 }]).completesSale).toBe(true);
  });

  it('refuses more units than are left to return', () => {
    const error = thrown(() =>
      priceReturn(
        lines.map((l) => (l.sku === 'A' ? { ...l, returned: 2 } : l)),
        [{ sku: 'A', qty: 2 }],
      ),
    );
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error).toMatchObject({
      message: 'The return does not match the sale',
      errors: [{ path: 'body.lines', message: 'A: 1 left to return, asked 2' }],
    });
    // split over two lines of the request
    expect(
      thrown(() =>
        priceReturn(lines, [
          { sku: 'B', qty: 1 },
          { sku: 'B', qty: 1 },
        ]),
      ),
    ).toMatchObject({
      errors: [{ path: 'body.lines', message: 'B: 1 left to return, asked 2' }],
    });
  });

  it('refuses a SKU the sale did not have, listing every problem', () => {
    const error = thrown(() =>
      priceReturn(lines, [
        { sku: 'Z', qty: 1 },
        { sku: 'A', qty: 4 },
      ]),
    );
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error).toMatchObject({
      errors: [
        { path: 'body.lines', message: 'Z was not sold in this sale' },
        { path: 'body.lines', message: 'A: 3 left to return, asked 4' },
      ],
    });
  });

  it('a sale without a member refunds money and claws back no points', () => {
    const cash = sold(basket, undefined);
    expect(priceReturn(cash, [{ sku: 'B', qty: 1 }])).toMatchObject({ refund: 4999, pointsClawedBack: 0, completesSale: false });
  });

  it('returns in any parts add up to returning everything at once', () => {
    fc.assert(
      fc.property(
        linesArb,
        termsArb,
        fc.nat(2_000_000),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 60 }),
        (basket, terms, wish, cuts) => {
          const payable = priceSale(basket, terms).total;
          const sale = priceSale(basket, terms, Math.min(wish, Math.floor(payable / terms.pointValue)));
          let state: SoldLine[] = sale.lines.map((l) => ({ ...l, returned: 0 }));
          let refund = 0;
          let clawedBack = 0;
          let completions = 0;
          // Return each line in the cut sizes, line after line, wrapping over the cuts.
          let c = 0;
          for (const line of sale.lines) {
            let left = line.qty;
            while (left > 0) {
              const qty = Math.min(left, cuts[c++ % cuts.length]!);
              const result = priceReturn(state, [{ sku: line.sku, qty }]);
              expect(result.lines).toHaveLength(1);
              expect(result.lines[0]!.refund).toBeGreaterThanOrEqual(0);
              expect(result.lines[0]!.spendReversed).toBe(result.lines[0]!.refund);
              refund += result.refund;
              clawedBack += result.pointsClawedBack;
              if (result.completesSale) completions += 1;
              state = state.map((l) => (l.sku === line.sku ? { ...l, returned: l.returned + qty } : l));
              left -= qty;
            }
          }
          expect(refund).toBe(sale.total);
          expect(clawedBack).toBe(sale.pointsEarned);
          expect(completions).toBe(1);
          const whole = priceReturn(
            sale.lines.map((l) => ({ ...l, returned: 0 })),
            sale.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
          );
          expect(whole).toMatchObject({ refund: sale.total, pointsClawedBack: sale.pointsEarned, completesSale: true });
        },
      ),
      { numRuns: 200 },
    );
  });
});

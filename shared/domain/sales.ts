/**
 * Pricing a sale and its returns: tier discount, points redeemed as money,
 * points earned per line. Everything is integer minor units; each rounding
 * is chosen so that the parts add up to the whole. Pure.
 */
import { ValidationFailed } from './errors.ts';
import { percentOf, pointsFor, proratedShare } from './points.ts';

export interface SaleLineInput {
  readonly sku: string;
  readonly qty: number;
  readonly unitPrice: number;
}

export interface PricedLine extends SaleLineInput {
  readonly gross: number;
  /** Money off from promotions (shared/domain/promotions.ts), gifts at their value; the receipt's `promotions` say which rule gave what. */
  readonly promotionDiscount?: number;
  readonly discount: number;
  /** Money paid with points, this line's share. */
  readonly pointsValue: number;
  /** What the buyer paid in money for this line. */
  readonly paid: number;
  readonly pointsEarned: number;
}

export interface PricedSale {
  readonly lines: PricedLine[];
  readonly subtotal: number;
  /** Present when promotions were evaluated. */
  readonly promotionDiscount?: number;
  readonly discount: number;
  readonly pointsRedeemed: number;
  readonly pointsValue: number;
  readonly total: number;
  readonly pointsEarned: number;
}

export interface MemberTerms {
  readonly discountPercent: number;
  readonly pointsMultiplier: number;
  readonly perCurrencyUnit: number;
  readonly pointValue: number;
}

/**
 * Repeated scans of one SKU at one price become one line; one SKU at two
 * prices is refused, since a return names a SKU and must know what was paid.
 */
export const mergeSaleLines = (lines: readonly SaleLineInput[]): SaleLineInput[] => {
  const bySku = new Map<string, SaleLineInput>();
  for (const line of lines) {
    const seen = bySku.get(line.sku);
    if (seen && seen.unitPrice !== line.unitPrice) {
      throw new ValidationFailed(`${line.sku} appears at two prices`, [{ path: 'body.lines', message: `one unit price per SKU (${line.sku})` }]);
    }
    bySku.set(line.sku, { ...line, qty: (seen?.qty ?? 0) + line.qty });
  }
  return [...bySku.values()];
};

/** Splits `amount` over `weights` in proportion, largest remainder first, so the shares sum to `amount`. */
export const apportion = (amount: number, weights: readonly number[]): number[] => {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (amount * w) / total);
  const shares = exact.map(Math.floor);
  let left = amount - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left === 0) break;
    shares[i]! += 1;
    left -= 1;
  }
  return shares;
};

/**
 * Prices a sale; `terms` is undefined for a sale without a member (no
 * discount, no points). `promoted` are the promotions' money off and the
 * tier discount per SKU (shared/domain/promotions.ts, which computes the
 * tier's percentage after line promotions); without it the tier's
 * percentage applies to each line's gross.
 */
export const priceSale = (
  input: readonly SaleLineInput[],
  terms: MemberTerms | undefined,
  redeemPoints = 0,
  promoted?: ReadonlyMap<string, { readonly promotionDiscount: number; readonly discount: number }>,
): PricedSale => {
  const lines = mergeSaleLines(input);
  if (redeemPoints > 0 && !terms) {
    throw new ValidationFailed('Points can only be redeemed on a member sale', [{ path: 'body.redeemPoints', message: 'needs memberId' }]);
  }
  const gross = lines.map((l) => l.qty * l.unitPrice);
  const promotionDiscounts = lines.map((l) => promoted?.get(l.sku)?.promotionDiscount ?? 0);
  const discounts = gross.map((g, i) => promoted?.get(lines[i]!.sku)?.discount ?? percentOf(g, terms?.discountPercent ?? 0));
  const afterDiscount = gross.map((g, i) => g - promotionDiscounts[i]! - discounts[i]!);
  const payable = afterDiscount.reduce((a, b) => a + b, 0);
  const pointsValue = redeemPoints * (terms?.pointValue ?? 0);
  if (pointsValue > payable) {
    const most = Math.floor(payable / (terms?.pointValue ?? 1));
    throw new ValidationFailed(`Points worth ${pointsValue} exceed the ${payable} to pay`, [
      { path: 'body.redeemPoints', message: `at most ${most} for this sale` },
    ]);
  }
  const valueShares = apportion(pointsValue, afterDiscount);
  const priced = lines.map((line, i): PricedLine => {
    const paid = afterDiscount[i]! - valueShares[i]!;
    return {
      ...line,
      gross: gross[i]!,
      ...(promoted ? { promotionDiscount: promotionDiscounts[i]! } : {}),
      discount: discounts[i]!,
      pointsValue: valueShares[i]!,
      paid,
      pointsEarned: terms ? pointsFor(paid, terms.perCurrencyUnit, terms.pointsMultiplier) : 0,
    };
  });
  const sum = (pick: (l: PricedLine) => number) => priced.reduce((a, l) => a + pick(l), 0);
  return {
    lines: priced,
    subtotal: sum((l) => l.gross),
    ...(promoted ? { promotionDiscount: sum((l) => l.promotionDiscount ?? 0) } : {}),
    discount: sum((l) => l.discount),
    pointsRedeemed: redeemPoints,
    pointsValue,
    total: sum((l) => l.paid),
    pointsEarned: sum((l) => l.pointsEarned),
  };
};

/** Money a promotion gave that a return took back, parked on a line: returning that line's kept units later refunds it pro rata. */
export interface LineTakeBack {
  readonly ruleId: string;
  readonly amount: number;
  /** Units of the line kept when it was taken back. */
  readonly units: number;
  /** The line's `returned` count right after the take-back. */
  readonly returnedAt: number;
}

/**
 * Money taken back earlier that returning `units` more of a line gives back:
 * each take-back's share of the units returned since it, by cumulative
 * rounding over the units kept then.
 */
export const takeBackRefund = (line: { returned: number; takeBacks?: readonly LineTakeBack[] }, units: number): number =>
  (line.takeBacks ?? []).reduce((sum, t) => sum + proratedShare(t.amount, line.returned - t.returnedAt, units, t.units), 0);

export interface SoldLine extends PricedLine {
  /** Units already returned. */
  readonly returned: number;
  /** Promotion money a return took back on this line's kept units (shared/domain/promotions.ts): refunded pro rata when they come back. */
  readonly takeBacks?: LineTakeBack[];
}

export interface ReturnedLine {
  readonly sku: string;
  readonly qty: number;
  readonly refund: number;
  readonly pointsClawedBack: number;
  readonly spendReversed: number;
}

export interface PricedReturn {
  readonly lines: ReturnedLine[];
  readonly refund: number;
  readonly pointsClawedBack: number;
  /** Every unit of the sale is back: the redeemed points are restored and the visit undone. */
  readonly completesSale: boolean;
}

/**
 * What returning units of a sale gives back: each line's paid money and
 * earned points pro rata, by cumulative rounding so that returns in parts
 * add up to returning everything at once.
 */
export const priceReturn = (sold: readonly SoldLine[], returning: readonly { sku: string; qty: number }[]): PricedReturn => {
  const wanted = new Map<string, number>();
  for (const line of returning) wanted.set(line.sku, (wanted.get(line.sku) ?? 0) + line.qty);
  const errors = [...wanted].flatMap(([sku, qty]) => {
    const line = sold.find((l) => l.sku === sku);
    if (!line) return [{ path: 'body.lines', message: `${sku} was not sold in this sale` }];
    if (qty > line.qty - line.returned) return [{ path: 'body.lines', message: `${sku}: ${line.qty - line.returned} left to return, asked ${qty}` }];
    return [];
  });
  if (errors.length > 0) throw new ValidationFailed('The return does not match the sale', errors);

  const lines = [...wanted].map(([sku, qty]): ReturnedLine => {
    const line = sold.find((l) => l.sku === sku)!;
    const refund = proratedShare(line.paid, line.returned, qty, line.qty) + takeBackRefund(line, qty);
    return { sku, qty, refund, spendReversed: refund, pointsClawedBack: proratedShare(line.pointsEarned, line.returned, qty, line.qty) };
  });
  const completesSale = sold.every((l) => l.qty - l.returned === (wanted.get(l.sku) ?? 0));
  return {
    lines,
    refund: lines.reduce((a, l) => a + l.refund, 0),
    pointsClawedBack: lines.reduce((a, l) => a + l.pointsClawedBack, 0),
    completesSale,
  };
};

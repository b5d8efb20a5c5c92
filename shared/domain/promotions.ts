/**
 * Promotions at the checkout: which rules apply to a basket, what each one
 * gives, in which order and which combine, and what a return takes back.
 * Everything is integer minor units. Pure: the rules, the member, the
 * usage counters and the local date come in as data.
 *
 * Evaluation order (docs/members.md, "Promotions"):
 * 1. member prices (per SKU and tier; the lowest applicable wins);
 * 2. buy X get Y (cheapest units free), on the price after step 1;
 * 3. the tier's percentage, on what is left of each line (not on a line a
 *    member price set: that price is the tier's price);
 * 4. spend thresholds (off and gift), on the spend after steps 1-3 of the
 *    lines they count; each threshold counts the same spend (thresholds do
 *    not lower each other's spend);
 * 5. coupons, on what is left after step 4 (a coupon's `minSpend` counts
 *    the same spend as the thresholds);
 * 6. points redeemed (priceSale), on what is left to pay.
 *
 * Stacking: every COMBINABLE rule that applies is taken together; an
 * EXCLUSIVE rule applies alone. The engine prices the combinable set and
 * each exclusive rule on its own and keeps whichever gives the buyer most
 * (money off plus the value of gifts); ties go to the combinable set, then
 * to the higher `priority`, then to the smaller rule id.
 */
import { percentOf, proratedShare } from './points.ts';
import { apportion, type LineTakeBack, type SaleLineInput } from './sales.ts';
import type { TierName } from './tiers.ts';

export const promotionKinds = ['SPEND_THRESHOLD_OFF', 'SPEND_THRESHOLD_GIFT', 'BUY_X_GET_Y', 'MEMBER_PRICE', 'COUPON'] as const;
export type PromotionKind = (typeof promotionKinds)[number];
export const stackingModes = ['COMBINABLE', 'EXCLUSIVE'] as const;
export type Stacking = (typeof stackingModes)[number];
export const promotionStatuses = ['ACTIVE', 'PAUSED'] as const;
export type PromotionStatus = (typeof promotionStatuses)[number];

/** Who, where and when a rule applies; every condition given must hold. */
export interface PromotionConditions {
  /** The member's effective tier is one of these (a rule with tiers needs a member). */
  readonly tiers?: readonly TierName[];
  /** The member carries at least one of these tags. */
  readonly tags?: readonly string[];
  readonly locationIds?: readonly string[];
  /** Dates (`YYYY-MM-DD`, inclusive) on the selling location's calendar, in its time zone. */
  readonly from?: string;
  readonly to?: string;
  /** The lines that count toward a threshold or a coupon (default: all bought lines). */
  readonly skus?: readonly string[];
  /** Only sales with a member. */
  readonly membersOnly?: boolean;
  /** How many sales of one member may benefit (needs a member). */
  readonly perMemberLimit?: number;
}

export type PromotionBenefit =
  | { readonly kind: 'SPEND_THRESHOLD_OFF'; readonly minSpend: number; readonly amountOff: number }
  | { readonly kind: 'SPEND_THRESHOLD_GIFT'; readonly minSpend: number; readonly giftSku: string; readonly giftQty: number }
  | {
      readonly kind: 'BUY_X_GET_Y';
      readonly buySkus: readonly string[];
      readonly buyQty: number;
      readonly getSkus?: readonly string[];
      readonly getQty: number;
    }
  | { readonly kind: 'MEMBER_PRICE'; readonly sku: string; readonly pricesByTier: Partial<Record<TierName, number>> }
  | { readonly kind: 'COUPON'; readonly amountOff?: number; readonly percentOff?: number; readonly minSpend?: number };

export interface PromotionBudget {
  /** Sales that may benefit, across all members. */
  readonly uses?: number;
  /** Money (minor units) the rule may give away in all; a gift counts at its value. */
  readonly amount?: number;
}

export type PromotionRule = PromotionBenefit & {
  readonly ruleId: string;
  readonly name: string;
  readonly status: PromotionStatus;
  readonly stacking: Stacking;
  readonly priority: number;
  readonly conditions: PromotionConditions;
  readonly budget?: PromotionBudget;
};

/** How much of a rule's budget is used, as read. */
export interface RuleUsage {
  readonly used: number;
  readonly spent: number;
}

export interface PromotionContext {
  readonly member?: { readonly memberId: string; readonly tier: TierName; readonly tags: readonly string[] };
  readonly locationId: string;
  /** The sale's date on the location's calendar. */
  readonly localDay: string;
  /** The tier's percentage (0 without a member). */
  readonly tierDiscountPercent: number;
  /** Usage of budgeted rules, by rule id. */
  readonly usage: ReadonlyMap<string, RuleUsage>;
  /** Sales of this member that benefited, by rule id. */
  readonly memberUses: ReadonlyMap<string, number>;
  /** Coupon codes presented and the rule each belongs to (codes already checked: exist, unused, this member's). */
  readonly coupons: readonly { readonly code: string; readonly ruleId: string }[];
  /** A gift's value per unit when it is not in the basket (its catalogue price); a gift missing here is out of stock. */
  readonly giftPrices: ReadonlyMap<string, number>;
}

/** One rule's effect on one line: money off, and for thresholds the spend the line counted. */
export interface RuleLine {
  readonly sku: string;
  readonly amount: number;
  /** Spend this line counted toward the rule's threshold (thresholds and coupons with minSpend). */
  readonly base?: number;
}

/** A rule on the receipt: what it gave, and where. */
export interface AppliedPromotion {
  readonly ruleId: string;
  readonly kind: PromotionKind;
  readonly name: string;
  /** Money off, gifts at their value. */
  readonly amount: number;
  readonly code?: string;
  readonly minSpend?: number;
  readonly lines: RuleLine[];
  readonly gift?: { readonly sku: string; readonly qty: number; readonly unitValue: number };
}

export const notAppliedReasons = ['STACKING', 'BETTER_PRICE', 'BELOW_THRESHOLD', 'NOTHING_TO_DISCOUNT', 'GIFT_OUT_OF_STOCK'] as const;
export type NotAppliedReason = (typeof notAppliedReasons)[number];

export interface LineAdjustment {
  /** Money off the line from promotions (gifts at their value). */
  readonly promotionDiscount: number;
  /** The tier's percentage, after line promotions. */
  readonly discount: number;
}

export interface PromotionResult {
  /** The lines to sell: the bought lines plus gifts (merged into a bought line of the same SKU). */
  readonly lines: SaleLineInput[];
  readonly adjustments: ReadonlyMap<string, LineAdjustment>;
  readonly applied: AppliedPromotion[];
  /** Rules that applied on their own but not to this sale, with why (presented coupons always listed). */
  readonly notApplied: { readonly ruleId: string; readonly code?: string; readonly reason: NotAppliedReason }[];
  readonly gifts: { readonly sku: string; readonly qty: number }[];
}

// ---- who and when

/** Why a rule does not apply to this sale at all, or undefined when its conditions hold. */
export const conditionFailure = (rule: PromotionRule, context: PromotionContext): string | undefined => {
  const c = rule.conditions;
  const member = context.member;
  if (rule.status !== 'ACTIVE') return 'paused';
  if (c.locationIds && !c.locationIds.includes(context.locationId)) return 'not at this location';
  if (c.from && context.localDay < c.from) return 'not started';
  if (c.to && context.localDay > c.to) return 'ended';
  const needsMember = c.membersOnly || c.tiers || c.tags || c.perMemberLimit !== undefined || rule.kind === 'MEMBER_PRICE';
  if (needsMember && !member) return 'members only';
  if (c.tiers && member && !c.tiers.includes(member.tier)) return `not for tier ${member.tier}`;
  if (c.tags && member && !c.tags.some((tag) => member.tags.includes(tag))) return 'member not tagged';
  if (c.perMemberLimit !== undefined && (context.memberUses.get(rule.ruleId) ?? 0) >= c.perMemberLimit) return 'per-member limit reached';
  const usage = context.usage.get(rule.ruleId) ?? { used: 0, spent: 0 };
  if (rule.budget?.uses !== undefined && usage.used >= rule.budget.uses) return 'budget used up';
  if (rule.budget?.amount !== undefined && usage.spent >= rule.budget.amount) return 'budget used up';
  return undefined;
};

/** Money a budgeted rule may still give on this sale. */
const budgetRoom = (rule: PromotionRule, context: PromotionContext): number =>
  rule.budget?.amount === undefined ? Number.MAX_SAFE_INTEGER : rule.budget.amount - (context.usage.get(rule.ruleId)?.spent ?? 0);

// ---- pricing one set of rules

interface Working {
  readonly sku: string;
  readonly qty: number;
  readonly unitPrice: number;
  readonly gross: number;
  /** The unit price after a member price. */
  unitAfter: number;
  /** Line-level promotions (member price, free units). */
  lineOff: number;
  memberPriced: boolean;
  tier: number;
  /** Basket-level promotions (thresholds, coupons). */
  basketOff: number;
}

interface Scenario {
  readonly working: Working[];
  readonly applied: AppliedPromotion[];
  readonly notApplied: PromotionResult['notApplied'];
  readonly gifts: { sku: string; qty: number; unitValue: number }[];
  readonly value: number;
}

const byPriority = (a: PromotionRule, b: PromotionRule) => b.priority - a.priority || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);

const counts = (rule: PromotionRule, sku: string) => !rule.conditions.skus || rule.conditions.skus.includes(sku);

/** Takes up to `want` off the lines in proportion to what is left on each, capped by what is left; the parts as rule lines. */
const spread = (want: number, lines: Working[], left: (l: Working) => number, base?: (l: Working) => number): RuleLine[] => {
  const room = lines.map(left);
  const amount = Math.min(
    want,
    room.reduce((a, b) => a + b, 0),
  );
  const shares = apportion(amount, room);
  return lines.map((l, i) => ({ sku: l.sku, amount: shares[i]!, ...(base ? { base: base(l) } : {}) }));
};

const priceScenario = (bought: readonly SaleLineInput[], rules: readonly PromotionRule[], context: PromotionContext): Scenario => {
  const working: Working[] = bought.map((l) => ({
    sku: l.sku,
    qty: l.qty,
    unitPrice: l.unitPrice,
    gross: l.qty * l.unitPrice,
    unitAfter: l.unitPrice,
    lineOff: 0,
    memberPriced: false,
    tier: 0,
    basketOff: 0,
  }));
  const applied: AppliedPromotion[] = [];
  const notApplied: { ruleId: string; code?: string; reason: NotAppliedReason }[] = [];
  const codeOf = (rule: PromotionRule) => context.coupons.find((c) => c.ruleId === rule.ruleId)?.code;
  const skip = (rule: PromotionRule, reason: NotAppliedReason) => {
    const code = codeOf(rule);
    notApplied.push({ ruleId: rule.ruleId, ...(code ? { code } : {}), reason });
  };
  const give = (rule: PromotionRule, lines: RuleLine[], extra: Partial<AppliedPromotion> = {}) => {
    const amount = lines.reduce((a, l) => a + l.amount, 0) + (extra.gift ? extra.gift.qty * extra.gift.unitValue : 0);
    const code = codeOf(rule);
    applied.push({
      ruleId: rule.ruleId,
      kind: rule.kind,
      name: rule.name,
      amount,
      ...(code ? { code } : {}),
      ...extra,
      lines: lines.filter((l) => l.amount > 0 || l.base !== undefined),
    });
  };
  const sorted = [...rules].sort(byPriority);

  // 1. Member prices: per SKU the lowest price any applicable rule gives the member's tier.
  for (const line of working) {
    const offers = sorted
      .filter((r): r is PromotionRule & { kind: 'MEMBER_PRICE' } => r.kind === 'MEMBER_PRICE' && r.sku === line.sku)
      .map((rule) => ({ rule, price: rule.pricesByTier[context.member!.tier] }))
      .filter((o): o is { rule: PromotionRule & { kind: 'MEMBER_PRICE' }; price: number } => o.price !== undefined);
    const best = [...offers].sort((a, b) => a.price - b.price)[0];
    for (const offer of offers) if (offer !== best) skip(offer.rule, 'BETTER_PRICE');
    if (!best) continue;
    const off = Math.min((line.unitPrice - best.price) * line.qty, budgetRoom(best.rule, context));
    if (off <= 0) {
      skip(best.rule, 'NOTHING_TO_DISCOUNT');
      continue;
    }
    line.lineOff += off;
    line.unitAfter = line.unitPrice - Math.floor(off / line.qty);
    line.memberPriced = true;
    give(best.rule, [{ sku: line.sku, amount: off }]);
  }
  for (const rule of sorted) if (rule.kind === 'MEMBER_PRICE' && !working.some((l) => l.sku === rule.sku)) skip(rule, 'NOTHING_TO_DISCOUNT');

  // 2. Buy X get Y: the cheapest units free; a unit serves one rule at most.
  const usedUnits = new Map<string, number>();
  for (const rule of sorted) {
    if (rule.kind !== 'BUY_X_GET_Y') continue;
    const unitsOf = (skus: readonly string[]) =>
      working
        .filter((l) => skus.includes(l.sku))
        .flatMap((l) => {
          const price = l.unitAfter;
          return Array.from({ length: l.qty - (usedUnits.get(l.sku) ?? 0) }, () => ({ sku: l.sku, price }));
        });
    const same = !rule.getSkus || rule.getSkus.length === 0;
    const buyUnits = unitsOf(rule.buySkus);
    let free: { sku: string; price: number }[];
    let consumed: { sku: string; price: number }[];
    if (same) {
      const groups = Math.floor(buyUnits.length / (rule.buyQty + rule.getQty));
      const cheapestFirst = [...buyUnits].sort((a, b) => a.price - b.price);
      free = cheapestFirst.slice(0, groups * rule.getQty);
      consumed = cheapestFirst.slice(0, groups * (rule.buyQty + rule.getQty));
    } else {
      const groups = Math.floor(buyUnits.length / rule.buyQty);
      const getUnits = unitsOf(rule.getSkus!).sort((a, b) => a.price - b.price);
      free = getUnits.slice(0, Math.min(groups * rule.getQty, getUnits.length));
      const paidFor = Math.ceil(free.length / rule.getQty) * rule.buyQty;
      consumed = [...free, ...[...buyUnits].sort((a, b) => b.price - a.price).slice(0, paidFor)];
    }
    if (free.length === 0) {
      skip(rule, 'NOTHING_TO_DISCOUNT');
      continue;
    }
    for (const unit of consumed) usedUnits.set(unit.sku, (usedUnits.get(unit.sku) ?? 0) + 1);
    let room = budgetRoom(rule, context);
    const bySku = new Map<string, number>();
    for (const unit of free) {
      const off = Math.min(unit.price, room);
      room -= off;
      bySku.set(unit.sku, (bySku.get(unit.sku) ?? 0) + off);
    }
    for (const [sku, off] of bySku) working.find((l) => l.sku === sku)!.lineOff += off;
    give(
      rule,
      [...bySku].map(([sku, amount]) => ({ sku, amount })),
    );
  }

  // 3. The tier's percentage on what is left (a member price is already the tier's price).
  for (const line of working) line.tier = line.memberPriced ? 0 : percentOf(line.gross - line.lineOff, context.tierDiscountPercent);

  // 4. and 5. Thresholds on the spend after steps 1-3, then coupons on what is left.
  const spendOf = (line: Working) => line.gross - line.lineOff - line.tier;
  const gifts: Scenario['gifts'] = [];
  const basketRules = [
    ...sorted.filter((r) => r.kind === 'SPEND_THRESHOLD_OFF' || r.kind === 'SPEND_THRESHOLD_GIFT'),
    ...sorted.filter((r) => r.kind === 'COUPON'),
  ];
  for (const rule of basketRules) {
    const lines = working.filter((l) => counts(rule, l.sku));
    const spend = lines.reduce((a, l) => a + spendOf(l), 0);
    const minSpend =
      rule.kind === 'COUPON' ? (rule.minSpend ?? 0) : rule.kind === 'SPEND_THRESHOLD_OFF' || rule.kind === 'SPEND_THRESHOLD_GIFT' ? rule.minSpend : 0;
    if (spend < minSpend || spend === 0) {
      skip(rule, spend === 0 ? 'NOTHING_TO_DISCOUNT' : 'BELOW_THRESHOLD');
      continue;
    }
    const base = minSpend > 0 ? spendOf : undefined;
    if (rule.kind === 'SPEND_THRESHOLD_GIFT') {
      const inBasket = working.find((l) => l.sku === rule.giftSku);
      if (!inBasket && !context.giftPrices.has(rule.giftSku)) {
        skip(rule, 'GIFT_OUT_OF_STOCK');
        continue;
      }
      const unitValue = inBasket?.unitPrice ?? context.giftPrices.get(rule.giftSku) ?? 0;
      if (unitValue * rule.giftQty > budgetRoom(rule, context)) {
        skip(rule, 'NOTHING_TO_DISCOUNT');
        continue;
      }
      gifts.push({ sku: rule.giftSku, qty: rule.giftQty, unitValue });
      give(
        rule,
        lines.map((l) => ({ sku: l.sku, amount: 0, base: spendOf(l) })),
        { minSpend, gift: { sku: rule.giftSku, qty: rule.giftQty, unitValue } },
      );
      continue;
    }
    const left = (l: Working) => spendOf(l) - l.basketOff;
    const want =
      rule.kind === 'SPEND_THRESHOLD_OFF'
        ? rule.amountOff
        : rule.kind === 'COUPON'
          ? (rule.amountOff ?? 0) +
            percentOf(
              lines.reduce((a, l) => a + left(l), 0),
              rule.percentOff ?? 0,
            )
          : 0;
    const parts = spread(Math.min(want, budgetRoom(rule, context)), lines, left, base);
    if (parts.every((p) => p.amount === 0)) {
      skip(rule, 'NOTHING_TO_DISCOUNT');
      continue;
    }
    parts.forEach((part, i) => {
      lines[i]!.basketOff += part.amount;
    });
    give(rule, parts, minSpend > 0 ? { minSpend } : {});
  }
  const value = applied.reduce((a, p) => a + p.amount, 0);
  return { working, applied, notApplied, gifts, value };
};

/**
 * Applies the rules to a basket: filters them by their conditions (the
 * caller has left out coupons not presented), prices the combinable set and
 * each exclusive rule alone, and keeps the best for the buyer.
 */
export const applyPromotions = (bought: readonly SaleLineInput[], rules: readonly PromotionRule[], context: PromotionContext): PromotionResult => {
  const presented = new Set(context.coupons.map((c) => c.ruleId));
  const candidates = rules.filter((rule) => (rule.kind !== 'COUPON' || presented.has(rule.ruleId)) && conditionFailure(rule, context) === undefined);
  const combinable = priceScenario(
    bought,
    candidates.filter((r) => r.stacking === 'COMBINABLE'),
    context,
  );
  const exclusive = candidates
    .filter((r) => r.stacking === 'EXCLUSIVE')
    .sort(byPriority)
    .map((rule) => ({ rule, scenario: priceScenario(bought, [rule], context) }));
  let best = combinable;
  for (const { scenario } of exclusive) if (scenario.value > best.value) best = scenario;
  const chosen = new Set(best.applied.map((p) => p.ruleId));
  const outvoted = candidates
    .filter((r) => !chosen.has(r.ruleId) && !best.notApplied.some((n) => n.ruleId === r.ruleId))
    .map((rule) => {
      const code = context.coupons.find((c) => c.ruleId === rule.ruleId)?.code;
      return { ruleId: rule.ruleId, ...(code ? { code } : {}), reason: 'STACKING' as const };
    });
  // Gifts join the lines: a bought line of the same SKU takes them at its price, else a line at the gift's value.
  const lines: SaleLineInput[] = best.working.map((l) => ({ sku: l.sku, qty: l.qty, unitPrice: l.unitPrice }));
  const adjustments = new Map<string, LineAdjustment>(
    best.working.map((l) => [l.sku, { promotionDiscount: l.lineOff + l.basketOff, discount: l.tier }] as const),
  );
  for (const gift of best.gifts) {
    const index = lines.findIndex((l) => l.sku === gift.sku);
    const value = gift.qty * gift.unitValue;
    if (index >= 0) lines[index] = { ...lines[index]!, qty: lines[index]!.qty + gift.qty };
    else lines.push({ sku: gift.sku, qty: gift.qty, unitPrice: gift.unitValue });
    const before = adjustments.get(gift.sku) ?? { promotionDiscount: 0, discount: 0 };
    adjustments.set(gift.sku, { ...before, promotionDiscount: before.promotionDiscount + value });
  }
  return {
    lines,
    adjustments,
    applied: best.applied,
    notApplied: [...best.notApplied, ...outvoted],
    gifts: best.gifts.map(({ sku, qty }) => ({ sku, qty })),
  };
};

// ---- returns

export interface ReturnableLine {
  readonly sku: string;
  readonly qty: number;
  /** Units returned, this return included. */
  readonly returned: number;
  readonly takeBacks?: LineTakeBack[];
}

export interface TakeBack {
  readonly ruleId: string;
  readonly kind: PromotionKind;
  /** Money the return keeps back for the rule. */
  readonly amount: number;
  /** Where the money is parked, per line (see LineTakeBack). */
  readonly lines: { readonly sku: string; readonly amount: number; readonly units: number }[];
}

const isThreshold = (p: AppliedPromotion) => p.minSpend !== undefined && p.minSpend > 0;

/**
 * What a return takes back from threshold promotions it breaks: once the
 * spend the rule counted, of the units still kept, falls below its
 * `minSpend`, the money it gave on the kept units (a gift: the value of the
 * gift units kept, counting returned units of the gift's SKU as the gift
 * first) is kept back from the refund. Each rule is taken back once.
 */
export const promotionTakeBacks = (
  applied: readonly AppliedPromotion[],
  linesAfter: readonly ReturnableLine[],
  alreadyTakenBack: readonly string[],
): TakeBack[] => {
  const lineOf = (sku: string) => linesAfter.find((l) => l.sku === sku);
  const kept = (sku: string) => {
    const line = lineOf(sku);
    return line ? line.qty - line.returned : 0;
  };
  const result: TakeBack[] = [];
  for (const promotion of applied) {
    if (!isThreshold(promotion) || alreadyTakenBack.includes(promotion.ruleId)) continue;
    const keptSpend = promotion.lines.reduce((sum, part) => {
      const line = lineOf(part.sku);
      return line ? sum + (part.base ?? 0) - proratedShare(part.base ?? 0, 0, line.returned, line.qty) : sum;
    }, 0);
    if (keptSpend >= promotion.minSpend!) continue;
    const lines: TakeBack['lines'] = [];
    if (promotion.gift) {
      const line = lineOf(promotion.gift.sku);
      const giftKept = line ? Math.max(0, Math.min(promotion.gift.qty, promotion.gift.qty - line.returned, kept(promotion.gift.sku))) : 0;
      if (giftKept > 0) lines.push({ sku: promotion.gift.sku, amount: giftKept * promotion.gift.unitValue, units: kept(promotion.gift.sku) });
    } else {
      for (const part of promotion.lines) {
        const line = lineOf(part.sku);
        if (!line || part.amount === 0) continue;
        const onKept = part.amount - proratedShare(part.amount, 0, line.returned, line.qty);
        if (onKept > 0) lines.push({ sku: part.sku, amount: onKept, units: kept(part.sku) });
      }
    }
    const amount = lines.reduce((a, l) => a + l.amount, 0);
    if (amount > 0) result.push({ ruleId: promotion.ruleId, kind: promotion.kind, amount, lines });
  }
  return result;
};

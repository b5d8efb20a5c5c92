import * as z from 'zod';
import { type promotionKinds, promotionStatuses, stackingModes } from '../domain/promotions.ts';
import { tierNames } from '../domain/tiers.ts';
import { LocationId, maxSaleTotal, MinorUnits, Name, RequestId, ResourceId, Sku, Timestamp } from './common.ts';
import { AppliedPromotion, CouponCode, CouponCodes, isCalendarDate, MemberId, NotAppliedPromotion, SaleLine, maxSaleLines } from './members.ts';

/** Promotion rules, coupon codes and the dry run (functions/api/promotions.ts; docs/members.md, "Promotions"). */
const RuleId = /* @__PURE__ */ ResourceId.meta({
  description: 'Promotion rule id (client-chosen; the system derives ids with ":" for the offers its jobs make)',
});
const PromoTier = /* @__PURE__ */ z.enum(tierNames);
const MemberTag = /* @__PURE__ */ z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and hyphens, at most 40');

const LocalDate = /* @__PURE__ */ z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine(isCalendarDate, 'a real calendar date')
  .meta({ description: "A date on the selling location's calendar (its time zone), YYYY-MM-DD" });

export const PromotionParams = /* @__PURE__ */ z.object({ ruleId: RuleId });

const Conditions = /* @__PURE__ */ z
  .strictObject({
    tiers: /* @__PURE__ */ z.array(PromoTier).min(1).max(4).optional().meta({ description: "The member's effective tier is one of these" }),
    tags: /* @__PURE__ */ z.array(MemberTag).min(1).max(20).optional().meta({ description: 'The member carries at least one of these tags' }),
    locationIds: /* @__PURE__ */ z.array(LocationId).min(1).max(100).optional(),
    from: /* @__PURE__ */ LocalDate.optional().meta({ description: "First day, on the selling location's calendar (inclusive)" }),
    to: /* @__PURE__ */ LocalDate.optional().meta({ description: "Last day, on the selling location's calendar (inclusive)" }),
    skus: /* @__PURE__ */ z
      .array(Sku)
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'The lines that count toward a threshold or a coupon (default: every bought line)' }),
    membersOnly: /* @__PURE__ */ z.boolean().optional(),
    perMemberLimit: /* @__PURE__ */ z.int().min(1).max(1000).optional().meta({ description: 'Sales per member that may benefit' }),
  })
  .refine((c) => c.from === undefined || c.to === undefined || c.from <= c.to, { message: 'to must not be before from', path: ['to'] });

const Budget = /* @__PURE__ */ z
  .strictObject({
    uses: /* @__PURE__ */ z.int().min(1).max(100_000_000).optional().meta({ description: 'Sales that may benefit, across all members' }),
    amount: /* @__PURE__ */ MinorUnits.min(1).optional().meta({ description: 'Money the rule may give away in all (a gift at its value)' }),
  })
  .refine((b) => b.uses !== undefined || b.amount !== undefined, 'uses, amount or both');

const common = {
  ruleId: /* @__PURE__ */ RequestId.meta({ description: 'Rule id: creating it twice with the same body replays' }),
  name: /* @__PURE__ */ Name(120),
  stacking: /* @__PURE__ */ z
    .enum(stackingModes)
    .default('COMBINABLE')
    .meta({ description: 'COMBINABLE: with every other combinable rule; EXCLUSIVE: alone (the best for the buyer wins)' }),
  priority: /* @__PURE__ */ z.int().min(-1000).max(1000).default(0).meta({ description: 'Higher first, within a step of the evaluation order' }),
  conditions: /* @__PURE__ */ Conditions.default({}),
  budget: /* @__PURE__ */ Budget.optional(),
};

const kindFields = {
  SPEND_THRESHOLD_OFF: { minSpend: /* @__PURE__ */ MinorUnits.min(1), amountOff: /* @__PURE__ */ MinorUnits.min(1) },
  SPEND_THRESHOLD_GIFT: { minSpend: /* @__PURE__ */ MinorUnits.min(1), giftSku: Sku, giftQty: /* @__PURE__ */ z.int().min(1).max(100).default(1) },
  BUY_X_GET_Y: {
    buySkus: /* @__PURE__ */ z.array(Sku).min(1).max(50),
    buyQty: /* @__PURE__ */ z.int().min(1).max(100),
    getSkus: /* @__PURE__ */ z
      .array(Sku)
      .min(1)
      .max(50)
      .optional()
      .meta({ description: 'Free units come from these (default: the buy SKUs, then X + Y units: the cheapest Y free)' }),
    getQty: /* @__PURE__ */ z.int().min(1).max(100),
  },
  MEMBER_PRICE: { sku: Sku, pricesByTier: /* @__PURE__ */ z.partialRecord(PromoTier, MinorUnits).meta({ description: 'The unit price per tier' }) },
  COUPON: {
    amountOff: /* @__PURE__ */ MinorUnits.min(1).optional(),
    percentOff: /* @__PURE__ */ z.number().gt(0).max(100).optional(),
    minSpend: /* @__PURE__ */ MinorUnits.optional(),
    sharedCode: /* @__PURE__ */ CouponCode.optional().meta({ description: 'One code many may use (limited by the budget and perMemberLimit)' }),
  },
} as const;

const refineRule = (rule: Record<string, unknown>, ctx: z.RefinementCtx) => {
  if (rule.kind === 'BUY_X_GET_Y' && Array.isArray(rule.getSkus) && (rule.getSkus as string[]).some((sku) => (rule.buySkus as string[]).includes(sku))) {
    ctx.addIssue({ code: 'custom', message: 'getSkus and buySkus do not overlap (leave getSkus out for the same SKUs)', path: ['getSkus'] });
  }
  if (rule.kind === 'MEMBER_PRICE' && Object.keys(rule.pricesByTier as object).length === 0) {
    ctx.addIssue({ code: 'custom', message: 'a price for at least one tier', path: ['pricesByTier'] });
  }
  if (rule.kind === 'COUPON' && (rule.amountOff === undefined) === (rule.percentOff === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'amountOff or percentOff, one of them', path: ['amountOff'] });
  }
  if ((rule.kind === 'SPEND_THRESHOLD_OFF' && (rule.amountOff as number) > (rule.minSpend as number)) || false) {
    ctx.addIssue({ code: 'custom', message: 'amountOff at most minSpend', path: ['amountOff'] });
  }
};

export const PromotionInput = /* @__PURE__ */ z
  .discriminatedUnion('kind', [
    /* @__PURE__ */ z.strictObject({ kind: /* @__PURE__ */ z.literal('SPEND_THRESHOLD_OFF'), ...common, ...kindFields.SPEND_THRESHOLD_OFF }),
    /* @__PURE__ */ z.strictObject({ kind: /* @__PURE__ */ z.literal('SPEND_THRESHOLD_GIFT'), ...common, ...kindFields.SPEND_THRESHOLD_GIFT }),
    /* @__PURE__ */ z.strictObject({ kind: /* @__PURE__ */ z.literal('BUY_X_GET_Y'), ...common, ...kindFields.BUY_X_GET_Y }),
    /* @__PURE__ */ z.strictObject({ kind: /* @__PURE__ */ z.literal('MEMBER_PRICE'), ...common, ...kindFields.MEMBER_PRICE }),
    /* @__PURE__ */ z.strictObject({
      kind: /* @__PURE__ */ z.literal('COUPON'),
      ...common,
      ...kindFields.COUPON,
      codes: /* @__PURE__ */ z
        .array(CouponCode)
        .min(1)
        .max(99)
        .refine((codes) => new Set(codes).size === codes.length, 'each code once')
        .optional()
        .meta({ description: 'Single-use codes, each redeemable once by anyone (POST .../codes issues more, or per-member ones)' }),
    }),
  ])
  .superRefine(refineRule)
  .meta({
    id: 'PromotionInput',
    description: 'A promotion rule: its kind and what it gives, its conditions, its stacking, its budget',
    examples: [
      { ruleId: 'spend-300-get-50', name: 'Spend 300, get 50 off', kind: 'SPEND_THRESHOLD_OFF', minSpend: 30000, amountOff: 5000 },
      {
        ruleId: 'welcome-10',
        name: '10 % for members',
        kind: 'COUPON',
        percentOff: 10,
        sharedCode: 'WELCOME10',
        conditions: { membersOnly: true, perMemberLimit: 1 },
        budget: { uses: 1000 },
      },
    ],
  });
export type PromotionInput = z.output<typeof PromotionInput>;

const stored = {
  status: /* @__PURE__ */ z.enum(promotionStatuses),
  usage: /* @__PURE__ */ z
    .object({ used: /* @__PURE__ */ z.int(), spent: /* @__PURE__ */ z.int() })
    .meta({ description: 'Sales that benefited and the money given so far' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  createdBy: /* @__PURE__ */ z.string().optional(),
};
const out = (kind: (typeof promotionKinds)[number]) => ({
  kind: z.literal(kind),
  ...common,
  ruleId: RuleId,
  ...kindFields[kind],
  ...stored,
});

export const Promotion = /* @__PURE__ */ z
  .discriminatedUnion('kind', [
    /* @__PURE__ */ z.object(/* @__PURE__ */ out('SPEND_THRESHOLD_OFF')),
    /* @__PURE__ */ z.object(/* @__PURE__ */ out('SPEND_THRESHOLD_GIFT')),
    /* @__PURE__ */ z.object(/* @__PURE__ */ out('BUY_X_GET_Y')),
    /* @__PURE__ */ z.object(/* @__PURE__ */ out('MEMBER_PRICE')),
    /* @__PURE__ */ z.object(/* @__PURE__ */ out('COUPON')),
  ])
  .meta({ id: 'Promotion', description: 'A promotion rule with its status and usage' });
export type Promotion = z.output<typeof Promotion>;

export const PromotionStatusInput = /* @__PURE__ */ z
  .strictObject({ status: /* @__PURE__ */ z.enum(promotionStatuses).meta({ description: 'PAUSED pauses the rule, ACTIVE resumes it' }) })
  .meta({ id: 'PromotionStatusInput', examples: [{ status: 'PAUSED' }] });

export const PromotionsQuery = /* @__PURE__ */ z.object({ status: /* @__PURE__ */ z.enum(promotionStatuses).optional() });
export const PromotionList = /* @__PURE__ */ z.object({ items: /* @__PURE__ */ z.array(Promotion) }).meta({ id: 'PromotionList' });

export const IssueCodesRequest = /* @__PURE__ */ z
  .strictObject({
    codes: /* @__PURE__ */ z.array(CouponCode).min(1).max(100).optional().meta({ description: 'Single-use codes anyone may redeem once' }),
    memberIds: /* @__PURE__ */ z
      .array(MemberId)
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'One code per member, redeemable once and only by that member (the same member again gets the same code)' }),
  })
  .refine((r) => (r.codes === undefined) !== (r.memberIds === undefined), 'codes or memberIds, one of them')
  .refine((r) => new Set(r.codes ?? r.memberIds).size === (r.codes ?? r.memberIds ?? []).length, 'each code or member once')
  .meta({ id: 'IssueCodesRequest', examples: [{ memberIds: ['m-anna', 'm-ben'] }] });

export const IssuedCodes = /* @__PURE__ */ z
  .object({
    ruleId: RuleId,
    codes: /* @__PURE__ */ z.array(/* @__PURE__ */ z.object({ code: /* @__PURE__ */ z.string(), memberId: /* @__PURE__ */ MemberId.optional() })),
  })
  .meta({ id: 'IssuedCodes' });
export type IssuedCodes = z.output<typeof IssuedCodes>;

export const QuoteRequest = /* @__PURE__ */ z
  .strictObject({
    locationId: LocationId,
    memberId: /* @__PURE__ */ MemberId.optional(),
    lines: /* @__PURE__ */ z.array(SaleLine).min(1).max(maxSaleLines),
    redeemPoints: /* @__PURE__ */ z.int().min(1).max(10_000_000).optional(),
    coupons: /* @__PURE__ */ CouponCodes.optional(),
    at: /* @__PURE__ */ Timestamp.optional().meta({ description: 'Price as of this time (default now): a date-bound promotion can be checked ahead' }),
  })
  .refine((sale) => sale.lines.reduce((total, line) => total + line.qty * line.unitPrice, 0) <= maxSaleTotal, {
    message: `at most ${maxSaleTotal} minor units in total`,
    path: ['lines'],
  })
  .meta({ id: 'QuoteRequest', description: 'A basket to price without booking anything (a sale without its saleId)' });

export const Quote = /* @__PURE__ */ z
  .object({
    locationId: LocationId,
    memberId: /* @__PURE__ */ MemberId.optional(),
    currency: /* @__PURE__ */ z.string(),
    lines: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.object({
        sku: Sku,
        qty: /* @__PURE__ */ z.int(),
        unitPrice: /* @__PURE__ */ z.int(),
        gross: /* @__PURE__ */ z.int(),
        promotionDiscount: /* @__PURE__ */ z.int(),
        discount: /* @__PURE__ */ z.int(),
        pointsValue: /* @__PURE__ */ z.int(),
        paid: /* @__PURE__ */ z.int(),
        pointsEarned: /* @__PURE__ */ z.int(),
      }),
    ),
    subtotal: /* @__PURE__ */ z.int(),
    promotionDiscount: /* @__PURE__ */ z.int(),
    discount: /* @__PURE__ */ z.int(),
    pointsRedeemed: /* @__PURE__ */ z.int(),
    pointsValue: /* @__PURE__ */ z.int(),
    total: /* @__PURE__ */ z.int(),
    pointsEarned: /* @__PURE__ */ z.int(),
    promotions: /* @__PURE__ */ z.array(AppliedPromotion),
    notApplied: /* @__PURE__ */ z.array(NotAppliedPromotion),
    at: Timestamp,
  })
  .meta({ id: 'Quote', description: 'What the basket would cost now, with every promotion line by rule; nothing was booked' });
export type Quote = z.output<typeof Quote>;

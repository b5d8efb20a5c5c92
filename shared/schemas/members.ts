import * as z from 'zod';
import { normalisePhone } from '../domain/contact.ts';
import { pointsEntryTypes } from '../domain/points.ts';
import { notAppliedReasons, promotionKinds } from '../domain/promotions.ts';
import { tierNames } from '../domain/tiers.ts';
import {
  type Frozen,
  LocationId,
  maxSaleTotal,
  MinorUnits,
  Name,
  oneLine,
  Page,
  RequestId,
  ResourceId,
  SaleQuantity,
  Sku,
  Timestamp,
  TimeZone,
} from './common.ts';
import { Epc } from './rfid.ts';

export const MemberId = /* @__PURE__ */ RequestId.meta({ description: 'Member id' });
export const Tier = /* @__PURE__ */ z.enum(tierNames);

/** Trimmed and lower-cased before it is checked or stored, so one mailbox is one member whatever a till typed. */
export const Email = /* @__PURE__ */ z
  .string()
  .max(254)
  .trim()
  .toLowerCase()
  .pipe(/* @__PURE__ */ z.email())
  .meta({ description: 'Email address; stored lower-case' });

export const Phone = /* @__PURE__ */ z
  .string()
  .max(32)
  .transform((phone, ctx) => {
    const e164 = normalisePhone(phone);
    if (!e164) {
      ctx.addIssue({ code: 'custom', message: 'a valid phone number with country code, e.g. +49 170 1234567' });
      return z.NEVER;
    }
    return e164;
  })
  .meta({ description: 'Phone number with country code; stored as E.164' });

/** A real date (an invalid one is false, never a thrown RangeError: the fuzz test found one that was). */
export const isCalendarDate = (date: string): boolean => {
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date);
};
export const Birthday = /* @__PURE__ */ z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine(isCalendarDate, 'a real calendar date')
  .meta({ description: 'Date of birth, YYYY-MM-DD' });

export const ConsentChoice = /* @__PURE__ */ z.strictObject({
  email: /* @__PURE__ */ z.boolean().optional(),
  sms: /* @__PURE__ */ z.boolean().optional(),
  push: /* @__PURE__ */ z.boolean().optional(),
});

/** The member's own order of channels; a message goes on the first one it allows that reaches the member. */
export const ChannelPreference = /* @__PURE__ */ z
  .array(/* @__PURE__ */ z.enum(['email', 'sms', 'push']))
  .min(1)
  .max(3)
  .refine((list) => new Set(list).size === list.length, 'each channel once')
  .meta({ description: 'The member\'s preferred channels, best first (e.g. ["push", "email"])' });

const profileFields = {
  name: /* @__PURE__ */ oneLine(/* @__PURE__ */ z.string().trim().min(1).max(200)),
  email: /* @__PURE__ */ Email.optional(),
  phone: /* @__PURE__ */ Phone.optional(),
  birthday: /* @__PURE__ */ Birthday.optional(),
  timeZone: /* @__PURE__ */ TimeZone.optional(),
  consent: /* @__PURE__ */ ConsentChoice.optional(),
  /** Where consent was given, e.g. POS, WEB, APP. */
  consentSource: /* @__PURE__ */ z.string().min(1).max(32).optional(),
  channelPreference: /* @__PURE__ */ ChannelPreference.optional(),
};

export const MemberInput = /* @__PURE__ */ z
  .strictObject(profileFields)
  .refine((m) => m.email !== undefined || m.phone !== undefined, { message: 'give email, phone or both', path: ['email'] })
  .meta({ id: 'MemberInput' });
export type MemberInput = z.output<typeof MemberInput>;

/**
 * What a self-signup answers, taken address or not: telling a caller that an
 * email or phone is registered would let anyone probe who is a member.
 */
export const SignupAccepted = /* @__PURE__ */ z
  .object({
    memberId: /* @__PURE__ */ z.string(),
    status: /* @__PURE__ */ z.literal('ACCEPTED'),
    detail: /* @__PURE__ */ z.string(),
  })
  .meta({ id: 'SignupAccepted' });

export const MemberPatch = /* @__PURE__ */ z
  .strictObject({ ...profileFields, name: /* @__PURE__ */ profileFields.name.optional() })
  .refine((m) => Object.keys(m).length > 0, 'change at least one field')
  .meta({ id: 'MemberPatch' });
export type MemberPatch = z.output<typeof MemberPatch>;

const ConsentState = /* @__PURE__ */ z.object({ granted: /* @__PURE__ */ z.boolean(), at: Timestamp, source: /* @__PURE__ */ z.string() });

export const PointsBalance = /* @__PURE__ */ z.object({ available: /* @__PURE__ */ z.int(), pending: /* @__PURE__ */ z.int() }).meta({ id: 'PointsBalance' });

export const Member = /* @__PURE__ */ z
  .object({
    memberId: MemberId,
    name: /* @__PURE__ */ z.string(),
    email: /* @__PURE__ */ z.string().optional(),
    phone: /* @__PURE__ */ z.string().optional(),
    birthday: /* @__PURE__ */ z.string().optional(),
    timeZone: /* @__PURE__ */ z.string(),
    consent: /* @__PURE__ */ z.object({
      email: /* @__PURE__ */ ConsentState.optional(),
      sms: /* @__PURE__ */ ConsentState.optional(),
      push: /* @__PURE__ */ ConsentState.optional(),
    }),
    channelPreference: /* @__PURE__ */ z.array(/* @__PURE__ */ z.enum(['email', 'sms', 'push'])).optional(),
    pushDevices: /* @__PURE__ */ z.int().optional().meta({ description: 'App installs registered for push (GET /members/{memberId}/devices lists them)' }),
    tags: /* @__PURE__ */ z.array(/* @__PURE__ */ z.string()).optional(),
    tier: Tier,
    qualifiedTier: Tier,
    qualifiedSince: Timestamp,
    paidTier: /* @__PURE__ */ Tier.optional(),
    paidUntil: /* @__PURE__ */ Timestamp.optional(),
    benefits: /* @__PURE__ */ z.object({
      discountPercent: /* @__PURE__ */ z.number(),
      pointsMultiplier: /* @__PURE__ */ z.number(),
      exclusiveAccess: /* @__PURE__ */ z.boolean(),
    }),
    points: PointsBalance,
    rolling: /* @__PURE__ */ z.object({ spend: /* @__PURE__ */ z.int(), visits: /* @__PURE__ */ z.int(), months: /* @__PURE__ */ z.int() }),
    version: /* @__PURE__ */ z.int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Member' });
export type Member = z.output<typeof Member>;

export const MemberParams = /* @__PURE__ */ z.object({ memberId: MemberId });

const Tag = /* @__PURE__ */ z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and hyphens, at most 40');

export const MemberTags = /* @__PURE__ */ z.strictObject({ tags: /* @__PURE__ */ z.array(Tag).max(50) }).meta({ id: 'MemberTags' });

export const Lot = /* @__PURE__ */ z
  .object({
    lotId: /* @__PURE__ */ z.string(),
    remaining: /* @__PURE__ */ z.int(),
    expiresOn: Timestamp,
    pendingUntil: /* @__PURE__ */ Timestamp.optional(),
    saleId: /* @__PURE__ */ z.string().optional(),
  })
  .meta({ id: 'PointsLot' });

export const MemberPoints = /* @__PURE__ */ z
  .object({ memberId: MemberId, available: /* @__PURE__ */ z.int(), pending: /* @__PURE__ */ z.int(), lots: /* @__PURE__ */ z.array(Lot) })
  .meta({ id: 'MemberPoints' });

export const PointsEntry = /* @__PURE__ */ z
  .object({
    entryId: /* @__PURE__ */ z.string(),
    type: /* @__PURE__ */ z.enum(pointsEntryTypes),
    points: /* @__PURE__ */ z.int(),
    reason: /* @__PURE__ */ z.string().optional(),
    saleId: /* @__PURE__ */ z.string().optional(),
    lots: /* @__PURE__ */ z.array(/* @__PURE__ */ z.object({ lotId: /* @__PURE__ */ z.string(), points: /* @__PURE__ */ z.int() })),
    at: Timestamp,
    by: /* @__PURE__ */ z.string(),
  })
  .meta({ id: 'PointsEntry' });
export type PointsEntry = z.output<typeof PointsEntry>;

export const PointsLedgerQuery = Page;

export const RedemptionRequest = /* @__PURE__ */ z
  .strictObject({
    redemptionId: RequestId,
    points: /* @__PURE__ */ z.int().min(1).max(10_000_000),
    reason: /* @__PURE__ */ z.string().min(1).max(200).optional(),
  })
  .meta({ id: 'RedemptionRequest' });

export const AdjustmentRequest = /* @__PURE__ */ z
  .strictObject({
    adjustmentId: RequestId,
    points: /* @__PURE__ */ z
      .int()
      .min(-10_000_000)
      .max(10_000_000)
      .refine((p) => p !== 0, 'not zero'),
    reason: /* @__PURE__ */ z.string().min(1).max(200),
    expiryDays: /* @__PURE__ */ z.int().min(1).max(3650).optional(),
  })
  .meta({ id: 'AdjustmentRequest' });

export const PointsResult = /* @__PURE__ */ z.object({ entry: PointsEntry, points: PointsBalance }).meta({ id: 'PointsResult' });
export type PointsResult = z.output<typeof PointsResult>;

export const PaidTierRequest = /* @__PURE__ */ z
  .strictObject({ paymentId: RequestId, tier: Tier, months: /* @__PURE__ */ z.int().min(1).max(36), fee: MinorUnits })
  .meta({ id: 'PaidTierRequest' });

export const SaleLine = /* @__PURE__ */ z
  .strictObject({
    sku: Sku,
    qty: SaleQuantity,
    unitPrice: MinorUnits,
    /** RFID tags of the units sold, so exit gates know they left paid for. */
    epcs: /* @__PURE__ */ z.array(Epc).max(50).optional(),
  })
  .refine((line) => line.epcs === undefined || line.epcs.length <= line.qty, { message: 'at most one EPC per unit sold', path: ['epcs'] });

/** A coupon code as printed: letters and digits (upper-cased before use), with hyphens. */
export const CouponCode = /* @__PURE__ */ z
  .string()
  .trim()
  .toUpperCase()
  .pipe(/* @__PURE__ */ z.string().regex(/^[A-Z0-9][A-Z0-9-]{2,39}$/, '3-40 letters, digits or hyphens'))
  .meta({ description: 'A coupon code (case does not matter)' });
export const CouponCodes = /* @__PURE__ */ z
  .array(CouponCode)
  .min(1)
  .max(5)
  .refine((codes) => new Set(codes).size === codes.length, 'each code once')
  .meta({ description: 'Coupon codes the buyer presents (docs/members.md, "Promotions")' });

/** A promotion on a receipt: which rule gave what, on which lines (docs/members.md, "Promotions"). */
export const AppliedPromotion = /* @__PURE__ */ z
  .object({
    ruleId: ResourceId,
    kind: /* @__PURE__ */ z.enum(promotionKinds),
    name: /* @__PURE__ */ z.string(),
    amount: /* @__PURE__ */ z.int().meta({ description: 'Money off, a gift at its value (minor units)' }),
    code: /* @__PURE__ */ z.string().optional().meta({ description: 'The coupon code redeemed' }),
    minSpend: /* @__PURE__ */ z
      .int()
      .optional()
      .meta({ description: 'The spend the rule needed (a return that takes the kept spend below it takes the rule back)' }),
    lines: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.object({
        sku: Sku,
        amount: /* @__PURE__ */ z.int(),
        base: /* @__PURE__ */ z.int().optional().meta({ description: 'Spend this line counted toward the threshold' }),
      }),
    ),
    gift: /* @__PURE__ */ z.object({ sku: Sku, qty: /* @__PURE__ */ z.int(), unitValue: /* @__PURE__ */ z.int() }).optional(),
  })
  .meta({ id: 'AppliedPromotion' });
export const NotAppliedPromotion = /* @__PURE__ */ z
  .object({ ruleId: ResourceId, code: /* @__PURE__ */ z.string().optional(), reason: /* @__PURE__ */ z.enum(notAppliedReasons) })
  .meta({ id: 'NotAppliedPromotion', description: 'A rule that applied on its own but not to this basket, and why' });

/** Items of one sale must fit one DynamoDB transaction with the points and member writes. */
export const maxSaleLines = 40;

export const SaleRequest = /* @__PURE__ */ z
  .strictObject({
    saleId: RequestId,
    locationId: LocationId,
    memberId: /* @__PURE__ */ MemberId.optional(),
    lines: /* @__PURE__ */ z.array(SaleLine).min(1).max(maxSaleLines),
    redeemPoints: /* @__PURE__ */ z.int().min(1).max(10_000_000).optional(),
    coupons: /* @__PURE__ */ CouponCodes.optional(),
    occurredAt: /* @__PURE__ */ Timestamp.optional().meta({
      description:
        'When the till made the sale (posted late after being offline): default when it arrives; at most 2 minutes ahead, at most 30 days old. More than 5 minutes old is an offline sale: never refused for stock.',
    }),
  })
  .refine((sale) => sale.lines.reduce((total, line) => total + line.qty * line.unitPrice, 0) <= maxSaleTotal, {
    message: `at most ${maxSaleTotal} minor units in total`,
    path: ['lines'],
  })
  .meta({ id: 'SaleRequest' });
export type SaleRequest = z.output<typeof SaleRequest>;

const ReceiptLine = /* @__PURE__ */ z.object({
  sku: Sku,
  qty: /* @__PURE__ */ z.int(),
  unitPrice: /* @__PURE__ */ z.int(),
  gross: /* @__PURE__ */ z.int(),
  promotionDiscount: /* @__PURE__ */ z
    .int()
    .optional()
    .meta({ description: "Money off from promotions (gifts at their value); the receipt's `promotions` say which rule" }),
  discount: /* @__PURE__ */ z.int().meta({ description: "The tier's discount" }),
  pointsValue: /* @__PURE__ */ z.int(),
  paid: /* @__PURE__ */ z.int(),
  pointsEarned: /* @__PURE__ */ z.int(),
  returned: /* @__PURE__ */ z.int(),
  takeBacks: /* @__PURE__ */ z
    .array(
      /* @__PURE__ */ z.object({ ruleId: ResourceId, amount: /* @__PURE__ */ z.int(), units: /* @__PURE__ */ z.int(), returnedAt: /* @__PURE__ */ z.int() }),
    )
    .optional()
    .meta({ description: 'Promotion money a return kept back on the units still kept: returning them refunds it' }),
});

export const Receipt = /* @__PURE__ */ z
  .object({
    saleId: RequestId,
    locationId: LocationId,
    memberId: /* @__PURE__ */ MemberId.optional(),
    currency: /* @__PURE__ */ z.string(),
    lines: /* @__PURE__ */ z.array(ReceiptLine),
    subtotal: /* @__PURE__ */ z.int(),
    promotionDiscount: /* @__PURE__ */ z.int().optional().meta({ description: 'Money off from promotions in all' }),
    discount: /* @__PURE__ */ z.int(),
    pointsRedeemed: /* @__PURE__ */ z.int(),
    pointsValue: /* @__PURE__ */ z.int(),
    total: /* @__PURE__ */ z.int(),
    pointsEarned: /* @__PURE__ */ z.int(),
    promotions: /* @__PURE__ */ z.array(AppliedPromotion).optional().meta({ description: 'Every promotion line, by rule' }),
    notApplied: /* @__PURE__ */ z.array(NotAppliedPromotion).optional(),
    member: /* @__PURE__ */ z.object({ tier: Tier, tierChanged: /* @__PURE__ */ z.boolean(), points: PointsBalance }).optional(),
    occurredAt: /* @__PURE__ */ Timestamp.optional().meta({ description: 'When the till made the sale, if it was posted late' }),
    at: /* @__PURE__ */ Timestamp.meta({ description: 'When the sale was booked' }),
  })
  .meta({ id: 'Receipt' });
export type Receipt = z.output<typeof Receipt>;

export const SaleParams = /* @__PURE__ */ z.object({ saleId: RequestId });

export const ReturnRequest = /* @__PURE__ */ z
  .strictObject({
    returnId: RequestId,
    /** Where the goods come back; the sale's location when left out. */
    locationId: /* @__PURE__ */ LocationId.optional(),
    lines: /* @__PURE__ */ z
      .array(
        /* @__PURE__ */ z
          .strictObject({
            sku: Sku,
            qty: SaleQuantity,
            /** Tags of the units coming back, so they may be sold again. */
            epcs: /* @__PURE__ */ z.array(Epc).max(50).optional(),
          })
          .refine((line) => line.epcs === undefined || line.epcs.length <= line.qty, { message: 'at most one EPC per unit returned', path: ['epcs'] }),
      )
      .min(1)
      .max(maxSaleLines),
  })
  .meta({ id: 'ReturnRequest' });

export const ReturnReceipt = /* @__PURE__ */ z
  .object({
    returnId: RequestId,
    saleId: RequestId,
    locationId: LocationId,
    lines: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.object({ sku: Sku, qty: /* @__PURE__ */ z.int(), refund: /* @__PURE__ */ z.int(), pointsClawedBack: /* @__PURE__ */ z.int() }),
    ),
    refund: /* @__PURE__ */ z.int(),
    pointsClawedBack: /* @__PURE__ */ z.int(),
    /** Clawed-back points the member had already spent. */
    pointsShortfall: /* @__PURE__ */ z.int(),
    pointsRestored: /* @__PURE__ */ z.int(),
    promotionsTakenBack: /* @__PURE__ */ z
      .array(/* @__PURE__ */ z.object({ ruleId: ResourceId, kind: /* @__PURE__ */ z.enum(promotionKinds), amount: /* @__PURE__ */ z.int() }))
      .optional()
      .meta({ description: 'Threshold promotions this return broke: what they gave on the goods kept, kept back from `refund`' }),
    promotionShortfall: /* @__PURE__ */ z.int().optional().meta({ description: 'Taken-back promotion money the refund could not cover: the till collects it' }),
    member: /* @__PURE__ */ z.object({ tier: Tier, points: PointsBalance }).optional(),
    at: Timestamp,
  })
  .meta({ id: 'ReturnReceipt' });
export type ReturnReceipt = z.output<typeof ReturnReceipt>;

/** With maxSaleTotal, one sale earns at most 10^12 points (points.ts: paid / 100 x rate x multiplier). */
export const maxPointsPerCurrencyUnit = 100;
export const maxPointsMultiplier = 10;

const TierRuleSchema = /* @__PURE__ */ z.strictObject({
  tier: Tier,
  minSpend: MinorUnits,
  minVisits: /* @__PURE__ */ z.int().min(0).max(100_000),
  discountPercent: /* @__PURE__ */ z.number().min(0).max(90),
  pointsMultiplier: /* @__PURE__ */ z.number().min(0).max(maxPointsMultiplier),
  exclusiveAccess: /* @__PURE__ */ z.boolean(),
  monthlyFee: /* @__PURE__ */ MinorUnits.optional(),
  birthdayPoints: /* @__PURE__ */ z.int().min(0).max(1_000_000).optional(),
});

const SegmentSchema = /* @__PURE__ */ z
  .strictObject({
    tiers: /* @__PURE__ */ z.array(Tier).min(1).max(4).optional(),
    minTier: /* @__PURE__ */ Tier.optional(),
    minSpend: /* @__PURE__ */ MinorUnits.optional(),
    maxSpend: /* @__PURE__ */ MinorUnits.optional(),
    minVisits: /* @__PURE__ */ z.int().min(0).max(100_000).optional(),
    inactiveDays: /* @__PURE__ */ z.int().min(1).max(3650).optional(),
    birthdayMonth: /* @__PURE__ */ z.int().min(1).max(12).optional(),
    tags: /* @__PURE__ */ z.array(Tag).min(1).max(20).optional(),
    affinity: /* @__PURE__ */ z
      .strictObject({
        skus: /* @__PURE__ */ z
          .array(Sku)
          .min(1)
          .max(20)
          .refine((skus) => new Set(skus).size === skus.length, 'each SKU once'),
        withinDays: /* @__PURE__ */ z.int().min(1).max(3650).optional(),
      })
      .optional(),
  })
  .refine((s) => s.minSpend === undefined || s.maxSpend === undefined || s.minSpend <= s.maxSpend, {
    message: 'maxSpend must be at least minSpend',
    path: ['maxSpend'],
  });

const HolidaySchema = /* @__PURE__ */ z
  .strictObject({
    holidayId: /* @__PURE__ */ z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and hyphens, at most 40'),
    name: /* @__PURE__ */ Name(100),
    date: /* @__PURE__ */ z
      .string()
      .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'MM-DD')
      // A day some year has (02-29 in leap years), so a holiday never silently fails to come.
      .refine(
        (mmdd) => new Date(Date.UTC(2024, Number(mmdd.slice(0, 2)) - 1, Number(mmdd.slice(3)))).getUTCDate() === Number(mmdd.slice(3)),
        'a day of the year',
      )
      .meta({ description: 'Every year on this day (UTC); 02-29 only in leap years' }),
    headline: /* @__PURE__ */ Name(120),
    text: /* @__PURE__ */ z.string().min(1).max(1000),
    pointsByTier: /* @__PURE__ */ z.partialRecord(Tier, /* @__PURE__ */ z.int().min(0).max(1_000_000)).optional(),
    segment: /* @__PURE__ */ SegmentSchema.optional().meta({ description: 'Who gets it; everyone by default' }),
    offer: /* @__PURE__ */ z
      .strictObject({
        percentOff: /* @__PURE__ */ z.number().gt(0).max(100).optional(),
        amountOff: /* @__PURE__ */ MinorUnits.min(1).optional(),
        minSpend: /* @__PURE__ */ MinorUnits.optional(),
      })
      .refine((o) => (o.percentOff === undefined) !== (o.amountOff === undefined), 'percentOff or amountOff, one of them')
      .optional()
      .meta({
        description:
          'The coupon the message carries: a code each member of the segment may redeem once, on the day and the next (docs/members.md, "Promotions"); 10 % off when left out',
      }),
  })
  .meta({ id: 'Holiday' });

const DemandSegmentSchema = /* @__PURE__ */ z
  .strictObject({
    segmentId: /* @__PURE__ */ z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and hyphens, at most 40'),
    name: /* @__PURE__ */ Name(100).optional(),
    segment: /* @__PURE__ */ SegmentSchema.refine((s) => s.affinity === undefined, { message: 'product affinity is not a demand segment', path: ['affinity'] }),
  })
  .meta({ description: 'Members whose purchases the forecast watches as `segment:{segmentId}`, like tiers and tags (docs/replenishment.md)' });

export const ProgramSchema = /* @__PURE__ */ z
  .strictObject({
    tiers: /* @__PURE__ */ z
      .array(TierRuleSchema)
      .length(tierNames.length)
      .refine((rules) => rules.every((r, i) => r.tier === tierNames[i]), `one rule per tier, in order ${/* @__PURE__ */ tierNames.join(', ')}`)
      .refine((rules) => rules[0]?.minSpend === 0 && rules[0]?.minVisits === 0, 'REGULAR has no thresholds')
      .refine(
        (rules) => rules.every((r, i) => i === 0 || (r.minSpend >= rules[i - 1]!.minSpend && r.minVisits >= rules[i - 1]!.minVisits)),
        'thresholds rise with the tier',
      ),
    points: /* @__PURE__ */ z.strictObject({
      perCurrencyUnit: /* @__PURE__ */ z.number().min(0).max(maxPointsPerCurrencyUnit),
      pointValue: /* @__PURE__ */ z.int().min(1).max(10_000),
      expiryDays: /* @__PURE__ */ z.int().min(1).max(3650),
      pendingDays: /* @__PURE__ */ z.int().min(0).max(365),
    }),
    welcomeGift: /* @__PURE__ */ z.strictObject({
      points: /* @__PURE__ */ z.int().min(0).max(1_000_000),
      expiryDays: /* @__PURE__ */ z.int().min(1).max(3650),
    }),
    rollingMonths: /* @__PURE__ */ z.int().min(1).max(36),
    reviewGraceDays: /* @__PURE__ */ z.int().min(0).max(3650),
    reviewIntervalDays: /* @__PURE__ */ z.int().min(1).max(366).optional(),
    backInStockWaveMinutes: /* @__PURE__ */ z.int().min(0).max(1440).optional().meta({
      description:
        'Back-in-stock waves: minutes between telling one tier waiting for a SKU and the next lower tier (0: all at once, higher tiers first; default 15)',
    }),
    holidays: /* @__PURE__ */ z
      .array(HolidaySchema)
      .max(50)
      .refine((list) => new Set(list.map((h) => h.holidayId)).size === list.length, 'holidayId is unique')
      .optional(),
    demandSegments: /* @__PURE__ */ z
      .array(DemandSegmentSchema)
      .max(20)
      .refine((list) => new Set(list.map((d) => d.segmentId)).size === list.length, 'segmentId is unique')
      .optional(),
  })
  .meta({ id: 'Program' });

export const ProgramView = /* @__PURE__ */ ProgramSchema.extend({ version: /* @__PURE__ */ z.int() }).meta({ id: 'ProgramView' });

// In their own module, so the products function (which sets and lists allocations) does not bundle the member schemas and phone parsing.
export { Allocation, AllocationInput, AllocationList, AllocationParams } from './allocations.ts';

export const StockAlertRequest = /* @__PURE__ */ z.strictObject({ sku: Sku, locationId: LocationId }).meta({ id: 'StockAlertRequest' });

export const StockAlert = /* @__PURE__ */ z
  .object({
    memberId: MemberId,
    sku: Sku,
    locationId: LocationId,
    status: /* @__PURE__ */ z.enum(['ACTIVE', 'SCHEDULED', 'NOTIFIED']).meta({
      description: "ACTIVE: waiting; SCHEDULED: the SKU is back and the member's tier wave is told at `dueAt`; NOTIFIED: told",
    }),
    subscribedAt: Timestamp,
    dueAt: /* @__PURE__ */ Timestamp.optional().meta({ description: "SCHEDULED: when the member's wave is told (if the SKU is still available then)" }),
    notifiedAt: /* @__PURE__ */ Timestamp.optional(),
  })
  .meta({
    id: 'StockAlert',
    description: 'A back-in-stock subscription: told once, when the SKU is available again at the location, in waves by tier (higher tiers first)',
  });
export type StockAlert = z.output<typeof StockAlert>;

/** The query of a one-click unsubscribe link (RFC 8058: mail clients POST to it). */
export const UnsubscribeQuery = /* @__PURE__ */ z.object({
  member: MemberId,
  channel: /* @__PURE__ */ z.enum(['email', 'sms']),
  sig: /* @__PURE__ */ z.string().min(1).max(128),
});

export const Unsubscribed = /* @__PURE__ */ z
  .object({ unsubscribed: /* @__PURE__ */ z.literal(true), channel: /* @__PURE__ */ z.enum(['email', 'sms']) })
  .meta({ id: 'Unsubscribed' });

const GiftSchema = /* @__PURE__ */ z
  .strictObject({
    pointsByTier: /* @__PURE__ */ z.partialRecord(Tier, /* @__PURE__ */ z.int().min(0).max(1_000_000)),
    expiryDays: /* @__PURE__ */ z.int().min(1).max(3650).optional(),
  })
  .meta({ description: 'Points every member in the segment gets once, by tier, whether or not a message may reach them' });

export const CampaignInput = /* @__PURE__ */ z
  .strictObject({
    campaignId: RequestId,
    name: /* @__PURE__ */ Name(200),
    segment: SegmentSchema,
    channels: /* @__PURE__ */ z
      .array(/* @__PURE__ */ z.enum(['email', 'sms', 'push']))
      .min(1)
      .max(3),
    /** The email subject. */
    headline: /* @__PURE__ */ Name(120),
    text: /* @__PURE__ */ z.string().min(1).max(1000),
    expiresAt: /* @__PURE__ */ Timestamp.optional(),
    budget: /* @__PURE__ */ z.int().min(1).max(10_000_000).optional(),
    cap: /* @__PURE__ */ z.strictObject({ count: /* @__PURE__ */ z.int().min(1).max(100), days: /* @__PURE__ */ z.int().min(1).max(365) }).optional(),
    sendAt: /* @__PURE__ */ Timestamp.optional().meta({ description: 'When the scheduler starts the campaign; without it, POST /campaigns/{id}/start does' }),
    gift: /* @__PURE__ */ GiftSchema.optional(),
  })
  // A campaign that expires before it is sent would only ever skip its members.
  .refine((c) => c.sendAt === undefined || c.expiresAt === undefined || Date.parse(c.sendAt) < Date.parse(c.expiresAt), {
    message: 'expiresAt must be after sendAt',
    path: ['expiresAt'],
  })
  .meta({ id: 'CampaignInput' });

export const Campaign = /* @__PURE__ */ z
  .object({
    campaignId: ResourceId,
    name: /* @__PURE__ */ z.string(),
    segment: SegmentSchema,
    channels: /* @__PURE__ */ z.array(/* @__PURE__ */ z.enum(['email', 'sms', 'push'])),
    headline: /* @__PURE__ */ z.string(),
    text: /* @__PURE__ */ z.string(),
    expiresAt: /* @__PURE__ */ Timestamp.optional(),
    budget: /* @__PURE__ */ z.int().optional(),
    cap: /* @__PURE__ */ z.object({ count: /* @__PURE__ */ z.int(), days: /* @__PURE__ */ z.int() }).optional(),
    sendAt: /* @__PURE__ */ Timestamp.optional(),
    gift: /* @__PURE__ */ GiftSchema.optional(),
    status: /* @__PURE__ */ z.enum(['DRAFT', 'SCHEDULED', 'RUNNING', 'DONE']),
    counts: /* @__PURE__ */ z.record(/* @__PURE__ */ z.string(), /* @__PURE__ */ z.int()).meta({
      description:
        'The report so far: per member of the segment one of SENT, DEFERRED, SKIPPED, DUPLICATE, FAILED or BUDGET_REFUSED (no message: the budget was spent), which add up to the members reached; members GIFTED beside them',
    }),
    fanOut: /* @__PURE__ */ z
      .object({
        sources: /* @__PURE__ */ z.int(),
        finished: /* @__PURE__ */ z.int(),
        startedAt: Timestamp,
        queuedAt: /* @__PURE__ */ Timestamp.optional(),
        finishedAt: /* @__PURE__ */ Timestamp.optional(),
      })
      .optional()
      .meta({ description: 'Queued sources (scan segments or SKUs) and how many are done' }),
    createdAt: Timestamp,
    by: /* @__PURE__ */ z.string(),
  })
  .meta({ id: 'Campaign' });
/** Read-only: a campaign's segment comes from the domain (holidays) as read-only lists. */
export type Campaign = Frozen<z.output<typeof Campaign>>;

export const CampaignParams = /* @__PURE__ */ z.object({ campaignId: ResourceId });
export const CampaignPageQuery = /* @__PURE__ */ z.object({ cursor: /* @__PURE__ */ z.string().max(1024).optional() });

export const CampaignDryRun = /* @__PURE__ */ z
  .object({
    campaignId: ResourceId,
    entries: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.object({
        memberId: /* @__PURE__ */ z.string(),
        action: /* @__PURE__ */ z.enum(['SEND', 'DEFER', 'SKIP', 'NOT_IN_SEGMENT']),
        channel: /* @__PURE__ */ z.string().optional(),
        reason: /* @__PURE__ */ z.string().optional(),
        until: /* @__PURE__ */ Timestamp.optional(),
        points: /* @__PURE__ */ z.int().optional(),
      }),
    ),
    summary: /* @__PURE__ */ z.record(/* @__PURE__ */ z.string(), /* @__PURE__ */ z.int()),
    cursor: /* @__PURE__ */ z.string().optional(),
  })
  .meta({ id: 'CampaignDryRun' });
/** One member's line of a dry run. */
export type DryRunEntry = z.output<typeof CampaignDryRun>['entries'][number];

export const CampaignDispatch = /* @__PURE__ */ z
  .object({
    campaignId: ResourceId,
    counts: /* @__PURE__ */ z.record(/* @__PURE__ */ z.string(), /* @__PURE__ */ z.int()),
    budgetSpent: /* @__PURE__ */ z.boolean(),
    cursor: /* @__PURE__ */ z.string().optional(),
  })
  .meta({ id: 'CampaignDispatch' });

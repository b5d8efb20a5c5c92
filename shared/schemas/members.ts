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

export const MemberId = RequestId.meta({ description: 'Member id' });
export const Tier = z.enum(tierNames);

/** Trimmed and lower-cased before it is checked or stored, so one mailbox is one member whatever a till typed. */
export const Email = z.string().max(254).trim().toLowerCase().pipe(z.email()).meta({ description: 'Email address; stored lower-case' });

export const Phone = z
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

const isCalendarDate = (date: string): boolean => {
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date);
};
export const Birthday = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine(isCalendarDate, 'a real calendar date')
  .meta({ description: 'Date of birth, YYYY-MM-DD' });

export const ConsentChoice = z.strictObject({ email: z.boolean().optional(), sms: z.boolean().optional(), push: z.boolean().optional() });

/** The member's own order of channels; a message goes on the first one it allows that reaches the member. */
export const ChannelPreference = z
  .array(z.enum(['email', 'sms', 'push']))
  .min(1)
  .max(3)
  .refine((list) => new Set(list).size === list.length, 'each channel once')
  .meta({ description: 'The member\'s preferred channels, best first (e.g. ["push", "email"])' });

const profileFields = {
  name: oneLine(z.string().trim().min(1).max(200)),
  email: Email.optional(),
  phone: Phone.optional(),
  birthday: Birthday.optional(),
  timeZone: TimeZone.optional(),
  consent: ConsentChoice.optional(),
  /** Where consent was given, e.g. POS, WEB, APP. */
  consentSource: z.string().min(1).max(32).optional(),
  channelPreference: ChannelPreference.optional(),
};

export const MemberInput = z
  .strictObject(profileFields)
  .refine((m) => m.email !== undefined || m.phone !== undefined, { message: 'give email, phone or both', path: ['email'] })
  .meta({ id: 'MemberInput' });
export type MemberInput = z.output<typeof MemberInput>;

/**
 * What a self-signup answers, taken address or not: telling a caller that an
 * email or phone is registered would let anyone probe who is a member.
 */
export const SignupAccepted = z
  .object({
    memberId: z.string(),
    status: z.literal('ACCEPTED'),
    detail: z.string(),
  })
  .meta({ id: 'SignupAccepted' });

export const MemberPatch = z
  .strictObject({ ...profileFields, name: profileFields.name.optional() })
  .refine((m) => Object.keys(m).length > 0, 'change at least one field')
  .meta({ id: 'MemberPatch' });
export type MemberPatch = z.output<typeof MemberPatch>;

const ConsentState = z.object({ granted: z.boolean(), at: Timestamp, source: z.string() });

export const PointsBalance = z.object({ available: z.int(), pending: z.int() }).meta({ id: 'PointsBalance' });

export const Member = z
  .object({
    memberId: MemberId,
    name: z.string(),
    email: z.string().optional(),
    phone: z.string().optional(),
    birthday: z.string().optional(),
    timeZone: z.string(),
    consent: z.object({ email: ConsentState.optional(), sms: ConsentState.optional(), push: ConsentState.optional() }),
    channelPreference: z.array(z.enum(['email', 'sms', 'push'])).optional(),
    pushDevices: z.int().optional().meta({ description: 'App installs registered for push (GET /members/{memberId}/devices lists them)' }),
    tags: z.array(z.string()).optional(),
    tier: Tier,
    qualifiedTier: Tier,
    qualifiedSince: Timestamp,
    paidTier: Tier.optional(),
    paidUntil: Timestamp.optional(),
    benefits: z.object({ discountPercent: z.number(), pointsMultiplier: z.number(), exclusiveAccess: z.boolean() }),
    points: PointsBalance,
    rolling: z.object({ spend: z.int(), visits: z.int(), months: z.int() }),
    version: z.int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Member' });
export type Member = z.output<typeof Member>;

export const MemberParams = z.object({ memberId: MemberId });

const Tag = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and hyphens, at most 40');

export const MemberTags = z.strictObject({ tags: z.array(Tag).max(50) }).meta({ id: 'MemberTags' });

export const Lot = z
  .object({ lotId: z.string(), remaining: z.int(), expiresOn: Timestamp, pendingUntil: Timestamp.optional(), saleId: z.string().optional() })
  .meta({ id: 'PointsLot' });

export const MemberPoints = z.object({ memberId: MemberId, available: z.int(), pending: z.int(), lots: z.array(Lot) }).meta({ id: 'MemberPoints' });

export const PointsEntry = z
  .object({
    entryId: z.string(),
    type: z.enum(pointsEntryTypes),
    points: z.int(),
    reason: z.string().optional(),
    saleId: z.string().optional(),
    lots: z.array(z.object({ lotId: z.string(), points: z.int() })),
    at: Timestamp,
    by: z.string(),
  })
  .meta({ id: 'PointsEntry' });
export type PointsEntry = z.output<typeof PointsEntry>;

export const PointsLedgerQuery = Page;

export const RedemptionRequest = z
  .strictObject({ redemptionId: RequestId, points: z.int().min(1).max(10_000_000), reason: z.string().min(1).max(200).optional() })
  .meta({ id: 'RedemptionRequest' });

export const AdjustmentRequest = z
  .strictObject({
    adjustmentId: RequestId,
    points: z
      .int()
      .min(-10_000_000)
      .max(10_000_000)
      .refine((p) => p !== 0, 'not zero'),
    reason: z.string().min(1).max(200),
    expiryDays: z.int().min(1).max(3650).optional(),
  })
  .meta({ id: 'AdjustmentRequest' });

export const PointsResult = z.object({ entry: PointsEntry, points: PointsBalance }).meta({ id: 'PointsResult' });
export type PointsResult = z.output<typeof PointsResult>;

export const PaidTierRequest = z
  .strictObject({ paymentId: RequestId, tier: Tier, months: z.int().min(1).max(36), fee: MinorUnits })
  .meta({ id: 'PaidTierRequest' });

export const SaleLine = z
  .strictObject({
    sku: Sku,
    qty: SaleQuantity,
    unitPrice: MinorUnits,
    /** RFID tags of the units sold, so exit gates know they left paid for. */
    epcs: z.array(Epc).max(50).optional(),
  })
  .refine((line) => line.epcs === undefined || line.epcs.length <= line.qty, { message: 'at most one EPC per unit sold', path: ['epcs'] });

/** A coupon code as printed: letters and digits (upper-cased before use), with hyphens. */
export const CouponCode = z
  .string()
  .trim()
  .toUpperCase()
  .pipe(z.string().regex(/^[A-Z0-9][A-Z0-9-]{2,39}$/, '3-40 letters, digits or hyphens'))
  .meta({ description: 'A coupon code (case does not matter)' });
export const CouponCodes = z
  .array(CouponCode)
  .min(1)
  .max(5)
  .refine((codes) => new Set(codes).size === codes.length, 'each code once')
  .meta({ description: 'Coupon codes the buyer presents (docs/members.md, "Promotions")' });

/** A promotion on a receipt: which rule gave what, on which lines (docs/members.md, "Promotions"). */
export const AppliedPromotion = z
  .object({
    ruleId: ResourceId,
    kind: z.enum(promotionKinds),
    name: z.string(),
    amount: z.int().meta({ description: 'Money off, a gift at its value (minor units)' }),
    code: z.string().optional().meta({ description: 'The coupon code redeemed' }),
    minSpend: z.int().optional().meta({ description: 'The spend the rule needed (a return that takes the kept spend below it takes the rule back)' }),
    lines: z.array(
      z.object({
        sku: Sku,
        amount: z.int(),
        base: z.int().optional().meta({ description: 'Spend this line counted toward the threshold' }),
      }),
    ),
    gift: z.object({ sku: Sku, qty: z.int(), unitValue: z.int() }).optional(),
  })
  .meta({ id: 'AppliedPromotion' });
export const NotAppliedPromotion = z
  .object({ ruleId: ResourceId, code: z.string().optional(), reason: z.enum(notAppliedReasons) })
  .meta({ id: 'NotAppliedPromotion', description: 'A rule that applied on its own but not to this basket, and why' });

/** Items of one sale must fit one DynamoDB transaction with the points and member writes. */
export const maxSaleLines = 40;

export const SaleRequest = z
  .strictObject({
    saleId: RequestId,
    locationId: LocationId,
    memberId: MemberId.optional(),
    lines: z.array(SaleLine).min(1).max(maxSaleLines),
    redeemPoints: z.int().min(1).max(10_000_000).optional(),
    coupons: CouponCodes.optional(),
    occurredAt: Timestamp.optional().meta({
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

const ReceiptLine = z.object({
  sku: Sku,
  qty: z.int(),
  unitPrice: z.int(),
  gross: z.int(),
  promotionDiscount: z.int().optional().meta({ description: "Money off from promotions (gifts at their value); the receipt's `promotions` say which rule" }),
  discount: z.int().meta({ description: "The tier's discount" }),
  pointsValue: z.int(),
  paid: z.int(),
  pointsEarned: z.int(),
  returned: z.int(),
  takeBacks: z
    .array(z.object({ ruleId: ResourceId, amount: z.int(), units: z.int(), returnedAt: z.int() }))
    .optional()
    .meta({ description: 'Promotion money a return kept back on the units still kept: returning them refunds it' }),
});

export const Receipt = z
  .object({
    saleId: RequestId,
    locationId: LocationId,
    memberId: MemberId.optional(),
    currency: z.string(),
    lines: z.array(ReceiptLine),
    subtotal: z.int(),
    promotionDiscount: z.int().optional().meta({ description: 'Money off from promotions in all' }),
    discount: z.int(),
    pointsRedeemed: z.int(),
    pointsValue: z.int(),
    total: z.int(),
    pointsEarned: z.int(),
    promotions: z.array(AppliedPromotion).optional().meta({ description: 'Every promotion line, by rule' }),
    notApplied: z.array(NotAppliedPromotion).optional(),
    member: z.object({ tier: Tier, tierChanged: z.boolean(), points: PointsBalance }).optional(),
    occurredAt: Timestamp.optional().meta({ description: 'When the till made the sale, if it was posted late' }),
    at: Timestamp.meta({ description: 'When the sale was booked' }),
  })
  .meta({ id: 'Receipt' });
export type Receipt = z.output<typeof Receipt>;

export const SaleParams = z.object({ saleId: RequestId });

export const ReturnRequest = z
  .strictObject({
    returnId: RequestId,
    /** Where the goods come back; the sale's location when left out. */
    locationId: LocationId.optional(),
    lines: z
      .array(
        z
          .strictObject({
            sku: Sku,
            qty: SaleQuantity,
            /** Tags of the units coming back, so they may be sold again. */
            epcs: z.array(Epc).max(50).optional(),
          })
          .refine((line) => line.epcs === undefined || line.epcs.length <= line.qty, { message: 'at most one EPC per unit returned', path: ['epcs'] }),
      )
      .min(1)
      .max(maxSaleLines),
  })
  .meta({ id: 'ReturnRequest' });

export const ReturnReceipt = z
  .object({
    returnId: RequestId,
    saleId: RequestId,
    locationId: LocationId,
    lines: z.array(z.object({ sku: Sku, qty: z.int(), refund: z.int(), pointsClawedBack: z.int() })),
    refund: z.int(),
    pointsClawedBack: z.int(),
    /** Clawed-back points the member had already spent. */
    pointsShortfall: z.int(),
    pointsRestored: z.int(),
    promotionsTakenBack: z
      .array(z.object({ ruleId: ResourceId, kind: z.enum(promotionKinds), amount: z.int() }))
      .optional()
      .meta({ description: 'Threshold promotions this return broke: what they gave on the goods kept, kept back from `refund`' }),
    promotionShortfall: z.int().optional().meta({ description: 'Taken-back promotion money the refund could not cover: the till collects it' }),
    member: z.object({ tier: Tier, points: PointsBalance }).optional(),
    at: Timestamp,
  })
  .meta({ id: 'ReturnReceipt' });
export type ReturnReceipt = z.output<typeof ReturnReceipt>;

/** With maxSaleTotal, one sale earns at most 10^12 points (points.ts: paid / 100 x rate x multiplier). */
export const maxPointsPerCurrencyUnit = 100;
export const maxPointsMultiplier = 10;

const TierRuleSchema = z.strictObject({
  tier: Tier,
  minSpend: MinorUnits,
  minVisits: z.int().min(0).max(100_000),
  discountPercent: z.number().min(0).max(90),
  pointsMultiplier: z.number().min(0).max(maxPointsMultiplier),
  exclusiveAccess: z.boolean(),
  monthlyFee: MinorUnits.optional(),
  birthdayPoints: z.int().min(0).max(1_000_000).optional(),
});

const SegmentSchema = z
  .strictObject({
    tiers: z.array(Tier).min(1).max(4).optional(),
    minTier: Tier.optional(),
    minSpend: MinorUnits.optional(),
    maxSpend: MinorUnits.optional(),
    minVisits: z.int().min(0).max(100_000).optional(),
    inactiveDays: z.int().min(1).max(3650).optional(),
    birthdayMonth: z.int().min(1).max(12).optional(),
    tags: z.array(Tag).min(1).max(20).optional(),
    affinity: z
      .strictObject({
        skus: z
          .array(Sku)
          .min(1)
          .max(20)
          .refine((skus) => new Set(skus).size === skus.length, 'each SKU once'),
        withinDays: z.int().min(1).max(3650).optional(),
      })
      .optional(),
  })
  .refine((s) => s.minSpend === undefined || s.maxSpend === undefined || s.minSpend <= s.maxSpend, {
    message: 'maxSpend must be at least minSpend',
    path: ['maxSpend'],
  });

const HolidaySchema = z
  .strictObject({
    holidayId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and hyphens, at most 40'),
    name: Name(100),
    date: z
      .string()
      .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'MM-DD')
      // A day some year has (02-29 in leap years), so a holiday never silently fails to come.
      .refine(
        (mmdd) => new Date(Date.UTC(2024, Number(mmdd.slice(0, 2)) - 1, Number(mmdd.slice(3)))).getUTCDate() === Number(mmdd.slice(3)),
        'a day of the year',
      )
      .meta({ description: 'Every year on this day (UTC); 02-29 only in leap years' }),
    headline: Name(120),
    text: z.string().min(1).max(1000),
    pointsByTier: z.partialRecord(Tier, z.int().min(0).max(1_000_000)).optional(),
    segment: SegmentSchema.optional().meta({ description: 'Who gets it; everyone by default' }),
    offer: z
      .strictObject({ percentOff: z.number().gt(0).max(100).optional(), amountOff: MinorUnits.min(1).optional(), minSpend: MinorUnits.optional() })
      .refine((o) => (o.percentOff === undefined) !== (o.amountOff === undefined), 'percentOff or amountOff, one of them')
      .optional()
      .meta({
        description:
          'The coupon the message carries: a code each member of the segment may redeem once, on the day and the next (docs/members.md, "Promotions"); 10 % off when left out',
      }),
  })
  .meta({ id: 'Holiday' });

const DemandSegmentSchema = z
  .strictObject({
    segmentId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and hyphens, at most 40'),
    name: Name(100).optional(),
    segment: SegmentSchema.refine((s) => s.affinity === undefined, { message: 'product affinity is not a demand segment', path: ['affinity'] }),
  })
  .meta({ description: 'Members whose purchases the forecast watches as `segment:{segmentId}`, like tiers and tags (docs/replenishment.md)' });

export const ProgramSchema = z
  .strictObject({
    tiers: z
      .array(TierRuleSchema)
      .length(tierNames.length)
      .refine((rules) => rules.every((r, i) => r.tier === tierNames[i]), `one rule per tier, in order ${tierNames.join(', ')}`)
      .refine((rules) => rules[0]?.minSpend === 0 && rules[0]?.minVisits === 0, 'REGULAR has no thresholds')
      .refine(
        (rules) => rules.every((r, i) => i === 0 || (r.minSpend >= rules[i - 1]!.minSpend && r.minVisits >= rules[i - 1]!.minVisits)),
        'thresholds rise with the tier',
      ),
    points: z.strictObject({
      perCurrencyUnit: z.number().min(0).max(maxPointsPerCurrencyUnit),
      pointValue: z.int().min(1).max(10_000),
      expiryDays: z.int().min(1).max(3650),
      pendingDays: z.int().min(0).max(365),
    }),
    welcomeGift: z.strictObject({ points: z.int().min(0).max(1_000_000), expiryDays: z.int().min(1).max(3650) }),
    rollingMonths: z.int().min(1).max(36),
    reviewGraceDays: z.int().min(0).max(3650),
    reviewIntervalDays: z.int().min(1).max(366).optional(),
    backInStockWaveMinutes: z.int().min(0).max(1440).optional().meta({
      description:
        'Back-in-stock waves: minutes between telling one tier waiting for a SKU and the next lower tier (0: all at once, higher tiers first; default 15)',
    }),
    holidays: z
      .array(HolidaySchema)
      .max(50)
      .refine((list) => new Set(list.map((h) => h.holidayId)).size === list.length, 'holidayId is unique')
      .optional(),
    demandSegments: z
      .array(DemandSegmentSchema)
      .max(20)
      .refine((list) => new Set(list.map((d) => d.segmentId)).size === list.length, 'segmentId is unique')
      .optional(),
  })
  .meta({ id: 'Program' });

export const ProgramView = ProgramSchema.extend({ version: z.int() }).meta({ id: 'ProgramView' });

// In their own module, so the products function (which sets and lists allocations) does not bundle the member schemas and phone parsing.
export { Allocation, AllocationInput, AllocationList, AllocationParams } from './allocations.ts';

export const StockAlertRequest = z.strictObject({ sku: Sku, locationId: LocationId }).meta({ id: 'StockAlertRequest' });

export const StockAlert = z
  .object({
    memberId: MemberId,
    sku: Sku,
    locationId: LocationId,
    status: z.enum(['ACTIVE', 'SCHEDULED', 'NOTIFIED']).meta({
      description: "ACTIVE: waiting; SCHEDULED: the SKU is back and the member's tier wave is told at `dueAt`; NOTIFIED: told",
    }),
    subscribedAt: Timestamp,
    dueAt: Timestamp.optional().meta({ description: "SCHEDULED: when the member's wave is told (if the SKU is still available then)" }),
    notifiedAt: Timestamp.optional(),
  })
  .meta({
    id: 'StockAlert',
    description: 'A back-in-stock subscription: told once, when the SKU is available again at the location, in waves by tier (higher tiers first)',
  });
export type StockAlert = z.output<typeof StockAlert>;

/** The query of a one-click unsubscribe link (RFC 8058: mail clients POST to it). */
export const UnsubscribeQuery = z.object({
  member: MemberId,
  channel: z.enum(['email', 'sms']),
  sig: z.string().min(1).max(128),
});

export const Unsubscribed = z.object({ unsubscribed: z.literal(true), channel: z.enum(['email', 'sms']) }).meta({ id: 'Unsubscribed' });

const GiftSchema = z
  .strictObject({
    pointsByTier: z.partialRecord(Tier, z.int().min(0).max(1_000_000)),
    expiryDays: z.int().min(1).max(3650).optional(),
  })
  .meta({ description: 'Points every member in the segment gets once, by tier, whether or not a message may reach them' });

export const CampaignInput = z
  .strictObject({
    campaignId: RequestId,
    name: Name(200),
    segment: SegmentSchema,
    channels: z
      .array(z.enum(['email', 'sms', 'push']))
      .min(1)
      .max(3),
    /** The email subject. */
    headline: Name(120),
    text: z.string().min(1).max(1000),
    expiresAt: Timestamp.optional(),
    budget: z.int().min(1).max(10_000_000).optional(),
    cap: z.strictObject({ count: z.int().min(1).max(100), days: z.int().min(1).max(365) }).optional(),
    sendAt: Timestamp.optional().meta({ description: 'When the scheduler starts the campaign; without it, POST /campaigns/{id}/start does' }),
    gift: GiftSchema.optional(),
  })
  // A campaign that expires before it is sent would only ever skip its members.
  .refine((c) => c.sendAt === undefined || c.expiresAt === undefined || Date.parse(c.sendAt) < Date.parse(c.expiresAt), {
    message: 'expiresAt must be after sendAt',
    path: ['expiresAt'],
  })
  .meta({ id: 'CampaignInput' });

export const Campaign = z
  .object({
    campaignId: ResourceId,
    name: z.string(),
    segment: SegmentSchema,
    channels: z.array(z.enum(['email', 'sms', 'push'])),
    headline: z.string(),
    text: z.string(),
    expiresAt: Timestamp.optional(),
    budget: z.int().optional(),
    cap: z.object({ count: z.int(), days: z.int() }).optional(),
    sendAt: Timestamp.optional(),
    gift: GiftSchema.optional(),
    status: z.enum(['DRAFT', 'SCHEDULED', 'RUNNING', 'DONE']),
    counts: z.record(z.string(), z.int()).meta({
      description:
        'The report so far: per member of the segment one of SENT, DEFERRED, SKIPPED, DUPLICATE, FAILED or BUDGET_REFUSED (no message: the budget was spent), which add up to the members reached; members GIFTED beside them',
    }),
    fanOut: z
      .object({ sources: z.int(), finished: z.int(), startedAt: Timestamp, queuedAt: Timestamp.optional(), finishedAt: Timestamp.optional() })
      .optional()
      .meta({ description: 'Queued sources (scan segments or SKUs) and how many are done' }),
    createdAt: Timestamp,
    by: z.string(),
  })
  .meta({ id: 'Campaign' });
/** Read-only: a campaign's segment comes from the domain (holidays) as read-only lists. */
export type Campaign = Frozen<z.output<typeof Campaign>>;

export const CampaignParams = z.object({ campaignId: ResourceId });
export const CampaignPageQuery = z.object({ cursor: z.string().max(1024).optional() });

export const CampaignDryRun = z
  .object({
    campaignId: ResourceId,
    entries: z.array(
      z.object({
        memberId: z.string(),
        action: z.enum(['SEND', 'DEFER', 'SKIP', 'NOT_IN_SEGMENT']),
        channel: z.string().optional(),
        reason: z.string().optional(),
        until: Timestamp.optional(),
        points: z.int().optional(),
      }),
    ),
    summary: z.record(z.string(), z.int()),
    cursor: z.string().optional(),
  })
  .meta({ id: 'CampaignDryRun' });
/** One member's line of a dry run. */
export type DryRunEntry = z.output<typeof CampaignDryRun>['entries'][number];

export const CampaignDispatch = z
  .object({ campaignId: ResourceId, counts: z.record(z.string(), z.int()), budgetSpent: z.boolean(), cursor: z.string().optional() })
  .meta({ id: 'CampaignDispatch' });

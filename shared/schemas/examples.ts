/**
 * A valid request body for each write route of infra/routes.ts, in one
 * place: the OpenAPI document shows them as examples (with the fixed,
 * readable ids below; test/unit/schemas/openapi-examples.test.ts checks
 * each against the route's zod schema and the document's JSON Schema), the
 * fuzz mutates them into hostile input and the extremes sweep into
 * schema-valid extremes (with their own ids). Success response examples
 * come from the schemas themselves (shared/schemas/sample.ts).
 */
import type { RouteName } from '../../infra/routes.ts';

/** The ids a body names: things that exist (location, SKU, member) and fresh ids for what the write creates. */
export interface TemplateIds {
  readonly location: string;
  readonly sku: string;
  readonly member: string;
  readonly missing: (n: number) => string;
}

export const requestBodies = (ids: TemplateIds): Partial<Record<RouteName, unknown>> => ({
  createLocation: { locationId: ids.missing(1), name: 'Example', type: 'STORE', timeZone: 'Europe/Berlin' },
  updateLocation: { name: 'Example', type: 'STORE', timeZone: 'UTC' },
  createProduct: {
    sku: ids.missing(2),
    name: 'Example',
    gtin: '4006381333931',
    unitCost: 100,
    price: 200,
    currency: 'EUR',
    packSize: 6,
    reorder: { min: 1, max: 5 },
    memberExclusive: { minTier: 'SILVER', perMemberLimit: 1 },
  },
  updateProduct: { name: 'Example', price: 300, leadTimeDays: 3.5, serviceLevel: 0.95 },
  createMovement: {
    movementId: ids.missing(3),
    type: 'TRANSFER',
    locationId: ids.location,
    toLocationId: ids.missing(4),
    lines: [
      { sku: ids.sku, qty: 1 },
      { sku: ids.sku, qty: 2 },
    ],
  },
  setAllocation: { quantity: 10 },
  receiveTransfer: { receiptId: ids.missing(15), lines: [{ sku: ids.sku, qty: 1 }] },
  updateProgram: {
    tiers: [
      { tier: 'REGULAR', minSpend: 0, minVisits: 0, discountPercent: 0, pointsMultiplier: 1, exclusiveAccess: true },
      { tier: 'SILVER', minSpend: 50_000, minVisits: 5, discountPercent: 2, pointsMultiplier: 1.25, exclusiveAccess: true, monthlyFee: 300 },
      { tier: 'GOLD', minSpend: 150_000, minVisits: 12, discountPercent: 5, pointsMultiplier: 1.5, exclusiveAccess: true, monthlyFee: 900 },
      { tier: 'PLATINUM', minSpend: 500_000, minVisits: 24, discountPercent: 10, pointsMultiplier: 2, exclusiveAccess: true, monthlyFee: 1900 },
    ],
    points: { perCurrencyUnit: 1, pointValue: 1, expiryDays: 365, pendingDays: 14 },
    welcomeGift: { points: 500, expiryDays: 90 },
    rollingMonths: 12,
    reviewGraceDays: 30,
  },
  registerMember: {
    name: 'Example',
    email: `${ids.missing(14)}@example.com`,
    phone: '+49 170 1234567',
    birthday: '1990-02-28',
    timeZone: 'Europe/Berlin',
    consent: { email: true, sms: false },
    consentSource: 'POS',
  },
  updateMember: { name: 'Example', consent: { sms: true }, birthday: '1990-02-28' },
  redeemPoints: { redemptionId: ids.missing(5), points: 10, reason: 'goodwill' },
  adjustPoints: { adjustmentId: ids.missing(6), points: -5, reason: 'goodwill', expiryDays: 30 },
  buyPaidTier: { paymentId: ids.missing(7), tier: 'GOLD', months: 3, fee: 2700 },
  subscribeStockAlert: { sku: ids.sku, locationId: ids.location },
  registerDevice: { platform: 'APNS', token: '740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad' },
  createEvent: {
    eventId: ids.missing(40),
    locationId: ids.location,
    title: 'Spring styling evening',
    startsAt: '2099-03-20T17:00:00Z',
    endsAt: '2099-03-20T19:00:00Z',
    capacity: 20,
    minTier: 'SILVER',
  },
  registerForEvent: { registrationId: ids.missing(41), memberId: ids.member },
  giveFeedback: { feedbackId: ids.missing(42), memberId: ids.member, saleId: ids.missing(43), sku: ids.sku, rating: 4, comment: 'Fits well' },
  createSale: {
    saleId: ids.missing(8),
    locationId: ids.location,
    memberId: ids.member,
    redeemPoints: 10,
    lines: [{ sku: ids.sku, qty: 2, unitPrice: 1999, epcs: ['3074257BF7194E4000001A85'] }],
  },
  createReturn: { returnId: ids.missing(9), locationId: ids.location, lines: [{ sku: ids.sku, qty: 1 }] },
  createPromotion: {
    ruleId: ids.missing(50),
    name: 'Spend 300, get 50 off',
    kind: 'SPEND_THRESHOLD_OFF',
    minSpend: 30_000,
    amountOff: 5_000,
    stacking: 'COMBINABLE',
    conditions: { locationIds: [ids.location], from: '2026-12-01', to: '2026-12-31' },
    budget: { uses: 1000 },
  },
  setPromotionStatus: { status: 'PAUSED' },
  issuePromotionCodes: { memberIds: [ids.member] },
  dryRunPromotions: {
    locationId: ids.location,
    memberId: ids.member,
    lines: [{ sku: ids.sku, qty: 2, unitPrice: 17_999 }],
  },
  placeHqOrders: { runId: ids.missing(10) },
  // A trial over one product: the configuration in force and the stored report stay as they are.
  runAbcClassification: { runId: ids.missing(16), skus: [ids.sku] },
  createCampaign: {
    campaignId: ids.missing(13),
    name: 'Example',
    segment: { minTier: 'SILVER', birthdayMonth: 2, tags: ['fuzz-group'], affinity: { skus: [ids.sku], withinDays: 90 } },
    channels: ['email', 'sms'],
    headline: 'Example',
    text: 'fuzz',
    budget: 10,
    cap: { count: 1, days: 7 },
    sendAt: '2030-01-01T09:00:00.000Z',
    gift: { pointsByTier: { GOLD: 100 }, expiryDays: 30 },
  },
  setMemberTags: { tags: ['fuzz-group', 'staff'] },
  createPurchaseOrder: {
    purchaseOrderId: ids.missing(11),
    supplierId: 'SUP-FUZZ',
    fromSuggestions: false,
    lines: [{ sku: ids.sku, locationId: ids.location, qty: 5 }],
  },
  receivePurchaseOrder: { receiptId: ids.missing(12), locationId: ids.location, lines: [{ sku: ids.sku, qty: 5 }] },
});

/** The document's examples: the same bodies, naming the demo data. */
export const requestExamples: Readonly<Record<string, unknown>> = /* @__PURE__ */ requestBodies({
  location: 'STORE-BERLIN',
  sku: 'SNEAKER-42',
  member: 'm-anna',
  missing: (n) => `example-${n}`,
});

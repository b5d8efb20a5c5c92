import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../infra/local/auth.ts';
import { type RouteName, routeKey, routeList, routes } from '../../infra/routes.ts';
import { unsubscribeUrl } from '../../shared/app/messages.ts';
import { type Api, token, startApi, uniqueId } from '../support/local-api.ts';

/**
 * The authorization matrix (issue 8): every route in infra/routes.ts against
 * every kind of caller, through the local gateway and the real handlers.
 *
 * Rules asserted:
 * - no token, an expired token or a token signed with another key: 401 on
 *   every route but GET /health and GET /openapi.json (200);
 * - a role the route does not allow: 403;
 * - store staff of location B on location A's resources: 403;
 * - member M2 asking for member M1's profile, points or sale: 404, not 403;
 * - a member on their own data: 2xx.
 *
 * The table is keyed by route name and checked against routeList(), so a
 * new route without an entry here fails "every route has an expectation".
 */

const authenticated = ['admin', 'service', 'gateway', 'storeA', 'storeB', 'm1', 'm2'] as const;
const unauthenticated = ['none', 'expired', 'foreignKey'] as const;
type AuthCaller = (typeof authenticated)[number];
type Caller = AuthCaller | (typeof unauthenticated)[number];
const callers: readonly Caller[] = [...authenticated, ...unauthenticated];

/**
 * 'ok' is any 2xx. A number is that exact status: 400 or 412 where the cell
 * deliberately sends a request that passes authorization and is then refused
 * before anything is written (see the comments at those routes).
 */
type Expected = 'ok' | 400 | 403 | 404 | 409 | 412 | { readonly anyOf: readonly number[]; readonly note: string };

interface Call {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

interface Entry {
  /** Builds the request for one caller; may set up fresh fixtures first (as admin). */
  readonly request: (caller: Caller) => Call | Promise<Call>;
  readonly expect: Readonly<Record<AuthCaller, Expected>>;
}

let api: Api;
const tokens = {} as Record<Caller, string | undefined>;
const A = uniqueId('AZ-A');
const B = uniqueId('AZ-B');
const sku = uniqueId('az-p');
const exclusiveSku = uniqueId('az-x');
const M1 = uniqueId('az-m1');
const M2 = uniqueId('az-m2');
const saleOfM1 = uniqueId('az-s1');
const saleForReturns = uniqueId('az-sr');
const purchaseOrderAtA = uniqueId('az-po');
let silverFee = 0;
let program: Record<string, unknown> = {};

const asAdmin = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  api.call(method, path, { token: tokens.admin, body, headers });

const must = async (answer: Promise<{ status: number; body: unknown }>, status: number) => {
  const { status: got, body } = await answer;
  if (got !== status) throw new Error(`fixture: expected ${status}, got ${got}: ${JSON.stringify(body)}`);
  return body as Record<string, any>;
};

const etagOf = async (path: string): Promise<string> => {
  const answer = await asAdmin('GET', path);
  expect(answer.status).toBe(200);
  return answer.headers.get('etag')!;
};

/** A fresh open purchase order at A (as admin), for cells that change an order's state. */
const freshPurchaseOrder = async (): Promise<string> => {
  const purchaseOrderId = uniqueId('az-po');
  await must(asAdmin('POST', '/purchase-orders', { purchaseOrderId, lines: [{ sku, locationId: A, qty: 5 }] }), 201);
  return purchaseOrderId;
};

/** A fresh transfer shipped from A to B (as admin), for cells that receive it. */
const freshShippedTransfer = async (): Promise<string> => {
  const movementId = uniqueId('az-tr');
  await must(asAdmin('POST', '/movements', { movementId, type: 'TRANSFER', locationId: A, toLocationId: B, ship: true, lines: [{ sku, qty: 1 }] }), 201);
  return movementId;
};

/** A fresh member-only event at A (as admin); with `registerM1`, M1 registered for it (as admin). */
const freshEvent = async (registerM1 = false): Promise<string> => {
  const eventId = uniqueId('az-ev');
  await must(
    asAdmin('POST', '/events', {
      eventId,
      locationId: A,
      title: 'Matrix evening',
      startsAt: '2099-06-01T18:00:00Z',
      endsAt: '2099-06-01T20:00:00Z',
      capacity: 50,
    }),
    201,
  );
  if (registerM1) await must(asAdmin('POST', `/events/${eventId}/registrations`, { registrationId: uniqueId('az-er'), memberId: M1 }), 201);
  return eventId;
};
let sharedEvent: Promise<string> | undefined;
const eventWithM1 = () => {
  sharedEvent ??= freshEvent(true);
  return sharedEvent;
};

/** A coupon rule at A (as admin): a coupon does nothing to the matrix's sales unless presented. */
let sharedPromotion: Promise<string> | undefined;
const promotionAtA = () => {
  sharedPromotion ??= (async () => {
    const ruleId = uniqueId('az-pr');
    await must(asAdmin('POST', '/promotions', { ruleId, name: 'Matrix coupon', kind: 'COUPON', amountOff: 100, conditions: { locationIds: [A] } }), 201);
    return ruleId;
  })();
  return sharedPromotion;
};

/** A fresh sale of `sku` to M1 at A, for cells that rate it (once per purchase). */
const freshSaleOfM1 = async (): Promise<string> => {
  const saleId = uniqueId('az-fs');
  await must(
    api.call('POST', '/sales', { token: tokens.storeA, body: { saleId, locationId: A, memberId: M1, lines: [{ sku, qty: 1, unitPrice: 499 }] } }),
    201,
  );
  return saleId;
};

/** Every role but those named is refused by role: 403. */
const allow = (allowed: Partial<Record<AuthCaller, Expected>>): Record<AuthCaller, Expected> => ({
  admin: 403,
  service: 403,
  gateway: 403,
  storeA: 403,
  storeB: 403,
  m1: 403,
  m2: 403,
  ...allowed,
});
const staffAndService = (overrides: Partial<Record<AuthCaller, Expected>> = {}) =>
  allow({ admin: 'ok', service: 'ok', storeA: 'ok', storeB: 'ok', ...overrides });
/** Another member's data: 404, so nothing about other members leaks. */
const everyoneOnM1 = allow({ admin: 'ok', service: 'ok', storeA: 'ok', storeB: 'ok', m1: 'ok', m2: 404 });

const matrix: Record<RouteName, Entry> = {
  health: {
    request: () => ({ method: 'GET', path: '/health' }),
    expect: allow({ admin: 'ok', service: 'ok', gateway: 'ok', storeA: 'ok', storeB: 'ok', m1: 'ok', m2: 'ok' }),
  },
  openApi: {
    request: () => ({ method: 'GET', path: '/openapi.json' }),
    expect: allow({ admin: 'ok', service: 'ok', gateway: 'ok', storeA: 'ok', storeB: 'ok', m1: 'ok', m2: 'ok' }),
  },
  // Public by nature (mail clients post to it without a token); the link's signature is the authorization.
  unsubscribe: {
    request: () => {
      const link = new URL(unsubscribeUrl(uniqueId('az-nobody'), 'email'));
      return { method: 'POST', path: `${link.pathname}${link.search}` };
    },
    expect: allow({ admin: 'ok', service: 'ok', gateway: 'ok', storeA: 'ok', storeB: 'ok', m1: 'ok', m2: 'ok' }),
  },

  createLocation: {
    request: () => ({ method: 'POST', path: '/locations', body: { locationId: uniqueId('AZ-L'), name: 'Matrix', type: 'STORE', timeZone: 'UTC' } }),
    expect: allow({ admin: 'ok' }),
  },
  listLocations: { request: () => ({ method: 'GET', path: '/locations' }), expect: staffAndService() },
  getLocation: { request: () => ({ method: 'GET', path: `/locations/${A}` }), expect: staffAndService({ storeB: 403 }) },
  updateLocation: {
    request: async () => ({ method: 'PATCH', path: `/locations/${A}`, body: { name: `Store ${A}` }, headers: { 'if-match': await etagOf(`/locations/${A}`) } }),
    expect: allow({ admin: 'ok' }),
  },

  createProduct: {
    request: () => ({ method: 'POST', path: '/products', body: { sku: uniqueId('az-np'), name: 'Matrix', unitCost: 1, price: 2, currency: 'EUR' } }),
    expect: allow({ admin: 'ok' }),
  },
  listProducts: { request: () => ({ method: 'GET', path: '/products?limit=5' }), expect: staffAndService() },
  getProduct: { request: () => ({ method: 'GET', path: `/products/${sku}` }), expect: staffAndService() },
  updateProduct: {
    request: async () => ({
      method: 'PATCH',
      path: `/products/${sku}`,
      body: { name: `Product ${sku}` },
      headers: { 'if-match': await etagOf(`/products/${sku}`) },
    }),
    expect: allow({ admin: 'ok' }),
  },

  createMovement: {
    request: () => ({ method: 'POST', path: '/movements', body: { movementId: uniqueId('az-mv'), type: 'RECEIPT', locationId: A, lines: [{ sku, qty: 1 }] } }),
    expect: allow({ admin: 'ok', storeA: 'ok' }),
  },
  listMovements: { request: () => ({ method: 'GET', path: `/movements?sku=${sku}&locationId=${A}` }), expect: staffAndService({ storeB: 403 }) },
  getMovement: {
    request: async () => {
      const movementId = uniqueId('az-gm');
      await must(asAdmin('POST', '/movements', { movementId, type: 'RECEIPT', locationId: A, lines: [{ sku, qty: 1 }] }), 201);
      return { method: 'GET', path: `/locations/${A}/movements/${movementId}` };
    },
    expect: staffAndService({ storeB: 403 }),
  },
  // Shipped from A to B: staff of either end may read it.
  getTransfer: { request: async () => ({ method: 'GET', path: `/transfers/${await freshShippedTransfer()}` }), expect: staffAndService() },
  // Only the destination (B) receives: the source's staff get 403.
  receiveTransfer: {
    request: async () => ({
      method: 'POST',
      path: `/transfers/${await freshShippedTransfer()}/receipts`,
      body: { receiptId: uniqueId('az-tc'), lines: [{ sku, qty: 1 }] },
    }),
    expect: allow({ admin: 'ok', storeA: 403, storeB: 'ok' }),
  },
  // Store B gets 200 here, but only its own levels: asserted in "location scoping" below.
  getStockOfSku: { request: () => ({ method: 'GET', path: `/stock/${sku}` }), expect: staffAndService() },
  getLocationStock: { request: () => ({ method: 'GET', path: `/locations/${A}/stock` }), expect: staffAndService({ storeB: 403 }) },
  listCountsDue: { request: () => ({ method: 'GET', path: `/locations/${A}/counts-due` }), expect: staffAndService({ storeB: 403 }) },
  getAvailability: {
    request: () => ({ method: 'GET', path: `/products/${sku}/availability` }),
    expect: allow({ admin: 'ok', service: 'ok', storeA: 'ok', storeB: 'ok', m1: 'ok', m2: 'ok' }),
  },
  getReconciliation: { request: () => ({ method: 'GET', path: `/locations/${A}/reconciliation` }), expect: staffAndService({ storeB: 403 }) },
  exportEpcisEvents: { request: () => ({ method: 'GET', path: `/epcis/events?locationId=${A}` }), expect: staffAndService({ storeB: 403 }) },

  setAllocation: {
    request: () => ({ method: 'PUT', path: `/products/${exclusiveSku}/allocations/${A}`, body: { quantity: 5 } }),
    expect: allow({ admin: 'ok' }),
  },
  listAllocations: {
    request: () => ({ method: 'GET', path: `/products/${exclusiveSku}/allocations` }),
    expect: allow({ admin: 'ok', service: 'ok', storeA: 'ok', storeB: 'ok', m1: 'ok', m2: 'ok' }),
  },

  getProgram: {
    request: () => ({ method: 'GET', path: '/program' }),
    expect: allow({ admin: 'ok', service: 'ok', storeA: 'ok', storeB: 'ok', m1: 'ok', m2: 'ok' }),
  },
  // Other test files rely on the default program: admin sends a stale If-Match, so it passes
  // authorization and is refused 412 by the conditional write, with nothing changed.
  updateProgram: {
    request: () => ({ method: 'PUT', path: '/program', body: program, headers: { 'if-match': '"999999"' } }),
    expect: allow({ admin: 412 }),
  },
  registerMember: {
    request: () => ({
      method: 'POST',
      path: '/members',
      body: { name: 'Matrix Member', email: `${uniqueId('az')}@example.com` },
      headers: { 'idempotency-key': uniqueId('az-reg') },
    }),
    // A member registers themselves under the id of their token: M1 and M2 exist already.
    expect: allow({ admin: 'ok', storeA: 'ok', storeB: 'ok', m1: 409, m2: 409 }),
  },
  getMember: { request: () => ({ method: 'GET', path: `/members/${M1}` }), expect: everyoneOnM1 },
  setMemberTags: { request: () => ({ method: 'PUT', path: `/members/${M1}/tags`, body: { tags: ['matrix'] } }), expect: allow({ admin: 'ok' }) },
  updateMember: {
    request: async () => ({
      method: 'PATCH',
      path: `/members/${M1}`,
      body: { consent: { email: true } },
      headers: { 'if-match': await etagOf(`/members/${M1}`) },
    }),
    expect: everyoneOnM1,
  },
  getMemberPoints: { request: () => ({ method: 'GET', path: `/members/${M1}/points` }), expect: everyoneOnM1 },
  listPointsEntries: { request: () => ({ method: 'GET', path: `/members/${M1}/points/entries` }), expect: everyoneOnM1 },
  redeemPoints: {
    request: () => ({ method: 'POST', path: `/members/${M1}/points/redemptions`, body: { redemptionId: uniqueId('az-rd'), points: 1 } }),
    expect: everyoneOnM1,
  },
  adjustPoints: {
    request: () => ({ method: 'POST', path: `/members/${M1}/points/adjustments`, body: { adjustmentId: uniqueId('az-adj'), points: 5, reason: 'matrix' } }),
    expect: allow({ admin: 'ok' }),
  },
  buyPaidTier: {
    request: () => ({ method: 'POST', path: `/members/${M1}/paid-tier`, body: { paymentId: uniqueId('az-pay'), tier: 'SILVER', months: 1, fee: silverFee } }),
    expect: allow({ admin: 'ok', storeA: 'ok', storeB: 'ok' }),
  },
  getRecommendations: { request: () => ({ method: 'GET', path: `/members/${M1}/recommendations` }), expect: everyoneOnM1 },
  subscribeStockAlert: {
    request: () => ({ method: 'POST', path: `/members/${M1}/stock-alerts`, body: { sku, locationId: A } }),
    expect: everyoneOnM1,
  },
  // Push devices: the member's own, or admin's; staff and service are refused by role, M2 on M1 gets 404.
  registerDevice: {
    request: () => ({ method: 'POST', path: `/members/${M1}/devices`, body: { platform: 'FCM', token: `${uniqueId('az-fcm')}-0123456789abcdefghijklmnop` } }),
    expect: allow({ admin: 'ok', m1: 'ok', m2: 404 }),
  },
  listDevices: { request: () => ({ method: 'GET', path: `/members/${M1}/devices` }), expect: allow({ admin: 'ok', m1: 'ok', m2: 404 }) },
  removeDevice: {
    request: async () => {
      const device = await asAdmin('POST', `/members/${M1}/devices`, { platform: 'FCM', token: `${uniqueId('az-fcm')}-0123456789abcdefghijklmnop` });
      return { method: 'DELETE', path: `/members/${M1}/devices/${(device.body as { deviceId: string }).deviceId}` };
    },
    expect: allow({ admin: 'ok', m1: 'ok', m2: 404 }),
  },
  reviewMemberTier: { request: () => ({ method: 'POST', path: `/members/${M1}/tier-review` }), expect: allow({ admin: 'ok', service: 'ok' }) },
  // Events at A: store staff of B are refused (403); M2 asking about M1's registration gets 404.
  createEvent: {
    request: () => ({
      method: 'POST',
      path: '/events',
      body: { eventId: uniqueId('az-ev'), locationId: A, title: 'Matrix', startsAt: '2099-06-01T18:00:00Z', endsAt: '2099-06-01T20:00:00Z', capacity: 5 },
    }),
    expect: allow({ admin: 'ok' }),
  },
  listEvents: { request: () => ({ method: 'GET', path: '/events' }), expect: staffAndService({ m1: 'ok', m2: 'ok' }) },
  getEvent: { request: async () => ({ method: 'GET', path: `/events/${await eventWithM1()}` }), expect: staffAndService({ storeB: 403, m1: 'ok', m2: 'ok' }) },
  registerForEvent: {
    request: async () => ({ method: 'POST', path: `/events/${await freshEvent()}/registrations`, body: { registrationId: uniqueId('az-er'), memberId: M1 } }),
    expect: staffAndService({ storeB: 403, m1: 'ok', m2: 404 }),
  },
  listEventRegistrations: {
    request: async () => ({ method: 'GET', path: `/events/${await eventWithM1()}/registrations` }),
    expect: staffAndService({ storeB: 403 }),
  },
  getEventRegistration: {
    request: async () => ({ method: 'GET', path: `/events/${await eventWithM1()}/registrations/${M1}` }),
    expect: staffAndService({ storeB: 403, m1: 'ok', m2: 404 }),
  },
  cancelEventRegistration: {
    request: async () => ({ method: 'DELETE', path: `/events/${await freshEvent(true)}/registrations/${M1}` }),
    expect: staffAndService({ storeB: 403, m1: 'ok', m2: 404 }),
  },
  // Feedback on a purchase of M1 at A: once per purchase, so each cell rates a fresh sale.
  giveFeedback: {
    request: async () => ({
      method: 'POST',
      path: '/feedback',
      body: { feedbackId: uniqueId('az-fb'), memberId: M1, saleId: await freshSaleOfM1(), sku, rating: 4 },
    }),
    expect: staffAndService({ storeB: 403, m1: 'ok', m2: 404 }),
  },
  getProductRatings: { request: () => ({ method: 'GET', path: `/products/${sku}/ratings` }), expect: staffAndService() },
  getStoreRatings: { request: () => ({ method: 'GET', path: `/locations/${A}/ratings` }), expect: staffAndService({ storeB: 403 }) },

  createSale: {
    request: () => ({ method: 'POST', path: '/sales', body: { saleId: uniqueId('az-sale'), locationId: A, lines: [{ sku, qty: 1, unitPrice: 499 }] } }),
    expect: allow({ admin: 'ok', storeA: 'ok' }),
  },
  createPromotion: {
    request: () => ({
      method: 'POST',
      path: '/promotions',
      body: { ruleId: uniqueId('az-pr'), name: 'Matrix', kind: 'COUPON', amountOff: 100, conditions: { locationIds: [A] } },
    }),
    expect: allow({ admin: 'ok' }),
  },
  listPromotions: { request: () => ({ method: 'GET', path: '/promotions' }), expect: staffAndService() },
  getPromotion: { request: async () => ({ method: 'GET', path: `/promotions/${await promotionAtA()}` }), expect: staffAndService() },
  setPromotionStatus: {
    request: async () => ({ method: 'PUT', path: `/promotions/${await promotionAtA()}/status`, body: { status: 'ACTIVE' } }),
    expect: allow({ admin: 'ok' }),
  },
  issuePromotionCodes: {
    request: async () => ({ method: 'POST', path: `/promotions/${await promotionAtA()}/codes`, body: { codes: [uniqueId('AZ').toUpperCase()] } }),
    expect: allow({ admin: 'ok' }),
  },
  // A quote at A: staff of A (and HQ, service); staff of B are refused the location.
  dryRunPromotions: {
    request: () => ({ method: 'POST', path: '/promotions/dry-run', body: { locationId: A, lines: [{ sku, qty: 1, unitPrice: 499 }] } }),
    expect: staffAndService({ storeB: 403 }),
  },
  // Receipts are chain-wide for staff (a return may be taken at any store); members see only their own.
  getSale: { request: () => ({ method: 'GET', path: `/sales/${saleOfM1}` }), expect: everyoneOnM1 },
  createReturn: {
    request: () => ({ method: 'POST', path: `/sales/${saleForReturns}/returns`, body: { returnId: uniqueId('az-ret'), lines: [{ sku, qty: 1 }] } }),
    expect: allow({ admin: 'ok', storeA: 'ok' }),
  },

  listSuggestions: { request: () => ({ method: 'GET', path: `/replenishment/suggestions?locationId=${A}` }), expect: staffAndService({ storeB: 403 }) },
  // Placing HQ orders combines every open suggestion of the chain (other test files' too): admin
  // sends an invalid runId, so it passes authorization and is refused 400 before anything runs.
  // Past authorization, admin reaches the logic: a campaign that does not exist is 404 (dispatching a real one would message every member).
  createCampaign: {
    request: () => ({
      method: 'POST',
      path: '/campaigns',
      body: { campaignId: uniqueId('az-cmp'), name: 'Matrix', segment: { minTier: 'PLATINUM' }, channels: ['email'], headline: 'h', text: 't', budget: 1 },
    }),
    expect: allow({ admin: 'ok' }),
  },
  getCampaign: { request: () => ({ method: 'GET', path: `/campaigns/${uniqueId('az-none')}` }), expect: allow({ admin: 404 }) },
  dryRunCampaign: { request: () => ({ method: 'POST', path: `/campaigns/${uniqueId('az-none')}/dry-run` }), expect: allow({ admin: 404 }) },
  dispatchCampaign: { request: () => ({ method: 'POST', path: `/campaigns/${uniqueId('az-none')}/dispatch` }), expect: allow({ admin: 404 }) },
  startCampaign: { request: () => ({ method: 'POST', path: `/campaigns/${uniqueId('az-none')}/start` }), expect: allow({ admin: 404 }) },
  placeHqOrders: { request: () => ({ method: 'POST', path: '/replenishment/hq-orders', body: { runId: 'not a valid id!' } }), expect: allow({ admin: 400 }) },
  createPurchaseOrder: {
    request: () => ({ method: 'POST', path: '/purchase-orders', body: { purchaseOrderId: uniqueId('az-po'), lines: [{ sku, locationId: A, qty: 1 }] } }),
    expect: allow({ admin: 'ok', storeA: 'ok' }),
  },
  getPurchaseOrder: {
    request: () => ({ method: 'GET', path: `/purchase-orders/${purchaseOrderAtA}` }),
    expect: staffAndService({ storeB: 403 }),
  },
  receivePurchaseOrder: {
    request: async (caller) => ({
      method: 'POST',
      path: `/purchase-orders/${caller === 'admin' || caller.startsWith('store') ? await freshPurchaseOrder() : purchaseOrderAtA}/receipts`,
      body: { receiptId: uniqueId('az-rc'), locationId: A, lines: [{ sku, qty: 1 }] },
    }),
    expect: allow({ admin: 'ok', storeA: 'ok', storeB: 403 }),
  },
  cancelPurchaseOrder: {
    request: async (caller) => ({
      method: 'POST',
      path: `/purchase-orders/${caller === 'admin' || caller.startsWith('store') ? await freshPurchaseOrder() : purchaseOrderAtA}/cancel`,
    }),
    expect: allow({ admin: 'ok', storeA: 'ok', storeB: 403 }),
  },
  getAbcAnalysis: { request: () => ({ method: 'GET', path: '/analytics/abc?limit=5' }), expect: allow({ admin: 'ok', service: 'ok' }) },
  // A bad config, so the admin's call passes authorization without reclassifying products other tests use.
  runAbcClassification: {
    request: () => ({
      method: 'POST',
      path: '/analytics/abc/runs',
      body: { runId: uniqueId('az-abc'), config: { aCutoff: 0.8, bCutoff: 0.95, policies: {} } },
    }),
    expect: allow({ admin: 400 }),
  },
};

const expectedFor = (name: RouteName, caller: Caller): Expected => {
  const route = routes[name];
  if ((unauthenticated as readonly string[]).includes(caller)) return route.auth === 'public' ? 'ok' : (401 as unknown as Expected);
  return matrix[name].expect[caller as AuthCaller];
};

const describeExpected = (expected: Expected): string => (typeof expected === 'object' ? expected.anyOf.join('|') : String(expected));

beforeAll(async () => {
  api = await startApi();
  tokens.admin = await token({ role: 'admin' });
  tokens.service = await token({ role: 'service' });
  tokens.gateway = await token({ role: 'gateway', locations: [A], gateId: 'AZ-GATE' });
  tokens.storeA = await token({ role: 'store', locations: [A] });
  tokens.storeB = await token({ role: 'store', locations: [B] });
  tokens.m1 = await token({ role: 'member', memberId: M1 });
  tokens.m2 = await token({ role: 'member', memberId: M2 });
  tokens.none = undefined;
  tokens.expired = await token({ role: 'admin', expiresIn: -60 });
  tokens.foreignKey = await signLocalToken({ role: 'admin' }, new TextEncoder().encode('somebody-elses-signing-key-of-the-same-length!!'));

  for (const locationId of [A, B]) {
    await must(asAdmin('POST', '/locations', { locationId, name: `Store ${locationId}`, type: 'STORE', timeZone: 'Europe/Berlin' }), 201);
  }
  await must(asAdmin('POST', '/products', { sku, name: `Product ${sku}`, unitCost: 250, price: 499, currency: 'EUR' }), 201);
  await must(
    asAdmin('POST', '/products', { sku: exclusiveSku, name: 'Exclusive', unitCost: 250, price: 499, currency: 'EUR', memberExclusive: { minTier: 'REGULAR' } }),
    201,
  );
  for (const locationId of [A, B]) {
    // The exclusive product's units too: an allocation sets aside units that are there.
    await must(
      asAdmin('POST', '/movements', {
        movementId: uniqueId('az-rc'),
        type: 'RECEIPT',
        locationId,
        lines: [
          { sku, qty: 1000 },
          { sku: exclusiveSku, qty: 100 },
        ],
      }),
      201,
    );
  }
  // Members sign themselves up (202, the same answer whether or not the email was taken): their id is the one in their token.
  for (const caller of ['m1', 'm2'] as const) {
    await must(
      api.call('POST', '/members', {
        token: tokens[caller],
        headers: { 'idempotency-key': uniqueId('az-reg') },
        body: { name: `Member ${caller}`, email: `${uniqueId(caller)}@example.com` },
      }),
      202,
    );
  }
  await must(
    api.call('POST', '/sales', { token: tokens.storeA, body: { saleId: saleOfM1, locationId: A, memberId: M1, lines: [{ sku, qty: 1, unitPrice: 499 }] } }),
    201,
  );
  await must(
    api.call('POST', '/sales', { token: tokens.storeA, body: { saleId: saleForReturns, locationId: A, lines: [{ sku, qty: 20, unitPrice: 499 }] } }),
    201,
  );
  await must(asAdmin('POST', '/purchase-orders', { purchaseOrderId: purchaseOrderAtA, lines: [{ sku, locationId: A, qty: 5 }] }), 201);
  const { version: _version, ...current } = await must(asAdmin('GET', '/program'), 200);
  program = current;
  silverFee = (current.tiers as { tier: string; monthlyFee?: number }[]).find((t) => t.tier === 'SILVER')!.monthlyFee!;
});

afterAll(async () => {
  await api?.close();
});

describe('authorization matrix', () => {
  it('every route has an expectation, and every expectation a route', () => {
    const declared = routeList()
      .map(([name]) => name)
      .sort();
    expect(Object.keys(matrix).sort()).toEqual(declared);
  });

  it("agrees with each route's declared roles: a role the route does not allow is 403", () => {
    const roleOf: Record<AuthCaller, string> = {
      admin: 'admin',
      service: 'service',
      gateway: 'gateway',
      storeA: 'store',
      storeB: 'store',
      m1: 'member',
      m2: 'member',
    };
    for (const [name, route] of routeList()) {
      for (const caller of authenticated) {
        const roleAllowed = route.auth === 'public' || route.auth.includes(roleOf[caller] as never);
        if (!roleAllowed) expect({ route: name, caller, expected: matrix[name]?.expect[caller] }).toEqual({ route: name, caller, expected: 403 });
      }
    }
  });

  for (const [name, route] of routeList()) {
    describe(routeKey(route), () => {
      for (const caller of callers) {
        const entry = matrix[name];
        const expected = entry ? expectedFor(name, caller) : undefined;
        it(`${caller} -> ${expected === undefined ? 'no expectation' : describeExpected(expected)}`, async () => {
          if (!entry || expected === undefined) throw new Error(`No matrix entry for ${name} (${routeKey(route)})`);
          const call = await entry.request(caller);
          const answer = await api.call(call.method, call.path, { token: tokens[caller], body: call.body, headers: call.headers });
          const seen = { status: answer.status, body: answer.status >= 300 ? answer.body : undefined };
          if (expected === 'ok') {
            expect(answer.status, JSON.stringify(seen)).toBeGreaterThanOrEqual(200);
            expect(answer.status, JSON.stringify(seen)).toBeLessThan(300);
          } else if (typeof expected === 'object') {
            expect(expected.anyOf, `${expected.note}: ${JSON.stringify(seen)}`).toContain(answer.status);
          } else {
            expect(answer.status, JSON.stringify(seen)).toBe(expected);
          }
          if (answer.status >= 400) {
            expect(answer.headers.get('content-type')).toBe('application/problem+json');
            expect(answer.body).toMatchObject({ status: answer.status, type: expect.stringMatching(/^\/problems\//), title: expect.any(String) });
          }
        });
      }
    });
  }
});

describe('location scoping and member privacy in what a 200 contains', () => {
  it('store B sees only its own levels of a SKU stocked at A and B', async () => {
    const answer = await api.call('GET', `/stock/${sku}`, { token: tokens.storeB });
    expect(answer.status).toBe(200);
    expect(answer.body.levels.map((l: { locationId: string }) => l.locationId)).toEqual([B]);
  });

  it('store B lists only its own location', async () => {
    const answer = await api.call('GET', '/locations', { token: tokens.storeB });
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((l: { locationId: string }) => l.locationId)).toEqual([B]);
  });

  it('store B reading the ledger of a SKU without naming a location sees only B', async () => {
    const answer = await api.call('GET', `/movements?sku=${sku}&limit=100`, { token: tokens.storeB });
    expect(answer.status).toBe(200);
    expect(answer.body.items.length).toBeGreaterThan(0);
    expect(new Set(answer.body.items.map((e: { locationId: string }) => e.locationId))).toEqual(new Set([B]));
  });

  it('store B cannot take a return of a sale made at A into A', async () => {
    const answer = await api.call('POST', `/sales/${saleForReturns}/returns`, {
      token: tokens.storeB,
      body: { returnId: uniqueId('az-ret'), locationId: A, lines: [{ sku, qty: 1 }] },
    });
    expect(answer.status).toBe(403);
  });

  it('the 404 a member gets for another member is the same as for a member who does not exist', async () => {
    const other = await api.call('GET', `/members/${M1}`, { token: tokens.m2 });
    const nobody = await api.call('GET', `/members/${uniqueId('az-nobody')}`, { token: tokens.m2 });
    expect(other.status).toBe(404);
    expect(nobody.status).toBe(404);
    expect(other.body.type).toBe(nobody.body.type);
    expect(other.body.title).toBe(nobody.body.title);
  });

  it('a member token without a memberId claim, or with an unknown role, is 401', async () => {
    const noMember = await signLocalToken({ role: 'member' });
    const unknownRole = await signLocalToken({ role: 'root' as never });
    for (const bearer of [noMember, unknownRole]) {
      const answer = await api.call('GET', '/program', { token: bearer });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});

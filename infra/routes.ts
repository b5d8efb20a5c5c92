/**
 * Every HTTP route, declared once. API Gateway (infra/constructs/http-api.ts), the local
 * gateway (infra/local/gateway.ts), the handlers' validation and role checks
 * (shared/http) and the OpenAPI document all read this table.
 *
 * A route's handler is the export named like the route's key in the module
 * at `entry`; the CDK stack makes one Lambda function per route.
 */
import type { z } from 'zod';
import type { Role } from '../shared/domain/principal.ts';
import type { Grants } from './grants.ts';
import { Health, Page } from '../shared/schemas/common.ts';
import {
  LedgerEntry,
  Location,
  LocationInput,
  LocationParams,
  LocationPatch,
  LocationStockQuery,
  MovementRequest,
  MovementResult,
  MovementsQuery,
  pageOf,
  Product,
  ProductInput,
  ProductPatch,
  SkuParams,
  StockLevel,
  StockOfSku,
} from '../shared/schemas/stock.ts';
import {
  AdjustmentRequest,
  Allocation,
  AllocationInput,
  AllocationList,
  AllocationParams,
  Member,
  MemberInput,
  SignupAccepted,
  MemberParams,
  MemberPatch,
  MemberPoints,
  PaidTierRequest,
  PointsEntry,
  PointsLedgerQuery,
  PointsResult,
  ProgramSchema,
  ProgramView,
  Receipt,
  RedemptionRequest,
  ReturnReceipt,
  ReturnRequest,
  SaleParams,
  SaleRequest,
  StockAlert,
  StockAlertRequest,
  Unsubscribed,
  Campaign,
  CampaignDispatch,
  CampaignDryRun,
  CampaignInput,
  CampaignPageQuery,
  CampaignParams,
  MemberTags,
  UnsubscribeQuery,
} from '../shared/schemas/members.ts';
import { Recommendations, RecommendationsQuery } from '../shared/schemas/recommendations.ts';
import {
  AbcAnalysis,
  HqOrders,
  HqOrdersInput,
  PurchaseOrder,
  PurchaseOrderInput,
  PurchaseOrderParams,
  PurchaseOrderReceipt,
  ReceiptResult,
  Suggestion,
  SuggestionsQuery,
} from '../shared/schemas/replenishment.ts';

export type IdempotencyKeySource =
  | 'movementId' | 'saleId' | 'returnId' | 'redemptionId' | 'adjustmentId' | 'paymentId' | 'purchaseOrderId' | 'receiptId' | 'runId' | 'campaignId'
  | 'header';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/stock/{sku}`. */
  readonly path: string;
  /** Handler module, relative to the repository root. */
  readonly entry: string;
  /** Who may call; `public` needs no token. */
  readonly auth: 'public' | readonly Role[];
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** Where a write's idempotency key comes from: the body's id (backed or replaced by the Idempotency-Key header), or the header alone. */
  readonly idempotencyKey?: IdempotencyKeySource;
  /** Conditional updates need If-Match with the version from an ETag. */
  readonly ifMatch?: boolean;
  readonly success: { readonly status: number; readonly schema?: z.ZodType; readonly description: string };
  /** Another success a route answers in some cases (its handler sets `status`). */
  readonly alsoSucceeds?: { readonly status: number; readonly schema?: z.ZodType; readonly description: string };
}

/** A route of this API and what its function may touch (tests of the HTTP layer declare bare routes). */
export interface RouteWithGrants extends RouteDefinition, Grants {}

/** Every route's Lambda timeout (API Gateway gives up at 30 s anyway). */
export const routeTimeoutSeconds = 10;

const staff = ['admin', 'store'] as const;
const staffAndService = ['admin', 'store', 'service'] as const;
const everyone = ['admin', 'store', 'service', 'member'] as const;
const readMembers = { members: 'read' } as const;
const writeMembers = { members: 'readWrite' } as const;
const readInventory = { inventory: 'read' } as const;
const writeInventory = { inventory: 'readWrite' } as const;

export const routes = {
  health: {
    method: 'GET', path: '/health', entry: 'functions/api/meta.ts', auth: 'public', tag: 'meta', tables: {},
    summary: 'Liveness', success: { status: 200, schema: Health, description: 'The API answers' },
  },
  openApi: {
    method: 'GET', path: '/openapi.json', entry: 'functions/api/meta.ts', auth: 'public', tag: 'meta', tables: {},
    summary: 'This API as OpenAPI 3.1', success: { status: 200, description: 'The OpenAPI document' },
  },

  createLocation: {
    method: 'POST', path: '/locations', entry: 'functions/api/locations.ts', auth: ['admin'], tag: 'catalog', tables: writeInventory,
    summary: 'Create a store or warehouse', body: LocationInput,
    success: { status: 201, schema: Location, description: 'The location' },
  },
  listLocations: {
    method: 'GET', path: '/locations', entry: 'functions/api/locations.ts', auth: staffAndService, tag: 'catalog', tables: readInventory,
    summary: 'Locations (store staff see their own)', query: Page, success: { status: 200, schema: pageOf(Location, 'LocationPage'), description: 'A page of locations' },
  },
  getLocation: {
    method: 'GET', path: '/locations/{locationId}', entry: 'functions/api/locations.ts', auth: staffAndService, tag: 'catalog', tables: readInventory,
    summary: 'One location', params: LocationParams, success: { status: 200, schema: Location, description: 'The location' },
  },
  updateLocation: {
    method: 'PATCH', path: '/locations/{locationId}', entry: 'functions/api/locations.ts', auth: ['admin'], tag: 'catalog', tables: writeInventory,
    summary: 'Change a location (If-Match required)', params: LocationParams, body: LocationPatch, ifMatch: true,
    success: { status: 200, schema: Location, description: 'The updated location' },
  },

  createProduct: {
    method: 'POST', path: '/products', entry: 'functions/api/products.ts', auth: ['admin'], tag: 'catalog', tables: writeInventory,
    summary: 'Create a product', body: ProductInput,
    success: { status: 201, schema: Product, description: 'The product' },
  },
  listProducts: {
    method: 'GET', path: '/products', entry: 'functions/api/products.ts', auth: staffAndService, tag: 'catalog', tables: readInventory,
    summary: 'Products, a page at a time', query: Page, success: { status: 200, schema: pageOf(Product, 'ProductPage'), description: 'A page of products' },
  },
  getProduct: {
    method: 'GET', path: '/products/{sku}', entry: 'functions/api/products.ts', auth: staffAndService, tag: 'catalog', tables: readInventory,
    summary: 'One product', params: SkuParams, success: { status: 200, schema: Product, description: 'The product' },
  },
  updateProduct: {
    method: 'PATCH', path: '/products/{sku}', entry: 'functions/api/products.ts', auth: ['admin'], tag: 'catalog', tables: writeInventory,
    summary: 'Change a product (If-Match required)', params: SkuParams, body: ProductPatch, ifMatch: true,
    success: { status: 200, schema: Product, description: 'The updated product' },
  },

  createMovement: {
    method: 'POST', path: '/movements', entry: 'functions/api/movements.ts', auth: staff, tag: 'stock', tables: writeInventory,
    summary: 'Book a stock movement (all lines or none)', body: MovementRequest, idempotencyKey: 'movementId',
    success: { status: 201, schema: MovementResult, description: 'The movement and the stock levels it left' },
  },
  listMovements: {
    method: 'GET', path: '/movements', entry: 'functions/api/movements.ts', auth: staffAndService, tag: 'stock', tables: readInventory,
    summary: 'The movement ledger by SKU and/or location and time', query: MovementsQuery,
    success: { status: 200, schema: pageOf(LedgerEntry, 'LedgerPage'), description: 'Ledger entries, oldest first' },
  },
  getStockOfSku: {
    method: 'GET', path: '/stock/{sku}', entry: 'functions/api/stock.ts', auth: staffAndService, tag: 'stock', tables: readInventory,
    summary: 'A SKU at every location (store staff see their own)', params: SkuParams,
    success: { status: 200, schema: StockOfSku, description: 'Stock levels of the SKU' },
  },
  getLocationStock: {
    method: 'GET', path: '/locations/{locationId}/stock', entry: 'functions/api/stock.ts', auth: staffAndService, tag: 'stock', tables: readInventory,
    summary: 'Stock at one location, optionally only at or below reorder point', params: LocationParams, query: LocationStockQuery,
    success: { status: 200, schema: pageOf(StockLevel, 'StockLevelPage'), description: 'A page of stock levels' },
  },

  setAllocation: {
    method: 'PUT', path: '/products/{sku}/allocations/{scope}', entry: 'functions/api/products.ts', auth: ['admin'], tag: 'members', tables: writeInventory,
    summary: 'Set aside units of a member-exclusive product at a location, or for the chain (scope *)', params: AllocationParams, body: AllocationInput,
    success: { status: 200, schema: Allocation, description: 'The allocation with what is sold and what remains' },
  },
  listAllocations: {
    method: 'GET', path: '/products/{sku}/allocations', entry: 'functions/api/products.ts', auth: everyone, tag: 'members', tables: readInventory,
    summary: 'Member-exclusive units of a product: set aside, sold, remaining', params: SkuParams,
    success: { status: 200, schema: AllocationList, description: 'Allocations per scope' },
  },

  getProgram: {
    method: 'GET', path: '/program', entry: 'functions/api/members.ts', auth: everyone, tag: 'members', tables: readMembers,
    summary: 'Tiers, points rules and welcome gift', success: { status: 200, schema: ProgramView, description: 'The loyalty program' },
  },
  updateProgram: {
    method: 'PUT', path: '/program', entry: 'functions/api/members.ts', auth: ['admin'], tag: 'members', tables: writeMembers,
    summary: 'Replace the loyalty program (If-Match with its version; 0 for the first)', body: ProgramSchema, ifMatch: true,
    success: { status: 200, schema: ProgramView, description: 'The new program' },
  },
  registerMember: {
    method: 'POST', path: '/members', entry: 'functions/api/members.ts', auth: ['admin', 'store', 'member'], tag: 'members',
    tables: { members: 'readWrite', idempotency: 'readWrite' },
    summary: 'Register a member (welcome gift included, once)', body: MemberInput, idempotencyKey: 'header',
    success: { status: 201, schema: Member, description: 'The new member (staff registering)' },
    alsoSucceeds: {
      status: 202, schema: SignupAccepted,
      description: 'Self-signup (member token): the same answer whether or not the email or phone is already registered; the owner of a taken one is told',
    },
  },
  getMember: {
    method: 'GET', path: '/members/{memberId}', entry: 'functions/api/members.ts', auth: everyone, tag: 'members', tables: readMembers,
    summary: 'A member: tier, points, rolling spend and visits (members see only themselves)', params: MemberParams,
    success: { status: 200, schema: Member, description: 'The member' },
  },
  updateMember: {
    method: 'PATCH', path: '/members/{memberId}', entry: 'functions/api/members.ts', auth: everyone, tag: 'members', tables: writeMembers,
    summary: 'Change profile or consent (If-Match required)', params: MemberParams, body: MemberPatch, ifMatch: true,
    success: { status: 200, schema: Member, description: 'The updated member' },
  },
  setMemberTags: {
    method: 'PUT', path: '/members/{memberId}/tags', entry: 'functions/api/members.ts', auth: ['admin'], tag: 'members', tables: writeMembers,
    summary: 'Replace the member\'s tags (tagged groups for campaigns)', params: MemberParams, body: MemberTags,
    success: { status: 200, schema: Member, description: 'The member with the tags' },
  },
  getMemberPoints: {
    method: 'GET', path: '/members/{memberId}/points', entry: 'functions/api/members.ts', auth: everyone, tag: 'members', tables: readMembers,
    summary: 'Points balance and open lots', params: MemberParams,
    success: { status: 200, schema: MemberPoints, description: 'Available and pending points, lot by lot' },
  },
  listPointsEntries: {
    method: 'GET', path: '/members/{memberId}/points/entries', entry: 'functions/api/members.ts', auth: everyone, tag: 'members', tables: readMembers,
    summary: 'The points ledger, oldest first', params: MemberParams, query: PointsLedgerQuery,
    success: { status: 200, schema: pageOf(PointsEntry, 'PointsEntryPage'), description: 'A page of ledger entries' },
  },
  redeemPoints: {
    method: 'POST', path: '/members/{memberId}/points/redemptions', entry: 'functions/api/members.ts', auth: everyone, tag: 'members', tables: writeMembers,
    summary: 'Spend points, soonest-expiring first', params: MemberParams, body: RedemptionRequest, idempotencyKey: 'redemptionId',
    success: { status: 201, schema: PointsResult, description: 'The REDEEM entry and the balance after it' },
  },
  adjustPoints: {
    method: 'POST', path: '/members/{memberId}/points/adjustments', entry: 'functions/api/members.ts', auth: ['admin'], tag: 'members', tables: writeMembers,
    summary: 'Give or take points by hand, with a reason', params: MemberParams, body: AdjustmentRequest, idempotencyKey: 'adjustmentId',
    success: { status: 201, schema: PointsResult, description: 'The ADJUST entry and the balance after it' },
  },
  buyPaidTier: {
    method: 'POST', path: '/members/{memberId}/paid-tier', entry: 'functions/api/members.ts', auth: staff, tag: 'members', tables: writeMembers,
    summary: 'A fee buys a tier for some months', params: MemberParams, body: PaidTierRequest, idempotencyKey: 'paymentId',
    success: { status: 201, schema: Member, description: 'The member with the paid tier' },
  },
  unsubscribe: {
    method: 'POST', path: '/unsubscribe', entry: 'functions/api/members.ts', auth: 'public', tag: 'members',
    tables: { members: 'readWrite' }, verifiesUnsubscribeLinks: true,
    summary: 'One-click unsubscribe from marketing (the signed link in every marketing email)', query: UnsubscribeQuery,
    success: { status: 200, schema: Unsubscribed, description: 'Consent for the channel is withdrawn' },
  },
  createCampaign: {
    method: 'POST', path: '/campaigns', entry: 'functions/api/campaigns.ts', auth: ['admin'], tag: 'members', tables: writeMembers,
    summary: 'Create a campaign: segment, channels, message, expiry, budget, cap', body: CampaignInput, idempotencyKey: 'campaignId',
    success: { status: 201, schema: Campaign, description: 'The campaign' },
  },
  startCampaign: {
    method: 'POST', path: '/campaigns/{campaignId}/start', entry: 'functions/api/campaigns.ts', auth: ['admin'], tag: 'members', tables: writeMembers,
    sendsTo: ['campaignPages'],
    summary: 'Send the campaign to its whole segment now, through the campaign-pages queue (starting twice starts once)', params: CampaignParams,
    success: { status: 202, schema: Campaign, description: 'The campaign, RUNNING, with its fan-out' },
  },
  getCampaign: {
    method: 'GET', path: '/campaigns/{campaignId}', entry: 'functions/api/campaigns.ts', auth: ['admin'], tag: 'members', tables: readMembers,
    summary: 'A campaign with its report (sent, deferred, skipped so far)', params: CampaignParams,
    success: { status: 200, schema: Campaign, description: 'The campaign' },
  },
  dryRunCampaign: {
    method: 'POST', path: '/campaigns/{campaignId}/dry-run', entry: 'functions/api/campaigns.ts', auth: ['admin'], tag: 'members', tables: readMembers,
    summary: 'Who would get the campaign now and who would not, and why (a page of members; nothing sent)', params: CampaignParams, query: CampaignPageQuery,
    success: { status: 200, schema: CampaignDryRun, description: 'One page of decisions' },
  },
  dispatchCampaign: {
    method: 'POST', path: '/campaigns/{campaignId}/dispatch', entry: 'functions/api/campaigns.ts', auth: ['admin'], tag: 'members', tables: writeMembers,
    sendsMessages: true,
    summary: 'Send the campaign to one page of members (call again with the cursor); sending a page twice sends nothing twice', params: CampaignParams, query: CampaignPageQuery,
    success: { status: 200, schema: CampaignDispatch, description: 'What this page did' },
  },
  subscribeStockAlert: {
    method: 'POST', path: '/members/{memberId}/stock-alerts', entry: 'functions/api/members.ts', auth: everyone, tag: 'members',
    tables: { members: 'readWrite', inventory: 'read' },
    summary: 'Ask to be told once when a SKU is available again at a location', params: MemberParams, body: StockAlertRequest,
    success: { status: 201, schema: StockAlert, description: 'The subscription' },
  },
  getRecommendations: {
    method: 'GET', path: '/members/{memberId}/recommendations', entry: 'functions/api/recommendations.ts', auth: everyone, tag: 'members',
    tables: { members: 'read', inventory: 'read' },
    summary: 'Products to suggest: bought together with recent purchases, tier favourites, in stock where the member shops', params: MemberParams, query: RecommendationsQuery,
    success: { status: 200, schema: Recommendations, description: 'Recommendations, best first' },
  },
  reviewMemberTier: {
    method: 'POST', path: '/members/{memberId}/tier-review', entry: 'functions/api/members.ts', auth: ['admin', 'service'], tag: 'members', tables: writeMembers,
    summary: 'Run the tier review for one member now (at most one step down, after the grace period)', params: MemberParams,
    success: { status: 200, schema: Member, description: 'The member after the review' },
  },

  createSale: {
    method: 'POST', path: '/sales', entry: 'functions/api/sales.ts', auth: staff, tag: 'sales',
    tables: { inventory: 'readWrite', members: 'readWrite', rfid: 'readWrite' },
    summary: 'Checkout: stock, discount, points, spend and tier in one transaction', body: SaleRequest, idempotencyKey: 'saleId',
    success: { status: 201, schema: Receipt, description: 'The receipt' },
  },
  getSale: {
    method: 'GET', path: '/sales/{saleId}', entry: 'functions/api/sales.ts', auth: everyone, tag: 'sales', tables: { inventory: 'read' },
    summary: 'A receipt, with what has been returned so far', params: SaleParams,
    success: { status: 200, schema: Receipt, description: 'The receipt' },
  },
  createReturn: {
    method: 'POST', path: '/sales/{saleId}/returns', entry: 'functions/api/sales.ts', auth: staff, tag: 'sales',
    tables: { inventory: 'readWrite', members: 'readWrite', rfid: 'readWrite' },
    summary: 'Take back all or part of a sale', params: SaleParams, body: ReturnRequest, idempotencyKey: 'returnId',
    success: { status: 201, schema: ReturnReceipt, description: 'What was refunded and clawed back' },
  },

  listSuggestions: {
    method: 'GET', path: '/replenishment/suggestions', entry: 'functions/api/replenishment.ts', auth: staffAndService, tag: 'replenishment', tables: readInventory,
    summary: 'Reorder suggestions (HQ: every location; store staff: their own)', query: SuggestionsQuery,
    success: { status: 200, schema: pageOf(Suggestion, 'SuggestionPage'), description: 'A page of suggestions' },
  },
  placeHqOrders: {
    method: 'POST', path: '/replenishment/hq-orders', entry: 'functions/api/replenishment.ts', auth: ['admin'], tag: 'replenishment', tables: writeInventory,
    summary: 'Combine open purchase suggestions into one order per supplier', body: HqOrdersInput, idempotencyKey: 'runId',
    success: { status: 201, schema: HqOrders, description: 'The purchase orders opened' },
  },
  createPurchaseOrder: {
    method: 'POST', path: '/purchase-orders', entry: 'functions/api/replenishment.ts', auth: staff, tag: 'replenishment', tables: writeInventory,
    summary: 'Open a purchase order (raises incoming)', body: PurchaseOrderInput, idempotencyKey: 'purchaseOrderId',
    success: { status: 201, schema: PurchaseOrder, description: 'The purchase order' },
  },
  getPurchaseOrder: {
    method: 'GET', path: '/purchase-orders/{purchaseOrderId}', entry: 'functions/api/replenishment.ts', auth: staffAndService, tag: 'replenishment', tables: readInventory,
    summary: 'A purchase order with what has been received', params: PurchaseOrderParams,
    success: { status: 200, schema: PurchaseOrder, description: 'The purchase order' },
  },
  receivePurchaseOrder: {
    method: 'POST', path: '/purchase-orders/{purchaseOrderId}/receipts', entry: 'functions/api/replenishment.ts', auth: staff, tag: 'replenishment', tables: writeInventory,
    summary: 'Book goods received against an order (a RECEIPT movement that lowers incoming)', params: PurchaseOrderParams, body: PurchaseOrderReceipt,
    idempotencyKey: 'receiptId', success: { status: 201, schema: ReceiptResult, description: 'The order and the levels after the receipt' },
  },
  cancelPurchaseOrder: {
    method: 'POST', path: '/purchase-orders/{purchaseOrderId}/cancel', entry: 'functions/api/replenishment.ts', auth: staff, tag: 'replenishment', tables: writeInventory,
    summary: 'Cancel what is still outstanding (lowers incoming)', params: PurchaseOrderParams,
    success: { status: 200, schema: PurchaseOrder, description: 'The cancelled order' },
  },
  getAbcAnalysis: {
    method: 'GET', path: '/analytics/abc', entry: 'functions/api/replenishment.ts', auth: ['admin', 'service'], tag: 'replenishment', tables: readInventory,
    summary: 'ABC class per SKU with value shares, and the Pareto figures of the last classification', query: Page,
    success: { status: 200, schema: AbcAnalysis, description: 'Classes and Pareto figures' },
  },
} as const satisfies Record<string, RouteWithGrants>;

export type RouteName = keyof typeof routes;

export const routeList = (): [RouteName, RouteWithGrants][] =>
  Object.entries(routes) as [RouteName, RouteWithGrants][];

export const routeKey = (route: RouteDefinition): string => `${route.method} ${route.path}`;

/**
 * The routes functions/api/members.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { pageOf } from '../../shared/schemas/stock.ts';
import {
  AdjustmentRequest,
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
  RedemptionRequest,
  StockAlert,
  StockAlertRequest,
  Unsubscribed,
  MemberTags,
  UnsubscribeQuery,
} from '../../shared/schemas/members.ts';
import { staff, everyone, readMembers, writeMembers, type RouteWithGrants } from './definition.ts';

export const getProgram = {
  method: 'GET',
  path: '/program',
  entry: 'functions/api/members.ts',
  auth: everyone,
  tag: 'members',
  tables: readMembers,
  summary: 'Tiers, points rules and welcome gift',
  success: { status: 200, schema: ProgramView, description: 'The loyalty program' },
} as const satisfies RouteWithGrants;

export const updateProgram = {
  method: 'PUT',
  path: '/program',
  entry: 'functions/api/members.ts',
  auth: ['admin'],
  tag: 'members',
  tables: writeMembers,
  summary: 'Replace the loyalty program (If-Match with its version; 0 for the first)',
  body: ProgramSchema,
  ifMatch: true,
  success: { status: 200, schema: ProgramView, description: 'The new program' },
} as const satisfies RouteWithGrants;

export const registerMember = {
  method: 'POST',
  path: '/members',
  entry: 'functions/api/members.ts',
  auth: ['admin', 'store', 'member'],
  tag: 'members',
  tables: { members: 'readWrite', idempotency: 'readWrite' },
  summary: 'Register a member (welcome gift included, once)',
  body: MemberInput,
  idempotencyKey: 'header',
  location: '/members/{memberId}',
  success: { status: 201, schema: Member, description: 'The new member (staff registering)' },
  alsoSucceeds: {
    status: 202,
    schema: SignupAccepted,
    description: 'Self-signup (member token): the same answer whether or not the email or phone is already registered; the owner of a taken one is told',
  },
} as const satisfies RouteWithGrants;

export const getMember = {
  method: 'GET',
  path: '/members/{memberId}',
  entry: 'functions/api/members.ts',
  auth: everyone,
  tag: 'members',
  tables: readMembers,
  summary: 'A member: tier, points, rolling spend and visits (members see only themselves)',
  params: MemberParams,
  success: { status: 200, schema: Member, description: 'The member' },
} as const satisfies RouteWithGrants;

export const updateMember = {
  method: 'PATCH',
  path: '/members/{memberId}',
  entry: 'functions/api/members.ts',
  auth: everyone,
  tag: 'members',
  tables: writeMembers,
  summary: 'Change profile or consent (If-Match required)',
  params: MemberParams,
  body: MemberPatch,
  ifMatch: true,
  success: { status: 200, schema: Member, description: 'The updated member' },
} as const satisfies RouteWithGrants;

export const setMemberTags = {
  method: 'PUT',
  path: '/members/{memberId}/tags',
  entry: 'functions/api/members.ts',
  auth: ['admin'],
  tag: 'members',
  tables: writeMembers,
  summary: "Replace the member's tags (tagged groups for campaigns)",
  params: MemberParams,
  body: MemberTags,
  success: { status: 200, schema: Member, description: 'The member with the tags' },
} as const satisfies RouteWithGrants;

export const getMemberPoints = {
  method: 'GET',
  path: '/members/{memberId}/points',
  entry: 'functions/api/members.ts',
  auth: everyone,
  tag: 'members',
  tables: readMembers,
  summary: 'Points balance and open lots',
  params: MemberParams,
  success: { status: 200, schema: MemberPoints, description: 'Available and pending points, lot by lot' },
} as const satisfies RouteWithGrants;

export const listPointsEntries = {
  method: 'GET',
  path: '/members/{memberId}/points/entries',
  entry: 'functions/api/members.ts',
  auth: everyone,
  tag: 'members',
  tables: readMembers,
  summary: 'The points ledger, oldest first',
  params: MemberParams,
  query: PointsLedgerQuery,
  success: { status: 200, schema: /* @__PURE__ */ pageOf(PointsEntry, 'PointsEntryPage'), description: 'A page of ledger entries' },
} as const satisfies RouteWithGrants;

export const redeemPoints = {
  method: 'POST',
  path: '/members/{memberId}/points/redemptions',
  entry: 'functions/api/members.ts',
  auth: everyone,
  tag: 'members',
  tables: writeMembers,
  summary: 'Spend points, soonest-expiring first',
  params: MemberParams,
  body: RedemptionRequest,
  idempotencyKey: 'redemptionId',
  location: '/members/{memberId}/points/entries',
  success: { status: 201, schema: PointsResult, description: 'The REDEEM entry and the balance after it' },
} as const satisfies RouteWithGrants;

export const adjustPoints = {
  method: 'POST',
  path: '/members/{memberId}/points/adjustments',
  entry: 'functions/api/members.ts',
  auth: ['admin'],
  tag: 'members',
  tables: writeMembers,
  summary: 'Give or take points by hand, with a reason',
  params: MemberParams,
  body: AdjustmentRequest,
  idempotencyKey: 'adjustmentId',
  location: '/members/{memberId}/points/entries',
  success: { status: 201, schema: PointsResult, description: 'The ADJUST entry and the balance after it' },
} as const satisfies RouteWithGrants;

export const buyPaidTier = {
  method: 'POST',
  path: '/members/{memberId}/paid-tier',
  entry: 'functions/api/members.ts',
  auth: staff,
  tag: 'members',
  tables: writeMembers,
  summary: 'A fee buys a tier for some months',
  params: MemberParams,
  body: PaidTierRequest,
  idempotencyKey: 'paymentId',
  location: '/members/{memberId}',
  success: { status: 201, schema: Member, description: 'The member with the paid tier' },
} as const satisfies RouteWithGrants;

export const unsubscribe = {
  method: 'POST',
  path: '/unsubscribe',
  entry: 'functions/api/members.ts',
  auth: 'public',
  tag: 'members',
  tables: { members: 'readWrite' },
  verifiesUnsubscribeLinks: true,
  summary: 'One-click unsubscribe from marketing (the signed link in every marketing email)',
  query: UnsubscribeQuery,
  ignoredBody: {
    mediaType: 'application/x-www-form-urlencoded',
    schema: { type: 'object', properties: { 'List-Unsubscribe': { type: 'string', const: 'One-Click' } } },
    example: { 'List-Unsubscribe': 'One-Click' },
    description: 'What mail clients send with a one-click unsubscribe (RFC 8058); the signed query is what counts',
  },
  success: { status: 200, schema: Unsubscribed, description: 'Consent for the channel is withdrawn' },
} as const satisfies RouteWithGrants;

export const subscribeStockAlert = {
  method: 'POST',
  path: '/members/{memberId}/stock-alerts',
  entry: 'functions/api/members.ts',
  auth: everyone,
  tag: 'members',
  tables: { members: 'readWrite', inventory: 'read' },
  summary: 'Ask to be told once when a SKU is available again at a location',
  params: MemberParams,
  body: StockAlertRequest,
  success: { status: 201, schema: StockAlert, description: 'The subscription' },
} as const satisfies RouteWithGrants;

export const reviewMemberTier = {
  method: 'POST',
  path: '/members/{memberId}/tier-review',
  entry: 'functions/api/members.ts',
  auth: ['admin', 'service'],
  tag: 'members',
  tables: writeMembers,
  summary: 'Run the tier review for one member now (at most one step down, after the grace period)',
  params: MemberParams,
  success: { status: 200, schema: Member, description: 'The member after the review' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = {
  getProgram,
  updateProgram,
  registerMember,
  getMember,
  updateMember,
  setMemberTags,
  getMemberPoints,
  listPointsEntries,
  redeemPoints,
  adjustPoints,
  buyPaidTier,
  unsubscribe,
  subscribeStockAlert,
  reviewMemberTier,
};

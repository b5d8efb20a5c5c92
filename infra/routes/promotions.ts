/**
 * The routes functions/api/promotions.ts handles: promotion rules, coupon
 * codes and the dry run that prices a basket without booking
 * (docs/members.md, "Promotions").
 */
import {
  IssueCodesRequest,
  IssuedCodes,
  Promotion,
  PromotionInput,
  PromotionList,
  PromotionParams,
  PromotionsQuery,
  PromotionStatusInput,
  Quote,
  QuoteRequest,
} from '../../shared/schemas/promotions.ts';
import { staffAndService, type RouteWithGrants } from './definition.ts';

export const createPromotion = {
  method: 'POST',
  path: '/promotions',
  entry: 'functions/api/promotions.ts',
  auth: ['admin'],
  tag: 'members',
  tables: { inventory: 'readWrite' },
  summary:
    'HQ creates a promotion rule (spend threshold off or gift, buy X get Y, member price, coupon) with its conditions, stacking and budget; ACTIVE at once',
  body: PromotionInput,
  idempotencyKey: 'ruleId',
  location: '/promotions/{ruleId}',
  success: { status: 201, schema: Promotion, description: 'The rule with its status and usage' },
} as const satisfies RouteWithGrants;

export const listPromotions = {
  method: 'GET',
  path: '/promotions',
  entry: 'functions/api/promotions.ts',
  auth: staffAndService,
  tag: 'members',
  tables: { inventory: 'read' },
  summary: 'Every promotion rule by id, with its status and usage (budget used, money given)',
  query: PromotionsQuery,
  success: { status: 200, schema: PromotionList, description: 'The rules' },
} as const satisfies RouteWithGrants;

export const getPromotion = {
  method: 'GET',
  path: '/promotions/{ruleId}',
  entry: 'functions/api/promotions.ts',
  auth: staffAndService,
  tag: 'members',
  tables: { inventory: 'read' },
  summary: 'One promotion rule with its status and usage',
  params: PromotionParams,
  success: { status: 200, schema: Promotion, description: 'The rule' },
} as const satisfies RouteWithGrants;

export const setPromotionStatus = {
  method: 'PUT',
  path: '/promotions/{ruleId}/status',
  entry: 'functions/api/promotions.ts',
  auth: ['admin'],
  tag: 'members',
  tables: { inventory: 'readWrite' },
  summary:
    'Pauses (PAUSED: no sale gets it; a sale that priced it a moment ago is priced again) or resumes (ACTIVE) a rule; one route for both keeps the API stack small',
  params: PromotionParams,
  body: PromotionStatusInput,
  success: { status: 200, schema: Promotion, description: 'The rule with its new status' },
} as const satisfies RouteWithGrants;

export const issuePromotionCodes = {
  method: 'POST',
  path: '/promotions/{ruleId}/codes',
  entry: 'functions/api/promotions.ts',
  auth: ['admin'],
  tag: 'members',
  tables: { inventory: 'readWrite', members: 'read' },
  summary: "Issues a coupon rule's codes: single-use codes, or one code per member that only that member may redeem (the same member again: the same code)",
  params: PromotionParams,
  body: IssueCodesRequest,
  success: { status: 200, schema: IssuedCodes, description: 'The codes' },
} as const satisfies RouteWithGrants;

export const dryRunPromotions = {
  method: 'POST',
  path: '/promotions/dry-run',
  entry: 'functions/api/promotions.ts',
  auth: staffAndService,
  tag: 'sales',
  tables: { inventory: 'read', members: 'read' },
  summary: 'Prices a basket as the checkout would now, every promotion line by rule, without booking anything (no stock, points, budget or code is taken)',
  body: QuoteRequest,
  // It books nothing, but refuses what the sale would: member-exclusive units, points (coupons: conflict, declared for every POST).
  problems: ['not-eligible', 'allocation-exhausted', 'insufficient-points'],
  success: { status: 200, schema: Quote, description: 'The quote' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { createPromotion, listPromotions, getPromotion, setPromotionStatus, issuePromotionCodes, dryRunPromotions };

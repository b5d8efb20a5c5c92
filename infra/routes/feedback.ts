/**
 * The routes functions/api/feedback.ts handles: ratings of purchased
 * products and their aggregates (docs/members.md, "Events and feedback").
 */
import { Feedback, FeedbackInput, ProductRatings, ProductRatingsParams, StoreRatings, StoreRatingsParams } from '../../shared/schemas/feedback.ts';
import { everyone, staffAndService, type RouteWithGrants } from './definition.ts';

export const giveFeedback = {
  method: 'POST',
  path: '/feedback',
  entry: 'functions/api/feedback.ts',
  auth: everyone,
  tag: 'members',
  tables: { inventory: 'readWrite', members: 'readWrite' },
  sendsMessages: true,
  summary:
    'A member rates (1-5) and comments on a product of one of their sales, once per purchase (sale and SKU); a rating of 2 or less within 30 days of the purchase sends a service message through the send gate',
  body: FeedbackInput,
  idempotencyKey: 'feedbackId',
  success: { status: 201, schema: Feedback, description: 'The rating' },
} as const satisfies RouteWithGrants;

export const getProductRatings = {
  method: 'GET',
  path: '/products/{sku}/ratings',
  entry: 'functions/api/feedback.ts',
  auth: staffAndService,
  tag: 'members',
  tables: { inventory: 'read' },
  summary: "A product's ratings: count, mean and distribution over the caller's stores (HQ: the chain), per store, and the latest",
  params: ProductRatingsParams,
  success: { status: 200, schema: ProductRatings, description: 'The ratings of the product' },
} as const satisfies RouteWithGrants;

export const getStoreRatings = {
  method: 'GET',
  path: '/locations/{locationId}/ratings',
  entry: 'functions/api/feedback.ts',
  auth: staffAndService,
  tag: 'members',
  tables: { inventory: 'read' },
  summary: "A store's ratings: count, mean and distribution, per product, and the latest",
  params: StoreRatingsParams,
  success: { status: 200, schema: StoreRatings, description: 'The ratings at the store' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { giveFeedback, getProductRatings, getStoreRatings };

/**
 * Every HTTP route, declared once. API Gateway (infra/constructs/http-api.ts), the local
 * gateway (infra/local/gateway.ts), the handlers' validation and role checks
 * (shared/http) and the OpenAPI document all read this table.
 *
 * A route's handler is the export named like the route's key in the module
 * at `entry`; the CDK stack serves the routes whose grants are identical
 * from one Lambda function (infra/api-functions.ts).
 *
 * The definitions live in one module per handler module (infra/routes/<name>.ts,
 * each importing only the schemas its routes name); handlers import their own
 * module, so a bundle never holds every schema. This module lists them all, in
 * the order the OpenAPI document and the tests read them.
 */
import { routes as abc } from './routes/abc.ts';
import { routes as campaigns } from './routes/campaigns.ts';
import { routes as devices } from './routes/devices.ts';
import { routes as epcis } from './routes/epcis.ts';
import { routes as events } from './routes/events.ts';
import { routes as feedback } from './routes/feedback.ts';
import { routes as locations } from './routes/locations.ts';
import { routes as members } from './routes/members.ts';
import { routes as meta } from './routes/meta.ts';
import { routes as movements } from './routes/movements.ts';
import { routes as products } from './routes/products.ts';
import { routes as promotions } from './routes/promotions.ts';
import { routes as recommendations } from './routes/recommendations.ts';
import { routes as replenishment } from './routes/replenishment.ts';
import { routes as sales } from './routes/sales.ts';
import { routes as stock } from './routes/stock.ts';
import { routes as transfers } from './routes/transfers.ts';
import type { RouteDefinition, RouteWithGrants } from './routes/definition.ts';

export type { HttpMethod, IdempotencyKeySource, RouteDefinition, RouteWithGrants } from './routes/definition.ts';
export { routeTimeoutSeconds } from './routes/definition.ts';

export const routes = {
  health: meta.health,
  openApi: meta.openApi,
  createLocation: locations.createLocation,
  listLocations: locations.listLocations,
  getLocation: locations.getLocation,
  updateLocation: locations.updateLocation,
  createProduct: products.createProduct,
  listProducts: products.listProducts,
  getProduct: products.getProduct,
  updateProduct: products.updateProduct,
  createMovement: movements.createMovement,
  getTransfer: transfers.getTransfer,
  receiveTransfer: transfers.receiveTransfer,
  listMovements: movements.listMovements,
  getMovement: movements.getMovement,
  getStockOfSku: stock.getStockOfSku,
  getLocationStock: stock.getLocationStock,
  getReconciliation: stock.getReconciliation,
  listCountsDue: stock.listCountsDue,
  exportEpcisEvents: epcis.exportEpcisEvents,
  setAllocation: products.setAllocation,
  getAvailability: stock.getAvailability,
  listAllocations: products.listAllocations,
  getProgram: members.getProgram,
  updateProgram: members.updateProgram,
  registerMember: members.registerMember,
  getMember: members.getMember,
  updateMember: members.updateMember,
  setMemberTags: members.setMemberTags,
  getMemberPoints: members.getMemberPoints,
  listPointsEntries: members.listPointsEntries,
  redeemPoints: members.redeemPoints,
  adjustPoints: members.adjustPoints,
  buyPaidTier: members.buyPaidTier,
  unsubscribe: members.unsubscribe,
  createCampaign: campaigns.createCampaign,
  startCampaign: campaigns.startCampaign,
  getCampaign: campaigns.getCampaign,
  dryRunCampaign: campaigns.dryRunCampaign,
  dispatchCampaign: campaigns.dispatchCampaign,
  subscribeStockAlert: members.subscribeStockAlert,
  registerDevice: devices.registerDevice,
  listDevices: devices.listDevices,
  removeDevice: devices.removeDevice,
  createEvent: events.createEvent,
  listEvents: events.listEvents,
  getEvent: events.getEvent,
  registerForEvent: events.registerForEvent,
  listEventRegistrations: events.listEventRegistrations,
  getEventRegistration: events.getEventRegistration,
  cancelEventRegistration: events.cancelEventRegistration,
  giveFeedback: feedback.giveFeedback,
  getProductRatings: feedback.getProductRatings,
  getStoreRatings: feedback.getStoreRatings,
  createPromotion: promotions.createPromotion,
  listPromotions: promotions.listPromotions,
  getPromotion: promotions.getPromotion,
  setPromotionStatus: promotions.setPromotionStatus,
  issuePromotionCodes: promotions.issuePromotionCodes,
  dryRunPromotions: promotions.dryRunPromotions,
  getRecommendations: recommendations.getRecommendations,
  reviewMemberTier: members.reviewMemberTier,
  createSale: sales.createSale,
  getSale: sales.getSale,
  createReturn: sales.createReturn,
  listSuggestions: replenishment.listSuggestions,
  placeHqOrders: replenishment.placeHqOrders,
  createPurchaseOrder: replenishment.createPurchaseOrder,
  getPurchaseOrder: replenishment.getPurchaseOrder,
  receivePurchaseOrder: replenishment.receivePurchaseOrder,
  cancelPurchaseOrder: replenishment.cancelPurchaseOrder,
  getAbcAnalysis: replenishment.getAbcAnalysis,
  runAbcClassification: abc.runAbcClassification,
} as const satisfies Record<string, RouteWithGrants>;

export type RouteName = keyof typeof routes;

export const routeList = (): [RouteName, RouteWithGrants][] => Object.entries(routes) as [RouteName, RouteWithGrants][];

export const routeKey = (route: RouteDefinition): string => `${route.method} ${route.path}`;

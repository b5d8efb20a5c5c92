/**
 * The routes functions/api/recommendations.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { MemberParams } from '../../shared/schemas/members.ts';
import { Recommendations, RecommendationsQuery } from '../../shared/schemas/recommendations.ts';
import { everyone, type RouteWithGrants } from './definition.ts';

export const getRecommendations = {
  method: 'GET',
  path: '/members/{memberId}/recommendations',
  entry: 'functions/api/recommendations.ts',
  auth: everyone,
  tag: 'members',
  tables: { members: 'read', inventory: 'read' },
  summary: 'Products to suggest: bought together with recent purchases, tier favourites, in stock where the member shops',
  params: MemberParams,
  query: RecommendationsQuery,
  success: { status: 200, schema: Recommendations, description: 'Recommendations, best first' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { getRecommendations };

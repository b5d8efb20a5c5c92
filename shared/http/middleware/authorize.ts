import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteDefinition } from '../../../infra/routes.ts';
import { Forbidden, Unauthorized } from '../../domain/errors.ts';
import type { StockClubEvent } from '../handler.ts';
import { claimsOf, principalFromClaims } from '../principal.ts';

/**
 * Checks the caller's role against the route's `auth`. The token itself was
 * verified by the gateway (API Gateway's JWT authorizer, or the local
 * gateway); this step reads its claims and decides what the role may do.
 * Per-location and per-member scoping happens in the business logic, which
 * knows which location or member a request touches.
 */
export const authorize = (route: RouteDefinition): MiddlewareObj<StockClubEvent, APIGatewayProxyStructuredResultV2> => ({
  before: async (request) => {
    const principal = principalFromClaims(claimsOf(request.event));
    request.event.stockclub = { ...request.event.stockclub, principal };
    if (route.auth === 'public') return;
    if (!principal) throw new Unauthorized('A bearer token with a known role is required');
    if (!route.auth.includes(principal.role)) throw new Forbidden(`Role ${principal.role} may not call ${route.method} ${route.path}`);
  },
});

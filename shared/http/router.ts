import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from '../observability.ts';
import { internalProblem } from './problem.ts';

type RouteHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * One Lambda function for several routes (infra/api-functions.ts): API
 * Gateway names the matched route in the event (`routeKey`, e.g.
 * `GET /stock/{sku}`), and the route's own handler answers, validation, role
 * checks and all. A route key the function does not serve means the stack
 * sent a route to the wrong function: a fault of ours, logged, answered 500.
 */
export const apiRouter =
  (handlers: Readonly<Record<string, RouteHandler>>): RouteHandler =>
  async (event, context) => {
    // One function serves many routes: every log line of the request says which (the handler's injectLambdaContext resets it after).
    logger.appendKeys({ routeKey: event.routeKey });
    const handler = Object.hasOwn(handlers, event.routeKey) ? handlers[event.routeKey] : undefined;
    if (handler) return handler(event, context);
    logger.addContext(context);
    logger.error('No handler for this route in this function', { routeKey: event.routeKey, routes: Object.keys(handlers) });
    return internalProblem(event.requestContext?.requestId);
  };

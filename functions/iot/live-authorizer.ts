import type { Context } from 'aws-lambda';
import { verifyBearerToken } from '../../shared/app/live-levels.ts';
import { nowIso } from '../../shared/clock.ts';
import { bearerOfAuthorizerEvent, type IotAuthorizerEvent, liveAuthorizerResponse } from '../../shared/domain/live.ts';
import { principalFromClaims } from '../../shared/http/principal.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

/**
 * The IoT Core custom authorizer of the live stock feed: the browser's
 * bearer token (its MQTT password) checked as the API checks it, answered
 * with the IoT policy of its role (docs/live-stock.md).
 */
export const liveAuthorizer = eventHandler(async (event: IotAuthorizerEvent, _context: Context) => {
  const now = nowIso();
  const claims = await verifyBearerToken(bearerOfAuthorizerEvent(event), now, {
    issuer: process.env.JWT_ISSUER ?? '',
    audience: process.env.JWT_AUDIENCE ?? '',
  });
  const principal = principalFromClaims(claims as Parameters<typeof principalFromClaims>[0]);
  const response = liveAuthorizerResponse(principal, {
    arnPrefix: process.env.IOT_ARN_PREFIX ?? '',
    nowSeconds: Math.floor(Date.parse(now) / 1000),
    expiresAtSeconds: claims?.exp,
  });
  logger.info('Live stock connection', { role: principal?.role, authenticated: response.isAuthenticated });
  return response;
});

import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, TemporarilyUnavailable } from '../../domain/errors.ts';
import { logger } from '../../observability.ts';
import { internalProblem, problemFromDomainError } from '../problem.ts';
import type { StockClubEvent } from '../handler.ts';

/**
 * Maps any failure to RFC 9457 problem+json. Domain errors keep their
 * message; anything else is logged in full and answered with a generic 500,
 * so no stack trace or table name reaches a client.
 */
export const problemErrors = (): MiddlewareObj<StockClubEvent, APIGatewayProxyStructuredResultV2> => ({
  onError: async (request) => {
    const instance = request.event.requestContext?.requestId;
    if (request.error instanceof DomainError) {
      if (request.error instanceof TemporarilyUnavailable) logger.warn('Store pushed back', { error: request.error });
      request.response = problemFromDomainError(request.error, instance);
      return;
    }
    logger.error('Unhandled error', { error: request.error as Error });
    request.response = internalProblem(instance);
  },
});

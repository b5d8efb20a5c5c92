import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger per container, for every layer (POWERTOOLS_*
 * variables tune it). Handlers get their request id and function name on
 * each line from httpHandler (routes) or shared/triggers.ts (everything else).
 */
export const logger = new Logger({ serviceName: 'stockclub' });

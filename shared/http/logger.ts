import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per container; POWERTOOLS_* variables tune it. */
export const logger = new Logger({ serviceName: 'stockclub' });

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type DomainError, TemporarilyUnavailable, Unauthorized } from '../domain/errors.ts';
import { problemTypeBase, problemTypes } from '../schemas/problems.ts';

export { problemTypeBase };

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

interface ProblemKind {
  readonly status: number;
  readonly title: string;
}

// Status and title per problem type come from one table (shared/schemas/problems.ts), which the OpenAPI document reads too.
const kindOf = (error: DomainError): ProblemKind =>
  (problemTypes as Record<string, ProblemKind | undefined>)[error.type] ?? { status: 400, title: 'Bad request' };

export const problem = (doc: ProblemDocument, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode: doc.status,
  headers: { 'content-type': 'application/problem+json', ...headers },
  body: JSON.stringify(doc),
});

export const problemFromDomainError = (error: DomainError, instance?: string): APIGatewayProxyStructuredResultV2 => {
  const { status, title } = kindOf(error);
  const headers: Record<string, string> =
    error instanceof TemporarilyUnavailable
      ? { 'retry-after': String(error.retryAfterSeconds) }
      : // RFC 9110 §15.5.2: a 401 must carry a challenge (RFC 6750 for bearer tokens).
        error instanceof Unauthorized
        ? { 'www-authenticate': 'Bearer realm="stockclub"' }
        : {};
  return problem({ ...error.details, type: `${problemTypeBase}${error.type}`, title, status, detail: error.message, instance }, headers);
};

/** Anything we did not anticipate: say nothing about internals. */
export const internalProblem = (instance?: string): APIGatewayProxyStructuredResultV2 =>
  problem({
    type: `${problemTypeBase}internal`,
    title: problemTypes.internal.title,
    status: 500,
    detail: 'The request could not be completed; it has been logged.',
    instance,
  });

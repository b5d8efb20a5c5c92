import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  AllocationExhausted,
  AlreadyExists,
  Conflict,
  type DomainError,
  Forbidden,
  IdempotencyKeyReused,
  InsufficientPoints,
  NotEligible,
  NotFound,
  OutOfStock,
  PayloadTooLarge,
  PreconditionFailed,
  PreconditionRequired,
  TemporarilyUnavailable,
  Unauthorized,
  UnknownReference,
  ValidationFailed,
} from '../domain/errors.ts';

/** Problem `type` URIs are relative references under this path (RFC 9457 §3.1.1). */
export const problemTypeBase = '/problems/';

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

// One table from error class to HTTP status: the only place that knows both.
const kinds = new Map<abstract new (...args: never[]) => DomainError, ProblemKind>([
  [ValidationFailed, { status: 400, title: 'The request is not valid' }],
  [Unauthorized, { status: 401, title: 'A valid bearer token is required' }],
  [Forbidden, { status: 403, title: 'Not allowed for this caller' }],
  [NotEligible, { status: 403, title: 'The buyer is not eligible for this' }],
  [NotFound, { status: 404, title: 'Not found' }],
  [Conflict, { status: 409, title: 'Conflicts with the current state' }],
  [AlreadyExists, { status: 409, title: 'Already exists' }],
  [OutOfStock, { status: 409, title: 'Not enough stock available' }],
  [InsufficientPoints, { status: 409, title: 'Not enough points available' }],
  [AllocationExhausted, { status: 409, title: 'Member allocation exhausted or member limit reached' }],
  [PreconditionFailed, { status: 412, title: 'The resource changed since it was read' }],
  [PayloadTooLarge, { status: 413, title: 'The request is too large' }],
  [UnknownReference, { status: 422, title: 'Refers to something that does not exist' }],
  [IdempotencyKeyReused, { status: 422, title: 'Idempotency key reused with a different request' }],
  [PreconditionRequired, { status: 428, title: 'An If-Match header is required' }],
  [TemporarilyUnavailable, { status: 503, title: 'Temporarily unavailable, retry later' }],
]);

const kindOf = (error: DomainError): ProblemKind => {
  for (const [errorClass, kind] of kinds) if (error instanceof errorClass) return kind;
  return { status: 400, title: 'Bad request' };
};

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
    title: 'Internal error',
    status: 500,
    detail: 'The request could not be completed; it has been logged.',
    instance,
  });

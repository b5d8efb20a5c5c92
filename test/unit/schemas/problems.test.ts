/**
 * One table of problem types (shared/schemas/problems.ts) behind both the
 * problem writer and the OpenAPI document: every DomainError has an entry,
 * and what shared/http/problem.ts writes for it validates (ajv) against the
 * component schema the document declares for its type.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as errors from '../../../shared/domain/errors.ts';
import { internalProblem, problemFromDomainError } from '../../../shared/http/problem.ts';
import { buildOpenApi } from '../../../shared/schemas/openapi.ts';
import { problemTypes } from '../../../shared/schemas/problems.ts';
import { openApiValidator } from '../../support/openapi-ajv.ts';

type Json = any;
let doc: Json;
let compile: ReturnType<typeof openApiValidator>;
beforeAll(() => {
  doc = buildOpenApi();
  compile = openApiValidator(doc);
});

/** One of each DomainError as the code raises it (details included). */
const instances: Record<string, errors.DomainError> = {
  ValidationFailed: new errors.ValidationFailed('bad', [{ path: 'body.sku', message: 'required' }]),
  NotFound: new errors.NotFound('Member m-x not found'),
  Conflict: new errors.Conflict('Already sold in another sale', { epcs: ['3074257BF7194E4000001A85'] }),
  AlreadyExists: new errors.AlreadyExists('A member with this email already exists', { errors: [{ path: 'body.email', message: 'already registered' }] }),
  Forbidden: new errors.Forbidden('Not your location'),
  Unauthorized: new errors.Unauthorized('No token'),
  PreconditionFailed: new errors.PreconditionFailed('Product is at version 4, not 3', { currentVersion: 4 }),
  PreconditionRequired: new errors.PreconditionRequired('If-Match required'),
  OutOfStock: new errors.OutOfStock([
    { sku: 'sku-1', locationId: 'store-1', requested: 5, available: 2 },
    { sku: 'sku-2', locationId: 'store-1', requested: 1, available: 0, state: 'DAMAGED' },
  ]),
  InsufficientPoints: new errors.InsufficientPoints(100, 40),
  NotEligible: new errors.NotEligible('sku-1 needs tier GOLD; the member is SILVER', { sku: 'sku-1', minTier: 'GOLD' }),
  AllocationExhausted: new errors.AllocationExhausted('sku-1 is limited to 1 per member', { sku: 'sku-1', perMemberLimit: 1 }),
  IdempotencyKeyReused: new errors.IdempotencyKeyReused('Sale s-1 was already made with a different request'),
  PayloadTooLarge: new errors.PayloadTooLarge('The body is larger than 262144 bytes'),
  TemporarilyUnavailable: new errors.TemporarilyUnavailable('Throttled', 2),
  UnknownReference: new errors.UnknownReference('Unknown SKU', [{ path: 'body.lines.0.sku', message: 'unknown SKU' }]),
};

const domainErrorClasses = Object.entries(errors).filter(([, value]) => typeof value === 'function' && value.prototype instanceof errors.DomainError) as [
  string,
  new (...args: never[]) => errors.DomainError,
][];

describe('problem types', () => {
  it('has an instance here for every DomainError subclass', () => {
    expect(domainErrorClasses.length).toBeGreaterThan(10);
    expect(Object.keys(instances).sort()).toEqual(domainErrorClasses.map(([name]) => name).sort());
  });

  it.each(Object.entries(instances))('%s has a problem type, and the problem written for it validates against its schema', (_name, error) => {
    const entry = (problemTypes as Record<string, (typeof problemTypes)[keyof typeof problemTypes]>)[error.type];
    expect(entry, error.type).toBeDefined();
    const answer = problemFromDomainError(error, '/sales');
    expect(answer.statusCode).toBe(entry!.status);
    const body = JSON.parse(answer.body as string);
    expect(body).toMatchObject({ type: `/problems/${error.type}`, title: entry!.title, status: entry!.status });
    const validate = compile({ $ref: `#/components/schemas/${entry!.schema}` });
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    // Another type's schema refuses it: the type tells problems apart.
    for (const other of Object.values(problemTypes)) {
      if (other.schema !== entry!.schema) expect(compile({ $ref: `#/components/schemas/${other.schema}` })(body), other.schema).toBe(false);
    }
  });

  it('covers the internal error the writer answers', () => {
    const body = JSON.parse(internalProblem('/x').body as string);
    expect(compile({ $ref: '#/components/schemas/InternalProblem' })(body)).toBe(true);
  });

  it('declares 503 Retry-After as the writer sets it', () => {
    const answer = problemFromDomainError(instances.TemporarilyUnavailable!);
    expect(answer.headers).toMatchObject({ 'retry-after': '2' });
  });
});

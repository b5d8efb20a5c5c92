import { describe, expect, it } from 'vitest';
import * as errors from '../../../shared/domain/errors.ts';
import {
  AllocationExhausted,
  AlreadyExists,
  Conflict,
  DomainError,
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
} from '../../../shared/domain/errors.ts';

const allDomainErrors = (): DomainError[] => [
  new ValidationFailed('bad'),
  new NotFound('gone'),
  new Conflict('clash'),
  new AlreadyExists('taken'),
  new Forbidden('no'),
  new Unauthorized('who'),
  new PreconditionFailed('moved'),
  new PreconditionRequired('if-match'),
  new OutOfStock([{ sku: 'A', locationId: 'S1', requested: 2, available: 1 }]),
  new IdempotencyKeyReused('reused'),
  new InsufficientPoints(100, 40),
  new NotEligible('members only'),
  new AllocationExhausted('none left'),
  new PayloadTooLarge('big'),
  new TemporarilyUnavailable('later'),
  new UnknownReference('what', []),
];

describe('domain errors', () => {
  it('has a sample of every concrete error class the module exports', () => {
    const exported = Object.values(errors).filter((value) => typeof value === 'function' && value.prototype instanceof DomainError);
    expect(new Set(allDomainErrors().map((e) => e.constructor))).toEqual(new Set(exported));
  });

  it.each(allDomainErrors().map((e) => [e.constructor.name, e] as const))('%s is an Error named after its class', (name, error) => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.name).toBe(name);
    expect(error.message).toEqual(expect.any(String));
    expect(error.stack).toEqual(expect.any(String));
  });

  it('gives every class its own kebab-case type slug', () => {
    const types = allDomainErrors().map((e) => e.type);
    for (const type of types) expect(type).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(new Set(types).size).toBe(types.length);
  });

  it('carries extension members for the problem document', () => {
    expect(new NotFound('x').details).toEqual({});
    expect(new NotFound('x', { sku: 'A' }).details).toEqual({ sku: 'A' });
  });

  it('ValidationFailed keeps its field errors, also as details', () => {
    const fieldErrors = [{ path: 'body.qty', message: 'too small' }];
    const error = new ValidationFailed('bad', fieldErrors);
    expect(error.errors).toEqual(fieldErrors);
    expect(error.details).toEqual({ errors: fieldErrors });
    expect(new ValidationFailed('bad').errors).toEqual([]);
  });

  it('UnknownReference keeps its field errors, also as details', () => {
    const fieldErrors = [{ path: 'body.lines.0.sku', message: 'unknown' }];
    expect(new UnknownReference('x', fieldErrors).details).toEqual({ errors: fieldErrors });
  });

  it('OutOfStock lists every shortage in its message and details', () => {
    const shortages = [
      { sku: 'A', locationId: 'S1', requested: 3, available: 1 },
      { sku: 'B', locationId: 'S1', requested: 2, available: 0 },
    ];
    const error = new OutOfStock(shortages);
    expect(error.message).toBe('A at S1: requested 3, available 1; B at S1: requested 2, available 0');
    expect(error.shortages).toEqual(shortages);
    expect(error.details).toEqual({ shortages });
  });

  it('TemporarilyUnavailable says when to retry, one second unless told', () => {
    expect(new TemporarilyUnavailable('busy').retryAfterSeconds).toBe(1);
    expect(new TemporarilyUnavailable('busy', 5).retryAfterSeconds).toBe(5);
  });
});

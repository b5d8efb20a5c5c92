/**
 * The failures callers can act on. Each has a stable `type` slug that the
 * HTTP layer turns into a problem+json `type`; the status mapping lives in
 * one place (`shared/http/problem.ts`), never here.
 */
export abstract class DomainError extends Error {
  abstract readonly type: string;
  /** Extra members for the problem document (RFC 9457 extension members). */
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export class ValidationFailed extends DomainError {
  readonly type = 'validation-failed';
  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message, { errors });
  }
}

export class NotFound extends DomainError {
  readonly type = 'not-found';
}

export class Conflict extends DomainError {
  readonly type = 'conflict';
}

export class AlreadyExists extends DomainError {
  readonly type = 'already-exists';
}

export class Forbidden extends DomainError {
  readonly type = 'forbidden';
}

export class Unauthorized extends DomainError {
  readonly type = 'unauthorized';
}

export class PreconditionFailed extends DomainError {
  readonly type = 'precondition-failed';
}

export class PreconditionRequired extends DomainError {
  readonly type = 'precondition-required';
}

export interface Shortage {
  readonly sku: string;
  readonly locationId: string;
  readonly requested: number;
  readonly available: number;
  /** When the units were short in an unavailable state (a write-off or state change from it), which one; `available` then counts that state. */
  readonly state?: 'DAMAGED' | 'QUALITY_CONTROL' | 'SAFETY_STOCK';
}

export class OutOfStock extends DomainError {
  readonly type = 'out-of-stock';
  constructor(readonly shortages: readonly Shortage[]) {
    super(
      shortages.map((s) => `${s.sku} at ${s.locationId}: requested ${s.requested}, ${s.state ? s.state.toLowerCase() : 'available'} ${s.available}`).join('; '),
      { shortages },
    );
  }
}

/** A member asked to spend more points than they have available. */
export class InsufficientPoints extends DomainError {
  readonly type = 'insufficient-points';
  constructor(
    readonly requested: number,
    readonly available: number,
  ) {
    super(`Requested ${requested} points, ${available} available`, { requested, available });
  }
}

/** The buyer may not have this (member-exclusive product, tier too low, no member). */
export class NotEligible extends DomainError {
  readonly type = 'not-eligible';
}

/** A member-exclusive allocation has fewer units left than asked for, or the member reached their limit. */
export class AllocationExhausted extends DomainError {
  readonly type = 'allocation-exhausted';
}

/** The same idempotency key was sent with a different request body. */
export class IdempotencyKeyReused extends DomainError {
  readonly type = 'idempotency-key-reused';
}

export class PayloadTooLarge extends DomainError {
  readonly type = 'payload-too-large';
}

/** The store pushed back (throttling, contention) after our retries. */
export class TemporarilyUnavailable extends DomainError {
  readonly type = 'temporarily-unavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}

/** The request names a SKU, location or hold that does not exist. */
export class UnknownReference extends DomainError {
  readonly type = 'unknown-reference';
  constructor(
    message: string,
    readonly errors: readonly FieldError[],
  ) {
    super(message, { errors });
  }
}

import { createHash } from 'node:crypto';
import { IdempotencyKeyReused } from '../domain/errors.ts';

/** JSON with object keys sorted, so equal requests give equal text whatever the key order. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

/**
 * What makes a retried write "the same request": a hash of its body. A key
 * replayed with another fingerprint is a client bug, answered 422.
 */
export const requestFingerprint = (request: unknown): string => createHash('sha256').update(canonical(request)).digest('base64url');

/**
 * The one rule for a write under an id that was used before: the same
 * request is answered with the first answer (the caller replays it), another
 * request is refused with 422, for every write.
 */
export const assertSameRequest = (storedFingerprint: unknown, fingerprint: string, what: string): void => {
  if (storedFingerprint !== fingerprint) throw new IdempotencyKeyReused(`${what} was already made with a different request`);
};

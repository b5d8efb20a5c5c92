import { createHash } from 'node:crypto';

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

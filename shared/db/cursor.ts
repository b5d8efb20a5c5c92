import { ValidationFailed } from '../domain/errors.ts';

/** Pagination cursors are DynamoDB's LastEvaluatedKey, opaque to clients. */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;

export const decodeCursor = (cursor: string | undefined): Record<string, unknown> | undefined => {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new Error('not an object');
    for (const value of Object.values(key)) if (typeof value !== 'string') throw new Error('not a key');
    return key as Record<string, unknown>;
  } catch {
    throw new ValidationFailed('Invalid cursor', [{ path: 'query.cursor', message: 'use the cursor from the previous page' }]);
  }
};

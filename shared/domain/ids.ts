/**
 * Ids the system derives (a hold's expiry, an RFID item event, a gift's
 * points key, an HQ order, a holiday campaign) live where no client can
 * write: a client id is 1-64 of `[A-Za-z0-9._-]`, which has no ':', and a
 * derived id always has one. Parts are joined whole, never truncated, so two
 * different inputs never share an id (only the last part may itself hold a
 * ':', as when a derived id is derived from again).
 */
export const derivedId = (kind: string, ...parts: readonly (string | number)[]): string => [kind, ...parts].join(':');

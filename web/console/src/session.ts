/**
 * The signed-in user: the bearer token (kept in sessionStorage, so closing the
 * tab signs out) and what its claims say about the role and locations. The
 * claims are read, not verified: the API and the live endpoint verify every
 * token; the console only uses them to decide what to offer.
 */
export interface Session {
  readonly token: string;
  readonly role: string;
  readonly subject: string;
  /** A store user's locations; empty for admin (who sees all). */
  readonly locations: readonly string[];
  readonly expiresAt?: number;
}

const key = 'stockclub.console.token';

export class NotAToken extends Error {
  constructor() {
    super('That is not a bearer token (a JWT: three dot-separated parts).');
    this.name = 'NotAToken';
  }
}

const decodePart = (part: string): Record<string, unknown> => {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
};

export const sessionOf = (raw: string): Session => {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3) throw new NotAToken();
  let claims: Record<string, unknown>;
  try {
    claims = decodePart(parts[1]!);
  } catch {
    throw new NotAToken();
  }
  return {
    token,
    role: String(claims.role ?? 'unknown'),
    subject: String(claims.sub ?? ''),
    locations: String(claims.locations ?? '')
      .split(' ')
      .filter((l) => l.length > 0),
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
  };
};

export const savedSession = (): Session | undefined => {
  const token = sessionStorage.getItem(key);
  if (!token) return undefined;
  try {
    const session = sessionOf(token);
    return session.expiresAt !== undefined && session.expiresAt < Date.now() ? undefined : session;
  } catch {
    return undefined;
  }
};

export const saveSession = (session: Session | undefined): void => {
  if (session) sessionStorage.setItem(key, session.token);
  else sessionStorage.removeItem(key);
};

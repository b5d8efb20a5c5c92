import { jwtVerify, SignJWT } from 'jose';
import { nowMillis } from '../../shared/clock.ts';
import type { Role } from '../../shared/domain/principal.ts';

/**
 * Local-only signing key. The local gateway binds to 127.0.0.1 and this key
 * signs nothing in AWS, where API Gateway's JWT authorizer checks tokens
 * from the chain's own identity provider (see cdk.json `jwtIssuer`).
 */
export const localSigningKey = new TextEncoder().encode('stockclub-local-development-key-not-for-production');
export const localIssuer = 'stockclub-local';
export const localAudience = 'stockclub-api';

export interface TokenRequest {
  readonly role: Role;
  readonly subject?: string;
  readonly locations?: readonly string[];
  readonly memberId?: string;
  readonly gateId?: string;
  /** Lifetime in seconds; negative makes an already expired token (for tests). */
  readonly expiresIn?: number;
}

export const signLocalToken = async (request: TokenRequest, key: Uint8Array = localSigningKey): Promise<string> => {
  const now = Math.floor(nowMillis() / 1000);
  const claims: Record<string, string> = { role: request.role };
  if (request.locations?.length) claims.locations = request.locations.join(' ');
  if (request.memberId) claims.memberId = request.memberId;
  if (request.gateId) claims.gateId = request.gateId;
  const subject = request.subject ?? request.memberId ?? (request.gateId ? `${request.locations?.[0]}/${request.gateId}` : `${request.role}-dev`);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(localIssuer)
    .setAudience(localAudience)
    .setSubject(subject)
    .setIssuedAt(now)
    .setExpirationTime(now + (request.expiresIn ?? 12 * 3600))
    .sign(key);
};

/** What API Gateway's JWT authorizer does: signature, issuer, audience, expiry; a token without `exp` never expires, so it refuses it too. */
export const verifyLocalToken = async (token: string): Promise<Record<string, unknown> | undefined> => {
  try {
    const { payload } = await jwtVerify(token, localSigningKey, {
      issuer: localIssuer,
      audience: localAudience,
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      currentDate: new Date(nowMillis()),
    });
    return payload as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

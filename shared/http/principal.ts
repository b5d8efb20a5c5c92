import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Principal, type Role, roles } from '../domain/principal.ts';

type Claims = Record<string, string | number | boolean | string[] | undefined>;

/** Claims exactly where API Gateway's JWT authorizer (and the local gateway) put them. */
export const claimsOf = (event: APIGatewayProxyEventV2): Claims | undefined =>
  (event.requestContext as { authorizer?: { jwt?: { claims?: Claims } } }).authorizer?.jwt?.claims;

// API Gateway flattens array claims into "[a b]" strings; accept that, a
// space-separated string and a real array alike.
const listClaim = (value: Claims[string]): string[] => {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
};

const nonEmpty = (value: Claims[string]): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The caller, or `undefined` when the claims do not name one (the request is
 * then answered 401): a known role, a subject (it is recorded as who made
 * each write) and, for a member, the member the token belongs to.
 */
export const principalFromClaims = (claims: Claims | undefined): Principal | undefined => {
  const role = claims?.role;
  if (typeof role !== 'string' || !(roles as readonly string[]).includes(role)) return undefined;
  const subject = nonEmpty(claims?.sub);
  if (!subject) return undefined;
  const memberId = nonEmpty(claims?.memberId);
  if (role === 'member' && !memberId) return undefined;
  return { subject, role: role as Role, locations: listClaim(claims?.locations), memberId };
};

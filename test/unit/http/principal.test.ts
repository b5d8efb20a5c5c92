/**
 * Claims -> Principal: what shared/http/principal.ts reads from the JWT
 * authorizer's output (requestContext.authorizer.jwt.claims).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roles } from '../../../shared/domain/principal.ts';
import { claimsOf, principalFromClaims } from '../../../shared/http/principal.ts';
import { apiEvent, apiGatewayClaims } from '../../support/api-event.ts';

const route = { method: 'GET', path: '/stock/{sku}' } as const;

describe('claimsOf', () => {
  it("reads the claims where API Gateway's JWT authorizer puts them", () => {
    const claims = { sub: 'u1', role: 'admin' };
    expect(claimsOf(apiEvent({ route, path: '/stock/A', claims }))).toEqual(claims);
  });

  it('finds nothing on a request without an authorizer', () => {
    expect(claimsOf(apiEvent({ route, path: '/stock/A' }))).toBeUndefined();
  });
});

describe('principalFromClaims', () => {
  it('builds an admin', () => {
    expect(principalFromClaims({ sub: 'hq-1', role: 'admin' })).toEqual({ subject: 'hq-1', role: 'admin', locations: [], memberId: undefined });
  });

  it.each([
    ['an array', ['S1', 'S2']],
    ['API Gateway\'s "[a b]" form', '[S1 S2]'],
    ['a space-separated string', 'S1 S2'],
    ['a comma-separated string', 'S1,S2'],
  ])('reads store locations from %s', (_name, locations) => {
    expect(principalFromClaims({ sub: 'till', role: 'store', locations })?.locations).toEqual(['S1', 'S2']);
  });

  it('reads a single location', () => {
    expect(principalFromClaims({ sub: 'till', role: 'store', locations: 'S1' })?.locations).toEqual(['S1']);
    expect(principalFromClaims(apiGatewayClaims({ sub: 'till', role: 'store', locations: ['S1'] }))?.locations).toEqual(['S1']);
  });

  it('gives a store user without locations none, not all', () => {
    expect(principalFromClaims({ sub: 'till', role: 'store' })?.locations).toEqual([]);
    expect(principalFromClaims({ sub: 'till', role: 'store', locations: '[]' })?.locations).toEqual([]);
  });

  it("reads a member's id", () => {
    expect(principalFromClaims({ sub: 'c-1', role: 'member', memberId: 'M-1' })).toMatchObject({ role: 'member', memberId: 'M-1' });
  });

  it.each([
    ['no claims', undefined],
    ['no role', { sub: 'u1' }],
    ['an unknown role', { sub: 'u1', role: 'root' }],
    ['a role of another type', { sub: 'u1', role: true }],
    ['no subject', { role: 'admin' }],
    ['a subject of another type', { sub: 7, role: 'admin' }],
    ['an empty subject', { sub: '', role: 'service' }],
    ['a member without a member id', { sub: 'c-1', role: 'member' }],
    ['a member with an empty member id', { sub: 'c-1', role: 'member', memberId: '' }],
  ])('makes no principal from %s', (_name, claims) => {
    expect(principalFromClaims(claims as Parameters<typeof principalFromClaims>[0])).toBeUndefined();
  });

  it('never throws, and whatever it returns has a known role, a subject and a list of locations', () => {
    const claimValue = fc.oneof(fc.string(), fc.constantFrom(...roles), fc.integer(), fc.boolean(), fc.array(fc.string()), fc.constant(undefined));
    const claims = fc.record({ sub: claimValue, role: claimValue, locations: claimValue, memberId: claimValue }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.option(claims, { nil: undefined }), (input) => {
        const principal = principalFromClaims(input as Parameters<typeof principalFromClaims>[0]);
        if (principal === undefined) return;
        expect(roles).toContain(principal.role);
        expect(principal.subject).toEqual(expect.any(String));
        expect(principal.subject.length).toBeGreaterThan(0);
        expect(Array.isArray(principal.locations)).toBe(true);
        for (const location of principal.locations) expect(location).toEqual(expect.any(String));
        // A string claim is split into clean names; only a real array keeps its elements as they are.
        if (typeof input?.locations === 'string') for (const location of principal.locations) expect(location).toMatch(/^[^\s,]+$/);
        if (principal.role === 'member') expect(principal.memberId).toEqual(expect.any(String));
      }),
    );
  });
});

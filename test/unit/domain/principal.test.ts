import { describe, expect, it } from 'vitest';
import { Forbidden, NotFound } from '../../../shared/domain/errors.ts';
import { assertLocationAccess, assertMemberAccess, type Principal, visibleLocations } from '../../../shared/domain/principal.ts';

const admin: Principal = { subject: 'hq-1', role: 'admin', locations: [] };
const service: Principal = { subject: 'svc', role: 'service', locations: [] };
const till: Principal = { subject: 'till-1', role: 'store', locations: ['S1', 'S3'] };
const unassigned: Principal = { subject: 'till-9', role: 'store', locations: [] };
const member: Principal = { subject: 'c-1', role: 'member', locations: [], memberId: 'M-1' };
const gateway: Principal = { subject: 'S1/G1', role: 'gateway', locations: ['S1'] };

describe('assertLocationAccess', () => {
  it('lets HQ and services in everywhere', () => {
    expect(() => assertLocationAccess(admin, 'ANY')).not.toThrow();
    expect(() => assertLocationAccess(service, 'ANY')).not.toThrow();
  });

  it('lets store staff into their own locations only, with 403 elsewhere', () => {
    expect(() => assertLocationAccess(till, 'S1')).not.toThrow();
    expect(() => assertLocationAccess(till, 'S3')).not.toThrow();
    expect(() => assertLocationAccess(till, 'S2')).toThrow(Forbidden);
    expect(() => assertLocationAccess(till, 's1')).toThrow(Forbidden);
    expect(() => assertLocationAccess(unassigned, 'S1')).toThrow(Forbidden);
  });

  it('keeps members and gateways out of location data', () => {
    expect(() => assertLocationAccess(member, 'S1')).toThrow(Forbidden);
    expect(() => assertLocationAccess(gateway, 'S1')).toThrow(Forbidden);
  });
});

describe('assertMemberAccess', () => {
  it('lets a member see their own data', () => {
    expect(() => assertMemberAccess(member, 'M-1')).not.toThrow();
  });

  it("answers another member's data with 404, so nothing leaks", () => {
    expect(() => assertMemberAccess(member, 'M-2')).toThrow(NotFound);
    expect(() => assertMemberAccess({ ...member, memberId: undefined }, 'M-1')).toThrow(NotFound);
  });

  it('leaves staff to their role checks', () => {
    expect(() => assertMemberAccess(admin, 'M-2')).not.toThrow();
    expect(() => assertMemberAccess(till, 'M-2')).not.toThrow();
  });
});

describe('visibleLocations', () => {
  it('is every location for HQ and services, and the own list for others', () => {
    expect(visibleLocations(admin)).toBeUndefined();
    expect(visibleLocations(service)).toBeUndefined();
    expect(visibleLocations(till)).toEqual(['S1', 'S3']);
    expect(visibleLocations(unassigned)).toEqual([]);
    expect(visibleLocations(member)).toEqual([]);
  });
});

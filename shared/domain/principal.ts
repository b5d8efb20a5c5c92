import { Forbidden, NotFound } from './errors.ts';

export const roles = ['admin', 'store', 'member', 'service', 'gateway'] as const;
export type Role = (typeof roles)[number];

/** Who is calling, as the gateway's JWT authorizer established it. */
export interface Principal {
  readonly subject: string;
  readonly role: Role;
  /** Locations a store user (or gateway) works at; empty for other roles. */
  readonly locations: readonly string[];
  /** The member a member token belongs to. */
  readonly memberId?: string;
}

/** Staff outside their locations get 403: they know the location exists. */
export const assertLocationAccess = (principal: Principal, locationId: string): void => {
  if (principal.role === 'admin' || principal.role === 'service') return;
  if (principal.role === 'store' && principal.locations.includes(locationId)) return;
  throw new Forbidden(`Not allowed at location ${locationId}`);
};

/** Members asking for another member get 404 so nothing about other members leaks. */
export const assertMemberAccess = (principal: Principal, memberId: string): void => {
  if (principal.role === 'member' && principal.memberId !== memberId) {
    throw new NotFound(`Member ${memberId} not found`);
  }
};

/** The locations a caller may see, or `undefined` for all of them. */
export const visibleLocations = (principal: Principal): readonly string[] | undefined =>
  principal.role === 'admin' || principal.role === 'service' ? undefined : principal.locations;

import { describe, expect, it } from 'vitest';
import { routes } from '../../../infra/routes.ts';
import { locationOf, noneMatch } from '../../../shared/http/handler.ts';

describe('If-None-Match', () => {
  it('matches by weak comparison, any tag of a list, or *', () => {
    expect(noneMatch('"3"', '"3"')).toBe(true);
    expect(noneMatch('W/"3"', '"3"')).toBe(true);
    expect(noneMatch('"1", "3"', '"3"')).toBe(true);
    expect(noneMatch('*', '"3"')).toBe(true);
    expect(noneMatch('"4"', '"3"')).toBe(false);
    expect(noneMatch(undefined, '"3"')).toBe(false);
    expect(noneMatch('"3"', undefined)).toBe(false);
  });
});

describe('Location', () => {
  it("fills the route's location from the answer, on a 201 only, encoded", () => {
    expect(locationOf(routes.createProduct, 201, { sku: 'A B' })).toEqual({ location: '/products/A%20B' });
    expect(locationOf(routes.createProduct, 200, { sku: 'A' })).toEqual({});
    expect(locationOf(routes.createProduct, 201, {})).toEqual({});
    expect(locationOf(routes.createMovement, 201, { movementId: 'm-1' })).toEqual({});
  });

  it("takes a name the answer lacks from the request's path: a redemption is read among the member's entries", () => {
    const redemption = { entry: { entryId: 'e-1' }, points: { available: 10 } };
    expect(locationOf(routes.redeemPoints, 201, redemption, { memberId: 'm-anna' })).toEqual({ location: '/members/m-anna/points/entries' });
    expect(locationOf(routes.receivePurchaseOrder, 201, { order: {} }, { purchaseOrderId: 'po 7' })).toEqual({ location: '/purchase-orders/po%207' });
    // The answer's own field wins over the path's.
    expect(locationOf(routes.createReturn, 201, { saleId: 's-1' }, { saleId: 'other' })).toEqual({ location: '/sales/s-1' });
  });
});

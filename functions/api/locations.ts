import { routes } from '../../infra/routes.ts';
import * as catalog from '../../shared/db/catalog.ts';
import { assertLocationAccess, visibleLocations } from '../../shared/domain/principal.ts';
import { etag, httpHandler } from '../../shared/http/handler.ts';

const now = () => new Date().toISOString();

export const createLocation = httpHandler(routes.createLocation, async ({ body }) => {
  const { value, created } = await catalog.createLocation(body, now());
  return { status: created ? 201 : 200, body: value, headers: etag(value.version) };
});

export const listLocations = httpHandler(routes.listLocations, async ({ principal, query }) => {
  const visible = visibleLocations(principal);
  // Store staff work at a handful of locations: read those directly instead of paging the chain.
  if (visible) {
    return { body: { items: await catalog.getLocations(visible) } };
  }
  return { body: await catalog.listLocations(query.limit, query.cursor) };
});

export const getLocation = httpHandler(routes.getLocation, async ({ principal, params }) => {
  assertLocationAccess(principal, params.locationId);
  const location = await catalog.getLocation(params.locationId);
  return { body: location, headers: etag(location.version) };
});

export const updateLocation = httpHandler(routes.updateLocation, async ({ params, body, ifMatch }) => {
  const location = await catalog.updateLocation(params.locationId, body, ifMatch, now());
  return { body: location, headers: etag(location.version) };
});

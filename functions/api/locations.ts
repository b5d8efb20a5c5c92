import * as routes from '../../infra/routes/locations.ts';
import * as catalog from '../../shared/app/catalog.ts';
import { etag, httpHandler, replayHeaders } from '../../shared/http/handler.ts';
import { nowIso } from '../../shared/clock.ts';

const now = () => nowIso();

export const createLocation = /* @__PURE__ */ httpHandler(routes.createLocation, async ({ body }) => {
  const { value, created } = await catalog.createLocation(body, now());
  // A repeat gets the first answer with the same status (DESIGN.md, HTTP conventions), marked as a replay.
  return { status: 201, body: value, headers: { ...etag(value.version), ...replayHeaders(!created) } };
});

export const listLocations = /* @__PURE__ */ httpHandler(routes.listLocations, async ({ principal, query }) => ({
  body: await catalog.locationsVisibleTo(principal, query),
}));

export const getLocation = /* @__PURE__ */ httpHandler(routes.getLocation, async ({ principal, params }) => {
  const location = await catalog.getLocation(params.locationId, principal);
  return { body: location, headers: etag(location.version) };
});

export const updateLocation = /* @__PURE__ */ httpHandler(routes.updateLocation, async ({ params, body, ifMatch }) => {
  const location = await catalog.updateLocation(params.locationId, body, ifMatch, now());
  return { body: location, headers: etag(location.version) };
});

import * as routes from '../../infra/routes/events.ts';
import * as events from '../../shared/app/events.ts';
import { httpHandler, replayHeaders } from '../../shared/http/handler.ts';
import { nowIso } from '../../shared/clock.ts';

const now = () => nowIso();

export const createEvent = /* @__PURE__ */ httpHandler(routes.createEvent, async ({ body }) => {
  const { value, created } = await events.createEvent(body, now());
  return { status: 201, body: value, headers: replayHeaders(!created) };
});

export const listEvents = /* @__PURE__ */ httpHandler(routes.listEvents, async ({ query, principal }) => ({
  body: { items: await events.listEvents(query, principal, now()) },
}));

export const getEvent = /* @__PURE__ */ httpHandler(routes.getEvent, async ({ params, principal }) => ({
  body: await events.getEvent(params.eventId, principal, now()),
}));

export const registerForEvent = /* @__PURE__ */ httpHandler(routes.registerForEvent, async ({ params, body, idempotencyKey, principal }) => {
  const { value, created } = await events.register(params.eventId, body, idempotencyKey, principal, now());
  return { status: 201, body: value, headers: replayHeaders(!created) };
});

export const listEventRegistrations = /* @__PURE__ */ httpHandler(routes.listEventRegistrations, async ({ params, principal }) => ({
  body: await events.listRegistrations(params.eventId, principal),
}));

export const getEventRegistration = /* @__PURE__ */ httpHandler(routes.getEventRegistration, async ({ params, principal }) => ({
  body: await events.getRegistration(params.eventId, params.memberId, principal),
}));

export const cancelEventRegistration = /* @__PURE__ */ httpHandler(routes.cancelEventRegistration, async ({ params, principal }) => ({
  body: await events.cancelRegistration(params.eventId, params.memberId, principal, now()),
}));

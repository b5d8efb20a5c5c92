import * as routes from '../../infra/routes/movements.ts';
import { ledger, movementOf, recordMovement } from '../../shared/app/stock.ts';
import { httpHandler, replayHeaders } from '../../shared/http/handler.ts';

export const createMovement = /* @__PURE__ */ httpHandler(routes.createMovement, async ({ body, principal, idempotencyKey }) => {
  const { result, replayed } = await recordMovement({ ...body, movementId: idempotencyKey }, principal);
  return { body: result, headers: replayHeaders(replayed) };
});

export const listMovements = /* @__PURE__ */ httpHandler(routes.listMovements, async ({ query, principal }) => ({
  body: await ledger(query, principal),
}));

export const getMovement = /* @__PURE__ */ httpHandler(routes.getMovement, async ({ params, principal }) => ({
  body: await movementOf(params.locationId, params.movementId, principal),
}));

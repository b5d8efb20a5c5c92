import { routes } from '../../infra/routes.ts';
import { ledger, recordMovement } from '../../shared/db/stock.ts';
import { httpHandler } from '../../shared/http/handler.ts';

export const createMovement = httpHandler(routes.createMovement, async ({ body, principal, idempotencyKey }) => {
  const { result, replayed } = await recordMovement({ ...body, movementId: idempotencyKey }, principal);
  // A replay answers exactly as the first time did, flagged so a till can tell.
  const headers: Record<string, string> = replayed ? { 'idempotent-replayed': 'true' } : {};
  return { body: result, headers };
});

export const listMovements = httpHandler(routes.listMovements, async ({ query, principal }) => ({
  body: await ledger(query, principal),
}));

import * as routes from '../../infra/routes/sales.ts';
import { checkout } from '../../shared/app/checkout.ts';
import { returnSale } from '../../shared/app/returns.ts';
import { getSale as readSale } from '../../shared/app/sales.ts';
import { httpHandler, replayHeaders } from '../../shared/http/handler.ts';

export const createSale = /* @__PURE__ */ httpHandler(routes.createSale, async ({ body, principal, idempotencyKey }) => {
  const { receipt, replayed } = await checkout({ ...body, saleId: idempotencyKey }, principal);
  return { body: receipt, headers: replayHeaders(replayed) };
});

export const getSale = /* @__PURE__ */ httpHandler(routes.getSale, async ({ params, principal }) => ({
  body: await readSale(params.saleId, principal),
}));

export const createReturn = /* @__PURE__ */ httpHandler(routes.createReturn, async ({ params, body, principal, idempotencyKey }) => {
  const { receipt, replayed } = await returnSale(params.saleId, { ...body, returnId: idempotencyKey }, principal);
  return { body: receipt, headers: replayHeaders(replayed) };
});

import * as routes from '../../infra/routes/transfers.ts';
import { getTransfer as readTransfer, receiveTransfer as bookReceipt } from '../../shared/app/transfers.ts';
import { httpHandler, replayHeaders } from '../../shared/http/handler.ts';

export const getTransfer = /* @__PURE__ */ httpHandler(routes.getTransfer, async ({ params, query, principal }) => ({
  body: await readTransfer(params.movementId, query.fromLocationId, principal),
}));

export const receiveTransfer = /* @__PURE__ */ httpHandler(routes.receiveTransfer, async ({ params, query, body, principal, idempotencyKey }) => {
  const { transfer, replayed } = await bookReceipt(
    params.movementId,
    body.fromLocationId ?? query.fromLocationId,
    { receiptId: idempotencyKey, lines: body.lines },
    principal,
  );
  return { body: transfer, headers: replayHeaders(replayed) };
});

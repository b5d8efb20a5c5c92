import * as routes from '../../infra/routes/epcis.ts';
import { exportEpcisEvents as exportEvents } from '../../shared/app/epcis.ts';
import { httpHandler } from '../../shared/http/handler.ts';

export const exportEpcisEvents = /* @__PURE__ */ httpHandler(routes.exportEpcisEvents, async ({ query, principal }) => ({
  body: await exportEvents(query, principal),
}));

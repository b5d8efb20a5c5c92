import * as routes from '../../infra/routes/abc.ts';
import * as abc from '../../shared/app/abc.ts';
import { httpHandler } from '../../shared/http/handler.ts';

/** `POST /analytics/abc/runs`: HQ classifies now, optionally with a new configuration or over some SKUs. */
export const runAbcClassification = /* @__PURE__ */ httpHandler(routes.runAbcClassification, async ({ body }) => ({
  body: await abc.runAbcClassification({ config: body.config, skus: body.skus }),
}));

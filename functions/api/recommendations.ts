import * as routes from '../../infra/routes/recommendations.ts';
import { recommendationsFor } from '../../shared/app/recommendations.ts';
import { httpHandler } from '../../shared/http/handler.ts';

export const getRecommendations = /* @__PURE__ */ httpHandler(routes.getRecommendations, async ({ params, query, principal }) => ({
  body: await recommendationsFor(params.memberId, principal, query.limit),
}));

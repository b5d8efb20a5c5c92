import * as z from 'zod';
import { LocationId, Sku } from './common.ts';
import { MemberId } from './members.ts';

export const RecommendationsQuery = /* @__PURE__ */ z.object({
  limit: /* @__PURE__ */ z.coerce.number().int().min(1).max(50).default(10).meta({ description: 'How many recommendations, at most' }),
});

export const RecommendationReason = /* @__PURE__ */ z.enum(['BOUGHT_TOGETHER', 'SEGMENT_FAVOURITE']).meta({ id: 'RecommendationReason' });

export const Recommendation = /* @__PURE__ */ z
  .object({
    sku: Sku,
    name: /* @__PURE__ */ z.string(),
    score: /* @__PURE__ */ z.number().meta({ description: 'Higher is better; only the order is meaningful' }),
    reasons: /* @__PURE__ */ z.array(RecommendationReason),
    becauseOf: /* @__PURE__ */ z.array(Sku).optional().meta({ description: "The member's purchases it is often bought with, strongest first" }),
  })
  .meta({ id: 'Recommendation' });

export const Recommendations = /* @__PURE__ */ z
  .object({
    memberId: MemberId,
    locationId: /* @__PURE__ */ LocationId.optional().meta({ description: 'Where the member usually shops: recommendations are in stock there' }),
    items: /* @__PURE__ */ z.array(Recommendation),
  })
  .meta({ id: 'Recommendations' });
export type Recommendations = z.output<typeof Recommendations>;

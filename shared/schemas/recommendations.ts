import * as z from 'zod';
import { LocationId, Sku } from './common.ts';
import { MemberId } from './members.ts';

export const RecommendationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(10).meta({ description: 'How many recommendations, at most' }),
});

export const RecommendationReason = z.enum(['BOUGHT_TOGETHER', 'SEGMENT_FAVOURITE']).meta({ id: 'RecommendationReason' });

export const Recommendation = z
  .object({
    sku: Sku,
    name: z.string(),
    score: z.number().meta({ description: 'Higher is better; only the order is meaningful' }),
    reasons: z.array(RecommendationReason),
    becauseOf: z.array(Sku).optional().meta({ description: "The member's purchases it is often bought with, strongest first" }),
  })
  .meta({ id: 'Recommendation' });

export const Recommendations = z
  .object({
    memberId: MemberId,
    locationId: LocationId.optional().meta({ description: 'Where the member usually shops: recommendations are in stock there' }),
    items: z.array(Recommendation),
  })
  .meta({ id: 'Recommendations' });
export type Recommendations = z.output<typeof Recommendations>;

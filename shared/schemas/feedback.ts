import * as z from 'zod';
import { LocationId, RequestId, Sku, Timestamp } from './common.ts';

/** Product feedback (functions/api/feedback.ts). */
const MemberRef = RequestId.meta({ description: 'Member id' });

export const FeedbackInput = z
  .strictObject({
    feedbackId: RequestId.optional().meta({ description: 'Makes the write idempotent (or send Idempotency-Key)' }),
    memberId: MemberRef.optional().meta({ description: 'Whose purchase; a member token rates its own' }),
    saleId: RequestId,
    sku: Sku,
    rating: z.int().min(1).max(5),
    comment: z.string().max(2000).optional(),
  })
  .meta({ id: 'FeedbackInput' });

export const Feedback = z
  .object({
    feedbackId: RequestId,
    memberId: MemberRef,
    saleId: RequestId,
    sku: Sku,
    locationId: LocationId.meta({ description: 'Where it was bought' }),
    rating: z.int().min(1).max(5),
    comment: z.string().optional(),
    boughtAt: Timestamp,
    at: Timestamp,
    followUp: z.boolean().meta({ description: 'A low rating (2 or less) of a purchase of the last 30 days: a service message went through the send gate' }),
  })
  .meta({ id: 'Feedback' });
export type Feedback = z.output<typeof Feedback>;

export const RatingSummary = z
  .object({
    count: z.int(),
    mean: z.number().meta({ description: 'Mean rating, two decimals; 0 when none' }),
    distribution: z.object({ '1': z.int(), '2': z.int(), '3': z.int(), '4': z.int(), '5': z.int() }),
  })
  .meta({ id: 'RatingSummary' });

export const ProductRatingsParams = z.object({ sku: Sku });
export const StoreRatingsParams = z.object({ locationId: LocationId });

export const ProductRatings = z
  .object({
    sku: Sku,
    summary: RatingSummary.meta({ description: 'Over the stores the caller may see' }),
    byStore: z.array(z.object({ locationId: LocationId, summary: RatingSummary })),
    recent: z.array(Feedback).meta({ description: 'The latest ratings, newest first' }),
  })
  .meta({ id: 'ProductRatings' });

export const StoreRatings = z
  .object({
    locationId: LocationId,
    summary: RatingSummary,
    byProduct: z.array(z.object({ sku: Sku, summary: RatingSummary })),
    recent: z.array(Feedback).meta({ description: 'The latest ratings, newest first' }),
  })
  .meta({ id: 'StoreRatings' });

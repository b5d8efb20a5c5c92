import * as z from 'zod';
import { LocationId, RequestId, Sku, Timestamp } from './common.ts';

/** Product feedback (functions/api/feedback.ts). */
const MemberRef = /* @__PURE__ */ RequestId.meta({ description: 'Member id' });

export const FeedbackInput = /* @__PURE__ */ z
  .strictObject({
    feedbackId: /* @__PURE__ */ RequestId.optional().meta({ description: 'Makes the write idempotent (or send Idempotency-Key)' }),
    memberId: /* @__PURE__ */ MemberRef.optional().meta({ description: 'Whose purchase; a member token rates its own' }),
    saleId: RequestId,
    sku: Sku,
    rating: /* @__PURE__ */ z.int().min(1).max(5),
    comment: /* @__PURE__ */ z.string().max(2000).optional(),
  })
  .meta({ id: 'FeedbackInput' });

export const Feedback = /* @__PURE__ */ z
  .object({
    feedbackId: RequestId,
    memberId: MemberRef,
    saleId: RequestId,
    sku: Sku,
    locationId: /* @__PURE__ */ LocationId.meta({ description: 'Where it was bought' }),
    rating: /* @__PURE__ */ z.int().min(1).max(5),
    comment: /* @__PURE__ */ z.string().optional(),
    boughtAt: Timestamp,
    at: Timestamp,
    followUp: /* @__PURE__ */ z
      .boolean()
      .meta({ description: 'A low rating (2 or less) of a purchase of the last 30 days: a service message went through the send gate' }),
  })
  .meta({ id: 'Feedback' });
export type Feedback = z.output<typeof Feedback>;

export const RatingSummary = /* @__PURE__ */ z
  .object({
    count: /* @__PURE__ */ z.int(),
    mean: /* @__PURE__ */ z.number().meta({ description: 'Mean rating, two decimals; 0 when none' }),
    distribution: /* @__PURE__ */ z.object({
      '1': /* @__PURE__ */ z.int(),
      '2': /* @__PURE__ */ z.int(),
      '3': /* @__PURE__ */ z.int(),
      '4': /* @__PURE__ */ z.int(),
      '5': /* @__PURE__ */ z.int(),
    }),
  })
  .meta({ id: 'RatingSummary' });

export const ProductRatingsParams = /* @__PURE__ */ z.object({ sku: Sku });
export const StoreRatingsParams = /* @__PURE__ */ z.object({ locationId: LocationId });

export const ProductRatings = /* @__PURE__ */ z
  .object({
    sku: Sku,
    summary: /* @__PURE__ */ RatingSummary.meta({ description: 'Over the stores the caller may see' }),
    byStore: /* @__PURE__ */ z.array(/* @__PURE__ */ z.object({ locationId: LocationId, summary: RatingSummary })),
    recent: /* @__PURE__ */ z.array(Feedback).meta({ description: 'The latest ratings, newest first' }),
  })
  .meta({ id: 'ProductRatings' });

export const StoreRatings = /* @__PURE__ */ z
  .object({
    locationId: LocationId,
    summary: RatingSummary,
    byProduct: /* @__PURE__ */ z.array(/* @__PURE__ */ z.object({ sku: Sku, summary: RatingSummary })),
    recent: /* @__PURE__ */ z.array(Feedback).meta({ description: 'The latest ratings, newest first' }),
  })
  .meta({ id: 'StoreRatings' });

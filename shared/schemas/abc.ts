/**
 * The ABC configuration as the API takes it: cut-offs and one policy per
 * class, every field required (a class policy missing a field is refused,
 * naming it). The domain checks the same (checkAbcConfig), so code-set
 * defaults meet the same rules.
 */
import * as z from 'zod';
import { RequestId, Sku, Timestamp } from './common.ts';

export const AbcPolicySchema = z
  .strictObject({
    serviceLevel: z.number().gt(0).lt(1).meta({ description: 'Cycle service level for the reorder point, 0 < p < 1' }),
    reviewPeriodDays: z.int().min(1).max(365).meta({ description: 'Days between reviews; also the cover kept beyond lead time before giving stock away' }),
    forecastWindowDays: z.int().min(7).max(365).meta({ description: 'Days of demand history the forecast reads' }),
    safetyStockFactor: z.number().min(0).max(10).meta({ description: 'Multiplies the statistical safety stock' }),
    orderMultiple: z.number().gt(0).max(12).meta({ description: 'Multiplies the order size (EOQ or cover): above 1 is bulk buying' }),
    cycleCountsPerYear: z.int().min(0).max(365),
  })
  .meta({ id: 'AbcPolicy' });

export const AbcConfigSchema = z
  .strictObject({
    aCutoff: z.number().gt(0).lt(1),
    bCutoff: z.number().gt(0).max(1),
    policies: z.strictObject({ A: AbcPolicySchema, B: AbcPolicySchema, C: AbcPolicySchema }),
  })
  .refine((c) => c.bCutoff > c.aCutoff, { path: ['bCutoff'], message: 'must be above aCutoff' })
  .meta({ id: 'AbcConfig' });

export const AbcRunInput = z
  .strictObject({
    runId: RequestId,
    config: AbcConfigSchema.optional().meta({ description: 'Replaces the configuration in force (kept for the scheduled runs); default: the one in force' }),
    skus: z
      .array(Sku)
      .min(1)
      .max(1000)
      .optional()
      .meta({ description: 'A trial: rank only these products among themselves; the report and configuration in force stay' }),
  })
  .meta({ id: 'AbcRunInput' });

const Pareto = z.object({ skuCount: z.int(), skuShare: z.number(), value: z.number(), valueShare: z.number() });

export const AbcRun = z
  .object({
    classifiedAt: Timestamp,
    totalValue: z.number(),
    skus: z.int(),
    changed: z.int(),
    pareto: z.object({ A: Pareto, B: Pareto, C: Pareto }),
    config: AbcConfigSchema,
  })
  .meta({ id: 'AbcRun' });

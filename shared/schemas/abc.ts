/**
 * The ABC configuration as the API takes it: cut-offs and one policy per
 * class, every field required (a class policy missing a field is refused,
 * naming it). The domain checks the same (checkAbcConfig), so code-set
 * defaults meet the same rules.
 */
import * as z from 'zod';
import { RequestId, Sku, Timestamp } from './common.ts';

export const AbcPolicySchema = /* @__PURE__ */ z
  .strictObject({
    serviceLevel: /* @__PURE__ */ z.number().gt(0).lt(1).meta({ description: 'Cycle service level for the reorder point, 0 < p < 1' }),
    reviewPeriodDays: /* @__PURE__ */ z
      .int()
      .min(1)
      .max(365)
      .meta({ description: 'Days between reviews; also the cover kept beyond lead time before giving stock away' }),
    forecastWindowDays: /* @__PURE__ */ z.int().min(7).max(365).meta({ description: 'Days of demand history the forecast reads' }),
    safetyStockFactor: /* @__PURE__ */ z.number().min(0).max(10).meta({ description: 'Multiplies the statistical safety stock' }),
    orderMultiple: /* @__PURE__ */ z.number().gt(0).max(12).meta({ description: 'Multiplies the order size (EOQ or cover): above 1 is bulk buying' }),
    cycleCountsPerYear: /* @__PURE__ */ z.int().min(0).max(365),
  })
  .meta({ id: 'AbcPolicy' });

export const AbcConfigSchema = /* @__PURE__ */ z
  .strictObject({
    aCutoff: /* @__PURE__ */ z.number().gt(0).lt(1),
    bCutoff: /* @__PURE__ */ z.number().gt(0).max(1),
    policies: /* @__PURE__ */ z.strictObject({ A: AbcPolicySchema, B: AbcPolicySchema, C: AbcPolicySchema }),
  })
  .refine((c) => c.bCutoff > c.aCutoff, { path: ['bCutoff'], message: 'must be above aCutoff' })
  .meta({ id: 'AbcConfig' });

export const AbcRunInput = /* @__PURE__ */ z
  .strictObject({
    runId: RequestId,
    config: /* @__PURE__ */ AbcConfigSchema.optional().meta({
      description: 'Replaces the configuration in force (kept for the scheduled runs); default: the one in force',
    }),
    skus: /* @__PURE__ */ z
      .array(Sku)
      .min(1)
      .max(1000)
      .optional()
      .meta({ description: 'A trial: rank only these products among themselves; the report and configuration in force stay' }),
  })
  .meta({ id: 'AbcRunInput' });

const Pareto = /* @__PURE__ */ z.object({
  skuCount: /* @__PURE__ */ z.int(),
  skuShare: /* @__PURE__ */ z.number(),
  value: /* @__PURE__ */ z.number(),
  valueShare: /* @__PURE__ */ z.number(),
});

export const AbcRun = /* @__PURE__ */ z
  .object({
    classifiedAt: Timestamp,
    totalValue: /* @__PURE__ */ z.number(),
    skus: /* @__PURE__ */ z.int(),
    changed: /* @__PURE__ */ z.int(),
    pareto: /* @__PURE__ */ z.object({ A: Pareto, B: Pareto, C: Pareto }),
    config: AbcConfigSchema,
  })
  .meta({ id: 'AbcRun' });

import * as z from 'zod';
import { LocationId, maxMovementQty, Sku, Timestamp } from './common.ts';

/** Member-exclusive allocations of a product (the products function's allocation routes); re-exported by members.ts. */
export const AllocationParams = /* @__PURE__ */ z.object({ sku: Sku, scope: /* @__PURE__ */ z.union([LocationId, /* @__PURE__ */ z.literal('*')]) });

export const AllocationInput = /* @__PURE__ */ z.strictObject({ quantity: /* @__PURE__ */ z.int().min(0).max(maxMovementQty) }).meta({ id: 'AllocationInput' });

export const Allocation = /* @__PURE__ */ z
  .object({
    sku: Sku,
    locationId: /* @__PURE__ */ LocationId.optional(),
    quantity: /* @__PURE__ */ z.int(),
    sold: /* @__PURE__ */ z.int(),
    remaining: /* @__PURE__ */ z.int(),
    updatedAt: Timestamp,
  })
  .meta({ id: 'Allocation', description: 'Member-exclusive units set aside; without locationId it serves every location' });
export type Allocation = z.output<typeof Allocation>;

export const AllocationList = /* @__PURE__ */ z.object({ sku: Sku, items: /* @__PURE__ */ z.array(Allocation) }).meta({ id: 'AllocationList' });

import * as z from 'zod';
import { LocationId, maxMovementQty, Sku, Timestamp } from './common.ts';

/** Member-exclusive allocations of a product (the products function's allocation routes); re-exported by members.ts. */
export const AllocationParams = z.object({ sku: Sku, scope: z.union([LocationId, z.literal('*')]) });

export const AllocationInput = z.strictObject({ quantity: z.int().min(0).max(maxMovementQty) }).meta({ id: 'AllocationInput' });

export const Allocation = z
  .object({ sku: Sku, locationId: LocationId.optional(), quantity: z.int(), sold: z.int(), remaining: z.int(), updatedAt: Timestamp })
  .meta({ id: 'Allocation', description: 'Member-exclusive units set aside; without locationId it serves every location' });
export type Allocation = z.output<typeof Allocation>;

export const AllocationList = z.object({ sku: Sku, items: z.array(Allocation) }).meta({ id: 'AllocationList' });

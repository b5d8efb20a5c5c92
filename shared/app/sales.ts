/**
 * Sales as use-cases that are not a story of their own: the allocations set
 * aside for members and reading a receipt. The checkout is in checkout.ts,
 * returns in returns.ts.
 */
import { NotFound, ValidationFailed } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import type { SoldLine } from '../domain/sales.ts';
import { readSale, writeAllocation } from '../db/sales.ts';
import { loadReferences } from '../db/stock.ts';
import type { Allocation, Receipt } from '../schemas/members.ts';

// ---- member-exclusive allocations

/** Sets the units set aside for members of a member-exclusive product (see `writeAllocation`). */
export const setAllocation = async (sku: string, scope: string, quantity: number, now = new Date().toISOString()): Promise<Allocation> => {
  const { products } = await loadReferences([sku], scope === '*' ? [] : [scope]);
  if (!products.get(sku)?.memberExclusive) {
    throw new ValidationFailed(`${sku} is not member-exclusive`, [{ path: 'params.sku', message: 'set memberExclusive on the product first' }]);
  }
  return writeAllocation(sku, scope, quantity, now);
};

// Listing allocations needs no orchestration: the repository's read is the use-case.
export { allocationsOf } from '../db/sales.ts';

export const getSale = async (saleId: string, principal: Principal): Promise<Receipt> => {
  const item = await readSale(saleId);
  if (!item) throw new NotFound(`Sale ${saleId} not found`);
  // Receipts are chain-wide for staff (a return may be taken at any store); members see only their own.
  if (principal.role === 'member' && item.memberId !== principal.memberId) throw new NotFound(`Sale ${saleId} not found`);
  return { ...(item.receipt as Receipt), lines: item.lines as SoldLine[] };
};

/**
 * Sales as use-cases that are not a story of their own: the allocations set
 * aside for members and reading a receipt. The checkout is in checkout.ts,
 * returns in returns.ts.
 */
import { Conflict, NotFound, OutOfStock, ValidationFailed } from '../domain/errors.ts';
import { derivedId } from '../domain/ids.ts';
import { planMovement } from '../domain/movements.ts';
import type { Principal } from '../domain/principal.ts';
import type { SoldLine } from '../domain/sales.ts';
import { requestFingerprint } from '../db/fingerprint.ts';
import { allocationsOf as storedAllocations, allocationView, allocationWrite, readAllocation, readSale } from '../db/sales.ts';
import { levelsOfSku, loadReferences, mergeShortSpreadLevels, type MovementCommand, movementItems, shortagesOf } from '../db/stock.ts';
import { backoffDelay, defaultRetryPolicy, labelled, TransactionCancelled, transactLabelled } from '../db/transact.ts';
import type { Allocation, Receipt } from '../schemas/members.ts';
import { nowIso } from '../clock.ts';

// ---- member-exclusive allocations

/** Ledger reason of the RESERVE/RELEASE movements an allocation books (the ledger's reason is free text). */
const allocationReason = 'ALLOCATION' as const;

/** Reads and writes of one PUT before it gives up on concurrent changes (other PUTs, sales through it) with 409. */
const allocationAttempts = 8;

/** Units available for sale across the chain: what a chain-wide (`*`) allocation can promise. */
const chainAvailable = async (sku: string): Promise<number> => (await levelsOfSku(sku)).reduce((sum, level) => sum + Math.max(0, level.available), 0);

/**
 * What members are shown: `remaining` is never more than the units that
 * exist. At a location the set-aside units are held in the level's
 * `reserved`; the chain's (`*`) are promised out of `available` anywhere.
 */
const shown = async (sku: string, allocations: readonly Allocation[]): Promise<Allocation[]> => {
  if (allocations.length === 0) return [];
  const levels = await levelsOfSku(sku);
  const available = levels.reduce((sum, level) => sum + Math.max(0, level.available), 0);
  return allocations.map((allocation) => {
    const cap = allocation.locationId === undefined ? available : (levels.find((l) => l.locationId === allocation.locationId)?.reserved ?? 0);
    return { ...allocation, remaining: Math.max(0, Math.min(allocation.remaining, cap)) };
  });
};

/** The allocations of a member-exclusive product, each with what members can still buy through it. */
export const allocationsOf = async (sku: string): Promise<Allocation[]> =>
  shown(
    sku,
    (await storedAllocations(sku)).map(({ setAside: _, ...allocation }) => allocation),
  );

/**
 * Sets the units set aside for members of a member-exclusive product, at a
 * location or for the chain (`*`). At a location the set-aside units leave
 * `available` for `reserved` there: raising the allocation books a RESERVE
 * (refused with out-of-stock unless the increase is available), shrinking
 * it a RELEASE of the difference, in one transaction with the allocation,
 * whose version is conditioned (a concurrent PUT or sale makes it read
 * again). The chain's allocation moves no units but cannot promise more
 * than the chain has available. Units already sold stay sold: a quantity
 * below them is refused. The same quantity again changes nothing.
 */
export const setAllocation = async (sku: string, scope: string, quantity: number, by: string, now = nowIso()): Promise<Allocation> => {
  const { products } = await loadReferences([sku], scope === '*' ? [] : [scope]);
  if (!products.get(sku)?.memberExclusive) {
    throw new ValidationFailed(`${sku} is not member-exclusive`, [{ path: 'params.sku', message: 'set memberExclusive on the product first' }]);
  }
  let merged = false;
  for (let attempt = 0; attempt < allocationAttempts; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, defaultRetryPolicy)));
    const before = await readAllocation(sku, scope);
    const oldQuantity = Number(before?.quantity ?? 0);
    const sold = Number(before?.sold ?? 0);
    if (before && before.version !== undefined && oldQuantity === quantity) return (await shown(sku, [allocationView(before)]))[0]!;
    if (quantity < sold) {
      throw new ValidationFailed(`More than ${quantity} units of ${sku} are already sold from this allocation`, [
        { path: 'body.quantity', message: 'at least the units already sold' },
      ]);
    }
    const version = Number(before?.version ?? 0) + 1;
    const write = allocationWrite(sku, scope, { quantity, sold, version }, before, now);
    // What the allocation promises more (or less) than before: remaining moves by the change of quantity.
    // An allocation written before allocations were stock (no version) has nothing in reserved yet: all it promises is new.
    const setAside = before?.version === undefined ? 0 : Number(before.remaining ?? 0);
    const increase = quantity - sold - setAside;
    if (scope === '*') {
      const available = await chainAvailable(sku);
      if (increase > 0 && quantity - sold > available) {
        throw new OutOfStock([{ sku, locationId: '*', requested: quantity - sold, available }]);
      }
      try {
        await transactLabelled(labelled('allocation', [write]));
      } catch (error) {
        if (error instanceof TransactionCancelled && error.failedAtLabel('allocation')) continue;
        throw error;
      }
      return (await shown(sku, [allocationView({ ...before, sku, quantity, sold, remaining: quantity - sold, updatedAt: now })]))[0]!;
    }
    const lines = [{ sku, qty: Math.abs(increase) }];
    const command: MovementCommand = {
      movementId: derivedId('allocation', sku, scope, String(version)),
      type: increase > 0 ? 'RESERVE' : 'RELEASE',
      locationId: scope,
      reason: allocationReason,
      lines,
    };
    const changes = increase === 0 ? [] : planMovement({ ...command, lines });
    const fingerprint = requestFingerprint({ sku, scope, quantity });
    try {
      await transactLabelled([
        ...labelled('allocation', [write]),
        ...(changes.length > 0 ? movementItems(command, changes, products, fingerprint, by, now) : []),
      ]);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      // Someone changed the allocation (or booked this version's movement) meanwhile: read again.
      if (error.failedAtLabel('allocation') || error.failedAtLabel('movement')) continue;
      const shortages = shortagesOf(error, changes);
      // A hot SKU's spread level holds most units in its shards: merge them back once and set aside again.
      if (shortages.length > 0 && !merged && (await mergeShortSpreadLevels(error, changes, now))) {
        merged = true;
        continue;
      }
      if (shortages.length > 0) throw new OutOfStock(shortages);
      throw error;
    }
    return allocationView({ ...before, sku, locationId: scope, quantity, sold, remaining: quantity - sold, updatedAt: now });
  }
  throw new Conflict(`The allocation of ${sku} at ${scope} changed while it was being set; try again`, { sku, scope });
};

export const getSale = async (saleId: string, principal: Principal): Promise<Receipt> => {
  const item = await readSale(saleId);
  if (!item) throw new NotFound(`Sale ${saleId} not found`);
  // Receipts are chain-wide for staff (a return may be taken at any store); members see only their own.
  if (principal.role === 'member' && item.memberId !== principal.memberId) throw new NotFound(`Sale ${saleId} not found`);
  return { ...(item.receipt as Receipt), lines: item.lines as SoldLine[] };
};

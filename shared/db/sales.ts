/**
 * The checkout and returns: where stock and membership meet. One sale is one
 * TransactWriteItems call across both tables: the sale record (its id is the
 * idempotency guard), the SALE movement with its level updates, the member's
 * profile (spend, visits, tier; version-conditioned), the points lots spent
 * and earned with their ledger entries, and member-exclusive allocations.
 * Any refusal leaves everything as it was.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { AllocationExhausted, Conflict, NotEligible, NotFound, OutOfStock, UnknownReference, ValidationFailed } from '../domain/errors.ts';
import { decodeEpc, gtinForms } from '../domain/epc.ts';
import { transactionItemLimit } from '../domain/limits.ts';
import { assertFitsOneTransaction, planMovement } from '../domain/movements.ts';
import { balanceOf, planClawback, planRedemption, type Lot, type LotTake } from '../domain/points.ts';
import { assertLocationAccess, type Principal } from '../domain/principal.ts';
import { mergeSaleLines, type PricedSale, priceReturn, priceSale, type SoldLine } from '../domain/sales.ts';
import {
  addToMonth,
  afterPurchase,
  afterReturn,
  effectiveTier,
  type Program,
  rollingTotal,
  ruleOf,
  tierRank,
  type TierName,
  type Upgrade,
  upgradeOf,
} from '../domain/tiers.ts';
import { addDays, monthOf } from '../domain/time.ts';
import { getInventoryItem } from './catalog.ts';
import { documentClient, tableName } from './client.ts';
import { assertSameRequest, requestFingerprint } from './fingerprint.ts';
import { entities, memberKeys, rfidKeys, salesKeys, withoutKeys } from './keys.ts';
import {
  applyTakes,
  assertMemberExists,
  entryPut,
  loadProgram,
  lotPut,
  lotTakes,
  type MemberState,
  membersTable,
  type NewLot,
  profileUpdate,
  readMemberState,
  reviewSchedule,
  withMemberRetry,
} from './members.ts';
import { serialKeyOf, serialSoldUpdate } from './rfid.ts';
import { loadReferences, movementItems, shortagesOf } from './stock.ts';
import { TransactionCancelled, type TransactItem, transactWrite } from './transact.ts';

const inventory = () => tableName(tables.inventory);

export interface SaleCommand {
  saleId: string;
  locationId: string;
  memberId?: string;
  lines: { sku: string; qty: number; unitPrice: number; epcs?: string[] }[];
  redeemPoints?: number;
}

export interface Receipt extends Omit<PricedSale, 'lines'> {
  saleId: string;
  locationId: string;
  memberId?: string;
  currency: string;
  lines: SoldLine[];
  member?: { tier: TierName; tierChanged: boolean; points: { available: number; pending: number } };
  at: string;
}

/** Movement ids of sales and returns use `:`, which client-chosen ids cannot contain. */
const saleMovementId = (saleId: string) => `sale:${saleId}`;
const returnMovementId = (saleId: string, returnId: string) => `return:${saleId}:${returnId}`;

// ---- member-exclusive allocations

export interface Allocation {
  sku: string;
  locationId?: string;
  quantity: number;
  sold: number;
  remaining: number;
  updatedAt: string;
}

const allocationView = (item: Record<string, unknown>): Allocation => withoutKeys<Allocation>(item, ['scope']);

/**
 * Sets how many units are set aside for members, at one location or (`*`)
 * for the whole chain. Units already sold stay sold: remaining is the new
 * quantity minus them, and a quantity below what is sold is refused.
 */
export const setAllocation = async (sku: string, scope: string, quantity: number, now = new Date().toISOString()): Promise<Allocation> => {
  const { products } = await loadReferences([sku], scope === '*' ? [] : [scope]);
  if (!products.get(sku)?.memberExclusive) {
    throw new ValidationFailed(`${sku} is not member-exclusive`, [{ path: 'params.sku', message: 'set memberExclusive on the product first' }]);
  }
  try {
    const output = await documentClient.send(
      new UpdateCommand({
        TableName: inventory(),
        Key: salesKeys.allocation(sku, scope),
        UpdateExpression:
          'SET entity = :entity, sku = :sku, #scope = :scope, quantity = :q, sold = if_not_exists(sold, :zero), remaining = :q - if_not_exists(sold, :zero), updatedAt = :now' +
          (scope === '*' ? '' : ', locationId = :scope'),
        ConditionExpression: 'attribute_not_exists(sold) OR sold <= :q',
        ExpressionAttributeNames: { '#scope': 'scope' },
        ExpressionAttributeValues: { ':entity': entities.allocation, ':sku': sku, ':scope': scope, ':q': quantity, ':zero': 0, ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return allocationView(output.Attributes!);
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    throw new ValidationFailed(`More than ${quantity} units of ${sku} are already sold from this allocation`, [
      { path: 'body.quantity', message: 'at least the units already sold' },
    ]);
  }
};

export const allocationsOf = async (sku: string): Promise<Allocation[]> => {
  const output = await documentClient.send(
    new QueryCommand({ TableName: inventory(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': salesKeys.allocationsOfSku(sku) } }),
  );
  return (output.Items ?? []).map(allocationView);
};

interface ExclusiveLine {
  sku: string;
  qty: number;
  scope: string;
  perMemberLimit?: number;
}

/** Who may buy member-exclusive lines, and from which allocation (the location's own before the chain's). */
const exclusiveLines = async (
  lines: readonly { sku: string; qty: number }[],
  products: ReadonlyMap<string, Record<string, unknown>>,
  locationId: string,
  member: { tier: TierName; program: Program } | undefined,
): Promise<ExclusiveLine[]> => {
  const exclusive = lines.filter((l) => products.get(l.sku)?.memberExclusive);
  const result: ExclusiveLine[] = [];
  for (const line of exclusive) {
    const terms = products.get(line.sku)!.memberExclusive as { minTier: TierName; perMemberLimit?: number };
    if (!member) throw new NotEligible(`${line.sku} is for members only`, { sku: line.sku });
    const rule = ruleOf(member.program, member.tier);
    if (!rule.exclusiveAccess || tierRank(member.tier) < tierRank(terms.minTier)) {
      throw new NotEligible(`${line.sku} needs tier ${terms.minTier}; the member is ${member.tier}`, { sku: line.sku, minTier: terms.minTier });
    }
    const allocations = await allocationsOf(line.sku);
    const allocation = allocations.find((a) => a.locationId === locationId) ?? allocations.find((a) => a.locationId === undefined);
    if (!allocation) throw new AllocationExhausted(`No units of ${line.sku} are set aside for members here`, { sku: line.sku, remaining: 0 });
    if (terms.perMemberLimit !== undefined && line.qty > terms.perMemberLimit) {
      throw new AllocationExhausted(`${line.sku} is limited to ${terms.perMemberLimit} per member`, { sku: line.sku, perMemberLimit: terms.perMemberLimit });
    }
    result.push({ sku: line.sku, qty: line.qty, scope: allocation.locationId ?? '*', perMemberLimit: terms.perMemberLimit });
  }
  return result;
};

const allocationTake = (line: ExclusiveLine): TransactItem => ({
  Update: {
    TableName: inventory(),
    Key: salesKeys.allocation(line.sku, line.scope),
    UpdateExpression: 'ADD remaining :minus, sold :qty',
    ConditionExpression: 'remaining >= :qty',
    ExpressionAttributeValues: { ':minus': -line.qty, ':qty': line.qty },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  },
});

/** The member's running count for a limited product; the condition is the per-member limit. */
const claimUpdate = (memberId: string, line: ExclusiveLine & { perMemberLimit: number }, now: string): TransactItem => ({
  Update: {
    TableName: membersTable(),
    Key: memberKeys.exclusiveClaim(memberId, line.sku),
    UpdateExpression: 'SET entity = :entity, sku = :sku, updatedAt = :now ADD bought :qty',
    ConditionExpression: 'attribute_not_exists(bought) OR bought <= :room',
    ExpressionAttributeValues: { ':entity': entities.exclusiveClaim, ':sku': line.sku, ':now': now, ':qty': line.qty, ':room': line.perMemberLimit - line.qty },
  },
});

// ---- checkout

/**
 * The tags of the units sold, checked against their lines: each must be an
 * SGTIN of the line's product, at most one per unit. They become SOLD in the
 * sale's transaction, so an exit gate lets them pass.
 */
const soldSerials = (lines: SaleCommand['lines'], products: ReadonlyMap<string, Record<string, unknown>>): SoldTag[] => {
  const bySku = new Map<string, { qty: number; epcs: string[] }>();
  for (const line of lines) {
    const seen = bySku.get(line.sku) ?? { qty: 0, epcs: [] };
    bySku.set(line.sku, { qty: seen.qty + line.qty, epcs: [...seen.epcs, ...(line.epcs ?? [])] });
  }
  const errors = [...bySku].flatMap(([sku, { qty, epcs }]) => {
    const gtin = products.get(sku)?.gtin as string | undefined;
    const problems = epcs.flatMap((epc) => {
      const decoded = decodeEpc(epc);
      if (!decoded.ok) return [`${epc}: ${decoded.reason}`];
      return gtin && gtinForms(decoded.gtin).includes(gtin) ? [] : [`${epc} is not a ${sku}`];
    });
    // Two EPCs of one serial (the filter bits differ, or SGTIN-96 and -198) are the same item.
    if (problems.length === 0 && new Set(epcs.map(serialKeyOf)).size !== epcs.length) problems.push(`${sku}: one item appears twice`);
    if (epcs.length > qty) problems.push(`${sku}: ${epcs.length} EPCs for ${qty} units`);
    return problems.map((message) => ({ path: 'body.lines.epcs', message }));
  });
  if (errors.length > 0) throw new ValidationFailed('The EPCs do not match the lines', errors);
  return [...bySku].flatMap(([sku, l]) => l.epcs.map((epc) => ({ sku, epc })));
};

/** A tagged unit sold, kept on the sale so its return can make the serial sellable again. */
interface SoldTag {
  sku: string;
  epc: string;
}

/**
 * A returned unit's serial goes back to stock at the return location, only
 * if it is still this sale's (a cloned tag or a second return changes nothing).
 */
const serialReturnedUpdate = (tag: SoldTag, saleId: string, locationId: string, at: string): TransactItem => {
  const decoded = decodeEpc(tag.epc);
  if (!decoded.ok) throw new Error(`Stored EPC ${tag.epc} no longer decodes: ${decoded.reason}`);
  return {
    Update: {
      TableName: tableName(tables.rfid),
      Key: rfidKeys.serial(decoded.gtin, decoded.serial),
      UpdateExpression: 'SET #state = :inStock, #locationId = :loc, #returnedAt = :at REMOVE #saleId',
      ConditionExpression: '#saleId = :saleId',
      ExpressionAttributeNames: { '#state': 'state', '#locationId': 'locationId', '#returnedAt': 'returnedAt', '#saleId': 'saleId' },
      ExpressionAttributeValues: { ':inStock': 'IN_STOCK', ':loc': locationId, ':at': at, ':saleId': saleId },
    },
  };
};

interface MemberPlan {
  items: TransactItem[];
  upgrade?: Upgrade;
  tier: TierName;
  tierChanged: boolean;
  lotsAfter: Lot[];
  redeemed: LotTake[];
}

const memberPlan = (state: MemberState, program: Program, sale: PricedSale, saleId: string, by: string, at: string): MemberPlan => {
  const { record, lots } = state;
  const memberId = record.memberId;
  const redeemed = sale.pointsRedeemed > 0 ? planRedemption(lots, sale.pointsRedeemed, at) : [];
  const month = monthOf(at);
  const spendByMonth = addToMonth(record.spendByMonth, month, sale.total, at, program.rollingMonths);
  const visitsByMonth = addToMonth(record.visitsByMonth, month, 1, at, program.rollingMonths);
  const tierState = afterPurchase(
    record,
    program,
    rollingTotal(spendByMonth, at, program.rollingMonths),
    rollingTotal(visitsByMonth, at, program.rollingMonths),
    at,
  );
  const earned: NewLot | undefined =
    sale.pointsEarned > 0
      ? {
          lotId: `${at}#sale-${saleId}`,
          remaining: sale.pointsEarned,
          expiresOn: addDays(at, program.points.expiryDays),
          pendingUntil: addDays(at, program.points.pendingDays),
          saleId,
          source: 'SALE',
        }
      : undefined;
  const items: TransactItem[] = [
    profileUpdate(record, { spendByMonth, visitsByMonth, qualifiedTier: tierState.qualifiedTier, qualifiedSince: tierState.qualifiedSince }, at),
    ...lotTakes(memberId, lots, redeemed),
    ...(redeemed.length
      ? [entryPut(memberId, { entryId: `sale-${saleId}-redeem`, type: 'REDEEM', points: -sale.pointsRedeemed, lots: redeemed, saleId }, by, at)]
      : []),
    ...(earned ? [lotPut(memberId, earned, at)] : []),
    ...(earned
      ? [
          entryPut(
            memberId,
            { entryId: `sale-${saleId}-earn`, type: 'EARN', points: earned.remaining, lots: [{ lotId: earned.lotId, points: earned.remaining }], saleId },
            by,
            at,
          ),
        ]
      : []),
    // An upgrade is reviewed once its grace period ends.
    ...(tierState.qualifiedTier !== record.qualifiedTier ? [reviewSchedule(memberId, tierState, program, at)] : []),
  ];
  const before = effectiveTier(record, at);
  const tier = effectiveTier({ ...record, ...tierState }, at);
  return {
    items,
    upgrade: upgradeOf(record, tierState),
    tier,
    tierChanged: tier !== before,
    lotsAfter: [...applyTakes(lots, redeemed), ...(earned ? [earned] : [])],
    redeemed,
  };
};

const currencyOf = (products: ReadonlyMap<string, Record<string, unknown>>): string => {
  const currencies = [...new Set([...products.values()].map((p) => p.currency as string))];
  if (currencies.length > 1)
    throw new ValidationFailed('A sale is in one currency', [{ path: 'body.lines', message: `products are priced in ${currencies.join(', ')}` }]);
  return currencies[0]!;
};

const replaySale = async (saleId: string, fingerprint: string): Promise<Receipt | undefined> => {
  const existing = await getInventoryItem(salesKeys.sale(saleId));
  if (!existing) return undefined;
  assertSameRequest(existing.fingerprint, fingerprint, `Sale ${saleId}`);
  return existing.receipt as Receipt;
};

/**
 * Books a sale. Returns the first receipt again for a replayed sale id.
 * Refusals (out of stock, not enough points, allocation gone, not
 * eligible) write nothing.
 */
export const checkout = async (
  command: SaleCommand,
  principal: Principal,
  now = () => new Date().toISOString(),
): Promise<{ receipt: Receipt; replayed: boolean }> => {
  assertLocationAccess(principal, command.locationId);
  const fingerprint = requestFingerprint({ ...command, saleId: undefined });
  const lines = mergeSaleLines(command.lines.map(({ sku, qty, unitPrice }) => ({ sku, qty, unitPrice })));
  const stockLines = lines.map(({ sku, qty }) => ({ sku, qty }));
  const movement = { movementId: saleMovementId(command.saleId), type: 'SALE' as const, locationId: command.locationId, lines: stockLines };
  const changes = planMovement(movement);
  // Sale record, member profile, two lots, three entries, the review schedule; exclusive lines add two each (checked again below).
  assertFitsOneTransaction(changes, 7);
  const { products } = await loadReferences(
    stockLines.map((l) => l.sku),
    [command.locationId],
  );
  const currency = currencyOf(products);
  const serials = soldSerials(command.lines, products);

  return withMemberRetry(async () => {
    const earlier = await replaySale(command.saleId, fingerprint);
    if (earlier) return { receipt: earlier, replayed: true };
    const at = now();
    const state = command.memberId ? assertMemberExists(await readMemberState(command.memberId), command.memberId) : undefined;
    const program = await loadProgram();
    const tier = state ? effectiveTier(state.record, at) : undefined;
    const rule = tier ? ruleOf(program, tier) : undefined;
    const priced = priceSale(
      lines,
      rule && {
        discountPercent: rule.discountPercent,
        pointsMultiplier: rule.pointsMultiplier,
        perCurrencyUnit: program.points.perCurrencyUnit,
        pointValue: program.points.pointValue,
      },
      command.redeemPoints ?? 0,
    );
    const exclusive = await exclusiveLines(stockLines, products, command.locationId, tier ? { tier, program } : undefined);
    const plan = state ? memberPlan(state, program, priced, command.saleId, principal.subject, at) : undefined;
    const receipt: Receipt = {
      ...priced,
      saleId: command.saleId,
      locationId: command.locationId,
      ...(command.memberId ? { memberId: command.memberId } : {}),
      currency,
      lines: priced.lines.map((l) => ({ ...l, returned: 0 })),
      ...(plan ? { member: { tier: plan.tier, tierChanged: plan.tierChanged, points: balanceOf(plan.lotsAfter, at) } } : {}),
      at,
    };
    const salePut: TransactItem = {
      Put: {
        TableName: inventory(),
        Item: {
          ...salesKeys.sale(command.saleId),
          ...(command.memberId ? salesKeys.memberPurchase(command.memberId, at, command.saleId) : {}),
          entity: entities.sale,
          saleId: command.saleId,
          locationId: command.locationId,
          memberId: command.memberId,
          lines: receipt.lines,
          redeemedLots: plan?.redeemed ?? [],
          soldTags: serials,
          upgrade: plan?.upgrade,
          pointsRedeemed: priced.pointsRedeemed,
          receipt,
          fingerprint,
          version: 1,
          at,
          by: principal.subject,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const stockItems = movementItems(movement, changes, products, fingerprint, principal.subject, at);
    const memberItems = plan?.items ?? [];
    const limited = exclusive.filter((l): l is ExclusiveLine & { perMemberLimit: number } => l.perMemberLimit !== undefined);
    const exclusiveItems = [...exclusive.map(allocationTake), ...limited.map((l) => claimUpdate(command.memberId!, l, at))];
    const serialItems = serials.map((tag) => serialSoldUpdate(tag.epc, command.saleId, at));
    const items = [salePut, ...stockItems, ...memberItems, ...exclusiveItems, ...serialItems];
    if (items.length > transactionItemLimit) {
      throw new ValidationFailed('This sale needs more writes than one transaction holds', [{ path: 'body.lines', message: 'split the sale' }]);
    }
    try {
      await transactWrite(items);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (error.failedAt(0)) return 'retry';
      const shortages = shortagesOf(error, changes, 2);
      if (shortages.length > 0) throw new OutOfStock(shortages);
      const firstExclusive = 1 + stockItems.length + memberItems.length;
      const allocationFailed = exclusive.findIndex((_, i) => error.failedAt(firstExclusive + i));
      if (allocationFailed >= 0) {
        const line = exclusive[allocationFailed]!;
        const remaining = Number(error.reasons[firstExclusive + allocationFailed]?.item?.remaining ?? 0);
        throw new AllocationExhausted(`${remaining} units of ${line.sku} left for members, asked ${line.qty}`, { sku: line.sku, remaining });
      }
      const claimFailed = limited.findIndex((_, i) => error.failedAt(firstExclusive + exclusive.length + i));
      if (claimFailed >= 0) {
        const line = limited[claimFailed]!;
        throw new AllocationExhausted(`${line.sku} is limited to ${line.perMemberLimit} per member`, { sku: line.sku, perMemberLimit: line.perMemberLimit });
      }
      const firstSerial = items.length - serialItems.length;
      const resold = serials.filter((_, i) => error.failedAt(firstSerial + i)).map((tag) => tag.epc);
      if (resold.length > 0) throw new Conflict(`Already sold in another sale: ${resold.join(', ')}`, { epcs: resold });
      // The member changed under us (another sale or redemption): read again.
      if (memberItems.some((_, i) => error.failedAt(1 + stockItems.length + i))) return 'retry';
      throw error;
    }
    return { receipt, replayed: false };
  });
};

export const getSale = async (saleId: string, principal: Principal): Promise<Receipt> => {
  const item = await getInventoryItem(salesKeys.sale(saleId));
  if (!item) throw new NotFound(`Sale ${saleId} not found`);
  // Receipts are chain-wide for staff (a return may be taken at any store); members see only their own.
  if (principal.role === 'member' && item.memberId !== principal.memberId) throw new NotFound(`Sale ${saleId} not found`);
  return { ...(item.receipt as Receipt), lines: item.lines as SoldLine[] };
};

// ---- returns

export interface ReturnCommand {
  returnId: string;
  locationId?: string;
  lines: { sku: string; qty: number; epcs?: string[] }[];
}

export interface ReturnReceipt {
  returnId: string;
  saleId: string;
  locationId: string;
  lines: { sku: string; qty: number; refund: number; pointsClawedBack: number }[];
  refund: number;
  pointsClawedBack: number;
  pointsShortfall: number;
  pointsRestored: number;
  member?: { tier: TierName; points: { available: number; pending: number } };
  at: string;
}

/**
 * Takes goods back. Stock returns (RETURN movement), the money and the
 * points the returned lines earned are taken back pro rata (pending lots
 * first), spend is corrected in the month of the sale; a return that
 * completes the sale also restores the points it redeemed and undoes its
 * visit. The tier is not lowered here: that is the review's job.
 */
export const returnSale = async (
  saleId: string,
  command: ReturnCommand,
  principal: Principal,
  now = () => new Date().toISOString(),
): Promise<{ receipt: ReturnReceipt; replayed: boolean }> => {
  const fingerprint = requestFingerprint({ ...command, returnId: undefined });
  return withMemberRetry(async () => {
    const sale = await getInventoryItem(salesKeys.sale(saleId));
    if (!sale) throw new NotFound(`Sale ${saleId} not found`);
    // Goods may come back at any store of the chain; the caller must work where they come back.
    const locationId = command.locationId ?? (sale.locationId as string);
    assertLocationAccess(principal, locationId);
    const earlier = await getInventoryItem(salesKeys.saleReturn(saleId, command.returnId));
    if (earlier) {
      assertSameRequest(earlier.fingerprint, fingerprint, `Return ${command.returnId}`);
      return { receipt: earlier.receipt as ReturnReceipt, replayed: true };
    }
    const at = now();
    const sold = sale.lines as SoldLine[];
    const priced = priceReturn(
      sold,
      command.lines.map(({ sku, qty }) => ({ sku, qty })),
    );
    const soldTags = (sale.soldTags as SoldTag[] | undefined) ?? [];
    const returnedTags = command.lines.flatMap((line) => (line.epcs ?? []).map((epc) => ({ sku: line.sku, epc: epc.toUpperCase() })));
    const strangers = returnedTags.filter((tag) => !soldTags.some((s) => s.epc === tag.epc && s.sku === tag.sku));
    if (strangers.length > 0) {
      throw new ValidationFailed(
        'The return names tags this sale did not sell',
        strangers.map((t) => ({ path: 'body.lines.epcs', message: `${t.epc} was not sold as ${t.sku} in this sale` })),
      );
    }
    const { products } = await loadReferences(
      priced.lines.map((l) => l.sku),
      [locationId],
    );
    const movement = {
      movementId: returnMovementId(saleId, command.returnId),
      type: 'RETURN' as const,
      locationId,
      lines: priced.lines.map(({ sku, qty }) => ({ sku, qty })),
    };
    const changes = planMovement(movement);
    const linesAfter = sold.map((l) => ({ ...l, returned: l.returned + (priced.lines.find((r) => r.sku === l.sku)?.qty ?? 0) }));

    const memberId = sale.memberId as string | undefined;
    let memberItems: TransactItem[] = [];
    let shortfall = 0;
    let restored = 0;
    let member: ReturnReceipt['member'];
    if (memberId) {
      const state = await readMemberState(memberId);
      if (!state) throw new UnknownReference(`The member of sale ${saleId} no longer exists`, [{ path: 'params.saleId', message: 'member not found' }]);
      const program = await loadProgram();
      const clawback = planClawback(state.lots, priced.pointsClawedBack, saleId, at);
      const saleMonth = monthOf(sale.at as string);
      const spendByMonth = addToMonth(state.record.spendByMonth, saleMonth, -priced.refund, at, program.rollingMonths);
      const visitsByMonth = priced.completesSale
        ? addToMonth(state.record.visitsByMonth, saleMonth, -1, at, program.rollingMonths)
        : state.record.visitsByMonth;
      // Points the member already spent and cannot give back are netted against what the return restores.
      let owed = clawback.shortfall;
      const restoredLots: NewLot[] = [];
      for (const lot of priced.completesSale ? (sale.redeemedLots as LotTake[]).filter((l) => l.expiresOn > at) : []) {
        const netted = Math.min(owed, lot.points);
        owed -= netted;
        if (lot.points > netted) {
          restoredLots.push({
            lotId: `${lot.lotId}#restored-${saleId}-${command.returnId}`,
            remaining: lot.points - netted,
            expiresOn: lot.expiresOn,
            source: 'RESTORED',
          });
        }
      }
      shortfall = owed;
      restored = restoredLots.reduce((sum, lot) => sum + lot.remaining, 0);
      const clawed = priced.pointsClawedBack - clawback.shortfall;
      const tierState = afterReturn(
        state.record,
        program,
        rollingTotal(spendByMonth, at, program.rollingMonths),
        rollingTotal(visitsByMonth, at, program.rollingMonths),
        sale.upgrade as Upgrade | undefined,
      );
      memberItems = [
        profileUpdate(state.record, { spendByMonth, visitsByMonth, qualifiedTier: tierState.qualifiedTier, qualifiedSince: tierState.qualifiedSince }, at),
        ...lotTakes(memberId, state.lots, clawback.takes),
        ...(clawed > 0
          ? [
              entryPut(
                memberId,
                { entryId: `return-${command.returnId}-clawback`, type: 'CLAWBACK', points: -clawed, lots: clawback.takes, saleId },
                principal.subject,
                at,
              ),
            ]
          : []),
        ...restoredLots.map((lot) => lotPut(memberId, lot, at)),
        ...(restored > 0
          ? [
              entryPut(
                memberId,
                {
                  entryId: `return-${command.returnId}-restore`,
                  type: 'ADJUST',
                  points: restored,
                  lots: restoredLots.map((l) => ({ lotId: l.lotId, points: l.remaining })),
                  reason: 'REDEEMED_POINTS_RESTORED',
                  saleId,
                },
                principal.subject,
                at,
              ),
            ]
          : []),
        ...(tierState.qualifiedTier !== state.record.qualifiedTier ? [reviewSchedule(memberId, tierState, program, at)] : []),
      ];
      member = {
        tier: effectiveTier({ ...state.record, ...tierState }, at),
        points: balanceOf([...applyTakes(state.lots, clawback.takes), ...restoredLots], at),
      };
    }
    const receipt: ReturnReceipt = {
      returnId: command.returnId,
      saleId,
      locationId,
      lines: priced.lines.map(({ sku, qty, refund, pointsClawedBack }) => ({ sku, qty, refund, pointsClawedBack })),
      refund: priced.refund,
      pointsClawedBack: priced.pointsClawedBack - shortfall,
      pointsShortfall: shortfall,
      pointsRestored: restored,
      ...(member ? { member } : {}),
      at,
    };
    const items: TransactItem[] = [
      {
        Put: {
          TableName: inventory(),
          Item: { ...salesKeys.saleReturn(saleId, command.returnId), entity: entities.saleReturn, receipt, fingerprint, at, by: principal.subject },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: inventory(),
          Key: salesKeys.sale(saleId),
          UpdateExpression: 'SET #lines = :lines, #version = #version + :one',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#lines': 'lines', '#version': 'version' },
          ExpressionAttributeValues: { ':lines': linesAfter, ':version': sale.version, ':one': 1 },
        },
      },
      ...movementItems(movement, changes, products, fingerprint, principal.subject, at),
      ...memberItems,
      ...returnedTags.map((tag) => serialReturnedUpdate(tag, saleId, locationId, at)),
    ];
    if (items.length > transactionItemLimit)
      throw new ValidationFailed('This return needs more writes than one transaction holds', [{ path: 'body.lines', message: 'return in parts' }]);
    try {
      await transactWrite(items);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      // The same return booked meanwhile (0), another return of this sale (1), or the member changed: read again.
      const memberFrom = items.length - memberItems.length - returnedTags.length;
      const memberTo = memberFrom + memberItems.length;
      if (error.failedAt(0) || error.failedAt(1) || memberItems.some((_, i) => error.failedAt(memberFrom + i))) return 'retry';
      const gone = returnedTags.filter((_, i) => error.failedAt(memberTo + i)).map((t) => t.epc);
      if (gone.length > 0) throw new Conflict(`Already returned, or no longer this sale's: ${gone.join(', ')}`, { epcs: gone });
      throw error;
    }
    return { receipt, replayed: false };
  });
};

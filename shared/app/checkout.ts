/**
 * The checkout, where stock and membership meet: one sale is one
 * transaction across both tables (see shared/db/sales.ts), and any refusal
 * leaves everything as it was. It reads as the story of one request: the
 * basket, the member's prices, the receipt, the booking, and a refusal
 * mapped to its error.
 */
import { AllocationExhausted, Conflict, IdempotencyKeyReused, NotEligible, OutOfStock, ValidationFailed } from '../domain/errors.ts';
import { documentEpcProblems } from '../domain/epc.ts';
import { transactionItemLimit } from '../domain/limits.ts';
import {
  absorbInto,
  assertFitsOneTransaction,
  assertOccurredAt,
  isOfflineSale,
  type LevelChange,
  occurredAtOf,
  planMovement,
  withoutConfirmed,
} from '../domain/movements.ts';
import { balanceOf, planRedemption, type Lot, type LotTake } from '../domain/points.ts';
import { assertLocationAccess, type Principal } from '../domain/principal.ts';
import { isSold, confirmedBySerials, saleSerialVerdict } from '../domain/rfid.ts';
import { mergeSaleLines, type PricedSale, priceSale } from '../domain/sales.ts';
import {
  addToMonth,
  afterPurchase,
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
import { requestFingerprint } from '../db/fingerprint.ts';
import {
  applyTakes,
  assertMemberExists,
  entryPut,
  loadProgram,
  lotPut,
  lotTakes,
  type MemberState,
  type NewLot,
  profileUpdate,
  readMemberState,
  reviewSchedule,
  withMemberRetry,
} from '../db/members.ts';
import { readSaleSerials, serialConfirmedUpdate, serialSoldUpdate } from '../db/rfid.ts';
import {
  allocationsOf,
  allocationTake,
  claimUpdate,
  type ExclusiveLine,
  replaySale,
  type SaleCommand,
  saleMovementId,
  salePut,
  type SoldTag,
} from '../db/sales.ts';
import { replanShortHotSales, routeHotSales, settleOfflineHotSales } from './hot-stock.ts';
import { countsBookedSince, forgetLevels, lastCounts, loadReferences, mergeShortSpreadLevels, movementItems, shortagesOf } from '../db/stock.ts';
import { labelled, TransactionCancelled, type TransactItem, transactLabelled } from '../db/transact.ts';
import type { Receipt } from '../schemas/members.ts';
import type { Quote } from '../schemas/promotions.ts';
import { planPromotions, promotionWrites } from './promotions.ts';
import { planReconciliation } from './reconcile.ts';
import { nowIso } from '../clock.ts';

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
    result.push({ sku: line.sku, qty: line.qty, scope: allocation.locationId ?? '*', perMemberLimit: terms.perMemberLimit, fromReserved: allocation.setAside });
  }
  return result;
};

/**
 * Units a member buys through their location's allocation leave the
 * set-aside there: the SALE takes them from `reserved`, not `available`
 * (the allocation's `remaining >= qty`, in the same transaction, guards
 * them). Through the chain's allocation (`*`) they come from `available`
 * at the selling location like any sale.
 */
const fromAllocations = (changes: readonly LevelChange[], exclusive: readonly ExclusiveLine[], locationId: string): LevelChange[] =>
  changes.map((change) =>
    exclusive.some((line) => line.fromReserved && line.sku === change.sku && line.scope === locationId && change.locationId === locationId)
      ? { ...change, reservedDelta: change.onHandDelta, availableDrop: 0 }
      : change,
  );

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
  const errors = documentEpcProblems(bySku, (sku) => products.get(sku)?.gtin as string | undefined).map((message) => ({ path: 'body.lines.epcs', message }));
  if (errors.length > 0) throw new ValidationFailed('The EPCs do not match the lines', errors);
  return [...bySku].flatMap(([sku, l]) => l.epcs.map((epc) => ({ sku, epc })));
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

/** A gift a promotion adds to the sale: its units move like any line's. */
type Gift = { readonly sku: string; readonly qty: number };

const sameGifts = (a: readonly Gift[], b: readonly Gift[]) =>
  JSON.stringify([...a].sort((x, y) => (x.sku < y.sku ? -1 : 1))) === JSON.stringify([...b].sort((x, y) => (x.sku < y.sku ? -1 : 1)));

/**
 * What the till sends, checked once before any attempt (and again when the
 * promotions' gifts change): the merged lines, the stock movement (gifts
 * included), the products, the currency, the tags.
 */
const basketOf = async (command: Pick<SaleCommand, 'saleId' | 'locationId' | 'lines' | 'occurredAt'>, at: string, gifts: readonly Gift[] = []) => {
  const lines = mergeSaleLines(command.lines.map(({ sku, qty, unitPrice }) => ({ sku, qty, unitPrice })));
  const units = new Map(lines.map((l) => [l.sku, l.qty] as const));
  for (const gift of gifts) units.set(gift.sku, (units.get(gift.sku) ?? 0) + gift.qty);
  const stockLines = [...units].map(([sku, qty]) => ({ sku, qty }));
  assertOccurredAt(command.occurredAt, at, 'body.occurredAt');
  // A till that was offline posts its sales late: the stock half is booked as of when it happened.
  const occurredAt = occurredAtOf(command.occurredAt, at);
  const movement = {
    movementId: saleMovementId(command.saleId),
    type: 'SALE' as const,
    locationId: command.locationId,
    lines: stockLines,
    ...(occurredAt < at ? { occurredAt } : {}),
  };
  // The goods of an offline sale are gone: it is never refused for stock.
  let changes: LevelChange[] = planMovement(movement, { offline: isOfflineSale(occurredAt, at) });
  if (occurredAt < at) changes = absorbInto(changes, occurredAt, await lastCounts(changes.map((c) => ({ sku: c.sku, locationId: c.locationId }))));
  // Sale record, member profile, two lots, three entries, the review schedule; exclusive lines add two each (checked again below).
  assertFitsOneTransaction(changes, 7);
  const { products, locations } = await loadReferences(
    stockLines.map((l) => l.sku),
    [command.locationId],
  );
  const currency = currencyOf(products);
  const serials = soldSerials(command.lines, products);
  return {
    lines,
    gifts,
    giftsOutOfStock: new Set<string>(),
    stockLines,
    movement,
    occurredAt,
    changes,
    // Hot sale lines found short on their shard, planned over all shards (shared/app/hot-stock.ts).
    fallen: new Map<string, LevelChange>(),
    // A spread level was merged back once for a line its item could not cover.
    merged: false,
    products,
    location: locations.get(command.locationId),
    currency,
    serials,
  };
};
type Basket = Awaited<ReturnType<typeof basketOf>>;

/**
 * The member as they are now (re-read each attempt), the promotions that
 * apply (shared/app/promotions.ts), the prices their tier gives, the
 * exclusive lines they may buy and their points plan.
 */
const priceForMember = async (command: SaleCommand, basket: Basket, by: string, at: string) => {
  const state = command.memberId ? assertMemberExists(await readMemberState(command.memberId), command.memberId) : undefined;
  const program = await loadProgram();
  const tier = state ? effectiveTier(state.record, at) : undefined;
  const rule = tier ? ruleOf(program, tier) : undefined;
  const promotions = await planPromotions({
    bought: basket.lines,
    locationId: command.locationId,
    timeZone: (basket.location?.timeZone as string | undefined) ?? 'UTC',
    ...(state && tier ? { member: { memberId: state.record.memberId, tier, tags: (state.record as { tags?: string[] }).tags ?? [] } } : {}),
    tierDiscountPercent: rule?.discountPercent ?? 0,
    coupons: command.coupons,
    giftsOutOfStock: basket.giftsOutOfStock,
    // Date-bound promotions count the day the sale was made, as member effects do.
    at: basket.occurredAt,
  });
  const priced = priceSale(
    promotions.result.lines,
    rule && {
      discountPercent: rule.discountPercent,
      pointsMultiplier: rule.pointsMultiplier,
      perCurrencyUnit: program.points.perCurrencyUnit,
      pointValue: program.points.pointValue,
    },
    command.redeemPoints ?? 0,
    promotions.result.adjustments,
  );
  const exclusive = await exclusiveLines(basket.stockLines, basket.products, command.locationId, tier ? { tier, program } : undefined);
  // Member effects date from the sale itself, even when it arrives late.
  const plan = state ? memberPlan(state, program, priced, command.saleId, by, basket.occurredAt) : undefined;
  return { priced, exclusive, plan, promotions, gifts: promotions.result.gifts };
};
type Pricing = Awaited<ReturnType<typeof priceForMember>>;

const receiptOf = (command: SaleCommand, basket: Basket, { priced, plan, promotions }: Pricing, at: string): Receipt => ({
  ...priced,
  promotions: promotions.result.applied,
  notApplied: promotions.result.notApplied,
  saleId: command.saleId,
  locationId: command.locationId,
  ...(command.memberId ? { memberId: command.memberId } : {}),
  currency: basket.currency,
  lines: priced.lines.map((l) => ({ ...l, returned: 0 })),
  ...(plan ? { member: { tier: plan.tier, tierChanged: plan.tierChanged, points: balanceOf(plan.lotsAfter, at) } } : {}),
  ...(basket.occurredAt < at ? { occurredAt: basket.occurredAt } : {}),
  at,
});

/**
 * Books the sale in one transaction: the sale record, the stock movement,
 * the member's items, the allocations and per-member claims, the serials.
 * A refusal becomes its error; `'retry'` when the member changed under us.
 */
const bookSale = async (
  command: SaleCommand,
  basket: Basket,
  { priced, exclusive, plan, promotions }: Pricing,
  receipt: Receipt,
  fingerprint: string,
  by: string,
  at: string,
): Promise<'booked' | 'retry'> => {
  const { movement, products, serials } = basket;
  // Tagged units an exit gate already read out of this store unsold (a till posting late) were taken off by that read: the sale confirms them.
  const serialsRead = await readSaleSerials(serials.map((s) => s.epc));
  const place = { saleId: command.saleId, locationId: command.locationId };
  const verdicts = serialsRead.map((read) => saleSerialVerdict(read.serial, place));
  const byEpc = confirmedBySerials(
    serials.map((tag, i) => ({ sku: tag.sku, serial: serialsRead[i]!.serial })),
    { ...place, qty: new Map(basket.stockLines.map((l) => [l.sku, l.qty])) },
  );
  // Tagged units sold by quantity only (no EPC on the line) and already read leaving by the exit gate were taken off by that read.
  const quantityOnly = basket.stockLines
    .filter((l) => !exclusive.some((e) => e.sku === l.sku))
    .map((l) => ({ sku: l.sku, qty: l.qty - serials.filter((s) => s.sku === l.sku).length }))
    .filter((l) => l.qty > 0);
  const reconciliation = await planReconciliation({
    side: 'DOCUMENT',
    direction: 'OUT',
    locationId: command.locationId,
    ref: movement.movementId,
    at: basket.occurredAt,
    lines: quantityOnly,
    // The gate reads those EPCs confirm are settled, so no later quantity-only sale confirms against them again.
    settled: byEpc,
    products,
    location: basket.location,
    now: at,
  });
  const confirmed = new Map(reconciliation.confirmed);
  for (const [sku, n] of byEpc) confirmed.set(sku, (confirmed.get(sku) ?? 0) + n);
  const changes = await routeHotSales(
    withoutConfirmed(fromAllocations(basket.changes, exclusive, command.locationId), confirmed, command.locationId),
    products,
    movement.movementId,
    at,
    basket.fallen,
    basket.occurredAt < at,
  );
  const sale = salePut(
    command,
    receipt,
    { serials, redeemed: plan?.redeemed ?? [], upgrade: plan?.upgrade, pointsRedeemed: priced.pointsRedeemed },
    fingerprint,
    by,
    at,
  );
  const stockItems = movementItems(movement, changes, products, fingerprint, by, at);
  const memberItems = plan?.items ?? [];
  const limited = exclusive.filter((l): l is ExclusiveLine & { perMemberLimit: number } => l.perMemberLimit !== undefined);
  const promotionTakes = promotionWrites(promotions, command.saleId, command.memberId, at);
  const items = [
    ...labelled('sale', [sale]),
    ...labelled('reconcile', reconciliation.items),
    ...stockItems,
    ...labelled('member', memberItems),
    ...labelled('allocation', exclusive.map(allocationTake)),
    ...labelled(
      'perMemberLimit',
      limited.map((l) => claimUpdate(command.memberId!, l, at)),
    ),
    ...labelled('promotionBudget', promotionTakes.budgets),
    ...labelled('promotionUse', promotionTakes.uses),
    ...labelled('couponCode', promotionTakes.codes),
    ...labelled(
      'serial',
      serials.map((tag, i) =>
        verdicts[i] === 'CONFIRM'
          ? serialConfirmedUpdate(tag.epc, command.saleId, command.locationId, at)
          : serialSoldUpdate(tag.epc, command.saleId, at, command.locationId),
      ),
    ),
  ];
  if (items.length > transactionItemLimit) {
    throw new ValidationFailed('This sale needs more writes than one transaction holds', [{ path: 'body.lines', message: 'split the sale' }]);
  }
  try {
    await transactLabelled(items);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAtLabel('sale') || error.failedAtLabel('reconcile')) return 'retry';
    // A serial another sale sold refuses the sale; one a gate (or a return) moved since it was read is planned again.
    const serialReasons = error.reasonsAt('serial');
    const resold = error.failuresAt('serial').filter((i) => {
      const now = serialReasons[i]?.item;
      return isSold(now?.state as string | undefined) && now?.saleId !== command.saleId;
    });
    if (error.failuresAt('serial').length > resold.length) return 'retry';
    // A hot SKU's shard was short: plan those lines over all its shards, or refuse what the shards together cannot cover.
    const short = await replanShortHotSales(error, changes, products);
    if (short && short.shortages.length === 0) {
      basket.fallen = short.fallen;
      return 'retry';
    }
    // Dated in the past and a count as of a later time landed meanwhile: that count already saw these units go.
    const counted = countsBookedSince(error, changes, basket.occurredAt);
    if (counted.size > 0) {
      basket.changes = absorbInto(basket.changes, basket.occurredAt, counted);
      return 'retry';
    }
    // The level updates follow the movement record; a hot SKU's shards together may be short too.
    const shortages = [...(short?.shortages ?? []), ...shortagesOf(error, changes)];
    // A line on a spread level's item (dated in the past) found the item short: merge its shards back once and try again.
    if (shortages.length > 0 && !basket.merged && (await mergeShortSpreadLevels(error, changes, at))) {
      basket.merged = true;
      return 'retry';
    }
    // Only a promotion's gift is short (its SKU is not bought): the sale goes on without that gift.
    const bought = new Set(basket.lines.map((l) => l.sku));
    if (shortages.length > 0 && shortages.every((s) => !bought.has(s.sku) && basket.gifts.some((g) => g.sku === s.sku))) {
      for (const shortage of shortages) basket.giftsOutOfStock.add(shortage.sku);
      return 'retry';
    }
    if (shortages.length > 0) throw new OutOfStock(shortages);
    const [allocationFailed] = error.failuresAt('allocation');
    if (allocationFailed !== undefined) {
      const line = exclusive[allocationFailed]!;
      const remaining = Number(error.reasonsAt('allocation')[allocationFailed]?.item?.remaining ?? 0);
      throw new AllocationExhausted(`${remaining} units of ${line.sku} left for members, asked ${line.qty}`, { sku: line.sku, remaining });
    }
    const [claimFailed] = error.failuresAt('perMemberLimit');
    if (claimFailed !== undefined) {
      const line = limited[claimFailed]!;
      throw new AllocationExhausted(`${line.sku} is limited to ${line.perMemberLimit} per member`, { sku: line.sku, perMemberLimit: line.perMemberLimit });
    }
    // A budget or a per-member limit another sale used up meanwhile, or a rule paused: price again without it
    // (a coupon the buyer presented is then refused with its reason).
    if (error.failedAtLabel('promotionBudget') || error.failedAtLabel('promotionUse')) return 'retry';
    const [codeFailed] = error.failuresAt('couponCode');
    if (codeFailed !== undefined) {
      const code = promotions.codes[codeFailed]!;
      throw new Conflict(`Coupon ${code.code} was used meanwhile`, { code: code.code, ruleId: code.ruleId, reason: 'used' });
    }
    if (resold.length > 0) {
      const epcs = resold.map((i) => serials[i]!.epc);
      throw new Conflict(`Already sold in another sale: ${epcs.join(', ')}`, { epcs });
    }
    // The member changed under us (another sale or redemption): read again.
    if (error.failedAtLabel('member')) return 'retry';
    throw error;
  }
  await settleOfflineHotSales(changes, products, at);
  return 'booked';
};

/**
 * Books a sale. Returns the first receipt again for a replayed sale id.
 * Refusals (out of stock, not enough points, allocation gone, not
 * eligible) write nothing.
 *
 * The sale record's own conditional put is the replay check: the record is
 * read only when an attempt failed (its put found the id taken, or any
 * refusal, since a refusal now may be a replay of a sale accepted then).
 */
export const checkout = async (command: SaleCommand, principal: Principal, at = nowIso()): Promise<{ receipt: Receipt; replayed: boolean }> => {
  assertLocationAccess(principal, command.locationId);
  const fingerprint = requestFingerprint({ ...command, saleId: undefined });
  try {
    let basket = await basketOf(command, at);
    let first = true;
    return await withMemberRetry(async () => {
      if (!first) {
        const earlier = await replaySale(command.saleId, fingerprint);
        if (earlier) return { receipt: earlier, replayed: true };
      }
      first = false;
      let pricing = await priceForMember(command, basket, principal.subject, at);
      // A threshold gift joins the stock movement: plan the basket again with it (gifts never change the spend that earns them).
      if (!sameGifts(pricing.gifts, basket.gifts)) {
        const { giftsOutOfStock } = basket;
        basket = { ...(await basketOf(command, at, pricing.gifts)), giftsOutOfStock };
        pricing = await priceForMember(command, basket, principal.subject, at);
        if (!sameGifts(pricing.gifts, basket.gifts)) return 'retry';
      }
      const receipt = receiptOf(command, basket, pricing, at);
      if ((await bookSale(command, basket, pricing, receipt, fingerprint, principal.subject, at)) === 'retry') return 'retry';
      // The levels moved by an amount this path does not prove: the movement path reads them again.
      forgetLevels(basket.changes);
      return { receipt, replayed: false };
    });
  } catch (error) {
    if (error instanceof IdempotencyKeyReused) throw error;
    const earlier = await replaySale(command.saleId, fingerprint);
    if (earlier) return { receipt: earlier, replayed: true };
    throw error;
  }
};

/**
 * Prices a basket as the checkout would now, without booking anything (the
 * dry run, POST /promotions/dry-run): stock, points and budgets are read,
 * not taken, so a quote is no promise (a budget may run out before the sale).
 */
export const quoteSale = async (
  request: { locationId: string; memberId?: string; lines: SaleCommand['lines']; redeemPoints?: number; coupons?: string[]; at?: string },
  principal: Principal,
  now = nowIso(),
): Promise<Quote> => {
  assertLocationAccess(principal, request.locationId);
  const at = request.at ?? now;
  const command: SaleCommand = { saleId: 'quote', ...request, occurredAt: undefined };
  let basket = await basketOf(command, at);
  let pricing = await priceForMember(command, basket, principal.subject, at);
  if (!sameGifts(pricing.gifts, basket.gifts)) {
    basket = await basketOf(command, at, pricing.gifts);
    pricing = await priceForMember(command, basket, principal.subject, at);
  }
  const { priced, promotions } = pricing;
  return {
    locationId: request.locationId,
    ...(request.memberId ? { memberId: request.memberId } : {}),
    currency: basket.currency,
    lines: priced.lines.map((l) => ({ ...l, promotionDiscount: l.promotionDiscount ?? 0 })),
    subtotal: priced.subtotal,
    promotionDiscount: priced.promotionDiscount ?? 0,
    discount: priced.discount,
    pointsRedeemed: priced.pointsRedeemed,
    pointsValue: priced.pointsValue,
    total: priced.total,
    pointsEarned: priced.pointsEarned,
    promotions: promotions.result.applied,
    notApplied: promotions.result.notApplied,
    at,
  };
};

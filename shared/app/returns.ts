/**
 * A return against a sale: the goods back in stock, the member's points and
 * spend taken back in proportion, in one transaction. It reads as the story
 * of one request: what comes back, what it means for the member, the
 * receipt, the booking.
 */
import { Conflict, NotFound, UnknownReference, ValidationFailed } from '../domain/errors.ts';
import { transactionItemLimit } from '../domain/limits.ts';
import { planMovement } from '../domain/movements.ts';
import { balanceOf, planClawback, type LotTake } from '../domain/points.ts';
import { assertLocationAccess, type Principal } from '../domain/principal.ts';
import { type AppliedPromotion, promotionTakeBacks } from '../domain/promotions.ts';
import { priceReturn, type SoldLine } from '../domain/sales.ts';
import { addToMonth, afterReturn, effectiveTier, rollingTotal, type Upgrade } from '../domain/tiers.ts';
import { monthOf } from '../domain/time.ts';
import { assertSameRequest, requestFingerprint } from '../db/fingerprint.ts';
import {
  applyTakes,
  entryPut,
  loadProgram,
  lotPut,
  lotTakes,
  type NewLot,
  profileUpdate,
  readMemberState,
  reviewSchedule,
  withMemberRetry,
} from '../db/members.ts';
import { readReturn, readSale, returnMovementId, type ReturnCommand, returnPut, saleLinesUpdate, serialReturnedUpdate, type SoldTag } from '../db/sales.ts';
import { loadReferences, movementItems } from '../db/stock.ts';
import { labelled, TransactionCancelled, type TransactItem, transactLabelled } from '../db/transact.ts';
import type { Receipt, ReturnReceipt } from '../schemas/members.ts';
import { nowIso } from '../clock.ts';

/** What comes back: the lines priced against the sale, the tags (only this sale's), the RETURN movement and the sale's lines after it. */
const goodsBack = async (saleId: string, sale: Record<string, unknown>, command: ReturnCommand, locationId: string) => {
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
  const returnedAfter = sold.map((l) => ({ ...l, returned: l.returned + (priced.lines.find((r) => r.sku === l.sku)?.qty ?? 0) }));
  // Threshold promotions the return breaks: what they gave on the goods kept is kept back from the refund,
  // parked on those lines so that returning them later refunds it (shared/domain/promotions.ts).
  const alreadyTakenBack = (sale.promotionsTakenBack as string[] | undefined) ?? [];
  const takeBacks = promotionTakeBacks(((sale.receipt as Receipt | undefined)?.promotions ?? []) as AppliedPromotion[], returnedAfter, alreadyTakenBack);
  const linesAfter: SoldLine[] = returnedAfter.map((line) => {
    const parked = takeBacks.flatMap((t) =>
      t.lines.filter((part) => part.sku === line.sku).map((part) => ({ ruleId: t.ruleId, amount: part.amount, units: part.units, returnedAt: line.returned })),
    );
    return parked.length > 0 ? { ...line, takeBacks: [...(line.takeBacks ?? []), ...parked] } : line;
  });
  const takenBack = takeBacks.reduce((sum, t) => sum + t.amount, 0);
  const refund = Math.max(0, priced.refund - takenBack);
  const net = { ...priced, refund };
  return {
    priced: net,
    takeBacks,
    promotionShortfall: takenBack - (priced.refund - refund),
    promotionsTakenBack: [...alreadyTakenBack, ...takeBacks.map((t) => t.ruleId)],
    returnedTags,
    products,
    movement,
    changes,
    linesAfter,
  };
};
type Goods = Awaited<ReturnType<typeof goodsBack>>;

/**
 * The member's side of a return: points the returned lines earned are
 * taken back (pending lots first), spend is corrected in the month of the
 * sale; a return that completes the sale restores the points it redeemed
 * (net of any it could not take back) and undoes its visit.
 */
const memberReturnPlan = async (
  memberId: string,
  saleId: string,
  sale: Record<string, unknown>,
  command: ReturnCommand,
  priced: Goods['priced'],
  by: string,
  at: string,
): Promise<{ items: TransactItem[]; shortfall: number; restored: number; member: NonNullable<ReturnReceipt['member']> }> => {
  const state = await readMemberState(memberId);
  if (!state) throw new UnknownReference(`The member of sale ${saleId} no longer exists`, [{ path: 'params.saleId', message: 'member not found' }]);
  const program = await loadProgram();
  const clawback = planClawback(state.lots, priced.pointsClawedBack, saleId, at);
  const saleMonth = monthOf(sale.at as string);
  const spendByMonth = addToMonth(state.record.spendByMonth, saleMonth, -priced.refund, at, program.rollingMonths);
  const visitsByMonth = priced.completesSale ? addToMonth(state.record.visitsByMonth, saleMonth, -1, at, program.rollingMonths) : state.record.visitsByMonth;
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
  const shortfall = owed;
  const restored = restoredLots.reduce((sum, lot) => sum + lot.remaining, 0);
  const clawed = priced.pointsClawedBack - clawback.shortfall;
  const tierState = afterReturn(
    state.record,
    program,
    rollingTotal(spendByMonth, at, program.rollingMonths),
    rollingTotal(visitsByMonth, at, program.rollingMonths),
    sale.upgrade as Upgrade | undefined,
  );
  const items = [
    profileUpdate(state.record, { spendByMonth, visitsByMonth, qualifiedTier: tierState.qualifiedTier, qualifiedSince: tierState.qualifiedSince }, at),
    ...lotTakes(memberId, state.lots, clawback.takes),
    ...(clawed > 0
      ? [entryPut(memberId, { entryId: `return-${command.returnId}-clawback`, type: 'CLAWBACK', points: -clawed, lots: clawback.takes, saleId }, by, at)]
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
            by,
            at,
          ),
        ]
      : []),
    ...(tierState.qualifiedTier !== state.record.qualifiedTier ? [reviewSchedule(memberId, tierState, program, at)] : []),
  ];
  const member = {
    tier: effectiveTier({ ...state.record, ...tierState }, at),
    points: balanceOf([...applyTakes(state.lots, clawback.takes), ...restoredLots], at),
  };
  return { items, shortfall, restored, member };
};

/**
 * Books the return in one transaction: the return record, the sale's lines
 * (version-conditioned), the RETURN movement, the member's items, the
 * serials back in stock. `'retry'` when a condition says read again.
 */
const bookReturn = async (
  saleId: string,
  sale: Record<string, unknown>,
  receipt: ReturnReceipt,
  goods: Goods,
  memberItems: TransactItem[],
  fingerprint: string,
  by: string,
  at: string,
): Promise<'booked' | 'retry'> => {
  const { returnedTags } = goods;
  const items = [
    ...labelled('return', [returnPut(saleId, receipt, fingerprint, by, at)]),
    ...labelled('saleLines', [saleLinesUpdate(saleId, goods.linesAfter, sale.version, goods.promotionsTakenBack)]),
    ...movementItems(goods.movement, goods.changes, goods.products, fingerprint, by, at),
    ...labelled('member', memberItems),
    ...labelled(
      'serial',
      returnedTags.map((tag) => serialReturnedUpdate(tag, saleId, receipt.locationId, at)),
    ),
  ];
  if (items.length > transactionItemLimit)
    throw new ValidationFailed('This return needs more writes than one transaction holds', [{ path: 'body.lines', message: 'return in parts' }]);
  try {
    await transactLabelled(items);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    // The same return booked meanwhile, another return of this sale, or the member changed: read again.
    if (error.failedAtLabel('return') || error.failedAtLabel('saleLines') || error.failedAtLabel('member')) return 'retry';
    const gone = error.failuresAt('serial').map((i) => returnedTags[i]!.epc);
    if (gone.length > 0) throw new Conflict(`Already returned, or no longer this sale's: ${gone.join(', ')}`, { epcs: gone });
    throw error;
  }
  return 'booked';
};

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
  at = nowIso(),
): Promise<{ receipt: ReturnReceipt; replayed: boolean }> => {
  const fingerprint = requestFingerprint({ ...command, returnId: undefined });
  return withMemberRetry(async () => {
    const sale = await readSale(saleId);
    if (!sale) throw new NotFound(`Sale ${saleId} not found`);
    // Goods may come back at any store of the chain; the caller must work where they come back.
    const locationId = command.locationId ?? (sale.locationId as string);
    assertLocationAccess(principal, locationId);
    const earlier = await readReturn(saleId, command.returnId);
    if (earlier) {
      assertSameRequest(earlier.fingerprint, fingerprint, `Return ${command.returnId}`);
      return { receipt: earlier.receipt as ReturnReceipt, replayed: true };
    }
    const goods = await goodsBack(saleId, sale, command, locationId);
    const { priced } = goods;
    const memberId = sale.memberId as string | undefined;
    const points = memberId ? await memberReturnPlan(memberId, saleId, sale, command, priced, principal.subject, at) : undefined;
    const shortfall = points?.shortfall ?? 0;
    const receipt: ReturnReceipt = {
      returnId: command.returnId,
      saleId,
      locationId,
      lines: priced.lines.map(({ sku, qty, refund, pointsClawedBack }) => ({ sku, qty, refund, pointsClawedBack })),
      refund: priced.refund,
      pointsClawedBack: priced.pointsClawedBack - shortfall,
      pointsShortfall: shortfall,
      pointsRestored: points?.restored ?? 0,
      ...(goods.takeBacks.length > 0
        ? {
            promotionsTakenBack: goods.takeBacks.map(({ ruleId, kind, amount }) => ({ ruleId, kind, amount })),
            promotionShortfall: goods.promotionShortfall,
          }
        : {}),
      ...(points ? { member: points.member } : {}),
      at,
    };
    if ((await bookReturn(saleId, sale, receipt, goods, points?.items ?? [], fingerprint, principal.subject, at)) === 'retry') return 'retry';
    return { receipt, replayed: false };
  });
};

import type { BatchPage } from '../batches.ts';
import { forEachSettled } from '../concurrency.ts';
import { NotFound } from '../domain/errors.ts';
import { transactionItemLimit } from '../domain/limits.ts';
import { balanceOf, expiredLots, type Lot, type LotTake, planRedemption } from '../domain/points.ts';
import { assertMemberAccess, type Principal } from '../domain/principal.ts';
import { addDays } from '../domain/time.ts';
import { logger } from '../observability.ts';
import type { PointsEntry, PointsResult } from '../schemas/members.ts';
import type { Page } from '../db/catalog.ts';
import { requestFingerprint } from '../db/fingerprint.ts';
import {
  applyTakes,
  type EntryInput,
  entryPut,
  loadProgram,
  lotPut,
  lotTakes,
  memberOrUnknown,
  membersWithLotsExpiring,
  type NewLot,
  pointsEntries,
  profileUpdate,
  readGuard,
  readMemberState,
  requestGuard,
  tryMemberWrite,
  withMemberRetry,
} from '../db/members.ts';
import type { TransactItem } from '../db/transact.ts';
import { nowIso } from '../clock.ts';

// Reading and saving the program need no orchestration: the repository's functions are the use-cases.

/** Spends points (a voucher, a reward): soonest-expiring lots first, never the same points twice. */
export const redeemPoints = async (
  memberId: string,
  request: { points: number; reason?: string },
  key: string,
  principal: Principal,
  at = nowIso(),
): Promise<{ result: PointsResult; replayed: boolean }> => {
  assertMemberAccess(principal, memberId);
  const fingerprint = requestFingerprint(request);
  return withMemberRetry(async () => {
    const earlier = await readGuard(memberId, 'redeem', key, fingerprint);
    if (earlier) return { result: earlier as PointsResult, replayed: true };
    const state = await memberOrUnknown(memberId);
    const takes = planRedemption(state.lots, request.points, at);
    const entry: EntryInput = {
      entryId: `redeem-${key}`,
      type: 'REDEEM',
      points: -request.points,
      lots: takes,
      ...(request.reason ? { reason: request.reason } : {}),
    };
    const lotsAfter = applyTakes(state.lots, takes);
    const result: PointsResult = {
      entry: { ...entry, lots: takes.map(({ lotId, points }) => ({ lotId, points })), at, by: principal.subject },
      points: balanceOf(lotsAfter, at),
    };
    const written = await tryMemberWrite([
      profileUpdate(state.record, {}, at),
      requestGuard(memberId, 'redeem', key, fingerprint, result, at),
      ...lotTakes(memberId, state.lots, takes),
      entryPut(memberId, entry, principal.subject, at),
    ]);
    return written ? { result, replayed: false } : 'retry';
  });
};

/** Gives or takes points by hand (goodwill, corrections). A negative adjustment takes like a redemption. */
export const adjustPoints = async (
  memberId: string,
  request: { points: number; reason: string; expiryDays?: number },
  key: string,
  principal: Principal,
  at = nowIso(),
): Promise<{ result: PointsResult; replayed: boolean }> => {
  const fingerprint = requestFingerprint(request);
  return withMemberRetry(async () => {
    const earlier = await readGuard(memberId, 'adjust', key, fingerprint);
    if (earlier) return { result: earlier as PointsResult, replayed: true };
    const state = await memberOrUnknown(memberId);
    const program = await loadProgram();
    let lotItems: TransactItem[];
    let lots: LotTake[];
    let lotsAfter: Lot[];
    if (request.points > 0) {
      const lot: NewLot = {
        lotId: `${at}#adjust-${key}`,
        remaining: request.points,
        expiresOn: addDays(at, request.expiryDays ?? program.points.expiryDays),
        source: 'ADJUST',
      };
      lotItems = [lotPut(memberId, lot, at)];
      lots = [{ lotId: lot.lotId, points: lot.remaining, expiresOn: lot.expiresOn }];
      lotsAfter = [...state.lots, lot];
    } else {
      lots = planRedemption(state.lots, -request.points, at);
      lotItems = lotTakes(memberId, state.lots, lots);
      lotsAfter = applyTakes(state.lots, lots);
    }
    const entry: EntryInput = { entryId: `adjust-${key}`, type: 'ADJUST', points: request.points, lots, reason: request.reason };
    const result: PointsResult = {
      entry: { ...entry, lots: lots.map(({ lotId, points }) => ({ lotId, points })), at, by: principal.subject },
      points: balanceOf(lotsAfter, at),
    };
    const written = await tryMemberWrite([
      profileUpdate(state.record, {}, at),
      requestGuard(memberId, 'adjust', key, fingerprint, result, at),
      ...lotItems,
      entryPut(memberId, entry, principal.subject, at),
    ]);
    return written ? { result, replayed: false } : 'retry';
  });
};

/** Books EXPIRE for every lot whose expiry passed. Idempotent: an expired lot is deleted with its entry. */
export const expireMemberPoints = async (memberId: string, at = nowIso()): Promise<number> =>
  withMemberRetry(async () => {
    const state = await readMemberState(memberId);
    if (!state) return 0;
    const expired = expiredLots(state.lots, at);
    if (expired.length === 0) return 0;
    // One transaction: the profile guard plus a lot and an entry each.
    const batch = expired.slice(0, Math.floor((transactionItemLimit - 1) / 2));
    const written = await tryMemberWrite([
      profileUpdate(state.record, {}, at),
      ...batch.flatMap((lot) => [
        lotTakes(memberId, [lot], [{ lotId: lot.lotId, points: lot.remaining, expiresOn: lot.expiresOn }])[0]!,
        entryPut(
          memberId,
          { entryId: `expire-${lot.lotId}`, type: 'EXPIRE', points: -lot.remaining, lots: [{ lotId: lot.lotId, points: lot.remaining }] },
          'system:points-expiry',
          at,
        ),
      ]),
    ]);
    if (!written) return 'retry';
    return batch.reduce((sum, lot) => sum + lot.remaining, 0) + (expired.length > batch.length ? await expireMemberPoints(memberId, at) : 0);
  });

/** The points ledger of a member, oldest first. */
export const pointsLedger = async (memberId: string, principal: Principal, limit: number, cursor?: string): Promise<Page<PointsEntry>> => {
  assertMemberAccess(principal, memberId);
  if (!(await readMemberState(memberId))) throw new NotFound(`Member ${memberId} not found`);
  return pointsEntries(memberId, limit, cursor);
};

export const memberPoints = async (memberId: string, principal: Principal, now = nowIso()) => {
  assertMemberAccess(principal, memberId);
  const state = await memberOrUnknown(memberId);
  return { memberId, ...balanceOf(state.lots, now), lots: state.lots.filter((l) => l.expiresOn > now) };
};

/**
 * One page of the lots that expire on the partition's day and are due by
 * the run: each member's expired lots are booked EXPIRE and deleted with
 * their index entries, so a page run again expires nothing twice. A member
 * whose expiry fails keeps their entry and is retried by the next daily run.
 */
export const expirePointsPage: BatchPage = async ({ partition: day, runAt, cursor }) => {
  const page = await membersWithLotsExpiring(day, runAt, cursor);
  const counts = { members: 0, points: 0, failed: 0 };
  // One member's trouble must not stop everyone else's expiry on this page.
  counts.failed = await forEachSettled(
    page.items,
    1,
    async (memberId) => {
      counts.points += await expireMemberPoints(memberId, runAt);
      counts.members++;
    },
    (memberId, error) => logger.error('Points expiry failed for a member', { memberId, error }),
  );
  return { counts, ...(page.cursor ? { cursor: page.cursor } : {}) };
};

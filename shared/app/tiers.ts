import type { BatchPage } from '../batches.ts';
import { forEachSettled } from '../concurrency.ts';
import { assertMemberAccess, type Principal } from '../domain/principal.ts';
import { buyTier, reviewTier, rollingTotal, type TierName } from '../domain/tiers.ts';
import { localDay } from '../domain/member-days.ts';
import { logger } from '../observability.ts';
import type { Member } from '../schemas/members.ts';
import { requestFingerprint } from '../db/fingerprint.ts';
import {
  loadProgram,
  memberOrUnknown,
  memberView,
  membersDueForReview,
  profileUpdate,
  readGuard,
  readMemberState,
  requestGuard,
  reviewSchedule,
  tryMemberWrite,
  withMemberRetry,
} from '../db/members.ts';
import { deliver } from './messages.ts';
import { getMember } from './members.ts';
import { nowIso } from '../clock.ts';

// Reading and saving the program need no orchestration: the repository's functions are the use-cases.

/** A fee buys a tier for some months (see `buyTier` for the rules). */
export const buyPaidTier = async (
  memberId: string,
  request: { tier: TierName; months: number; fee: number },
  key: string,
  principal: Principal,
  at = nowIso(),
): Promise<{ member: Member; replayed: boolean }> => {
  const fingerprint = requestFingerprint(request);
  return withMemberRetry(async () => {
    const earlier = await readGuard(memberId, 'paid-tier', key, fingerprint);
    if (earlier) return { member: await getMember(memberId, principal), replayed: true };
    const state = await memberOrUnknown(memberId);
    const program = await loadProgram();
    const bought = buyTier(state.record, program, request.tier, request.months, request.fee, at);
    const set = { paidTier: bought.paidTier, paidUntil: bought.paidUntil };
    const written = await tryMemberWrite([
      profileUpdate(state.record, set, at),
      requestGuard(memberId, 'paid-tier', key, fingerprint, { ...request, ...set }, at),
    ]);
    if (!written) return 'retry';
    return { member: memberView({ ...state, record: { ...state.record, ...set } }, program, at), replayed: false };
  });
};

/** The scheduled review for one member: at most one step down, after the grace period. */
export const reviewMemberTier = async (memberId: string, at = nowIso()): Promise<{ before: TierName; after: TierName }> =>
  withMemberRetry(async () => {
    const state = await memberOrUnknown(memberId);
    const program = await loadProgram();
    const { record } = state;
    const next = reviewTier(
      record,
      program,
      rollingTotal(record.spendByMonth, at, program.rollingMonths),
      rollingTotal(record.visitsByMonth, at, program.rollingMonths),
      at,
    );
    const written = await tryMemberWrite([
      profileUpdate(record, { qualifiedTier: next.qualifiedTier, qualifiedSince: next.qualifiedSince }, at),
      reviewSchedule(memberId, next, program, at),
    ]);
    return written ? { before: record.qualifiedTier, after: next.qualifiedTier } : 'retry';
  });

/** A review asked for by staff (or the member): the same review, then the member as the caller may see it. */
export const reviewMemberTierNow = async (memberId: string, principal: Principal): Promise<Member> => {
  assertMemberAccess(principal, memberId);
  await reviewMemberTier(memberId);
  return getMember(memberId, principal);
};

/**
 * An account notice (transactional: consent, no cap), keyed by the review
 * day on the member's own calendar, so a page run again sends nothing. The review is written by then: a
 * notice that fails is logged, not allowed to stop the partition.
 */
const tellLowered = async (memberId: string, before: string, after: string, runAt: string) => {
  try {
    const [state, program] = await Promise.all([readMemberState(memberId), loadProgram()]);
    if (!state) return;
    await deliver(
      memberId,
      {
        source: `tier-review-${localDay(runAt, state.record.timeZone)}`,
        kind: 'transactional',
        template: 'TIER_CHANGED',
        vars: { name: state.record.name, tier: after, before, months: program.rollingMonths },
        channels: ['email', 'sms', 'push'],
      },
      runAt,
    );
  } catch (error) {
    logger.error('Tier notice failed', { memberId, error });
  }
};

/**
 * One page of the members whose review was due on the partition's day by
 * the run: at most one step down, never inside the grace period, and the
 * member lowered is told. Each review schedules the next one, so a reviewed
 * member leaves the partition; the cursor is a key, so it stays right.
 * A failed review is logged and counted, the partition goes on past it,
 * and the next daily run retries it (it is still due).
 */
export const tierReviewPage: BatchPage = async ({ partition: day, runAt, cursor }) => {
  const page = await membersDueForReview(day, runAt, cursor);
  const counts = { reviewed: 0, lowered: 0, failed: 0 };
  counts.failed = await forEachSettled(
    page.items,
    1,
    async (memberId) => {
      const { before, after } = await reviewMemberTier(memberId, runAt);
      counts.reviewed++;
      if (after !== before) {
        counts.lowered++;
        await tellLowered(memberId, before, after, runAt);
      }
    },
    (memberId, error) => logger.error('Tier review failed for a member', { memberId, error }),
  );
  return { counts, ...(page.cursor ? { cursor: page.cursor } : {}) };
};

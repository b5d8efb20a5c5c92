/**
 * Member use-cases: registration, the profile, points outside a sale, the
 * paid tier and the tier review, and the member jobs' pages (birthday
 * gifts, points expiry, tier review). Each takes the principal where a
 * caller has one and checks access here; the repository (shared/db/members.ts)
 * keeps the keys, items and the version-conditioned writes.
 */
import { randomUUID } from 'node:crypto';
import type { BatchPage } from '../batches.ts';
import { forEachSettled } from '../concurrency.ts';
import { AlreadyExists, NotFound, PreconditionFailed } from '../domain/errors.ts';
import { derivedId } from '../domain/ids.ts';
import { transactionItemLimit } from '../domain/limits.ts';
import { balanceOf, expiredLots, type Lot, type LotTake, planRedemption } from '../domain/points.ts';
import { assertMemberAccess, type Principal } from '../domain/principal.ts';
import { buyTier, reviewTier, rollingTotal, ruleOf, type TierName } from '../domain/tiers.ts';
import { addDays, dayOf } from '../domain/time.ts';
import { logger } from '../observability.ts';
import type { Member, MemberInput, MemberPatch, PointsEntry, PointsResult } from '../schemas/members.ts';
import type { Page } from '../db/catalog.ts';
import { assertSameRequest, requestFingerprint } from '../db/fingerprint.ts';
import { memberKeys } from '../db/keys.ts';
import {
  applyTakes,
  assertMemberExists,
  type Contact,
  contactDelete,
  contactPut,
  earlierRegistration,
  type EntryInput,
  entryPut,
  holderOf,
  loadProgram,
  lotPut,
  lotTakes,
  type MemberRecord,
  memberOrUnknown,
  memberView,
  membersDueForReview,
  membersWithBirthday,
  membersWithLotsExpiring,
  type NewLot,
  pointsEntries,
  profileUpdate,
  readGuard,
  readMemberState,
  registrationItems,
  requestGuard,
  reviewSchedule,
  tryMemberWrite,
  type Withheld,
  withMemberRetry,
} from '../db/members.ts';
import { labelled, TransactionCancelled, transactLabelled, type TransactItem } from '../db/transact.ts';
import { deliver } from './messages.ts';

// Reading and saving the program need no orchestration: the repository's functions are the use-cases.
export { loadProgram, saveProgram } from '../db/members.ts';

/** A member as the caller may see it: members see only themselves, and others as not found. */
export const getMember = async (memberId: string, principal: Principal, now = new Date().toISOString()): Promise<Member> => {
  assertMemberAccess(principal, memberId);
  const state = await readMemberState(memberId);
  if (!state) throw new NotFound(`Member ${memberId} not found`);
  return memberView(state, await loadProgram(), now);
};

const consentStates = (input: MemberInput | MemberPatch, principal: Principal, now: string, current: MemberRecord['consent'] = {}) => {
  const source = input.consentSource ?? principal.role;
  const next = { ...current };
  for (const channel of ['email', 'sms'] as const) {
    const granted = input.consent?.[channel];
    if (granted !== undefined && granted !== current[channel]?.granted) next[channel] = { granted, at: now, source };
  }
  return next;
};

const contactTaken = (what: string) =>
  new AlreadyExists(`A member with this ${what} already exists`, { errors: [{ path: `body.${what}`, message: 'already registered' }] });

/**
 * Registers a member with the welcome gift in the same transaction: the
 * gift exists exactly when the member does. A retried request (same
 * Idempotency-Key) answers with the member it created.
 *
 * Staff registering a taken email or phone get 409. A member signing
 * themselves up must not learn whether an address is taken: they are
 * registered without it, and its owner is told (`withheld`); the caller's
 * answer is the same either way (the handler's 202).
 */
export const registerMember = async (
  input: MemberInput,
  principal: Principal,
  idempotencyKey: string,
  now = new Date().toISOString(),
  withheld: Withheld = new Map(),
): Promise<{ member: Member; created: boolean }> => {
  const fingerprint = requestFingerprint(input);
  const earlier = await earlierRegistration(principal.subject, idempotencyKey);
  if (earlier) {
    assertSameRequest(earlier.fingerprint, fingerprint, `Registration ${idempotencyKey}`);
    return { member: await getMember(earlier.memberId, principal, now), created: false };
  }
  // A member signing themselves up gets the id their identity provider assigned.
  const memberId = principal.role === 'member' && principal.memberId ? principal.memberId : `m-${randomUUID()}`;
  const program = await loadProgram();
  const email = withheld.has('email') ? undefined : input.email;
  const phone = withheld.has('phone') ? undefined : input.phone;
  const record: MemberRecord = {
    memberId,
    name: input.name,
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
    ...(input.birthday ? { birthday: input.birthday } : {}),
    timeZone: input.timeZone ?? 'UTC',
    consent: consentStates(input, principal, now),
    qualifiedTier: 'REGULAR',
    qualifiedSince: now,
    spendByMonth: {},
    visitsByMonth: {},
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const gift = program.welcomeGift;
  const lots: NewLot[] =
    gift.points > 0 ? [{ lotId: `${now}#welcome`, remaining: gift.points, expiresOn: addDays(now, gift.expiryDays), source: 'WELCOME' }] : [];
  const items = registrationItems(record, lots, withheld, { subject: principal.subject, idempotencyKey, fingerprint }, now);
  try {
    await transactLabelled(items);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAtLabel('request')) return registerMember(input, principal, idempotencyKey, now);
    if (error.failedAtLabel('profile')) throw new AlreadyExists(`Member ${memberId} is already registered`);
    const taken: [Contact, string][] = [];
    if (email && error.failedAtLabel('email')) taken.push(['email', email]);
    if (phone && error.failedAtLabel('phone')) taken.push(['phone', phone]);
    if (taken.length === 0) throw error;
    if (principal.role !== 'member') throw contactTaken(taken[0]![0]);
    const next = new Map(withheld);
    // The holder may have moved on since the guard refused us; then the next attempt simply takes the contact.
    for (const [what, value] of taken) {
      const holder = await holderOf(what, value);
      if (holder) next.set(what, holder);
    }
    return registerMember(input, principal, idempotencyKey, now, next);
  }
  return { member: memberView({ record, lots }, program, now), created: true };
};

/** Profile edits with If-Match; a new email or phone moves its uniqueness guard in the same transaction. */
export const updateMember = async (
  memberId: string,
  patch: MemberPatch,
  expectedVersion: number,
  principal: Principal,
  now = new Date().toISOString(),
): Promise<Member> => {
  assertMemberAccess(principal, memberId);
  const state = await readMemberState(memberId);
  if (!state) throw new NotFound(`Member ${memberId} not found`);
  const { record } = state;
  if (record.version !== expectedVersion) throw new PreconditionFailed(`Member ${memberId} is at version ${record.version}`);
  const { consent: _c, consentSource: _s, ...fields } = patch;
  const set: Record<string, unknown> = { ...fields, ...(patch.birthday ? memberKeys.birthday(patch.birthday, memberId) : {}) };
  if (patch.consent) set.consent = consentStates(patch, principal, now, record.consent);
  const items = labelled('profile', [profileUpdate(record, set, now)]);
  const moves: [Contact, string | undefined, string | undefined, (v: string) => { pk: string; sk: string }][] = [
    ['email', record.email, patch.email, memberKeys.email],
    ['phone', record.phone, patch.phone, memberKeys.phone],
  ];
  for (const [what, before, after, key] of moves) {
    if (after === undefined || after === before) continue;
    // The new contact's guard is labelled by the contact; giving up the old one cannot fail for another member.
    items.push(
      ...labelled(what, [contactPut(key(after), memberId, now)]),
      ...labelled(`${what}Released`, before ? [contactDelete(key(before), memberId)] : []),
    );
  }
  try {
    await transactLabelled(items);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAtLabel('profile')) throw new PreconditionFailed(`Member ${memberId} changed since it was read`);
    const taken = moves.find(([what]) => error.failedAtLabel(what));
    if (taken) throw contactTaken(taken[0]);
    throw error;
  }
  const updated = await readMemberState(memberId);
  return memberView(updated!, await loadProgram(), now);
};

/** Replaces the member's tags (the tagged groups campaigns aim at); an empty list removes them. */
export const setMemberTags = async (memberId: string, tags: readonly string[], now = new Date().toISOString()): Promise<Member> =>
  withMemberRetry(async () => {
    const state = assertMemberExists(await readMemberState(memberId), memberId);
    const sorted = [...new Set(tags)].sort();
    const written = await tryMemberWrite([sorted.length ? profileUpdate(state.record, { tags: sorted }, now) : profileUpdate(state.record, {}, now, ['tags'])]);
    if (!written) return 'retry';
    return memberView(assertMemberExists(await readMemberState(memberId), memberId), await loadProgram(), now);
  });

/** Spends points (a voucher, a reward): soonest-expiring lots first, never the same points twice. */
export const redeemPoints = async (
  memberId: string,
  request: { points: number; reason?: string },
  key: string,
  principal: Principal,
  at = new Date().toISOString(),
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
  at = new Date().toISOString(),
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
export const expireMemberPoints = async (memberId: string, at = new Date().toISOString()): Promise<number> =>
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

export const memberPoints = async (memberId: string, principal: Principal, now = new Date().toISOString()) => {
  assertMemberAccess(principal, memberId);
  const state = await memberOrUnknown(memberId);
  return { memberId, ...balanceOf(state.lots, now), lots: state.lots.filter((l) => l.expiresOn > now) };
};

/** A fee buys a tier for some months (see `buyTier` for the rules). */
export const buyPaidTier = async (
  memberId: string,
  request: { tier: TierName; months: number; fee: number },
  key: string,
  principal: Principal,
  at = new Date().toISOString(),
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
export const reviewMemberTier = async (memberId: string, at = new Date().toISOString()): Promise<{ before: TierName; after: TierName }> =>
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

// ---- the member jobs' pages (run by the daily jobs and, for what a run cannot finish, by the memberBatches queue)

const system: Principal = { subject: 'system:birthday-gifts', role: 'service', locations: [] };
const membersAtOnce = 8;

/**
 * One page of a birthday partition: the tier's birthday points (keyed by
 * the year) and one message (keyed by the day), so a page run again gives
 * and sends nothing. The message waits for the end of quiet hours in the
 * member's time zone and is dropped if it could not go out by the next day.
 */
export const birthdayPage: BatchPage = async ({ partition, runAt, cursor }) => {
  const [year, month, day] = dayOf(runAt).split('-').map(Number) as [number, number, number];
  const program = await loadProgram();
  const page = await membersWithBirthday(partition, cursor);
  const counts: Record<string, number> = { members: 0, points: 0 };
  counts.failed = await forEachSettled(
    page.items,
    membersAtOnce,
    async (memberId) => {
      const member = await getMember(memberId, system, runAt);
      const points = ruleOf(program, member.tier).birthdayPoints ?? 0;
      if (points > 0) {
        const gift = await adjustPoints(memberId, { points, reason: 'BIRTHDAY_GIFT' }, derivedId('birthday', year), system, runAt);
        if (!gift.replayed) counts.points! += points;
      }
      const delivery = await deliver(
        memberId,
        {
          source: `birthday-${dayOf(runAt)}`,
          kind: 'marketing',
          template: 'BIRTHDAY',
          vars: { name: member.name, tier: member.tier, points },
          channels: ['email', 'sms'],
          expiresAt: new Date(Date.UTC(year, month - 1, day + 2)).toISOString(),
        },
        runAt,
      );
      counts.members!++;
      counts[delivery.status] = (counts[delivery.status] ?? 0) + 1;
    },
    (memberId, error) => logger.error('Birthday gift failed for a member', { memberId, error }),
  );
  return { counts, ...(page.cursor ? { cursor: page.cursor } : {}) };
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

/**
 * An account notice (transactional: consent, no cap), keyed by the review
 * day, so a page run again sends nothing. The review is written by then: a
 * notice that fails is logged, not allowed to stop the partition.
 */
const tellLowered = async (memberId: string, before: string, after: string, runAt: string) => {
  try {
    const [state, program] = await Promise.all([readMemberState(memberId), loadProgram()]);
    if (!state) return;
    await deliver(
      memberId,
      {
        source: `tier-review-${dayOf(runAt)}`,
        kind: 'transactional',
        template: 'TIER_CHANGED',
        vars: { name: state.record.name, tier: after, before, months: program.rollingMonths },
        channels: ['email', 'sms'],
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

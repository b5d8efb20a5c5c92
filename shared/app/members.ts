/**
 * Member use-cases of the member record itself: registration (with the
 * welcome gift, and no answer that tells a self-signup whether an address is
 * taken), reading, profile edits and tags. Access is checked here; the
 * repository (shared/db/members.ts) keeps keys, items and conditioned writes.
 */
import { randomUUID } from 'node:crypto';
import { AlreadyExists, NotFound, PreconditionFailed } from '../domain/errors.ts';
import { assertMemberAccess, type Principal } from '../domain/principal.ts';
import { addDays } from '../domain/time.ts';
import type { Member, MemberInput, MemberPatch } from '../schemas/members.ts';
import { assertSameRequest, requestFingerprint } from '../db/fingerprint.ts';
import { memberKeys } from '../db/keys.ts';
import {
  assertMemberExists,
  type Contact,
  contactDelete,
  contactPut,
  earlierRegistration,
  holderOf,
  loadProgram,
  type MemberRecord,
  memberView,
  type NewLot,
  profileUpdate,
  readMemberState,
  registrationItems,
  tryMemberWrite,
  type Withheld,
  withMemberRetry,
} from '../db/members.ts';
import { labelled, TransactionCancelled, transactLabelled } from '../db/transact.ts';
import { nowIso } from '../clock.ts';

// Reading and saving the program need no orchestration: the repository's functions are the use-cases.

export { loadProgram, saveProgram } from '../db/members.ts';

/** A member as the caller may see it: members see only themselves, and others as not found. */
export const getMember = async (memberId: string, principal: Principal, now = nowIso()): Promise<Member> => {
  assertMemberAccess(principal, memberId);
  const state = await readMemberState(memberId);
  if (!state) throw new NotFound(`Member ${memberId} not found`);
  return memberView(state, await loadProgram(), now);
};

const consentStates = (input: MemberInput | MemberPatch, principal: Principal, now: string, current: MemberRecord['consent'] = {}) => {
  const source = input.consentSource ?? principal.role;
  const next = { ...current };
  for (const channel of ['email', 'sms', 'push'] as const) {
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
  now = nowIso(),
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
    ...(input.channelPreference ? { channelPreference: input.channelPreference } : {}),
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
export const updateMember = async (memberId: string, patch: MemberPatch, expectedVersion: number, principal: Principal, now = nowIso()): Promise<Member> => {
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
export const setMemberTags = async (memberId: string, tags: readonly string[], now = nowIso()): Promise<Member> =>
  withMemberRetry(async () => {
    const state = assertMemberExists(await readMemberState(memberId), memberId);
    const sorted = [...new Set(tags)].sort();
    const written = await tryMemberWrite([sorted.length ? profileUpdate(state.record, { tags: sorted }, now) : profileUpdate(state.record, {}, now, ['tags'])]);
    if (!written) return 'retry';
    return memberView(assertMemberExists(await readMemberState(memberId), memberId), await loadProgram(), now);
  });

/**
 * Members, their points lots and points ledger. Every change to a member's
 * points, spend, visits or tier is one transaction conditioned on the
 * profile's `version`: concurrent requests for one member are serialised by
 * optimistic concurrency, so points are never spent twice and the ledger,
 * the lots and the profile never disagree.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { AlreadyExists, Conflict, NotFound, PreconditionFailed, UnknownReference, ValidationFailed } from '../domain/errors.ts';
import { transactionItemLimit } from '../domain/limits.ts';
import { balanceOf, type Balance, expiredLots, type Lot, type LotTake, planRedemption, type PointsEntryType } from '../domain/points.ts';
import { assertMemberAccess, type Principal } from '../domain/principal.ts';
import {
  buyTier,
  defaultProgram,
  effectiveTier,
  type MonthlyTotals,
  type Program,
  reviewTier,
  rollingTotal,
  ruleOf,
  nextReviewAt,
  type TierName,
  type TierState,
} from '../domain/tiers.ts';
import { addDays, dayOf, daySeconds, epochSeconds, minuteMillis } from '../domain/time.ts';
import type { MemberInput, MemberPatch } from '../schemas/members.ts';
import { documentClient, queryAll, tableName } from './client.ts';
import { cursorScope, decodeCursor, encodeCursor } from './cursor.ts';
import { assertSameRequest, requestFingerprint } from './fingerprint.ts';
import { entities, idempotencyKeys, memberKeys, withoutKeys } from './keys.ts';
import { TransactionCancelled, type TransactItem, transactWrite } from './transact.ts';
import type { Page } from './catalog.ts';

export const membersTable = () => tableName(tables.members);
const idempotencyTable = () => tableName(tables.idempotency);

// ---- the program (tiers and points rules)

/** Programme edits are rare; a warm container re-reads them at most this often. */
const programCacheMs = minuteMillis;
let cachedProgram: { program: Program & { version: number }; readAt: number } | undefined;

export const loadProgram = async (fresh = false): Promise<Program & { version: number }> => {
  if (!fresh && cachedProgram && Date.now() - cachedProgram.readAt < programCacheMs) return cachedProgram.program;
  const item = (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.program, ConsistentRead: fresh }))).Item;
  const program = item ? withoutKeys<Program & { version: number }>(item, ['updatedAt', 'updatedBy']) : { ...defaultProgram, version: 0 };
  cachedProgram = { program, readAt: Date.now() };
  return program;
};

export const saveProgram = async (program: Program, expectedVersion: number, principal: Principal): Promise<Program & { version: number }> => {
  const version = expectedVersion + 1;
  try {
    await documentClient.send(
      new PutCommand({
        TableName: membersTable(),
        Item: { ...memberKeys.program, entity: entities.program, ...program, version, updatedAt: new Date().toISOString(), updatedBy: principal.subject },
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
        ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') throw new PreconditionFailed('The program changed since it was read');
    throw error;
  }
  cachedProgram = undefined;
  return { ...program, version };
};

// ---- reading a member

export interface Consent {
  granted: boolean;
  at: string;
  source: string;
}

export interface MemberRecord extends TierState {
  memberId: string;
  name: string;
  email?: string;
  phone?: string;
  birthday?: string;
  timeZone: string;
  consent: { email?: Consent; sms?: Consent };
  /** Tagged groups (staff, event guests) campaigns can aim at. */
  tags?: string[];
  spendByMonth: MonthlyTotals;
  visitsByMonth: MonthlyTotals;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface MemberState {
  record: MemberRecord;
  lots: Lot[];
}

const lotOf = (item: Record<string, unknown>): Lot => ({
  lotId: item.lotId as string,
  remaining: item.remaining as number,
  expiresOn: item.expiresOn as string,
  ...(item.pendingUntil ? { pendingUntil: item.pendingUntil as string } : {}),
  ...(item.saleId ? { saleId: item.saleId as string } : {}),
});

/** The profile and every open lot, in one consistent query (lots sort just before the profile). */
export const readMemberState = async (memberId: string): Promise<MemberState | undefined> => {
  const items = await queryAll({
    TableName: membersTable(),
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': memberKeys.partition(memberId), ':from': memberKeys.lotsFrom, ':to': memberKeys.profileSk },
    ConsistentRead: true,
  });
  const profile = items.find((i) => i.sk === memberKeys.profileSk);
  if (!profile) return undefined;
  return { record: withoutKeys<MemberRecord>(profile), lots: items.filter((i) => i.entity === entities.pointsLot).map(lotOf) };
};

export const memberView = (state: MemberState, program: Program, now: string) => {
  const { spendByMonth, visitsByMonth, ...record } = state.record;
  const tier = effectiveTier(record, now);
  const rule = ruleOf(program, tier);
  return {
    ...record,
    tier,
    benefits: { discountPercent: rule.discountPercent, pointsMultiplier: rule.pointsMultiplier, exclusiveAccess: rule.exclusiveAccess },
    points: balanceOf(state.lots, now),
    rolling: {
      spend: rollingTotal(spendByMonth, now, program.rollingMonths),
      visits: rollingTotal(visitsByMonth, now, program.rollingMonths),
      months: program.rollingMonths,
    },
  };
};
export type MemberView = ReturnType<typeof memberView>;

/** A member as the caller may see it: members see only themselves, and others as not found. */
export const getMember = async (memberId: string, principal: Principal, now = new Date().toISOString()): Promise<MemberView> => {
  assertMemberAccess(principal, memberId);
  const state = await readMemberState(memberId);
  if (!state) throw new NotFound(`Member ${memberId} not found`);
  return memberView(state, await loadProgram(), now);
};

// ---- transaction items other modules compose

/** Changes profile attributes, conditioned on the version that was read; bumps it. */
export const profileUpdate = (record: MemberRecord, set: Record<string, unknown>, now: string, remove: string[] = []): TransactItem => {
  const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':expected': record.version, ':next': record.version + 1, ':now': now };
  const sets = ['#version = :next', '#updatedAt = :now'];
  Object.entries(set).forEach(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    sets.push(`#a${i} = :a${i}`);
  });
  for (const [i, name] of remove.entries()) names[`#r${i}`] = name;
  return {
    Update: {
      TableName: membersTable(),
      Key: memberKeys.profile(record.memberId),
      UpdateExpression: `SET ${sets.join(', ')}${remove.length ? ` REMOVE ${remove.map((_, i) => `#r${i}`).join(', ')}` : ''}`,
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
};

export interface NewLot extends Lot {
  readonly source: string;
}

export const lotPut = (memberId: string, lot: NewLot, now: string): TransactItem => ({
  Put: {
    TableName: membersTable(),
    Item: {
      ...memberKeys.lot(memberId, lot.lotId),
      ...memberKeys.lotExpiry(lot.expiresOn, memberId, lot.lotId),
      entity: entities.pointsLot,
      memberId,
      ...lot,
      original: lot.remaining,
      createdAt: now,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** Takes points from lots; a lot taken to zero is deleted (the ledger keeps its history). */
export const lotTakes = (memberId: string, lots: readonly Lot[], takes: readonly LotTake[]): TransactItem[] =>
  takes.map((take) => {
    const lot = lots.find((l) => l.lotId === take.lotId)!;
    const key = memberKeys.lot(memberId, take.lotId);
    return take.points === lot.remaining
      ? { Delete: { TableName: membersTable(), Key: key, ConditionExpression: 'remaining = :points', ExpressionAttributeValues: { ':points': take.points } } }
      : {
          Update: {
            TableName: membersTable(),
            Key: key,
            UpdateExpression: 'SET remaining = remaining - :points',
            ConditionExpression: 'remaining >= :points',
            ExpressionAttributeValues: { ':points': take.points },
          },
        };
  });

export interface EntryInput {
  entryId: string;
  type: PointsEntryType;
  points: number;
  lots: readonly { lotId: string; points: number }[];
  reason?: string;
  saleId?: string;
}

export const entryPut = (memberId: string, entry: EntryInput, by: string, at: string): TransactItem => ({
  Put: {
    TableName: membersTable(),
    Item: {
      ...memberKeys.entry(memberId, at, entry.entryId),
      entity: entities.pointsEntry,
      memberId,
      ...entry,
      lots: entry.lots.map((l) => ({ lotId: l.lotId, points: l.points })),
      at,
      by,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** The guard that makes a member-scoped write happen once per key, forever (like a movement id). */
const requestGuard = (memberId: string, operation: string, key: string, fingerprint: string, result: unknown, now: string): TransactItem => ({
  Put: {
    TableName: membersTable(),
    Item: { ...memberKeys.request(memberId, operation, key), entity: entities.request, fingerprint, result, at: now },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

const readGuard = async (memberId: string, operation: string, key: string, fingerprint: string): Promise<unknown> => {
  const item = (
    await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.request(memberId, operation, key), ConsistentRead: true }))
  ).Item;
  if (!item) return undefined;
  assertSameRequest(item.fingerprint, fingerprint, `${operation} ${key}`);
  return item.result;
};

const versionAttempts = 40;
const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 5 * 2 ** attempt)));

/**
 * Runs a member write under optimistic concurrency: read, plan, write with
 * the version condition; when another request for the same member won the
 * race (`'retry'`), read again and re-plan after a jittered pause.
 */
export const withMemberRetry = async <T>(attemptWrite: () => Promise<T | 'retry'>): Promise<T> => {
  for (let attempt = 0; attempt < versionAttempts; attempt++) {
    const outcome = await attemptWrite();
    if (outcome !== 'retry') return outcome;
    await pause(attempt);
  }
  throw new Conflict('Too many concurrent changes to this member; retry');
};

/** Schedules (or, for REGULAR, cancels) the member's next tier review. */
export const reviewSchedule = (memberId: string, state: TierState, program: Program, now: string): TransactItem => {
  const at = nextReviewAt(state, program, now);
  return at
    ? {
        Put: {
          TableName: membersTable(),
          Item: { ...memberKeys.review(memberId), ...memberKeys.reviewIndex(at, memberId), entity: 'TIER_REVIEW', memberId, reviewAt: at },
        },
      }
    : { Delete: { TableName: membersTable(), Key: memberKeys.review(memberId) } };
};

/**
 * Member ids on one partition of gsi1 (a day of the review, lot-expiry or
 * birthday index), sort keys up to `upTo` when given. A member with several
 * items in the partition is listed once per page.
 */
const memberIdsOn = async (partition: string, options: { upTo?: string; limit?: number; cursor?: string }): Promise<Page<string>> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: membersTable(),
      IndexName: 'gsi1',
      KeyConditionExpression: options.upTo === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND gsi1sk <= :upTo',
      ExpressionAttributeValues: { ':pk': partition, ...(options.upTo === undefined ? {} : { ':upTo': options.upTo }) },
      ...(options.limit ? { Limit: options.limit } : {}),
      ExclusiveStartKey: decodeCursor(options.cursor, cursorScope(tables.members, 'gsi1', partition)),
    }),
  );
  return { items: [...new Set((output.Items ?? []).map((i) => i.memberId as string))], cursor: encodeCursor(output.LastEvaluatedKey) };
};

/** Members due for review on a day, by `until` (gsi1, one partition per day). */
export const membersDueForReview = (day: string, until: string, cursor?: string): Promise<Page<string>> =>
  memberIdsOn(memberKeys.reviewsOn(day), { upTo: `${until}~`, limit: 100, cursor });

// ---- registration

const consentStates = (input: MemberInput | MemberPatch, principal: Principal, now: string, current: MemberRecord['consent'] = {}) => {
  const source = input.consentSource ?? principal.role;
  const next = { ...current };
  for (const channel of ['email', 'sms'] as const) {
    const granted = input.consent?.[channel];
    if (granted !== undefined && granted !== current[channel]?.granted) next[channel] = { granted, at: now, source };
  }
  return next;
};

const contactPut = (key: { pk: string; sk: string }, memberId: string, now: string): TransactItem => ({
  Put: { TableName: membersTable(), Item: { ...key, entity: entities.contact, memberId, at: now }, ConditionExpression: 'attribute_not_exists(pk)' },
});

const contactDelete = (key: { pk: string; sk: string }, memberId: string): TransactItem => ({
  Delete: { TableName: membersTable(), Key: key, ConditionExpression: 'memberId = :m', ExpressionAttributeValues: { ':m': memberId } },
});

const contactTaken = (what: string) =>
  new AlreadyExists(`A member with this ${what} already exists`, { errors: [{ path: `body.${what}`, message: 'already registered' }] });

/** Registration keys live a day in the idempotency table; the email/phone guard makes a member unique for good. */
const registrationTtlSeconds = daySeconds;

/** Signup-attempt notices are kept this long; one a day per member is all a stranger can cause. */
const signupAttemptTtlSeconds = 30 * daySeconds;

type Contact = 'email' | 'phone';
/** Contacts a self-signup asked for that another member holds: each owner and the channels to tell them on. */
type Withheld = ReadonlyMap<Contact, string>;

const contactKey = (what: Contact, value: string) => (what === 'email' ? memberKeys.email(value) : memberKeys.phone(value));

/** The member who holds an address or number now, if anyone does. */
const holderOf = async (what: Contact, value: string): Promise<string | undefined> =>
  (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: contactKey(what, value), ConsistentRead: true }))).Item?.memberId as
    | string
    | undefined;

/** One notice item per owner and day; the welcome stream consumer turns a new one into a message on the taken channels. */
const signupAttemptPuts = (withheld: Withheld, now: string): TransactItem[] => {
  const channelsByOwner = new Map<string, string[]>();
  for (const [what, owner] of withheld) channelsByOwner.set(owner, [...(channelsByOwner.get(owner) ?? []), what === 'email' ? 'email' : 'sms']);
  return [...channelsByOwner].map(([owner, channels]) => ({
    Put: {
      TableName: membersTable(),
      Item: {
        ...memberKeys.signupAttempt(owner, dayOf(now)),
        entity: entities.signupAttempt,
        memberId: owner,
        channels,
        at: now,
        expiresAt: epochSeconds(now) + signupAttemptTtlSeconds,
      },
    },
  }));
};

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
): Promise<{ member: MemberView; created: boolean }> => {
  const fingerprint = requestFingerprint(input);
  const guardKey = idempotencyKeys.registration(principal.subject, idempotencyKey);
  const earlier = (await documentClient.send(new GetCommand({ TableName: idempotencyTable(), Key: guardKey, ConsistentRead: true }))).Item;
  if (earlier) {
    assertSameRequest(earlier.fingerprint, fingerprint, `Registration ${idempotencyKey}`);
    return { member: await getMember(earlier.memberId as string, principal, now), created: false };
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
  const items: TransactItem[] = [
    {
      Put: {
        TableName: idempotencyTable(),
        Item: { ...guardKey, fingerprint, memberId, expiresAt: epochSeconds(now) + registrationTtlSeconds },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: membersTable(),
        Item: {
          ...memberKeys.profile(memberId),
          ...(record.birthday ? memberKeys.birthday(record.birthday, memberId) : {}),
          entity: entities.member,
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...(email ? [contactPut(memberKeys.email(email), memberId, now)] : []),
    ...(phone ? [contactPut(memberKeys.phone(phone), memberId, now)] : []),
    ...lots.map((lot) => lotPut(memberId, lot, now)),
    ...lots.map((lot) =>
      entryPut(
        memberId,
        { entryId: 'welcome', type: 'ADJUST', points: lot.remaining, lots: [{ lotId: lot.lotId, points: lot.remaining }], reason: 'WELCOME_GIFT' },
        principal.subject,
        now,
      ),
    ),
    ...signupAttemptPuts(withheld, now),
  ];
  try {
    await transactWrite(items);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAt(0)) return registerMember(input, principal, idempotencyKey, now);
    if (error.failedAt(1)) throw new AlreadyExists(`Member ${memberId} is already registered`);
    const taken: [Contact, string][] = [];
    if (email && error.failedAt(2)) taken.push(['email', email]);
    if (phone && error.failedAt(email ? 3 : 2)) taken.push(['phone', phone]);
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

// ---- profile changes

/** Profile edits with If-Match; a new email or phone moves its uniqueness guard in the same transaction. */
export const updateMember = async (
  memberId: string,
  patch: MemberPatch,
  expectedVersion: number,
  principal: Principal,
  now = new Date().toISOString(),
): Promise<MemberView> => {
  assertMemberAccess(principal, memberId);
  const state = await readMemberState(memberId);
  if (!state) throw new NotFound(`Member ${memberId} not found`);
  const { record } = state;
  if (record.version !== expectedVersion) throw new PreconditionFailed(`Member ${memberId} is at version ${record.version}`);
  const { consent: _c, consentSource: _s, ...fields } = patch;
  const set: Record<string, unknown> = { ...fields, ...(patch.birthday ? memberKeys.birthday(patch.birthday, memberId) : {}) };
  if (patch.consent) set.consent = consentStates(patch, principal, now, record.consent);
  const items: TransactItem[] = [profileUpdate(record, set, now)];
  const moves: [string, string | undefined, string | undefined, (v: string) => { pk: string; sk: string }][] = [
    ['email', record.email, patch.email, memberKeys.email],
    ['phone', record.phone, patch.phone, memberKeys.phone],
  ];
  const guards = new Map<number, string>();
  for (const [what, before, after, key] of moves) {
    if (after === undefined || after === before) continue;
    guards.set(items.length, what);
    items.push(contactPut(key(after), memberId, now));
    if (before) items.push(contactDelete(key(before), memberId));
  }
  try {
    await transactWrite(items);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAt(0)) throw new PreconditionFailed(`Member ${memberId} changed since it was read`);
    const taken = [...guards].find(([index]) => error.failedAt(index));
    if (taken) throw contactTaken(taken[1]);
    throw error;
  }
  const updated = await readMemberState(memberId);
  return memberView(updated!, await loadProgram(), now);
};

/** Replaces the member's tags (the tagged groups campaigns aim at); an empty list removes them. */
export const setMemberTags = async (memberId: string, tags: readonly string[], now = new Date().toISOString()): Promise<MemberView> =>
  withMemberRetry(async () => {
    const state = assertMemberExists(await readMemberState(memberId), memberId);
    const sorted = [...new Set(tags)].sort();
    const written = await tryMemberWrite([sorted.length ? profileUpdate(state.record, { tags: sorted }, now) : profileUpdate(state.record, {}, now, ['tags'])]);
    if (!written) return 'retry';
    return memberView(assertMemberExists(await readMemberState(memberId), memberId), await loadProgram(), now);
  });

// ---- points outside a sale

export interface PointsResult {
  entry: EntryInput & { at: string; by: string };
  points: Balance;
}

const memberOrUnknown = async (memberId: string): Promise<MemberState> => {
  const state = await readMemberState(memberId);
  if (!state) throw new NotFound(`Member ${memberId} not found`);
  return state;
};

/** Spends points (a voucher, a reward): soonest-expiring lots first, never the same points twice. */
export const redeemPoints = async (
  memberId: string,
  request: { points: number; reason?: string },
  key: string,
  principal: Principal,
  now = () => new Date().toISOString(),
): Promise<{ result: PointsResult; replayed: boolean }> => {
  assertMemberAccess(principal, memberId);
  const fingerprint = requestFingerprint(request);
  return withMemberRetry(async () => {
    const earlier = await readGuard(memberId, 'redeem', key, fingerprint);
    if (earlier) return { result: earlier as PointsResult, replayed: true };
    const at = now();
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
  now = () => new Date().toISOString(),
): Promise<{ result: PointsResult; replayed: boolean }> => {
  const fingerprint = requestFingerprint(request);
  return withMemberRetry(async () => {
    const earlier = await readGuard(memberId, 'adjust', key, fingerprint);
    if (earlier) return { result: earlier as PointsResult, replayed: true };
    const at = now();
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

export const applyTakes = (lots: readonly Lot[], takes: readonly LotTake[]): Lot[] =>
  lots.map((lot) => ({ ...lot, remaining: lot.remaining - (takes.find((t) => t.lotId === lot.lotId)?.points ?? 0) })).filter((lot) => lot.remaining > 0);

/**
 * Writes items whose first is the profile's version-conditioned update.
 * False when a condition failed: the profile moved on, a concurrent
 * duplicate took the request guard, or a lot changed between the reads
 * (a Query is not a snapshot). Reading again settles each of them.
 */
export const tryMemberWrite = async (items: TransactItem[]): Promise<boolean> => {
  if (items.length > transactionItemLimit) {
    throw new ValidationFailed('This needs more points lots than one transaction can change; redeem fewer points at a time', [
      { path: 'body.points', message: 'too many lots for one request' },
    ]);
  }
  try {
    await transactWrite(items);
    return true;
  } catch (error) {
    if (error instanceof TransactionCancelled && error.reasons.some((r) => r.code === 'ConditionalCheckFailed')) return false;
    throw error;
  }
};

/** Books EXPIRE for every lot whose expiry passed. Idempotent: an expired lot is deleted with its entry. */
export const expireMemberPoints = async (memberId: string, now = () => new Date().toISOString()): Promise<number> =>
  withMemberRetry(async () => {
    const at = now();
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
    return batch.reduce((sum, lot) => sum + lot.remaining, 0) + (expired.length > batch.length ? await expireMemberPoints(memberId, now) : 0);
  });

/** Members with lots expiring on a day (gsi1, one partition per day). */
export const membersWithLotsExpiring = (day: string, until: string, cursor?: string): Promise<Page<string>> =>
  memberIdsOn(memberKeys.lotsExpiringOn(day), { upTo: until, limit: 100, cursor });

/** The points ledger of a member, oldest first. */
export const pointsLedger = async (memberId: string, principal: Principal, limit: number, cursor?: string): Promise<Page<Record<string, unknown>>> => {
  assertMemberAccess(principal, memberId);
  if (!(await readMemberState(memberId))) throw new NotFound(`Member ${memberId} not found`);
  const partition = memberKeys.partition(memberId);
  const output = await documentClient.send(
    new QueryCommand({
      TableName: membersTable(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :txn)',
      ExpressionAttributeValues: { ':pk': partition, ':txn': memberKeys.entriesFrom },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, cursorScope(tables.members, undefined, partition)),
    }),
  );
  return { items: (output.Items ?? []).map((i) => withoutKeys<Record<string, unknown>>(i, ['memberId'])), cursor: encodeCursor(output.LastEvaluatedKey) };
};

export const memberPoints = async (memberId: string, principal: Principal, now = new Date().toISOString()) => {
  assertMemberAccess(principal, memberId);
  const state = await memberOrUnknown(memberId);
  return { memberId, ...balanceOf(state.lots, now), lots: state.lots.filter((l) => l.expiresOn > now) };
};

// ---- tiers

/** A fee buys a tier for some months (see `buyTier` for the rules). */
export const buyPaidTier = async (
  memberId: string,
  request: { tier: TierName; months: number; fee: number },
  key: string,
  principal: Principal,
  now = () => new Date().toISOString(),
): Promise<{ member: MemberView; replayed: boolean }> => {
  const fingerprint = requestFingerprint(request);
  return withMemberRetry(async () => {
    const earlier = await readGuard(memberId, 'paid-tier', key, fingerprint);
    if (earlier) return { member: await getMember(memberId, principal), replayed: true };
    const at = now();
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
export const reviewMemberTier = async (memberId: string, now = () => new Date().toISOString()): Promise<{ before: TierName; after: TierName }> =>
  withMemberRetry(async () => {
    const at = now();
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

export const assertMemberExists = (state: MemberState | undefined, memberId: string): MemberState => {
  if (!state) throw new UnknownReference(`No member ${memberId}`, [{ path: 'body.memberId', message: 'unknown member' }]);
  return state;
};

/** Members whose birthday is on `MM-DD` (gsi1 on the profile: one partition per day of the year). */
export const membersWithBirthday = (mmdd: string, cursor?: string): Promise<Page<string>> => memberIdsOn(memberKeys.birthdaysOn(mmdd), { limit: 100, cursor });

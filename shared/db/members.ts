/**
 * Members, their points lots and points ledger, as stored. Every change to a
 * member's points, spend, visits or tier is one transaction conditioned on
 * the profile's `version`: concurrent requests for one member are
 * serialised by optimistic concurrency, so points are never spent twice and
 * the ledger, the lots and the profile never disagree. The use-cases that
 * plan those changes are in shared/app/members.ts.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { Conflict, NotFound, PreconditionFailed, UnknownReference, ValidationFailed } from '../domain/errors.ts';
import { transactionItemLimit } from '../domain/limits.ts';
import { balanceOf, type Lot, type LotTake, type PointsEntryType } from '../domain/points.ts';
import type { Principal } from '../domain/principal.ts';
import { defaultProgram, effectiveTier, type MonthlyTotals, type Program, rollingTotal, ruleOf, nextReviewAt, type TierState } from '../domain/tiers.ts';
import { dayOf, daySeconds, epochSeconds, minuteMillis } from '../domain/time.ts';
import { documentClient, queryAll, queryPage, tableName } from './client.ts';
import { cursorScope, decodeCursor, encodeCursor } from './cursor.ts';
import { assertSameRequest } from './fingerprint.ts';
import { entities, idempotencyKeys, memberKeys, withoutKeys } from './keys.ts';
import { type LabelledItem, labelled, TransactionCancelled, type TransactItem, transactWrite } from './transact.ts';
import type { Page } from './catalog.ts';
import type { Member, PointsEntry } from '../schemas/members.ts';
import { nowIso, nowMillis } from '../clock.ts';

export const membersTable = () => tableName(tables.members);
const idempotencyTable = () => tableName(tables.idempotency);

// ---- the program (tiers and points rules)

/** Programme edits are rare; a warm container re-reads them at most this often. */
const programCacheMs = minuteMillis;
let cachedProgram: { program: Program & { version: number }; readAt: number } | undefined;

export const loadProgram = async (fresh = false): Promise<Program & { version: number }> => {
  if (!fresh && cachedProgram && nowMillis() - cachedProgram.readAt < programCacheMs) return cachedProgram.program;
  const item = (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.program, ConsistentRead: fresh }))).Item;
  const program = item ? withoutKeys<Program & { version: number }>(item, ['updatedAt', 'updatedBy']) : { ...defaultProgram, version: 0 };
  cachedProgram = { program, readAt: nowMillis() };
  return program;
};

export const saveProgram = async (program: Program, expectedVersion: number, principal: Principal): Promise<Program & { version: number }> => {
  const version = expectedVersion + 1;
  try {
    await documentClient.send(
      new PutCommand({
        TableName: membersTable(),
        Item: { ...memberKeys.program, entity: entities.program, ...program, version, updatedAt: nowIso(), updatedBy: principal.subject },
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
  consent: { email?: Consent; sms?: Consent; push?: Consent };
  channelPreference?: ('email' | 'sms' | 'push')[];
  /** App installs registered for push (shared/db/devices.ts keeps it in step). */
  pushDevices?: number;
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

export const memberView = (state: MemberState, program: Program, now: string): Member => {
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
export const requestGuard = (memberId: string, operation: string, key: string, fingerprint: string, result: unknown, now: string): TransactItem => ({
  Put: {
    TableName: membersTable(),
    Item: { ...memberKeys.request(memberId, operation, key), entity: entities.request, fingerprint, result, at: now },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

export const readGuard = async (memberId: string, operation: string, key: string, fingerprint: string): Promise<unknown> => {
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

export const contactPut = (key: { pk: string; sk: string }, memberId: string, now: string): TransactItem => ({
  Put: { TableName: membersTable(), Item: { ...key, entity: entities.contact, memberId, at: now }, ConditionExpression: 'attribute_not_exists(pk)' },
});

export const contactDelete = (key: { pk: string; sk: string }, memberId: string): TransactItem => ({
  Delete: { TableName: membersTable(), Key: key, ConditionExpression: 'memberId = :m', ExpressionAttributeValues: { ':m': memberId } },
});

/** Registration keys live a day in the idempotency table; the email/phone guard makes a member unique for good. */
const registrationTtlSeconds = daySeconds;

/** Signup-attempt notices are kept this long; one a day per member is all a stranger can cause. */
const signupAttemptTtlSeconds = 30 * daySeconds;

export type Contact = 'email' | 'phone';
/** Contacts a self-signup asked for that another member holds: each owner and the channels to tell them on. */
export type Withheld = ReadonlyMap<Contact, string>;

const contactKey = (what: Contact, value: string) => (what === 'email' ? memberKeys.email(value) : memberKeys.phone(value));

/** The member who holds an address or number now, if anyone does. */
export const holderOf = async (what: Contact, value: string): Promise<string | undefined> =>
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

/** What an Idempotency-Key of this caller already registered, if anything. */
export const earlierRegistration = async (subject: string, idempotencyKey: string): Promise<{ fingerprint: unknown; memberId: string } | undefined> =>
  (
    await documentClient.send(
      new GetCommand({ TableName: idempotencyTable(), Key: idempotencyKeys.registration(subject, idempotencyKey), ConsistentRead: true }),
    )
  ).Item as { fingerprint: unknown; memberId: string } | undefined;

/**
 * The registration in one transaction, in this order (the use-case reads
 * cancellations by position): the Idempotency-Key guard (0), the profile (1),
 * the email guard (2) and the phone guard (3 with an email, else 2), the
 * welcome lots and their entries, the signup-attempt notices.
 */
export const registrationItems = (
  record: MemberRecord,
  lots: readonly NewLot[],
  withheld: Withheld,
  guard: { subject: string; idempotencyKey: string; fingerprint: string },
  now: string,
): LabelledItem[] => {
  const { memberId, email, phone } = record;
  return [
    ...labelled('request', [
      {
        Put: {
          TableName: idempotencyTable(),
          Item: {
            ...idempotencyKeys.registration(guard.subject, guard.idempotencyKey),
            fingerprint: guard.fingerprint,
            memberId,
            expiresAt: epochSeconds(now) + registrationTtlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]),
    ...labelled('profile', [
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
    ]),
    ...labelled('email', email ? [contactPut(memberKeys.email(email), memberId, now)] : []),
    ...labelled('phone', phone ? [contactPut(memberKeys.phone(phone), memberId, now)] : []),
    ...labelled(
      'lots',
      lots.map((lot) => lotPut(memberId, lot, now)),
    ),
    ...labelled(
      'entries',
      lots.map((lot) =>
        entryPut(
          memberId,
          { entryId: 'welcome', type: 'ADJUST', points: lot.remaining, lots: [{ lotId: lot.lotId, points: lot.remaining }], reason: 'WELCOME_GIFT' },
          guard.subject,
          now,
        ),
      ),
    ),
    ...labelled('signupAttempts', signupAttemptPuts(withheld, now)),
  ];
};

// ---- profile changes

// ---- points outside a sale

export const memberOrUnknown = async (memberId: string): Promise<MemberState> => {
  const state = await readMemberState(memberId);
  if (!state) throw new NotFound(`Member ${memberId} not found`);
  return state;
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

/** Members with lots expiring on a day (gsi1, one partition per day). */
export const membersWithLotsExpiring = (day: string, until: string, cursor?: string): Promise<Page<string>> =>
  memberIdsOn(memberKeys.lotsExpiringOn(day), { upTo: until, limit: 100, cursor });

// ---- tiers

/** One page of a member's points ledger, oldest first. */
export const pointsEntries = async (memberId: string, limit: number, cursor?: string): Promise<Page<PointsEntry>> => {
  const partition = memberKeys.partition(memberId);
  const page = await queryPage(
    {
      TableName: membersTable(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :txn)',
      ExpressionAttributeValues: { ':pk': partition, ':txn': memberKeys.entriesFrom },
    },
    limit,
    cursorScope(tables.members, undefined, partition),
    cursor,
  );
  return { items: page.items.map((i) => withoutKeys<PointsEntry>(i, ['memberId'])), cursor: page.cursor };
};

export const assertMemberExists = (state: MemberState | undefined, memberId: string): MemberState => {
  if (!state) throw new UnknownReference(`No member ${memberId}`, [{ path: 'body.memberId', message: 'unknown member' }]);
  return state;
};

/** Members whose birthday is on `MM-DD` (gsi1 on the profile: one partition per day of the year). */
export const membersWithBirthday = (mmdd: string, cursor?: string): Promise<Page<string>> => memberIdsOn(memberKeys.birthdaysOn(mmdd), { limit: 100, cursor });

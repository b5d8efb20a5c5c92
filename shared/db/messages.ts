/**
 * Sending a message to a member: the send gate decides, the decision is
 * recorded under the send key (job run or campaign + member + channel) in
 * the same write that claims the key, and only then does the message go
 * out. A job run twice, a retried stream batch or two overlapping runs find
 * the key taken and send nothing: at most once per key, by design — a
 * marketing message lost to a provider error is better than one sent twice.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, Decision, Message, PastSend, Recipient, SuppressionReason } from '../domain/send-gate.ts';
import { addDays, dayOf } from '../domain/time.ts';
import type { TemplateName, TemplateVars } from '../messaging/templates.ts';
import { documentClient } from './client.ts';
import { entities, memberKeys } from './keys.ts';
import { membersTable } from './members.ts';
import { labelled, TransactionCancelled, transactLabelled } from './transact.ts';

/** Longest window any cap looks back over. */
const historyDays = 31;

export interface OutgoingMessage extends Omit<Message, 'channel'> {
  /** The job run or campaign: with the member and channel, the send key. */
  readonly source: string;
  readonly template: TemplateName;
  readonly vars: TemplateVars;
  /** Channels in order of preference; the first the member can receive on is used. */
  readonly channels: readonly Channel[];
  /** A campaign's budget: messages of `campaignId` sent or deferred, at most. */
  readonly budget?: number;
}

export type DeliveryStatus = 'SENT' | 'DEFERRED' | 'SKIPPED' | 'FAILED' | 'DUPLICATE';

export interface Delivery {
  readonly key: string;
  readonly channel: Channel;
  readonly status: DeliveryStatus;
  readonly decision?: Decision;
}

export const recipientOf = (profile: Record<string, unknown>): Recipient => {
  const consent = (profile.consent ?? {}) as Recipient['consent'];
  return {
    timeZone: (profile.timeZone as string | undefined) ?? 'UTC',
    address: {
      ...(profile.email ? { email: profile.email as string } : {}),
      ...(profile.phone ? { sms: profile.phone as string } : {}),
      // Push reaches the member's registered app installs (shared/db/devices.ts keeps the count).
      ...(Number(profile.pushDevices ?? 0) > 0 ? { push: `${profile.pushDevices} devices` } : {}),
    },
    consent,
    ...(Array.isArray(profile.channelPreference) ? { preference: profile.channelPreference as Channel[] } : {}),
    suppressed: (profile.suppressed ?? {}) as Partial<Record<Channel, SuppressionReason>>,
  };
};

export const recentSends = async (memberId: string, now: string): Promise<PastSend[]> => {
  const from = addDays(now, -historyDays);
  const output = await documentClient.send(
    new QueryCommand({
      TableName: membersTable(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: '#status = :sent',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pk': memberKeys.partition(memberId),
        ':from': memberKeys.messagesFrom(from),
        ':to': memberKeys.messagesFrom('~'),
        ':sent': 'SENT',
      },
    }),
  );
  return (output.Items ?? []).map((i) => ({ channel: i.channel, kind: i.kind, at: i.sentAt ?? i.at, ...(i.campaignId ? { campaignId: i.campaignId } : {}) }));
};

/**
 * A member leaves marketing on a channel: an unsubscribe link, a STOP text
 * or a complaint. Consent is withdrawn with its source; a bounce or
 * complaint also suppresses the address, which only support can lift.
 */
export const withdrawConsent = async (memberId: string, channel: Channel, source: string, now: string, suppression?: SuppressionReason): Promise<boolean> => {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: membersTable(),
        Key: memberKeys.profile(memberId),
        UpdateExpression: `SET consent.#channel = :consent, updatedAt = :now, version = version + :one${suppression ? ', suppressed = if_not_exists(suppressed, :none)' : ''}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#channel': channel },
        ExpressionAttributeValues: { ':consent': { granted: false, at: now, source }, ':now': now, ':one': 1, ...(suppression ? { ':none': {} } : {}) },
      }),
    );
    if (suppression) {
      await documentClient.send(
        new UpdateCommand({
          TableName: membersTable(),
          Key: memberKeys.profile(memberId),
          UpdateExpression: 'SET suppressed.#channel = :reason',
          ExpressionAttributeNames: { '#channel': channel },
          ExpressionAttributeValues: { ':reason': suppression },
        }),
      );
    }
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
};

/** The member an address or number belongs to (the uniqueness guards double as the lookup). */
export const memberByContact = async (channel: Channel, address: string): Promise<string | undefined> => {
  const key = channel === 'email' ? memberKeys.email(address.trim().toLowerCase()) : memberKeys.phone(address);
  const item = (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: key }))).Item;
  return item?.memberId as string | undefined;
};

/** A member's profile as stored (the gate reads its consent, addresses and suppressions). */
export const readProfile = async (memberId: string): Promise<Record<string, unknown> | undefined> =>
  (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.profile(memberId), ConsistentRead: true }))).Item;

/** Counts one marketing send against today's budget; false when it is spent. */
export const spendBudget = async (now: string): Promise<boolean> => {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: membersTable(),
        Key: memberKeys.sendBudget(dayOf(now)),
        UpdateExpression: 'ADD sent :one',
        ConditionExpression: 'attribute_not_exists(sent) OR sent < :cap',
        ExpressionAttributeValues: { ':one': 1, ':cap': dailyMarketingCap() },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
};

/** Marketing sends a day may cost at most this many messages, whatever jobs and campaigns ask for. */
const dailyMarketingCap = () => Number(process.env.MARKETING_DAILY_CAP ?? 50_000);

export const nextUtcDay = (now: string) => new Date(Date.UTC(Number(now.slice(0, 4)), Number(now.slice(5, 7)) - 1, Number(now.slice(8, 10)) + 1)).toISOString();

/**
 * Claims the send key and records the decision in one transaction; a
 * marketing send also counts against the day's budget in it, and a spent
 * budget defers the message to the next day. A delivery to send now comes
 * back with its record's sort key (`messageSk`): the caller sends it and
 * records the outcome with `markSent`.
 */
/**
 * The channel an earlier delivery of this send key took, if there was one. A
 * read (half a read unit) before the guarded write: senders that run again by
 * design (the hourly birthday and holiday jobs, a retried page) find their
 * send here instead of paying for a cancelled transaction each time. Eventually
 * consistent: a duplicate racing the first still meets the guard's condition.
 */
export const earlierDelivery = async (memberId: string, key: string): Promise<{ channel?: Channel } | undefined> =>
  (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.sendGuard(memberId, key), ProjectionExpression: 'channel' }))).Item as
    | { channel?: Channel }
    | undefined;

export const recordDelivery = async (
  memberId: string,
  message: OutgoingMessage,
  channel: Channel,
  decision: Decision,
  key: string,
  now: string,
): Promise<{ delivery: Delivery; messageSk?: string }> => {
  const status: DeliveryStatus = decision.action === 'SEND' ? 'SENT' : decision.action === 'DEFER' ? 'DEFERRED' : 'SKIPPED';
  const record = {
    ...memberKeys.message(memberId, now, key),
    ...(decision.action === 'DEFER' ? memberKeys.deferred(decision.until, memberId, key) : {}),
    entity: entities.message,
    memberId,
    key,
    source: message.source,
    template: message.template,
    vars: message.vars,
    channels: message.channels,
    channel,
    kind: message.kind,
    ...(message.campaignId ? { campaignId: message.campaignId } : {}),
    ...(message.expiresAt ? { expiresAt: message.expiresAt } : {}),
    status,
    ...(decision.action === 'DEFER' ? { reason: decision.reason, until: decision.until } : {}),
    ...(decision.action === 'SKIP' ? { reason: decision.reason, ...(decision.detail ? { detail: decision.detail } : {}) } : {}),
    at: now,
  };
  const counts = decision.action === 'SEND' && message.kind === 'marketing';
  // The campaign's budget is counted on the campaign in the same transaction: exact however many workers send at once.
  const budgeted = decision.action !== 'SKIP' && message.budget !== undefined && message.campaignId !== undefined;
  try {
    await transactLabelled([
      ...labelled('sendGuard', [
        {
          Put: {
            TableName: membersTable(),
            Item: { ...memberKeys.sendGuard(memberId, key), entity: entities.sendGuard, messageSk: record.sk, channel, at: now },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]),
      ...labelled('message', [{ Put: { TableName: membersTable(), Item: record } }]),
      ...labelled(
        'campaignBudget',
        budgeted
          ? [
              {
                Update: {
                  TableName: membersTable(),
                  Key: memberKeys.campaign(message.campaignId!),
                  UpdateExpression: 'ADD budgetUsed :one',
                  ConditionExpression: 'attribute_not_exists(budgetUsed) OR budgetUsed < :budget',
                  ExpressionAttributeValues: { ':one': 1, ':budget': message.budget },
                },
              },
            ]
          : [],
      ),
      ...labelled(
        'dailyBudget',
        counts
          ? [
              {
                Update: {
                  TableName: membersTable(),
                  Key: memberKeys.sendBudget(dayOf(now)),
                  UpdateExpression: 'ADD sent :one',
                  ConditionExpression: 'attribute_not_exists(sent) OR sent < :cap',
                  ExpressionAttributeValues: { ':one': 1, ':cap': dailyMarketingCap() },
                },
              },
            ]
          : [],
      ),
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedAtLabel('sendGuard')) return { delivery: { key, channel, status: 'DUPLICATE' } };
    if (error instanceof TransactionCancelled && error.failedAtLabel('campaignBudget')) {
      return recordDelivery(memberId, message, channel, { action: 'SKIP', reason: 'BUDGET_SPENT' }, key, now);
    }
    if (error instanceof TransactionCancelled && error.failedAtLabel('dailyBudget')) {
      const until = nextUtcDay(now);
      const deferred: Decision =
        message.expiresAt && until > message.expiresAt
          ? { action: 'SKIP', reason: 'EXPIRED', detail: 'daily marketing budget spent' }
          : { action: 'DEFER', until, reason: 'DAILY_BUDGET' };
      return recordDelivery(memberId, message, channel, deferred, key, now);
    }
    throw error;
  }
  return { delivery: { key, channel, status, decision }, ...(decision.action === 'SEND' ? { messageSk: record.sk } : {}) };
};

/** Records what sending did: the provider's id (SENT) or the error (FAILED); the record leaves the deferral index. */
export const markSent = async (memberId: string, sk: string, update: { status: DeliveryStatus; set: Record<string, unknown> }): Promise<void> => {
  const names = Object.fromEntries(Object.keys(update.set).map((k, i) => [`#a${i}`, k]));
  const values = Object.fromEntries(Object.values(update.set).map((v, i) => [`:a${i}`, v]));
  await documentClient.send(
    new UpdateCommand({
      TableName: membersTable(),
      Key: { pk: memberKeys.partition(memberId), sk },
      UpdateExpression: `SET #status = :status, ${Object.keys(names)
        .map((n, i) => `${n} = :a${i}`)
        .join(', ')} REMOVE gsi1pk, gsi1sk`,
      ExpressionAttributeNames: { '#status': 'status', ...names },
      ExpressionAttributeValues: { ':status': update.status, ...values },
    }),
  );
};

/** A member's messages, newest last, for support staff and the member. */
export const messagesOf = async (memberId: string, limit = 50): Promise<Record<string, unknown>[]> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: membersTable(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :msg)',
      ExpressionAttributeValues: { ':pk': memberKeys.partition(memberId), ':msg': memberKeys.messagesPrefix },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (output.Items ?? []).reverse().map(({ pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, entity: _e, ...rest }) => rest);
};

/** Deferred messages due by `now` on a day (gsi1, one partition per day). */
export const dueMessages = async (day: string, now: string): Promise<Record<string, unknown>[]> => {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: membersTable(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
      ExpressionAttributeValues: { ':pk': memberKeys.deferredOn(day), ':now': `${now}~` },
      Limit: 100,
    }),
  );
  return output.Items ?? [];
};

/**
 * Changes a deferred message's record only if it is still the deferral that
 * was read, so two dispatchers never both act on it; false when another
 * dispatcher took it first.
 */
export const claimDeferred = async (record: Record<string, unknown>, set: Record<string, unknown>, removeIndex: boolean): Promise<boolean> => {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: membersTable(),
        Key: { pk: memberKeys.partition(record.memberId as string), sk: record.sk as string },
        UpdateExpression: `SET ${Object.keys(set)
          .map((_, i) => `#a${i} = :a${i}`)
          .join(', ')}${removeIndex ? ' REMOVE gsi1pk, gsi1sk' : ''}`,
        ConditionExpression: '#status = :deferred AND #until = :until',
        ExpressionAttributeNames: { '#status': 'status', '#until': 'until', ...Object.fromEntries(Object.keys(set).map((name, i) => [`#a${i}`, name])) },
        ExpressionAttributeValues: {
          ':deferred': 'DEFERRED',
          ':until': record.until,
          ...Object.fromEntries(Object.values(set).map((value, i) => [`:a${i}`, value])),
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
};

/** Defers a deferred message again, to `until` (back into that day's index). */
export const deferAgain = (record: Record<string, unknown>, until: string, reason: string): Promise<boolean> =>
  claimDeferred(record, { until, reason, ...memberKeys.deferred(until, record.memberId as string, record.key as string) }, false);

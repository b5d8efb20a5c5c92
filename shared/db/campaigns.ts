/**
 * Campaigns: an offer (and perhaps a gift of points) to a segment of members
 * on their preferred channels.
 *
 * - A dry run shows, page by page, who would get it now and who would not
 *   and why; `dispatchPage` sends one page by hand. Both walk the sources
 *   one after the other with a cursor.
 * - `startCampaign` (at once, or by the scheduler at `sendAt`) fans the
 *   campaign out: one queue message per source (a parallel-scan segment of
 *   the membership, or one SKU's buyers for a product-affinity segment).
 *   A worker sends a page and queues the next page of its source, so a
 *   million members never need one run. A page is claimed once it is done,
 *   so a redelivered message adds nothing to the report; the send keys make
 *   sure a member gets a campaign once whatever is redelivered.
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { IdempotencyKeyReused, NotFound } from '../domain/errors.ts';
import { derivedId } from '../domain/ids.ts';
import { logger } from '../observability.ts';
import type { Principal } from '../domain/principal.ts';
import { type Segment, segmentMatch } from '../domain/segments.ts';
import type { Cap, Channel } from '../domain/send-gate.ts';
import { effectiveTier, type TierName } from '../domain/tiers.ts';
import { mapLimited } from '../concurrency.ts';
import { enqueue } from '../messaging/queue.ts';
import { batchGetItems } from './catalog.ts';
import { documentClient, queryAll } from './client.ts';
import { cursorScope, decodeCursor, encodeCursor, invalidCursor } from './cursor.ts';
import { assertSameRequest, requestFingerprint } from './fingerprint.ts';
import { entities, memberKeys, withoutKeys } from './keys.ts';
import { deliver, type DeliveryStatus, type OutgoingMessage, previewDelivery } from './messages.ts';
import { adjustPoints, loadProgram, membersTable } from './members.ts';
import { TransactionCancelled, transactWrite } from './transact.ts';

/** A whole number from the environment, 1 to 1000; `fallback` when unset or not a number. */
const setting = (name: string, fallback: number) => Math.min(1000, Math.max(1, Math.trunc(Number(process.env[name])) || fallback));
/** Members table items a page reads (CAMPAIGN_PAGE_SIZE; tests make it small to walk many pages). */
const pageSize = () => setting('CAMPAIGN_PAGE_SIZE', 200);
/** Members of a page sent at once. */
const pageConcurrency = 8;
/** Parallel-scan segments a whole-membership campaign is split into (each one a chain of pages). */
const scanSegments = () => setting('CAMPAIGN_SCAN_SEGMENTS', 8);
const system: Principal = { subject: 'system:campaigns', role: 'service', locations: [] };

export interface CampaignInput {
  campaignId: string;
  name: string;
  segment: Segment;
  channels: Channel[];
  headline: string;
  text: string;
  expiresAt?: string;
  /** At most this many messages are sent or deferred (exact, whatever runs at once). */
  budget?: number;
  /** At most this many messages of this campaign per member in a window. */
  cap?: Cap;
  /** When the scheduler starts it; without it, an admin starts it (or dispatches pages by hand). */
  sendAt?: string;
  /** Points every member in the segment gets once, by tier (holiday gifts), whether or not a message may reach them. */
  gift?: { pointsByTier: Partial<Record<TierName, number>>; expiryDays?: number };
}

export type CampaignStatus = 'DRAFT' | 'SCHEDULED' | 'RUNNING' | 'DONE';

export interface Campaign extends CampaignInput {
  status: CampaignStatus;
  counts: Partial<Record<DeliveryStatus | 'GIFTED', number>>;
  /** The fan-out: sources queued, sources whose last page is done. */
  fanOut?: { sources: number; finished: number; startedAt: string; queuedAt?: string; finishedAt?: string };
  createdAt: string;
  by: string;
}

export const createCampaign = async (request: CampaignInput, by: string, now = new Date().toISOString()): Promise<{ campaign: Campaign; created: boolean }> => {
  // Times with an offset become UTC: the scheduler's index and the gate compare them as text.
  const input: CampaignInput = {
    ...request,
    ...(request.sendAt ? { sendAt: new Date(request.sendAt).toISOString() } : {}),
    ...(request.expiresAt ? { expiresAt: new Date(request.expiresAt).toISOString() } : {}),
  };
  const campaign: Campaign = { ...input, status: input.sendAt ? 'SCHEDULED' : 'DRAFT', counts: {}, createdAt: now, by };
  const fingerprint = requestFingerprint(input);
  try {
    await documentClient.send(
      new PutCommand({
        TableName: membersTable(),
        Item: {
          ...memberKeys.campaign(input.campaignId),
          ...(input.sendAt ? memberKeys.campaignDue(input.sendAt, input.campaignId) : {}),
          entity: entities.campaign,
          ...campaign,
          fingerprint,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { campaign, created: true };
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    const existing = await getCampaign(input.campaignId);
    const { counts: _c, createdAt: _a, by: _b, status: _s, fanOut: _f, ...settings } = existing;
    assertSameRequest(requestFingerprint(settings), fingerprint, `Campaign ${input.campaignId}`);
    return { campaign: existing, created: false };
  }
};

export const getCampaign = async (campaignId: string): Promise<Campaign> => {
  const item = (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.campaign(campaignId), ConsistentRead: true }))).Item;
  if (!item) throw new NotFound(`Campaign ${campaignId} not found`);
  // The offer's end is named expiresAt like the table's TTL attribute, which withoutKeys hides; an ISO string is no TTL, so it is shown.
  return { ...withoutKeys<Campaign>(item, ['fingerprint', 'budgetUsed']), ...(item.expiresAt ? { expiresAt: item.expiresAt as string } : {}) };
};

const messageOf = (campaign: Campaign, profile: Record<string, unknown>, points: number): OutgoingMessage => ({
  source: `campaign-${campaign.campaignId}`,
  kind: 'marketing',
  template: 'OFFER',
  vars: { name: profile.name as string, headline: campaign.headline, text: campaign.text, ...(points > 0 ? { points } : {}) },
  channels: campaign.channels,
  campaignId: campaign.campaignId,
  ...(campaign.expiresAt ? { expiresAt: campaign.expiresAt } : {}),
  ...(campaign.cap ? { campaignCap: campaign.cap } : {}),
  ...(campaign.budget !== undefined ? { budget: campaign.budget } : {}),
});

// ---- where members come from

/** A parallel-scan segment of the membership, or the buyers of one SKU. */
export type PageSource = { scan: number; of: number } | { buyers: string };

export interface CampaignPage {
  campaignId: string;
  source: PageSource;
  cursor?: string;
  /** The budget is spent: the rest of the source gets the gift, no message. */
  giftsOnly?: boolean;
}

/** A product-affinity segment reads its SKUs' buyers, never the whole membership. */
const sourcesOf = (campaign: Campaign, parallel: number): PageSource[] =>
  campaign.segment.affinity
    ? [...new Set(campaign.segment.affinity.skus)].map((sku) => ({ buyers: sku }))
    : Array.from({ length: parallel }, (_, scan) => ({ scan, of: parallel }));

const readPage = async (source: PageSource, cursor: string | undefined): Promise<{ profiles: Record<string, unknown>[]; cursor?: string }> => {
  if ('scan' in source) {
    const output = await documentClient.send(
      new ScanCommand({
        TableName: membersTable(),
        FilterExpression: 'entity = :member',
        ExpressionAttributeValues: { ':member': entities.member },
        Limit: pageSize(),
        ...(source.of > 1 ? { Segment: source.scan, TotalSegments: source.of } : {}),
        ExclusiveStartKey: decodeCursor(cursor, { attributes: ['pk', 'sk'] }),
      }),
    );
    return { profiles: output.Items ?? [], cursor: encodeCursor(output.LastEvaluatedKey) };
  }
  const output = await documentClient.send(
    new QueryCommand({
      TableName: membersTable(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': memberKeys.buyersOf(source.buyers) },
      Limit: pageSize(),
      ExclusiveStartKey: decodeCursor(cursor, cursorScope(tables.members, undefined, memberKeys.buyersOf(source.buyers))),
    }),
  );
  const buyers = output.Items ?? [];
  const profiles = await batchGetItems(
    membersTable(),
    buyers.map((b) => memberKeys.profile(b.memberId as string)),
  );
  const boughtAt = new Map(buyers.map((b) => [b.memberId as string, b.lastBoughtAt as string]));
  return {
    profiles: profiles.map((p) => ({ ...p, lastBought: { [source.buyers]: boughtAt.get(p.memberId as string) } })),
    cursor: encodeCursor(output.LastEvaluatedKey),
  };
};

/** The cursor of the page-by-page routes: which source, and where in it. */
const walkCursor = {
  encode: (source: number, inner: string | undefined) => encodeCursor({ source, ...(inner ? { inner } : {}) })!,
  decode: (cursor: string | undefined, sources: number): { source: number; inner?: string } => {
    if (cursor === undefined) return { source: 0 };
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    const { source, inner } = (parsed ?? {}) as { source?: unknown; inner?: unknown };
    if (!Number.isInteger(source) || (source as number) < 0 || (source as number) >= sources || (inner !== undefined && typeof inner !== 'string'))
      throw invalidCursor();
    return { source: source as number, ...(inner ? { inner: inner as string } : {}) };
  },
};

/** One page of the sources walked in order, and the cursor of the next. */
const walkPage = async (campaign: Campaign, cursor: string | undefined) => {
  const sources = sourcesOf(campaign, 1);
  const at = walkCursor.decode(cursor, sources.length);
  const page = await readPage(sources[at.source]!, at.inner);
  const next = page.cursor
    ? walkCursor.encode(at.source, page.cursor)
    : at.source + 1 < sources.length
      ? walkCursor.encode(at.source + 1, undefined)
      : undefined;
  return { profiles: page.profiles, cursor: next };
};

// ---- dry run

export interface DryRunEntry {
  memberId: string;
  action: 'SEND' | 'DEFER' | 'SKIP' | 'NOT_IN_SEGMENT';
  channel?: Channel;
  reason?: string;
  until?: string;
  points?: number;
}

const giftPoints = (campaign: Campaign, profile: Record<string, unknown>, now: string): number =>
  campaign.gift?.pointsByTier[effectiveTier(profile as never, now)] ?? 0;

/** One page of the membership: what the campaign would do for each member now. Writes nothing. */
export const dryRun = async (campaignId: string, cursor?: string, now = new Date().toISOString()) => {
  const [campaign, program] = await Promise.all([getCampaign(campaignId), loadProgram()]);
  const page = await walkPage(campaign, cursor);
  const entries: DryRunEntry[] = [];
  for (const profile of page.profiles) {
    const match = segmentMatch(profile as never, campaign.segment, now, program.rollingMonths);
    if (!match.in) {
      entries.push({ memberId: profile.memberId as string, action: 'NOT_IN_SEGMENT', reason: match.because });
      continue;
    }
    const points = giftPoints(campaign, profile, now);
    const { channel, decision } = await previewDelivery(profile, messageOf(campaign, profile, points), now);
    entries.push({
      memberId: profile.memberId as string,
      action: decision.action,
      channel,
      ...(decision.action === 'SKIP' ? { reason: decision.reason } : {}),
      ...(decision.action === 'DEFER' ? { reason: decision.reason, until: decision.until } : {}),
      ...(points > 0 ? { points } : {}),
    });
  }
  const summary: Record<string, number> = {};
  for (const entry of entries) summary[entry.action] = (summary[entry.action] ?? 0) + 1;
  return { campaignId, entries, summary, ...(page.cursor ? { cursor: page.cursor } : {}) };
};

// ---- sending

type Counts = Partial<Record<DeliveryStatus | 'GIFTED', number>>;

/**
 * Gives the gift and sends to every member of the page in the segment, a
 * few at once (a run waits on SES and DynamoDB, not on CPU); messages stop
 * once the budget is spent. One member's failure is counted and logged, not
 * allowed to stop the page: the rest of the source depends on it.
 */
const sendToPage = async (campaign: Campaign, profiles: readonly Record<string, unknown>[], rollingMonths: number, now: string, giftsOnly: boolean) => {
  const counts: Counts = {};
  const count = (status: keyof Counts) => {
    counts[status] = (counts[status] ?? 0) + 1;
  };
  let budgetSpent = giftsOnly;
  const members = profiles.filter((profile) => segmentMatch(profile as never, campaign.segment, now, rollingMonths).in);
  await mapLimited(members, pageConcurrency, async (profile) => {
    const memberId = profile.memberId as string;
    try {
      const points = giftPoints(campaign, profile, now);
      if (points > 0 && (await giveGift(campaign, memberId, points, now))) count('GIFTED');
      if (budgetSpent) return;
      const delivery = await deliver(memberId, messageOf(campaign, profile, points), now);
      // A send the budget refused is recorded on the member; the report counts what went (or waits).
      if (delivery.decision?.action === 'SKIP' && delivery.decision.reason === 'BUDGET_SPENT') budgetSpent = true;
      else count(delivery.status);
    } catch (error) {
      count('FAILED');
      logger.error('Campaign send failed for a member', { campaignId: campaign.campaignId, memberId, error });
    }
  });
  return { counts, budgetSpent };
};

/** True when this call gave it. Given before with other points (the tier changed since): given, not again. */
const giveGift = async (campaign: Campaign, memberId: string, points: number, now: string): Promise<boolean> => {
  try {
    const gift = await adjustPoints(
      memberId,
      { points, reason: `Gift: ${campaign.name}`, ...(campaign.gift?.expiryDays ? { expiryDays: campaign.gift.expiryDays } : {}) },
      derivedId('campaign', campaign.campaignId),
      system,
      () => now,
    );
    return !gift.replayed;
  } catch (error) {
    if (error instanceof IdempotencyKeyReused) return false;
    throw error;
  }
};

const addCounts = (counts: Counts) => {
  const statuses = Object.keys(counts) as (keyof Counts)[];
  return {
    set: statuses.map((_, i) => `counts.#s${i} = if_not_exists(counts.#s${i}, :zero) + :n${i}`),
    names: Object.fromEntries(statuses.map((s, i) => [`#s${i}`, s])),
    values: statuses.length ? { ':zero': 0, ...Object.fromEntries(statuses.map((s, i) => [`:n${i}`, counts[s]])) } : {},
  };
};

/**
 * Sends one page by hand, walking the sources in order. A page sent twice
 * sends nothing twice (its members' send keys are taken) and says so as
 * DUPLICATE in the report.
 */
export const dispatchPage = async (campaignId: string, cursor?: string, now = new Date().toISOString()) => {
  const [campaign, program] = await Promise.all([getCampaign(campaignId), loadProgram()]);
  const page = await walkPage(campaign, cursor);
  const { counts, budgetSpent } = await sendToPage(campaign, page.profiles, program.rollingMonths, now, false);
  const update = addCounts(counts);
  if (update.set.length > 0) {
    await documentClient.send(
      new UpdateCommand({
        TableName: membersTable(),
        Key: memberKeys.campaign(campaignId),
        UpdateExpression: `SET ${update.set.join(', ')}`,
        ExpressionAttributeNames: update.names,
        ExpressionAttributeValues: update.values,
      }),
    );
  }
  return { campaignId, counts, budgetSpent, ...(page.cursor && !budgetSpent ? { cursor: page.cursor } : {}) };
};

/**
 * Fans the campaign out to the queue: one message per source. The status
 * changes first, so workers always find the fan-out to count into; the
 * queueing is marked after it, and a start that finds the campaign running
 * but not marked queues again (the page claims absorb the duplicates).
 */
export const startCampaign = async (campaignId: string, now = new Date().toISOString()): Promise<Campaign> => {
  const campaign = await getCampaign(campaignId);
  if (campaign.status === 'DONE' || campaign.fanOut?.queuedAt) return campaign;
  const sources = campaign.fanOut ? undefined : sourcesOf(campaign, scanSegments());
  if (sources) {
    const began = await updateCampaignIf(campaignId, {
      UpdateExpression: 'SET #status = :running, fanOut = :fanOut',
      ConditionExpression: 'attribute_not_exists(fanOut)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':running': 'RUNNING', ':fanOut': { sources: sources.length, finished: 0, startedAt: now } },
    });
    // Another start won: carry on from what it did.
    if (!began) return startCampaign(campaignId, now);
  }
  await enqueue(
    'campaignPages',
    (sources ?? sourcesOf(campaign, campaign.fanOut!.sources)).map((source): CampaignPage => ({ campaignId, source })),
  );
  await documentClient.send(
    new UpdateCommand({
      TableName: membersTable(),
      Key: memberKeys.campaign(campaignId),
      // Out of the scheduler's index only now: a start that failed before this is found and finished by the next run.
      UpdateExpression: 'SET fanOut.queuedAt = if_not_exists(fanOut.queuedAt, :now) REMOVE gsi1pk, gsi1sk',
      ExpressionAttributeValues: { ':now': now },
    }),
  );
  return getCampaign(campaignId);
};

const pageClaimId = (page: CampaignPage) =>
  createHash('sha256')
    .update(JSON.stringify([page.source, page.cursor ?? '']))
    .digest('base64url')
    .slice(0, 22);

/**
 * A queued page: send it, then claim the page, with its counts and the page
 * that follows, in one transaction, and only then queue that next page. A
 * worker that dies before the claim leaves the message to come again: the
 * page is read and sent again (its members' send keys and gift keys keep
 * anything from going twice) and one claim is written. A redelivered page
 * finds its claim, adds nothing, and queues the next page only if the claim
 * says it was not queued yet, so a source never forks into two chains.
 */
export const runCampaignPage = async (
  page: CampaignPage,
  now = new Date().toISOString(),
): Promise<{ counts: Counts; next?: CampaignPage; duplicate: boolean }> => {
  const claimKey = memberKeys.campaignPage(page.campaignId, pageClaimId(page));
  const claimed = (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: claimKey, ConsistentRead: true }))).Item;
  if (claimed) {
    const next = claimed.next as CampaignPage | undefined;
    if (next && !claimed.nextQueuedAt) await queueNext(claimKey, next, now);
    if (!next) await finishIfComplete(page.campaignId, now);
    return { counts: {}, duplicate: true };
  }
  const [campaign, program] = await Promise.all([getCampaign(page.campaignId), loadProgram()]);
  const read = await readPage(page.source, page.cursor);
  const { counts, budgetSpent } = await sendToPage(campaign, read.profiles, program.rollingMonths, now, page.giftsOnly === true);
  // Once the budget is spent, a campaign with a gift goes on giving it to the rest of the segment, without messages.
  const goesOn = read.cursor !== undefined && (!budgetSpent || campaign.gift !== undefined);
  const next: CampaignPage | undefined = goesOn ? { ...page, cursor: read.cursor, ...(budgetSpent || page.giftsOnly ? { giftsOnly: true } : {}) } : undefined;
  const update = addCounts(counts);
  const finishes = next === undefined;
  try {
    await transactWrite([
      {
        Put: {
          TableName: membersTable(),
          Item: { ...claimKey, entity: entities.campaignPage, ...page, counts, ...(next ? { next } : {}), at: now },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...(update.set.length > 0 || finishes
        ? [
            {
              Update: {
                TableName: membersTable(),
                Key: memberKeys.campaign(page.campaignId),
                UpdateExpression: `SET ${[...update.set, ...(finishes ? ['fanOut.finished = fanOut.finished + :one'] : [])].join(', ')}`,
                ...(Object.keys(update.names).length ? { ExpressionAttributeNames: update.names } : {}),
                ExpressionAttributeValues: { ...update.values, ...(finishes ? { ':one': 1 } : {}) },
              },
            },
          ]
        : []),
    ]);
  } catch (error) {
    // Another delivery of the same page claimed it first: it queues the next page.
    if (error instanceof TransactionCancelled && error.failedAt(0)) return { counts: {}, duplicate: true };
    throw error;
  }
  if (next) await queueNext(claimKey, next, now);
  else await finishIfComplete(page.campaignId, now);
  return { counts, ...(next ? { next } : {}), duplicate: false };
};

const queueNext = async (claimKey: { pk: string; sk: string }, next: CampaignPage, now: string) => {
  await enqueue('campaignPages', [next]);
  await documentClient.send(
    new UpdateCommand({ TableName: membersTable(), Key: claimKey, UpdateExpression: 'SET nextQueuedAt = :now', ExpressionAttributeValues: { ':now': now } }),
  );
};

const finishIfComplete = (campaignId: string, now: string) =>
  updateCampaignIf(campaignId, {
    UpdateExpression: 'SET #status = :done, fanOut.finishedAt = :now',
    ConditionExpression: '#status = :running AND fanOut.finished >= fanOut.sources',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':done': 'DONE', ':running': 'RUNNING', ':now': now },
  });

/** A conditional update of the campaign; false when the condition did not hold. */
const updateCampaignIf = async (
  campaignId: string,
  update: {
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  },
): Promise<boolean> => {
  try {
    await documentClient.send(new UpdateCommand({ TableName: membersTable(), Key: memberKeys.campaign(campaignId), ...update }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
};

/** Scheduled campaigns whose time has come (gsi1, one small partition: only campaigns waiting to start are in it). */
export const dueCampaigns = async (now: string): Promise<string[]> =>
  (
    await queryAll({
      TableName: membersTable(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :due AND gsi1sk <= :now',
      ExpressionAttributeValues: { ':due': memberKeys.campaignsDue, ':now': `${now}#~` },
    })
  ).map((i) => i.campaignId as string);

/**
 * Campaigns: an offer (and perhaps a gift of points) to a segment of members
 * on their preferred channels. This is their repository: the campaign
 * record and its report, the sources members are read from (a
 * parallel-scan segment of the membership, or one SKU's buyers for a
 * product-affinity segment) and the page claims. A page is claimed once it
 * is done, so a redelivered message adds nothing to the report; the send
 * keys make sure a member gets a campaign once whatever is redelivered.
 * The use-cases that send are in shared/app/campaigns.ts.
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { NotFound } from '../domain/errors.ts';
import { batchGetItems } from './catalog.ts';
import { documentClient, queryAll } from './client.ts';
import { cursorScope, decodeCursor, encodeCursor, invalidCursor } from './cursor.ts';
import { entities, memberKeys, withoutKeys } from './keys.ts';
import type { DeliveryStatus } from './messages.ts';
import { membersTable } from './members.ts';
import { TransactionCancelled, transactWrite } from './transact.ts';
import type { Campaign } from '../schemas/members.ts';

/** A whole number from the environment, 1 to 1000; `fallback` when unset or not a number. */
const setting = (name: string, fallback: number) => Math.min(1000, Math.max(1, Math.trunc(Number(process.env[name])) || fallback));
/** Members table items a page reads (CAMPAIGN_PAGE_SIZE; tests make it small to walk many pages). */
const pageSize = () => setting('CAMPAIGN_PAGE_SIZE', 200);
/** Parallel-scan segments a whole-membership campaign is split into (each one a chain of pages). */
export const scanSegments = () => setting('CAMPAIGN_SCAN_SEGMENTS', 8);

/** What a campaign is created with: the campaign less what sending it adds. */
export type CampaignInput = Omit<Campaign, 'status' | 'counts' | 'fanOut' | 'createdAt' | 'by'>;

export const getCampaign = async (campaignId: string): Promise<Campaign> => {
  const item = (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.campaign(campaignId), ConsistentRead: true }))).Item;
  if (!item) throw new NotFound(`Campaign ${campaignId} not found`);
  // The offer's end is named expiresAt like the table's TTL attribute, which withoutKeys hides; an ISO string is no TTL, so it is shown.
  return { ...withoutKeys<Campaign>(item, ['fingerprint', 'budgetUsed']), ...(item.expiresAt ? { expiresAt: item.expiresAt as string } : {}) };
};

// ---- where members come from

/** A parallel-scan segment of the membership, or the buyers of one SKU. */
export type PageSource = { scan: number; of: number } | { buyers: string };

export interface CampaignPage {
  campaignId: string;
  source: PageSource;
  cursor?: string;
  /** The budget is spent: the rest of the source gets the gift (if any), no message, and is counted BUDGET_REFUSED. */
  giftsOnly?: boolean;
}

/** A product-affinity segment reads its SKUs' buyers, never the whole membership. */
export const sourcesOf = (campaign: Campaign, parallel: number): PageSource[] =>
  campaign.segment.affinity
    ? [...new Set(campaign.segment.affinity.skus)].map((sku) => ({ buyers: sku }))
    : Array.from({ length: parallel }, (_, scan) => ({ scan, of: parallel }));

export const readPage = async (source: PageSource, cursor: string | undefined): Promise<{ profiles: Record<string, unknown>[]; cursor?: string }> => {
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
export const walkPage = async (campaign: Campaign, cursor: string | undefined) => {
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

// ---- sending

/**
 * A campaign's report. Per member of the segment read, one of SENT, DEFERRED,
 * SKIPPED, DUPLICATE, FAILED or BUDGET_REFUSED (no message: the budget was
 * spent), so they add up to the members reached in the segment; GIFTED
 * counts gifts beside them.
 */
export type Counts = Partial<Record<DeliveryStatus | 'GIFTED' | 'BUDGET_REFUSED', number>>;

const addCounts = (counts: Counts) => {
  const statuses = Object.keys(counts) as (keyof Counts)[];
  return {
    set: statuses.map((_, i) => `counts.#s${i} = if_not_exists(counts.#s${i}, :zero) + :n${i}`),
    names: Object.fromEntries(statuses.map((s, i) => [`#s${i}`, s])),
    values: statuses.length ? { ':zero': 0, ...Object.fromEntries(statuses.map((s, i) => [`:n${i}`, counts[s]])) } : {},
  };
};

/** Adds a hand-sent page's counts to the campaign's report. */
export const addCampaignCounts = async (campaignId: string, counts: Counts): Promise<void> => {
  const update = addCounts(counts);
  if (update.set.length === 0) return;
  await documentClient.send(
    new UpdateCommand({
      TableName: membersTable(),
      Key: memberKeys.campaign(campaignId),
      UpdateExpression: `SET ${update.set.join(', ')}`,
      ExpressionAttributeNames: update.names,
      ExpressionAttributeValues: update.values,
    }),
  );
};

/** The campaign starts running with its fan-out of `sources`; false when another start began it first. */
export const beginFanOut = (campaignId: string, sources: number, now: string): Promise<boolean> =>
  updateCampaignIf(campaignId, {
    UpdateExpression: 'SET #status = :running, fanOut = :fanOut',
    ConditionExpression: 'attribute_not_exists(fanOut)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':running': 'RUNNING', ':fanOut': { sources, finished: 0, startedAt: now } },
  });

/** Every source's first page is queued. */
export const markFanOutQueued = async (campaignId: string, now: string): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: membersTable(),
      Key: memberKeys.campaign(campaignId),
      // Out of the scheduler's index only now: a start that failed before this is found and finished by the next run.
      UpdateExpression: 'SET fanOut.queuedAt = if_not_exists(fanOut.queuedAt, :now) REMOVE gsi1pk, gsi1sk',
      ExpressionAttributeValues: { ':now': now },
    }),
  );
};

const pageClaimId = (page: CampaignPage) =>
  createHash('sha256')
    .update(JSON.stringify([page.source, page.cursor ?? '']))
    .digest('base64url')
    .slice(0, 22);

export const finishIfComplete = (campaignId: string, now: string) =>
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

const pageClaimKey = (page: CampaignPage) => memberKeys.campaignPage(page.campaignId, pageClaimId(page));

/** The claim of a page already done, if any: the page that follows it and whether that was queued. */
export const readPageClaim = async (page: CampaignPage): Promise<{ next?: CampaignPage; nextQueuedAt?: string } | undefined> =>
  (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: pageClaimKey(page), ConsistentRead: true }))).Item as
    | { next?: CampaignPage; nextQueuedAt?: string }
    | undefined;

/**
 * Claims a page as done, with its counts and the page that follows, adding
 * the counts (and, for a source's last page, the finished source) to the
 * campaign in the same transaction. False when another delivery of the same
 * page claimed it first.
 */
export const claimCampaignPage = async (page: CampaignPage, counts: Counts, next: CampaignPage | undefined, now: string): Promise<boolean> => {
  const update = addCounts(counts);
  const finishes = next === undefined;
  try {
    await transactWrite([
      {
        Put: {
          TableName: membersTable(),
          Item: { ...pageClaimKey(page), entity: entities.campaignPage, ...page, counts, ...(next ? { next } : {}), at: now },
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
    return true;
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedAt(0)) return false;
    throw error;
  }
};

/** The page's next page is queued. */
export const markNextQueued = async (page: CampaignPage, now: string): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: membersTable(),
      Key: pageClaimKey(page),
      UpdateExpression: 'SET nextQueuedAt = :now',
      ExpressionAttributeValues: { ':now': now },
    }),
  );
};

/** Writes a new campaign; false when its id is taken. */
export const insertCampaign = async (campaign: Campaign, fingerprint: string): Promise<boolean> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: membersTable(),
        Item: {
          ...memberKeys.campaign(campaign.campaignId),
          ...(campaign.sendAt ? memberKeys.campaignDue(campaign.sendAt, campaign.campaignId) : {}),
          entity: entities.campaign,
          ...campaign,
          fingerprint,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
};

/**
 * Campaigns: an offer to a segment of members on their preferred channels.
 * A dry run shows, page by page, who would get it now and who would not and
 * why; a dispatch sends a page through the same gate with the campaign as
 * the send source, so dispatching a page twice sends nothing twice, and the
 * campaign keeps the tally. Pages of the member table are read with a
 * filtered Scan: a campaign is the one place the whole membership is the
 * question (for a million members the pages should be fanned out to a
 * queue of workers; each page is independent).
 */
import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExists, NotFound } from '../domain/errors.ts';
import { type Segment, segmentMatch } from '../domain/segments.ts';
import type { Cap, Channel } from '../domain/send-gate.ts';
import { documentClient } from './client.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { requestFingerprint } from './fingerprint.ts';
import { entities, memberKeys, withoutKeys } from './keys.ts';
import { deliver, type DeliveryStatus, type OutgoingMessage, previewDelivery } from './messages.ts';
import { loadProgram, membersTable } from './members.ts';

const pageSize = 200;

export interface CampaignInput {
  campaignId: string;
  name: string;
  segment: Segment;
  channels: Channel[];
  headline: string;
  text: string;
  expiresAt?: string;
  /** At most this many messages are sent. */
  budget?: number;
  /** At most this many messages of this campaign per member in a window. */
  cap?: Cap;
}

export interface Campaign extends CampaignInput {
  counts: Partial<Record<DeliveryStatus, number>>;
  createdAt: string;
  by: string;
}

export const createCampaign = async (input: CampaignInput, by: string, now = new Date().toISOString()): Promise<{ campaign: Campaign; created: boolean }> => {
  const campaign: Campaign = { ...input, counts: {}, createdAt: now, by };
  const fingerprint = requestFingerprint(input);
  try {
    await documentClient.send(new PutCommand({ TableName: membersTable(), Item: { ...memberKeys.campaign(input.campaignId), entity: entities.campaign, ...campaign, fingerprint }, ConditionExpression: 'attribute_not_exists(pk)' }));
    return { campaign, created: true };
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    const existing = await getCampaign(input.campaignId);
    if (requestFingerprint({ ...existing, counts: undefined, createdAt: undefined, by: undefined }) !== fingerprint) throw new AlreadyExists(`Campaign ${input.campaignId} exists with other settings`);
    return { campaign: existing, created: false };
  }
};

export const getCampaign = async (campaignId: string): Promise<Campaign> => {
  const item = (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.campaign(campaignId), ConsistentRead: true }))).Item;
  if (!item) throw new NotFound(`Campaign ${campaignId} not found`);
  return withoutKeys<Campaign>(item, ['fingerprint']);
};

const messageOf = (campaign: Campaign, profile: Record<string, unknown>): OutgoingMessage => ({
  source: `campaign-${campaign.campaignId}`,
  kind: 'marketing',
  template: 'OFFER',
  vars: { name: profile.name as string, headline: campaign.headline, text: campaign.text },
  channels: campaign.channels,
  campaignId: campaign.campaignId,
  ...(campaign.expiresAt ? { expiresAt: campaign.expiresAt } : {}),
  ...(campaign.cap ? { campaignCap: campaign.cap } : {}),
});

const memberPage = async (cursor: string | undefined) => {
  const output = await documentClient.send(
    new ScanCommand({
      TableName: membersTable(),
      FilterExpression: 'entity = :member',
      ExpressionAttributeValues: { ':member': entities.member },
      Limit: pageSize,
      ExclusiveStartKey: decodeCursor(cursor, { attributes: ['pk', 'sk'] }),
    }),
  );
  return { profiles: output.Items ?? [], cursor: encodeCursor(output.LastEvaluatedKey) };
};

export interface DryRunEntry {
  memberId: string;
  action: 'SEND' | 'DEFER' | 'SKIP' | 'NOT_IN_SEGMENT';
  channel?: Channel;
  reason?: string;
  until?: string;
}

/** One page of the membership: what the campaign would do for each member now. Writes nothing. */
export const dryRun = async (campaignId: string, cursor?: string, now = new Date().toISOString()) => {
  const [campaign, program] = await Promise.all([getCampaign(campaignId), loadProgram()]);
  const page = await memberPage(cursor);
  const entries: DryRunEntry[] = [];
  for (const profile of page.profiles) {
    const match = segmentMatch(profile as never, campaign.segment, now, program.rollingMonths);
    if (!match.in) {
      entries.push({ memberId: profile.memberId as string, action: 'NOT_IN_SEGMENT', reason: match.because });
      continue;
    }
    const { channel, decision } = await previewDelivery(profile, messageOf(campaign, profile), now);
    entries.push({
      memberId: profile.memberId as string,
      action: decision.action,
      channel,
      ...(decision.action === 'SKIP' ? { reason: decision.reason } : {}),
      ...(decision.action === 'DEFER' ? { reason: decision.reason, until: decision.until } : {}),
    });
  }
  const summary = entries.reduce<Record<string, number>>((acc, e) => ({ ...acc, [e.action]: (acc[e.action] ?? 0) + 1 }), {});
  return { campaignId, entries, summary, ...(page.cursor ? { cursor: page.cursor } : {}) };
};

/**
 * Sends one page. The campaign's budget is checked before each send (a
 * message over budget is not sent and the page stops); the tally on the
 * campaign is the report.
 */
export const dispatchPage = async (campaignId: string, cursor?: string, now = new Date().toISOString()) => {
  const [campaign, program] = await Promise.all([getCampaign(campaignId), loadProgram()]);
  const page = await memberPage(cursor);
  const counts: Partial<Record<DeliveryStatus, number>> = {};
  let budgetLeft = campaign.budget === undefined ? Number.POSITIVE_INFINITY : campaign.budget - (campaign.counts.SENT ?? 0);
  for (const profile of page.profiles) {
    if (budgetLeft <= 0) break;
    if (!segmentMatch(profile as never, campaign.segment, now, program.rollingMonths).in) continue;
    const delivery = await deliver(profile.memberId as string, messageOf(campaign, profile), now);
    counts[delivery.status] = (counts[delivery.status] ?? 0) + 1;
    if (delivery.status === 'SENT') budgetLeft--;
  }
  const statuses = Object.keys(counts) as DeliveryStatus[];
  if (statuses.length > 0) {
    await documentClient.send(
      new UpdateCommand({
        TableName: membersTable(),
        Key: memberKeys.campaign(campaignId),
        UpdateExpression: `SET ${statuses.map((s, i) => `counts.#s${i} = if_not_exists(counts.#s${i}, :zero) + :n${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(statuses.map((s, i) => [`#s${i}`, s])),
        ExpressionAttributeValues: { ':zero': 0, ...Object.fromEntries(statuses.map((s, i) => [`:n${i}`, counts[s]])) },
      }),
    );
  }
  return { campaignId, counts, budgetSpent: budgetLeft <= 0, ...(page.cursor && budgetLeft > 0 ? { cursor: page.cursor } : {}) };
};

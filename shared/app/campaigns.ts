/**
 * Campaigns as use-cases (see shared/db/campaigns.ts for the records, the
 * sources and the page claims):
 *
 * - A dry run shows, page by page, who would get it now and who would not
 *   and why; `dispatchPage` sends one page by hand. Both walk the sources
 *   one after the other with a cursor.
 * - `startCampaign` (at once, or by the scheduler at `sendAt`) fans the
 *   campaign out: one queue message per source. A worker sends a page and
 *   queues the next page of its source (`runCampaignPage`), so a million
 *   members never need one run.
 */
import { IdempotencyKeyReused } from '../domain/errors.ts';
import { derivedId } from '../domain/ids.ts';
import type { Principal } from '../domain/principal.ts';
import { segmentMatch } from '../domain/segments.ts';
import { effectiveTier } from '../domain/tiers.ts';
import { mapLimited } from '../concurrency.ts';
import { enqueue } from '../messaging/queue.ts';
import { logger } from '../observability.ts';
import {
  addCampaignCounts,
  beginFanOut,
  type CampaignInput,
  type CampaignPage,
  claimCampaignPage,
  type Counts,
  finishIfComplete,
  getCampaign,
  insertCampaign,
  markFanOutQueued,
  markNextQueued,
  readPage,
  readPageClaim,
  scanSegments,
  sourcesOf,
  walkPage,
} from '../db/campaigns.ts';
import { assertSameRequest, requestFingerprint } from '../db/fingerprint.ts';
import { loadProgram } from '../db/members.ts';
import type { OutgoingMessage } from '../db/messages.ts';
import { adjustPoints } from './points.ts';
import { deliver, previewDelivery } from './messages.ts';
import type { Campaign, DryRunEntry } from '../schemas/members.ts';
import { nowIso } from '../clock.ts';

/** Members of a page sent at once. */
const pageConcurrency = 8;
const system: Principal = { subject: 'system:campaigns', role: 'service', locations: [] };

// Reading a campaign (and the scheduler's list of due ones) needs no orchestration: the repository's reads are the use-cases.
export { dueCampaigns, getCampaign } from '../db/campaigns.ts';

export const createCampaign = async (request: CampaignInput, by: string, now = nowIso()): Promise<{ campaign: Campaign; created: boolean }> => {
  // Times with an offset become UTC: the scheduler's index and the gate compare them as text.
  const input: CampaignInput = {
    ...request,
    ...(request.sendAt ? { sendAt: new Date(request.sendAt).toISOString() } : {}),
    ...(request.expiresAt ? { expiresAt: new Date(request.expiresAt).toISOString() } : {}),
  };
  const campaign: Campaign = { ...input, status: input.sendAt ? 'SCHEDULED' : 'DRAFT', counts: {}, createdAt: now, by };
  const fingerprint = requestFingerprint(input);
  if (await insertCampaign(campaign, fingerprint)) return { campaign, created: true };
  const existing = await getCampaign(input.campaignId);
  const { counts: _c, createdAt: _a, by: _b, status: _s, fanOut: _f, ...settings } = existing;
  assertSameRequest(requestFingerprint(settings), fingerprint, `Campaign ${input.campaignId}`);
  return { campaign: existing, created: false };
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

const giftPoints = (campaign: Campaign, profile: Record<string, unknown>, now: string): number =>
  campaign.gift?.pointsByTier[effectiveTier(profile as never, now)] ?? 0;

/** One page of the membership: what the campaign would do for each member now. Writes nothing. */
export const dryRun = async (campaignId: string, cursor?: string, now = nowIso()) => {
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

/**
 * Gives the gift and sends to every member of the page in the segment, a
 * few at once (a run waits on SES and DynamoDB, not on CPU); messages stop
 * once the budget is spent, and every member of the segment left without one
 * by it is counted BUDGET_REFUSED, so the report adds up to the segment. One
 * member's failure is counted and logged, not allowed to stop the page: the
 * rest of the source depends on it.
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
      if (budgetSpent) {
        count('BUDGET_REFUSED');
        return;
      }
      const delivery = await deliver(memberId, messageOf(campaign, profile, points), now);
      // A send the budget refused is recorded on the member (SKIPPED BUDGET_SPENT) and counted as refused by the budget.
      if (delivery.decision?.action === 'SKIP' && delivery.decision.reason === 'BUDGET_SPENT') {
        budgetSpent = true;
        count('BUDGET_REFUSED');
      } else count(delivery.status);
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
      now,
    );
    return !gift.replayed;
  } catch (error) {
    if (error instanceof IdempotencyKeyReused) return false;
    throw error;
  }
};

/**
 * Sends one page by hand, walking the sources in order. A page sent twice
 * sends nothing twice (its members' send keys are taken) and says so as
 * DUPLICATE in the report.
 */
export const dispatchPage = async (campaignId: string, cursor?: string, now = nowIso()) => {
  const [campaign, program] = await Promise.all([getCampaign(campaignId), loadProgram()]);
  const page = await walkPage(campaign, cursor);
  const { counts, budgetSpent } = await sendToPage(campaign, page.profiles, program.rollingMonths, now, false);
  await addCampaignCounts(campaignId, counts);
  return { campaignId, counts, budgetSpent, ...(page.cursor && !budgetSpent ? { cursor: page.cursor } : {}) };
};

/**
 * Fans the campaign out to the queue: one message per source. The status
 * changes first, so workers always find the fan-out to count into; the
 * queueing is marked after it, and a start that finds the campaign running
 * but not marked queues again (the page claims absorb the duplicates).
 */
export const startCampaign = async (campaignId: string, now = nowIso()): Promise<Campaign> => {
  const campaign = await getCampaign(campaignId);
  if (campaign.status === 'DONE' || campaign.fanOut?.queuedAt) return campaign;
  const sources = campaign.fanOut ? undefined : sourcesOf(campaign, scanSegments());
  if (sources) {
    const began = await beginFanOut(campaignId, sources.length, now);
    // Another start won: carry on from what it did.
    if (!began) return startCampaign(campaignId, now);
  }
  await enqueue(
    'campaignPages',
    (sources ?? sourcesOf(campaign, campaign.fanOut!.sources)).map((source): CampaignPage => ({ campaignId, source })),
  );
  await markFanOutQueued(campaignId, now);
  return getCampaign(campaignId);
};

/**
 * A queued page: send it, then claim the page, with its counts and the page
 * that follows, in one transaction, and only then queue that next page. A
 * worker that dies before the claim leaves the message to come again: the
 * page is read and sent again (its members' send keys and gift keys keep
 * anything from going twice) and one claim is written. A redelivered page
 * finds its claim, adds nothing, and queues the next page only if the claim
 * says it was not queued yet, so a source never forks into two chains.
 */
export const runCampaignPage = async (page: CampaignPage, now = nowIso()): Promise<{ counts: Counts; next?: CampaignPage; duplicate: boolean }> => {
  const claimed = await readPageClaim(page);
  if (claimed) {
    const next = claimed.next;
    if (next && !claimed.nextQueuedAt) await queueNext(page, next, now);
    if (!next) await finishIfComplete(page.campaignId, now);
    return { counts: {}, duplicate: true };
  }
  const [campaign, program] = await Promise.all([getCampaign(page.campaignId), loadProgram()]);
  const read = await readPage(page.source, page.cursor);
  const { counts, budgetSpent } = await sendToPage(campaign, read.profiles, program.rollingMonths, now, page.giftsOnly === true);
  // Once the budget is spent, the source goes on without messages: giving the gift (if any) and counting who the budget refused.
  const goesOn = read.cursor !== undefined;
  const next: CampaignPage | undefined = goesOn ? { ...page, cursor: read.cursor, ...(budgetSpent || page.giftsOnly ? { giftsOnly: true } : {}) } : undefined;
  // Another delivery of the same page claimed it first: it queues the next page.
  if (!(await claimCampaignPage(page, counts, next, now))) return { counts: {}, duplicate: true };
  if (next) await queueNext(page, next, now);
  else await finishIfComplete(page.campaignId, now);
  return { counts, ...(next ? { next } : {}), duplicate: false };
};

const queueNext = async (page: CampaignPage, next: CampaignPage, now: string) => {
  await enqueue('campaignPages', [next]);
  await markNextQueued(page, now);
};

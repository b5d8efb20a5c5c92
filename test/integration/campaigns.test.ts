import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birthdayPage } from '../../shared/app/birthdays.ts';
import { holidayOffers } from '../../functions/jobs/holiday-offers.ts';
import { overstockPromotions } from '../../functions/jobs/overstock-promotions.ts';
import { startCampaigns } from '../../functions/jobs/start-campaigns.ts';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { lambdaContext } from '../../infra/local/gateway.ts';
import { type LocalQueues, startLocalQueues } from '../../infra/local/sqs.ts';
import { drainPartition } from '../../shared/batches.ts';
import { getCampaign, runCampaignPage } from '../../shared/app/campaigns.ts';
import { documentClient } from '../../shared/db/client.ts';
import { entities, memberKeys } from '../../shared/db/keys.ts';
import { adjustPoints } from '../../shared/app/points.ts';
import { loadProgram, membersTable, saveProgram } from '../../shared/db/members.ts';
import { recordDemand } from '../../shared/db/replenishment.ts';
import { derivedId } from '../../shared/domain/ids.ts';
import { outbox } from '../../shared/messaging/outbox.ts';
import { enqueue } from '../../shared/messaging/queue.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
let queues: LocalQueues;
const failures = new FailureLog();
const env: Record<string, string | undefined> = {};

/** A time zone where it is daytime now, so the gate lets marketing through whenever the test runs. */
const daytimeZone = (): string => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney', 'Pacific/Auckland'];
  const hourIn = (zone: string) => Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: '2-digit' }).format(new Date()));
  return zones.find((zone) => hourIn(zone) >= 9 && hourIn(zone) < 19)!;
};

/** Members in a group of their own (a tag), so campaigns to the group touch no other test's members. */
const group = async (size: number, tag: string, extra: Record<string, unknown> = {}) => {
  const timeZone = daytimeZone();
  return Promise.all(
    Array.from({ length: size }, async () => {
      const registered = await api.call('POST', '/members', {
        token: admin,
        headers: { 'idempotency-key': uniqueId('reg') },
        body: { name: 'Group Member', email: `${uniqueId(tag)}@example.com`, timeZone, consent: { email: true }, ...extra },
      });
      expect(registered.status).toBe(201);
      const tagged = await api.call('PUT', `/members/${registered.body.memberId}/tags`, { token: admin, body: { tags: [tag, 'campaign-test'] } });
      expect(tagged.status).toBe(200);
      expect(tagged.body.tags).toEqual([tag, 'campaign-test'].sort());
      return tagged.body as { memberId: string; email: string };
    }),
  );
};

const createCampaign = async (body: Record<string, unknown>) => {
  const answer = await api.call('POST', '/campaigns', {
    token: admin,
    body: { campaignId: uniqueId('cmp'), channels: ['email'], headline: 'Group offer', text: 'just for you.', ...body },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { campaignId: string; status: string };
};

const failuresOf = (campaignId: string) => failures.list('queue').filter((f) => (f.payload as { campaignId?: string }).campaignId === campaignId);

const pointsOf = async (memberId: string) => (await api.call('GET', `/members/${memberId}`, { token: admin })).body.points.available as number;

beforeAll(async () => {
  for (const key of [
    'MESSAGES_TRANSPORT',
    'AWS_ENDPOINT_URL_SQS',
    'CAMPAIGN_PAGES_QUEUE_URL',
    'MEMBER_BATCHES_QUEUE_URL',
    'CAMPAIGN_SCAN_SEGMENTS',
    'CAMPAIGN_PAGE_SIZE',
  ])
    env[key] = process.env[key];
  process.env.MESSAGES_TRANSPORT = 'outbox';
  // Small pages, so every campaign here walks chains of pages as a large membership would.
  process.env.CAMPAIGN_SCAN_SEGMENTS = '4';
  process.env.CAMPAIGN_PAGE_SIZE = '40';
  queues = await startLocalQueues({ failures, region: 'eu-west-1' });
  Object.assign(process.env, { AWS_ENDPOINT_URL_SQS: queues.url, ...queues.env });
  api = await startApi();
  admin = await token({ role: 'admin' });
});

afterAll(async () => {
  await queues.close();
  await api.close();
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('a campaign fanned out through the queue', () => {
  it('reaches every member of the segment once, gives the gift once, and finishes with a report', async () => {
    const tag = uniqueId('fan').toLowerCase();
    const members = await group(12, tag);
    const { campaignId } = await createCampaign({ name: 'Fan-out', segment: { tags: [tag] }, gift: { pointsByTier: { REGULAR: 25 } } });

    const started = await api.call('POST', `/campaigns/${campaignId}/start`, { token: admin });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'RUNNING', fanOut: { sources: 4, finished: 0 } });
    // Starting again starts nothing new.
    expect((await api.call('POST', `/campaigns/${campaignId}/start`, { token: admin })).status).toBe(202);
    await queues.idle();

    for (const member of members) {
      expect(outbox.list(member.email)).toEqual([
        expect.objectContaining({ subject: 'Group offer', body: expect.stringContaining('We have added 25 points') }),
      ]);
      expect(await pointsOf(member.memberId)).toBe(500 + 25);
    }
    const report = await getCampaign(campaignId);
    expect(report.status).toBe('DONE');
    expect(report.fanOut).toMatchObject({ sources: 4, finished: 4, finishedAt: expect.any(String) });
    expect(report.counts).toEqual({ SENT: 12, GIFTED: 12 });
    expect(failuresOf(campaignId)).toEqual([]);
  });

  it('adds nothing for a redelivered page and sends nothing twice', async () => {
    const tag = uniqueId('redo').toLowerCase();
    const [member] = await group(1, tag);
    const { campaignId } = await createCampaign({ name: 'Redelivery', segment: { tags: [tag] } });
    await api.call('POST', `/campaigns/${campaignId}/start`, { token: admin });
    await queues.idle();
    const before = await getCampaign(campaignId);
    expect(before).toMatchObject({ status: 'DONE', counts: { SENT: 1 } });
    // The first page of a scan segment, exactly as the start queued it, comes again.
    const page = { campaignId, source: { scan: 0, of: 4 } };
    expect(await runCampaignPage(page)).toEqual({ counts: {}, duplicate: true });
    expect(await getCampaign(campaignId)).toEqual(before);
    expect(outbox.list(member!.email)).toHaveLength(1);
  });

  it('spends an exact budget however many workers send at once', async () => {
    const tag = uniqueId('budget').toLowerCase();
    const members = await group(10, tag);
    const { campaignId } = await createCampaign({ name: 'Budget', segment: { tags: [tag] }, budget: 3 });
    await api.call('POST', `/campaigns/${campaignId}/start`, { token: admin });
    await queues.idle();
    const reached = members.filter((m) => outbox.list(m.email).length > 0);
    expect(reached).toHaveLength(3);
    const report = await getCampaign(campaignId);
    expect(report.counts).toEqual({ SENT: 3, BUDGET_REFUSED: 7 });
    expect(report.status).toBe('DONE');
  });

  it('counts the members the budget refused, so the report adds up to the segment', async () => {
    const tag = uniqueId('refused').toLowerCase();
    const members = await group(5, tag);
    const { campaignId } = await createCampaign({ name: 'Budget for four', segment: { tags: [tag] }, budget: 4 });
    await api.call('POST', `/campaigns/${campaignId}/start`, { token: admin });
    await queues.idle();
    expect(members.filter((m) => outbox.list(m.email).length > 0)).toHaveLength(4);
    const report = await api.call('GET', `/campaigns/${campaignId}`, { token: admin });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ status: 'DONE', counts: { SENT: 4, BUDGET_REFUSED: 1 } });
    expect(Object.values(report.body.counts as Record<string, number>).reduce((sum, n) => sum + n, 0)).toBe(5);
    expect(failuresOf(campaignId)).toEqual([]);
  });

  it('with a budget and a gift, messages stop at the budget and the gift reaches every member', async () => {
    const tag = uniqueId('bgift').toLowerCase();
    const members = await group(8, tag);
    const { campaignId } = await createCampaign({ name: 'Budget and gift', segment: { tags: [tag] }, budget: 2, gift: { pointsByTier: { REGULAR: 15 } } });
    // Pages of 3 items: the budget is spent while the sources have pages to go, which then carry gifts only.
    process.env.CAMPAIGN_PAGE_SIZE = '3';
    try {
      await api.call('POST', `/campaigns/${campaignId}/start`, { token: admin });
      await queues.idle();
    } finally {
      process.env.CAMPAIGN_PAGE_SIZE = '40';
    }
    expect(members.filter((m) => outbox.list(m.email).length > 0)).toHaveLength(2);
    for (const member of members) expect(await pointsOf(member.memberId)).toBe(515);
    expect(await getCampaign(campaignId)).toMatchObject({ status: 'DONE', counts: { SENT: 2, BUDGET_REFUSED: 6, GIFTED: 8 } });
  });

  it('counts a gift given before with other points (the tier changed) as given, and still sends', async () => {
    const tag = uniqueId('regift').toLowerCase();
    const [member] = await group(1, tag);
    const campaignId = uniqueId('cmp');
    // The same gift key with other points, as when a page comes again after the member's tier changed.
    await adjustPoints(member!.memberId, { points: 99, reason: 'Gift: earlier' }, derivedId('campaign', campaignId), {
      subject: 'test',
      role: 'service',
      locations: [],
    });
    await createCampaign({ campaignId, name: 'Regift', segment: { tags: [tag] }, gift: { pointsByTier: { REGULAR: 15 } } });
    await api.call('POST', `/campaigns/${campaignId}/start`, { token: admin });
    await queues.idle();
    expect(await pointsOf(member!.memberId)).toBe(599);
    expect(outbox.list(member!.email)).toHaveLength(1);
    expect(await getCampaign(campaignId)).toMatchObject({ status: 'DONE', counts: { SENT: 1 } });
    expect(failuresOf(campaignId)).toEqual([]);
  });

  it('finishes the campaign when the last page comes again after the worker died before finishing it', async () => {
    const tag = uniqueId('fin').toLowerCase();
    await group(1, tag);
    const { campaignId } = await createCampaign({ name: 'Finish', segment: { affinity: { skus: [uniqueId('NOBODY')] } } });
    await api.call('POST', `/campaigns/${campaignId}/start`, { token: admin });
    await queues.idle();
    const done = await getCampaign(campaignId);
    expect(done).toMatchObject({ status: 'DONE', fanOut: { sources: 1, finished: 1 } });
    // As if the worker had died between its claim and the finishing update.
    await documentClient.send(
      new UpdateCommand({
        TableName: membersTable(),
        Key: memberKeys.campaign(campaignId),
        UpdateExpression: 'SET #s = :running REMOVE fanOut.finishedAt',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':running': 'RUNNING' },
      }),
    );
    expect(await runCampaignPage({ campaignId, source: { buyers: done.segment.affinity!.skus[0]! } })).toEqual({ counts: {}, duplicate: true });
    expect(await getCampaign(campaignId)).toMatchObject({ status: 'DONE', counts: {} });
  });

  it('reads only the buyers of the SKUs for a product-affinity segment, within the window', async () => {
    const tag = uniqueId('aff').toLowerCase();
    const [recent, lapsed, never] = await group(3, tag);
    const sku = uniqueId('AFF-SKU');
    const bought = async (memberId: string, daysAgo: number) => {
      const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
      await documentClient.send(
        new PutCommand({
          TableName: membersTable(),
          Item: { ...memberKeys.buyer(sku, memberId), entity: entities.buyer, memberId, sku, units: 1, firstBoughtAt: at, lastBoughtAt: at },
        }),
      );
    };
    await bought(recent!.memberId, 5);
    await bought(lapsed!.memberId, 100);
    const { campaignId } = await createCampaign({ name: 'Affinity', segment: { affinity: { skus: [sku], withinDays: 30 } } });

    const dry = await api.call('POST', `/campaigns/${campaignId}/dry-run`, { token: admin });
    expect(dry.status).toBe(200);
    expect(dry.body.entries).toEqual(
      expect.arrayContaining([
        { memberId: recent!.memberId, action: 'SEND', channel: 'email' },
        { memberId: lapsed!.memberId, action: 'NOT_IN_SEGMENT', reason: 'no affinity' },
      ]),
    );
    // Only the SKU's buyers were read: the member who never bought it is not even looked at.
    expect(dry.body.entries).toHaveLength(2);

    const started = await api.call('POST', `/campaigns/${campaignId}/start`, { token: admin });
    expect(started.body.fanOut).toMatchObject({ sources: 1 });
    await queues.idle();
    expect(outbox.list(recent!.email)).toHaveLength(1);
    expect(outbox.list(lapsed!.email)).toEqual([]);
    expect(outbox.list(never!.email)).toEqual([]);
    expect((await getCampaign(campaignId)).counts).toEqual({ SENT: 1 });
  });

  it('starts a scheduled campaign when its time has come, and not before', async () => {
    const tag = uniqueId('sched').toLowerCase();
    const [member] = await group(1, tag);
    // An offset is a time like any other: stored in UTC, so the scheduler compares like with like.
    const offsetSendAt = new Date(Date.now() - 60_000 + 9 * 3_600_000).toISOString().replace('Z', '+09:00');
    const due = await createCampaign({ name: 'Due', segment: { tags: [tag] }, sendAt: offsetSendAt });
    expect((due as { sendAt?: string }).sendAt).toBe(new Date(Date.parse(offsetSendAt)).toISOString());
    const later = await createCampaign({ name: 'Later', segment: { tags: [tag] }, sendAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(due.status).toBe('SCHEDULED');

    const run = await startCampaigns({} as ScheduledEvent, lambdaContext('startCampaigns'));
    expect(run.started).toContain(due.campaignId);
    expect(run.started).not.toContain(later.campaignId);
    await queues.idle();
    expect((await getCampaign(due.campaignId)).status).toBe('DONE');
    expect((await getCampaign(later.campaignId)).status).toBe('SCHEDULED');
    expect(outbox.list(member!.email)).toEqual([expect.objectContaining({ subject: 'Group offer' })]);
    // A second run finds nothing due any more.
    expect((await startCampaigns({} as ScheduledEvent, lambdaContext('startCampaigns'))).started).not.toContain(due.campaignId);
  });
});

describe('the local queue', () => {
  it('receives a message that fails again, up to maxReceiveCount, then keeps it as a failure (the dead-letter queue)', async () => {
    const poison = { campaignId: 'not a valid id!', source: { scan: 0, of: 1 } };
    await enqueue('campaignPages', [poison]);
    await queues.idle();
    expect(failuresOf(poison.campaignId)).toEqual([expect.objectContaining({ name: 'campaignPages', payload: poison })]);
  });
});

describe('a daily member job that does not fit one run', () => {
  it('hands the rest of its partition to the memberBatches queue, which finishes it: every member once', async () => {
    // A birthday partition of its own: a day no other test registers birthdays on (the extremes sweep takes 12-31).
    const mmdd = `${['01', '03', '05', '07', '08', '10'][Math.floor(Math.random() * 6)]}-31`;
    // Noon UTC on that day next year: the members' own date (UTC), daytime, and the gift's lot not yet expired when read.
    const runAt = `${new Date().getUTCFullYear() + 1}-${mmdd}T12:00:00.000Z`;
    const timeZone = 'UTC';
    const members = await Promise.all(
      Array.from({ length: 130 }, async (_, i) => {
        const answer = await api.call('POST', '/members', {
          token: admin,
          headers: { 'idempotency-key': uniqueId('bd') },
          body: { name: `Born ${i}`, email: `${uniqueId('born')}@example.com`, birthday: `1961-${mmdd}`, timeZone, consent: { email: true } },
        });
        expect(answer.status).toBe(201);
        return answer.body as { memberId: string; email: string };
      }),
    );
    // Time for one page only: the run does one page (100 members) and queues the rest.
    let asked = 0;
    const first = await drainPartition({ job: 'birthdayGifts', partition: mmdd, runAt }, birthdayPage, () => (asked++ === 0 ? 60_000 : 0), 1);
    expect(first.handedOff).toBe(true);
    expect(first.counts.members).toBe(100);
    await queues.idle();
    for (const member of members) {
      expect(outbox.list(member.email)).toEqual([expect.objectContaining({ subject: expect.stringMatching(/^Happy birthday/) })]);
      expect(await pointsOf(member.memberId)).toBe(600);
    }
    // The whole partition again: nothing new for anyone.
    const again = await drainPartition({ job: 'birthdayGifts', partition: mmdd, runAt }, birthdayPage, () => 60_000, 1);
    expect(again).toMatchObject({ handedOff: false, counts: { members: 130, points: 0, DUPLICATE: 130 } });
    expect(failures.list('queue').filter((f) => f.name === 'memberBatches')).toEqual([]);
  });
});

describe('the holiday job', () => {
  it("sends today's holiday to its segment with the tier gift, once however often it runs", async () => {
    const tag = uniqueId('hol').toLowerCase();
    const members = await group(3, tag);
    const holidayId = tag.slice(0, 40);
    for (let attempt = 0; ; attempt++) {
      const program = await loadProgram(true);
      const { version, ...rest } = program;
      const holiday = {
        holidayId,
        name: 'Test day',
        date: new Date().toISOString().slice(5, 10),
        headline: 'Happy test day',
        text: 'enjoy it.',
        pointsByTier: { REGULAR: 40 },
        segment: { tags: [tag] },
      };
      try {
        await saveProgram({ ...rest, holidays: [...(rest.holidays ?? []), holiday] }, version, { subject: 'test', role: 'admin', locations: [] });
        break;
      } catch (error) {
        if (attempt > 5) throw error;
      }
    }
    const first = await holidayOffers({} as ScheduledEvent, lambdaContext('holidayOffers'));
    const campaignId = derivedId('holiday', holidayId, new Date().toISOString().slice(0, 4));
    expect(first.started).toContain(campaignId);
    await holidayOffers({} as ScheduledEvent, lambdaContext('holidayOffers'));
    await queues.idle();
    for (const member of members) {
      expect(outbox.list(member.email)).toEqual([expect.objectContaining({ subject: 'Happy test day' })]);
      expect(await pointsOf(member.memberId)).toBe(540);
    }
    expect((await getCampaign(campaignId)).counts).toEqual({ SENT: 3, GIFTED: 3 });
  });
});

describe('overstock promotions', () => {
  it('offers a SKU with too many days of cover to the members who bought it, and leaves a selling SKU alone', async () => {
    const store = uniqueId('OS');
    expect(
      (await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: 'Overstock store', type: 'STORE', timeZone: 'UTC' } })).status,
    ).toBe(201);
    const [slow, selling] = [uniqueId('SLOW'), uniqueId('SELL')];
    for (const sku of [slow, selling]) {
      expect(
        (await api.call('POST', '/products', { token: admin, body: { sku, name: `Product ${sku}`, unitCost: 500, price: 1000, currency: 'EUR' } })).status,
      ).toBe(201);
      const receipt = await api.call('POST', '/movements', {
        token: admin,
        body: { movementId: uniqueId('rcv'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 100 }] },
      });
      expect(receipt.status).toBe(201);
    }
    // SELL sells 5 a day: 100 units are 20 days of cover. SLOW sells nothing.
    for (let day = 1; day <= 55; day++) {
      await recordDemand({
        sku: selling,
        locationId: store,
        movementId: `${selling}-${day}`,
        onHandDelta: -5,
        at: new Date(Date.now() - day * 86_400_000).toISOString(),
      });
    }
    const tag = uniqueId('os').toLowerCase();
    const [buyer] = await group(1, tag);
    for (const sku of [slow, selling]) {
      const at = new Date(Date.now() - 10 * 86_400_000).toISOString();
      await documentClient.send(
        new PutCommand({
          TableName: membersTable(),
          Item: {
            ...memberKeys.buyer(sku, buyer!.memberId),
            entity: entities.buyer,
            memberId: buyer!.memberId,
            sku,
            units: 1,
            firstBoughtAt: at,
            lastBoughtAt: at,
          },
        }),
      );
    }

    const run = await overstockPromotions({} as ScheduledEvent, lambdaContext('overstockPromotions'));
    const day = new Date().toISOString().slice(0, 10);
    expect(run.campaigns).toContainEqual({ campaignId: derivedId('overstock', day, slow), sku: slow, daysOfCover: null, available: 100 });
    expect(run.campaigns.map((c) => c.sku)).not.toContain(selling);
    await queues.idle();
    expect(outbox.list(buyer!.email)).toEqual([expect.objectContaining({ subject: `Product ${slow}: a member offer` })]);
  });
});

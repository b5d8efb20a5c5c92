/**
 * Campaign fan-out: a campaign to a tagged group of members, started the
 * way the API starts it (the segments queued on the local SQS endpoint, the
 * campaign-pages worker sending a page and queueing the next), timed from
 * the start until the queue is idle, with the capacity each member sent
 * costs. Baseline: the same number of members sent one by one with
 * `deliver` in one process, no queue.
 */
import type { Principal } from '../shared/domain/principal.ts';
import { type BenchRow, round } from './harness.ts';
import { meterCapacity } from './capacity.ts';

const memberCount = 600;
const registerConcurrency = 16;
const scanSegments = 4;

/** A zone where it is daytime now, so marketing goes out instead of waiting for the morning. */
const daytimeZone = (): string => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney', 'Pacific/Auckland'];
  const hourIn = (zone: string) => Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: '2-digit' }).format(new Date()));
  return zones.find((zone) => hourIn(zone) >= 9 && hourIn(zone) < 19) ?? 'UTC';
};

export const benchCampaigns = async (): Promise<BenchRow[]> => {
  Object.assign(process.env, { MESSAGES_TRANSPORT: 'outbox', CAMPAIGN_SCAN_SEGMENTS: String(scanSegments), MARKETING_DAILY_CAP: '10000000' });
  const { FailureLog } = await import('../infra/local/failure-log.ts');
  const { startLocalQueues } = await import('../infra/local/sqs.ts');
  const { localAwsEnv } = await import('../infra/local/dynamodb.ts');
  const { documentClient } = await import('../shared/db/client.ts');
  const { createCampaign, getCampaign, startCampaign } = await import('../shared/app/campaigns.ts');
  const { deliver } = await import('../shared/app/messages.ts');
  const { registerMember, setMemberTags } = await import('../shared/app/members.ts');

  const failures = new FailureLog();
  const queues = await startLocalQueues({ failures, region: localAwsEnv.AWS_REGION });
  Object.assign(process.env, { AWS_ENDPOINT_URL_SQS: queues.url, ...queues.env });
  try {
    const admin: Principal = { subject: 'bench', role: 'admin', locations: [] };
    const timeZone = daytimeZone();
    const register = async (group: string) => {
      const ids: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: registerConcurrency }, async () => {
          while (next < memberCount) {
            const i = next++;
            const { member } = await registerMember(
              { name: `Bench ${i}`, email: `${group}-${i}@bench.example`, timeZone, consent: { email: true } } as never,
              admin,
              `${group}-${i}`,
            );
            await setMemberTags(member.memberId, [group]);
            ids.push(member.memberId);
          }
        }),
      );
      return ids;
    };

    // The fan-out.
    const fanOutGroup = `bench-fan-${Date.now().toString(36)}`;
    await register(fanOutGroup);
    const campaignId = `${fanOutGroup}-cmp`;
    await createCampaign({ campaignId, name: 'Bench', segment: { tags: [fanOutGroup] }, channels: ['email'], headline: 'Bench', text: 'bench.' }, 'bench');
    const meter = meterCapacity(documentClient);
    const started = performance.now();
    await startCampaign(campaignId);
    await queues.idle();
    const seconds = (performance.now() - started) / 1000;
    const report = await getCampaign(campaignId);
    const sent = (report.counts.SENT ?? 0) + (report.counts.DEFERRED ?? 0);
    if (report.status !== 'DONE' || sent !== memberCount || failures.list().length > 0) {
      throw new Error(`campaign bench: ${report.status}, ${sent} of ${memberCount} sent, ${failures.list().length} failures`);
    }
    const perMember = { read: meter.read / sent, write: meter.write / sent };

    // The baseline: the same work one by one, no queue and no pages.
    const baselineGroup = `bench-seq-${Date.now().toString(36)}`;
    const ids = await register(baselineGroup);
    const baselineStarted = performance.now();
    for (const memberId of ids) {
      await deliver(memberId, {
        source: `${baselineGroup}-seq`,
        kind: 'marketing',
        template: 'OFFER',
        vars: { name: 'Bench', headline: 'Bench', text: 'bench.' },
        channels: ['email'],
      });
    }
    const baselineRate = memberCount / ((performance.now() - baselineStarted) / 1000);

    return [
      {
        name: `campaigns: members sent through the queue (${scanSegments} scan segments, ${memberCount} members)`,
        figure: round(sent / seconds),
        unit: 'members/s',
        baseline: `${round(baselineRate)} members/s sent one by one, no queue`,
      },
      {
        name: 'campaigns: capacity per member sent (scan counted on returned profiles)',
        figure: round(perMember.write, 2),
        unit: 'WCU',
        baseline: `${round(perMember.read, 2)} RCU`,
      },
    ];
  } finally {
    await queues.close();
  }
};

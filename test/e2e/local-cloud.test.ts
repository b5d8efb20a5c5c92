import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../infra/local/auth.ts';
import { type LocalCloud, startLocalCloud } from '../../infra/local/cloud.ts';
import { routeList } from '../../infra/routes.ts';
import { unsubscribeUrl } from '../../shared/app/messages.ts';

let cloud: LocalCloud;
const clients: MqttClient[] = [];

const connect = async (username: string, password: string): Promise<MqttClient> => {
  const client = await mqtt.connectAsync(cloud.mqttUrl, { username, password, reconnectPeriod: 0, protocolVersion: 4 });
  clients.push(client);
  return client;
};

const nextMessage = (client: MqttClient, topic: string) =>
  new Promise<unknown>((resolve) => {
    client.on('message', (t, payload) => {
      if (t === topic) resolve(JSON.parse(payload.toString('utf8')));
    });
  });

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, mqttPort: 0, empty: true, schedules: false });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await cloud?.stop();
});

describe('the local cloud', () => {
  it('serves health and the OpenAPI document without a token', async () => {
    const health = await fetch(`${cloud.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const document = (await (await fetch(`${cloud.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toMatch(/^3\.1/);
    for (const [, route] of routeList()) expect(document.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
  });

  it('refuses API calls without a valid token', async () => {
    expect((await fetch(`${cloud.url}/stock/ANY`)).status).toBe(401);
    const expired = await signLocalToken({ role: 'admin', expiresIn: -60 });
    expect((await fetch(`${cloud.url}/stock/ANY`, { headers: { authorization: `Bearer ${expired}` } })).status).toBe(401);
  });

  it("carries a gate's reads through the topic rule to the handler and its acknowledgement back over MQTT", async () => {
    const token = await signLocalToken({ role: 'gateway', locations: ['WH-E2E'], gateId: 'DOCK-1' });
    const gate = await connect('WH-E2E/DOCK-1', token);
    await gate.subscribeAsync('stockclub/WH-E2E/gates/DOCK-1/events', { qos: 1 });
    const ack = nextMessage(gate, 'stockclub/WH-E2E/gates/DOCK-1/events');
    // Reads must be recent: the ingest sets aside reads more than a week old.
    const readAt = new Date().toISOString();
    await gate.publishAsync(
      'stockclub/WH-E2E/gates/DOCK-1/reads',
      JSON.stringify({
        readAt,
        direction: 'IN',
        reads: [{ epc: '3074257bf7194e4000001a85' }, { epc: '3074257bf7194e4000001a85', antenna: 2 }],
      }),
      { qos: 1 },
    );
    // An empty cloud has no product with this GTIN: the tag is counted as unknown, nothing is booked.
    expect(await ack).toMatchObject({
      type: 'ACK',
      readAt,
      direction: 'IN',
      received: 2,
      distinctEpcs: 1,
      booked: 0,
      unknownGtins: { count: 1, gtins: ['80614141123458'] },
    });
  });

  it('keeps a message the handler refused in the failure log', async () => {
    const token = await signLocalToken({ role: 'gateway', locations: ['WH-E2E'], gateId: 'DOCK-2' });
    const gate = await connect('WH-E2E/DOCK-2', token);
    await gate.publishAsync('stockclub/WH-E2E/gates/DOCK-2/reads', JSON.stringify({ readAt: 'yesterday', direction: 'IN', reads: [] }), { qos: 1 });
    await gate.publishAsync('stockclub/WH-E2E/gates/DOCK-2/reads', 'not json at all', { qos: 1 });
    await cloud.settled();
    const failures = (await (await fetch(`${cloud.url}/_local/failures`)).json()) as { items: { source: string; reason: string }[] };
    const mine = failures.items.filter((f) => f.source === 'topicRule' && f.reason.includes('DOCK-2'));
    expect(mine).toHaveLength(2);
    expect(mine.some((f) => /Invalid gate reads message: readAt/.test(f.reason))).toBe(true);
    expect(mine.some((f) => /not valid JSON/.test(f.reason))).toBe(true);
  });

  it('lets a gateway publish only under its own gate, and refuses unknown credentials', async () => {
    const observer = await connect('stockclub', await signLocalToken({ role: 'service' }));
    await observer.subscribeAsync('stockclub/#', { qos: 1 });
    const seen: string[] = [];
    observer.on('message', (topic) => seen.push(topic));

    const token = await signLocalToken({ role: 'gateway', locations: ['WH-E2E'], gateId: 'DOCK-3' });
    const gate = await connect('WH-E2E/DOCK-3', token);
    // Another gate's events: SUBACK failure, and the connection stays up.
    await expect(gate.subscribeAsync('stockclub/WH-E2E/gates/DOCK-9/events', { qos: 1 })).rejects.toMatchObject({ packet: { granted: [128] } });
    expect(gate.connected).toBe(true);

    // Another gate's reads: the broker closes the connection and the message goes nowhere.
    const closed = new Promise<void>((resolve) => gate.once('close', () => resolve()));
    gate.publish(
      'stockclub/WH-E2E/gates/DOCK-9/reads',
      JSON.stringify({ readAt: '2026-11-25T10:00:00Z', direction: 'OUT', reads: [{ epc: '3074257bf7194e4000001a85' }] }),
      { qos: 0 },
    );
    await closed;
    await cloud.settled();
    expect(seen).not.toContain('stockclub/WH-E2E/gates/DOCK-9/reads');
    expect(seen).not.toContain('stockclub/WH-E2E/gates/DOCK-9/events');

    // A listener may not publish at all.
    const observerClosed = new Promise<void>((resolve) => observer.once('close', () => resolve()));
    observer.publish('stockclub/WH-E2E/gates/DOCK-3/reads', '{}', { qos: 0 });
    await observerClosed;

    await expect(connect('WH-E2E/DOCK-4', token)).rejects.toThrow();
    await expect(connect('WH-E2E/DOCK-3', 'not-a-token')).rejects.toThrow();
    await expect(connect('stockclub', await signLocalToken({ role: 'store', locations: ['WH-E2E'] }))).rejects.toThrow();
  });

  it('serves the outbox and runs a scheduled job on demand', async () => {
    // Whatever other tests sent, clearing leaves it empty.
    expect((await fetch(`${cloud.url}/_local/outbox`, { method: 'DELETE' })).status).toBe(200);
    const listed = await fetch(`${cloud.url}/_local/outbox`);
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ items: [] });

    const jobs = (await (await fetch(`${cloud.url}/_local/jobs`)).json()) as { items: string[] };
    expect(jobs.items).toContain('releaseExpiredHolds');
    const run = await fetch(`${cloud.url}/_local/jobs/releaseExpiredHolds`, { method: 'POST' });
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ job: 'releaseExpiredHolds', result: { expired: 0 } });
    expect((await fetch(`${cloud.url}/_local/jobs/noSuchJob`, { method: 'POST' })).status).toBe(404);
  });

  it("welcomes a new member through the members table's stream, as deployed", async () => {
    const till = await signLocalToken({ role: 'store', locations: ['WH-E2E'] });
    const email = 'welcome-e2e@example.com';
    const registered = await fetch(`${cloud.url}/members`, {
      method: 'POST',
      headers: { authorization: `Bearer ${till}`, 'content-type': 'application/json', 'idempotency-key': 'e2e-welcome-1' },
      body: JSON.stringify({ name: 'Emma', email, consent: { email: true } }),
    });
    expect(registered.status).toBe(201);
    let items: { subject?: string }[] = [];
    for (let i = 0; i < 100 && items.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      items = ((await (await fetch(`${cloud.url}/_local/outbox?to=${email}`)).json()) as { items: { subject?: string }[] }).items;
    }
    expect(items).toEqual([expect.objectContaining({ subject: 'Welcome to StockClub, Emma' })]);
    // It went through the SES v2 adapter to the emulator, with the sender and configuration the local cloud set.
    const store = (await (await fetch(`${cloud.mailUrl}/store`)).json()) as {
      emails: { from: string; destination: { to: string[] }; body: { html?: string } }[];
    };
    expect(store.emails.filter((e) => e.destination.to.includes(email))).toEqual([
      expect.objectContaining({ from: 'StockClub <club@stockclub.local>', body: expect.objectContaining({ html: expect.stringContaining('Emma') }) }),
    ]);
    const failures = (await (await fetch(`${cloud.url}/_local/failures`)).json()) as { items: { name: string }[] };
    expect(failures.items.filter((f) => f.name === 'welcome')).toEqual([]);
  });

  it("puts this gateway's own URL, whatever its port, in unsubscribe links, and the link works", async () => {
    const till = await signLocalToken({ role: 'store', locations: ['WH-E2E'] });
    const registered = await fetch(`${cloud.url}/members`, {
      method: 'POST',
      headers: { authorization: `Bearer ${till}`, 'content-type': 'application/json', 'idempotency-key': 'e2e-unsubscribe-1' },
      body: JSON.stringify({ name: 'Ulla', email: 'unsubscribe-e2e@example.com', consent: { email: true } }),
    });
    expect(registered.status).toBe(201);
    const { memberId } = (await registered.json()) as { memberId: string };
    const link = unsubscribeUrl(memberId, 'email');
    expect(link.startsWith(`${cloud.url}/unsubscribe?`)).toBe(true);
    expect(cloud.url).not.toBe('http://127.0.0.1:3000');
    const followed = await fetch(link, { method: 'POST' });
    expect(followed.status).toBe(200);
  });

  it('fans a campaign out through the SQS queue to its worker, which sends through SES', async () => {
    const admin = await signLocalToken({ role: 'admin' });
    const call = async (method: string, path: string, body?: unknown) => {
      const headers = {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
        'idempotency-key': (body as { campaignId?: string } | undefined)?.campaignId ?? `e2e-${path.replaceAll('/', '-')}`,
      };
      const answer = await fetch(`${cloud.url}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: answer.status, body: (await answer.json()) as Record<string, any> };
    };
    const email = 'campaign-e2e@example.com';
    const member = await call('POST', '/members', { name: 'Cara', email, timeZone: 'Pacific/Kiritimati', consent: { email: true } });
    expect(member.status, JSON.stringify(member.body)).toBe(201);
    expect((await call('PUT', `/members/${member.body.memberId}/tags`, { tags: ['e2e-guests'] })).status).toBe(200);
    const campaign = await call('POST', '/campaigns', {
      campaignId: 'e2e-guests',
      name: 'Guests',
      segment: { tags: ['e2e-guests'] },
      channels: ['email'],
      headline: 'For our guests',
      text: 'see you soon.',
    });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
    expect((await call('POST', '/campaigns/e2e-guests/start')).status).toBe(202);
    await cloud.settled();
    const report = await call('GET', '/campaigns/e2e-guests');
    expect(report.body).toMatchObject({ status: 'DONE' });
    const sent = (report.body.counts.SENT ?? 0) + (report.body.counts.DEFERRED ?? 0);
    expect(sent).toBe(1);
    const outbox = (await (await fetch(`${cloud.url}/_local/outbox?to=${email}`)).json()) as { items: { subject?: string }[] };
    // Deferred when it is night in the member's zone; otherwise in the emulator now.
    if (report.body.counts.SENT) expect(outbox.items).toContainEqual(expect.objectContaining({ subject: 'For our guests' }));
  });

  it('runs any function with a sample event through npm run invoke, for an admin only', async () => {
    const sample = readFileSync(new URL('../../events/schedule/release-expired-holds.json', import.meta.url), 'utf8');
    expect((await fetch(`${cloud.url}/_local/invoke/releaseExpiredHolds`, { method: 'POST', body: sample })).status).toBe(401);
    const store = await signLocalToken({ role: 'store', locations: ['WH-E2E'] });
    expect(
      (await fetch(`${cloud.url}/_local/invoke/releaseExpiredHolds`, { method: 'POST', body: sample, headers: { authorization: `Bearer ${store}` } })).status,
    ).toBe(401);

    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      'scripts/invoke.ts',
      'releaseExpiredHolds',
      'events/schedule/release-expired-holds.json',
      '--url',
      cloud.url,
    ]);
    expect(JSON.parse(stdout)).toEqual({ expired: 0, alreadyClosed: 0, failed: 0, more: false });
    const unknown = await run(process.execPath, [
      '--import',
      'tsx',
      'scripts/invoke.ts',
      'noSuchFunction',
      'events/schedule/release-expired-holds.json',
      '--url',
      cloud.url,
    ]).catch((error: { code: number; stdout: string }) => error);
    expect(unknown).toMatchObject({ code: 1, stdout: expect.stringContaining('No function noSuchFunction') });
  });
});

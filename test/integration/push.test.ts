/**
 * App push through the API: members register their app installs, only
 * their own (admin any); a campaign or any member message can go by push
 * and lands in the outbox off AWS; on AWS, SNS mobile push gets the exact
 * requests (mocked), and tokens SNS calls gone are removed.
 */
import { randomBytes } from 'node:crypto';
import {
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  EndpointDisabledException,
  InvalidParameterException,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { birthdayGiftsAt } from '../../shared/app/birthdays.ts';
import { deliver } from '../../shared/app/messages.ts';
import { messagesOf } from '../../shared/db/messages.ts';
import { outbox } from '../../shared/messaging/outbox.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
let till: string;
const saved: Record<string, string | undefined> = {};

/** A time zone where it is daytime now, so the gate lets marketing through whenever the test runs. */
const daytimeZone = (): string => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney', 'Pacific/Auckland'];
  const hourIn = (zone: string) => Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: '2-digit' }).format(new Date()));
  return zones.find((zone) => hourIn(zone) >= 9 && hourIn(zone) < 19)!;
};

const apnsToken = () => randomBytes(32).toString('hex');
const fcmToken = () => `${uniqueId('fcm')}:APA91b${randomBytes(30).toString('base64url')}`;

const register = async (body: Record<string, unknown> = {}) => {
  const answer = await api.call('POST', '/members', {
    token: admin,
    headers: { 'idempotency-key': uniqueId('reg') },
    body: { name: 'Push Member', email: `${uniqueId('push')}@example.com`, timeZone: daytimeZone(), ...body },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { memberId: string; email: string; version: number };
};

const asMember = (memberId: string) => token({ role: 'member', memberId });
const devices = async (memberId: string) => (await api.call('GET', `/members/${memberId}/devices`, { token: admin })).body.items as { deviceId: string }[];
const addDevice = async (memberId: string, platform: 'APNS' | 'FCM', deviceToken: string, as = admin) =>
  api.call('POST', `/members/${memberId}/devices`, { token: as, body: { platform, token: deviceToken } });

beforeAll(async () => {
  for (const key of ['MESSAGES_TRANSPORT', 'PUSH_APPLICATION_APNS', 'PUSH_APPLICATION_FCM']) saved[key] = process.env[key];
  process.env.MESSAGES_TRANSPORT = 'outbox';
  api = await startApi();
  admin = await token({ role: 'admin' });
  till = await token({ role: 'store', locations: ['PUSH-STORE'] });
});

afterAll(async () => {
  await api.close();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('registering devices', () => {
  it('registers, lists and removes a member own devices; the same token again is the same device', async () => {
    const member = await register();
    const self = await asMember(member.memberId);
    const deviceToken = apnsToken();

    const first = await addDevice(member.memberId, 'APNS', deviceToken, self);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      deviceId: expect.stringMatching(/^[0-9a-f]{24}$/),
      memberId: member.memberId,
      platform: 'APNS',
      tokenEnd: deviceToken.slice(-6),
      registeredAt: expect.any(String),
    });
    const again = await addDevice(member.memberId, 'APNS', deviceToken, self);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    const listed = await api.call('GET', `/members/${member.memberId}/devices`, { token: self });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ memberId: member.memberId, items: [first.body] });
    // The token itself is never shown.
    expect(JSON.stringify(listed.body)).not.toContain(deviceToken);
    const profile = await api.call('GET', `/members/${member.memberId}`, { token: self });
    expect(profile.body).toMatchObject({ pushDevices: 1, version: member.version + 1 });

    const removed = await api.call('DELETE', `/members/${member.memberId}/devices/${first.body.deviceId}`, { token: self });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ memberId: member.memberId, items: [] });
    const twice = await api.call('DELETE', `/members/${member.memberId}/devices/${first.body.deviceId}`, { token: self });
    expect(twice.status).toBe(404);
    expect(twice.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.call('GET', `/members/${member.memberId}`, { token: self })).body.pushDevices).toBe(0);
  });

  it('lets a member manage only their own devices, admin any member, and staff none', async () => {
    const owner = await register();
    const other = await register();
    const otherToken = await asMember(other.memberId);
    const mine = await addDevice(owner.memberId, 'FCM', fcmToken());
    expect(mine.status).toBe(201);

    for (const [method, path, body] of [
      ['POST', `/members/${owner.memberId}/devices`, { platform: 'FCM', token: fcmToken() }],
      ['GET', `/members/${owner.memberId}/devices`, undefined],
      ['DELETE', `/members/${owner.memberId}/devices/${mine.body.deviceId}`, undefined],
    ] as const) {
      const asOther = await api.call(method, path, { token: otherToken, ...(body ? { body } : {}) });
      expect(asOther.status, `${method} ${path} as another member`).toBe(404);
      expect(asOther.headers.get('content-type')).toContain('application/problem+json');
      expect((await api.call(method, path, { token: till, ...(body ? { body } : {}) })).status, `${method} ${path} as store staff`).toBe(403);
    }
    expect(await devices(owner.memberId)).toEqual([mine.body]);
    expect((await addDevice(uniqueId('m-nobody'), 'FCM', fcmToken())).status).toBe(404);
  });

  it('refuses bad input with 400 problem+json and writes nothing', async () => {
    const member = await register();
    const path = `/members/${member.memberId}/devices`;
    for (const body of [
      { platform: 'APNS', token: 'not-hex-at-all-not-hex-at-all-not-hex-at-all-not-hex-at-all-1234' },
      { platform: 'APNS', token: 'abcdef' },
      { platform: 'FCM', token: 'spaces are not allowed in a token at all, none' },
      { platform: 'WNS', token: apnsToken() },
      { platform: 'APNS', token: apnsToken(), extra: true },
      { platform: 'APNS' },
    ]) {
      const answer = await api.call('POST', path, { token: admin, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
    const badId = await api.call('DELETE', `${path}/not-a-device`, { token: admin });
    expect(badId.status).toBe(400);
    expect(await devices(member.memberId)).toEqual([]);
    expect((await api.call('GET', `/members/${member.memberId}`, { token: admin })).body).toMatchObject({ version: member.version });
  });

  it('moves a token to the member who registers it last (a phone handed on)', async () => {
    const before = await register();
    const after = await register();
    const deviceToken = fcmToken();
    const first = await addDevice(before.memberId, 'FCM', deviceToken);
    const moved = await addDevice(after.memberId, 'FCM', deviceToken);
    expect(moved.status).toBe(201);
    expect(moved.body.deviceId).toBe(first.body.deviceId);
    expect(await devices(before.memberId)).toEqual([]);
    expect(await devices(after.memberId)).toEqual([moved.body]);
    expect((await api.call('GET', `/members/${before.memberId}`, { token: admin })).body.pushDevices).toBe(0);
  });

  it('allows at most 10 devices per member: the 11th is 409 and nothing is written', async () => {
    const member = await register();
    for (let i = 0; i < 10; i++) expect((await addDevice(member.memberId, 'FCM', fcmToken())).status).toBe(201);
    const eleventh = fcmToken();
    const refused = await addDevice(member.memberId, 'FCM', eleventh);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await devices(member.memberId)).toHaveLength(10);
    // The refused token is nobody's: another member can register it.
    expect((await addDevice((await register()).memberId, 'FCM', eleventh)).status).toBe(201);
  });
});

describe('sending by push', () => {
  it('lets a campaign choose push, and a member who prefers push get it there; it lands in the outbox', async () => {
    const tag = uniqueId('push').toLowerCase();
    const plain = await register({ consent: { email: true, push: true } });
    const prefersPush = await register({ consent: { email: true, push: true }, channelPreference: ['push', 'email'] });
    const appOnly = await register({ consent: { push: true } });
    const tokens = new Map<string, string>();
    for (const member of [plain, prefersPush, appOnly]) {
      tokens.set(member.memberId, apnsToken());
      expect((await addDevice(member.memberId, 'APNS', tokens.get(member.memberId)!)).status).toBe(201);
      expect((await api.call('PUT', `/members/${member.memberId}/tags`, { token: admin, body: { tags: [tag] } })).status).toBe(200);
    }
    const campaignId = uniqueId('cmp-push');
    const created = await api.call('POST', '/campaigns', {
      token: admin,
      body: { campaignId, name: 'App offer', segment: { tags: [tag] }, channels: ['email', 'push'], headline: 'Coats -20 %', text: 'This week only.' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.channels).toEqual(['email', 'push']);

    let cursor: string | undefined;
    do {
      const page = await api.call('POST', `/campaigns/${campaignId}/dispatch${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, { token: admin });
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      cursor = page.body.cursor;
    } while (cursor);

    // No preference: the campaign's order, email first.
    expect(outbox.list(plain.email)).toEqual([expect.objectContaining({ channel: 'email', subject: 'Coats -20 %' })]);
    expect(outbox.list(tokens.get(plain.memberId))).toEqual([]);
    // Push first for the member who said so, and for the member the app is the only way to reach.
    for (const member of [prefersPush, appOnly]) {
      expect(outbox.list(tokens.get(member.memberId))).toEqual([
        expect.objectContaining({
          channel: 'push',
          subject: 'Coats -20 %',
          body: 'This week only.',
          meta: expect.objectContaining({ member: member.memberId, platform: 'APNS', kind: 'marketing' }),
        }),
      ]);
      expect(outbox.list(member.email)).toEqual([]);
    }
    const campaign = await api.call('GET', `/campaigns/${campaignId}`, { token: admin });
    expect(campaign.body.counts).toMatchObject({ SENT: 3 });
  });

  it('sends a dated member message (the birthday gift) by push to a member who prefers it', async () => {
    // A birthday partition of its own (04-23: no other test registers birthdays there), run at noon UTC next year.
    const runAt = `${new Date().getUTCFullYear() + 1}-04-23T12:00:00.000Z`;
    const member = await register({ birthday: '1990-04-23', timeZone: 'UTC', consent: { email: true, push: true }, channelPreference: ['push', 'email'] });
    const deviceToken = fcmToken();
    expect((await addDevice(member.memberId, 'FCM', deviceToken)).status).toBe(201);
    await birthdayGiftsAt(runAt, () => 600_000, 1);
    expect(outbox.list(deviceToken)).toEqual([
      expect.objectContaining({
        channel: 'push',
        subject: 'Happy birthday, Push Member!',
        meta: expect.objectContaining({ member: member.memberId, platform: 'FCM' }),
      }),
    ]);
    expect(outbox.list(member.email)).toEqual([]);
  });

  it('refuses a campaign channel that does not exist (400, nothing written)', async () => {
    const campaignId = uniqueId('cmp-bad');
    const answer = await api.call('POST', '/campaigns', {
      token: admin,
      body: { campaignId, name: 'Bad', segment: { tags: ['x'] }, channels: ['pigeon'], headline: 'H', text: 'T' },
    });
    expect(answer.status).toBe(400);
    expect((await api.call('GET', `/campaigns/${campaignId}`, { token: admin })).status).toBe(404);
  });

  it('skips push without push consent, even with a device', async () => {
    const member = await register({ consent: { email: false } });
    await addDevice(member.memberId, 'FCM', fcmToken());
    const delivery = await deliver(member.memberId, {
      source: uniqueId('notice'),
      kind: 'transactional',
      template: 'TIER_CHANGED',
      vars: { name: 'Push Member', tier: 'SILVER', before: 'GOLD', months: 12 },
      channels: ['push'],
    });
    expect(delivery).toMatchObject({ channel: 'push', status: 'SKIPPED', decision: { action: 'SKIP', reason: 'NO_CONSENT' } });
  });
});

describe('push through SNS (mocked): exact requests, and tokens SNS calls gone are removed', () => {
  const apnsApp = 'arn:aws:sns:eu-central-1:123456789012:app/APNS/stockclub';
  const fcmApp = 'arn:aws:sns:eu-central-1:123456789012:app/GCM/stockclub';
  const s = mockClient(SNSClient);

  beforeEach(() => {
    s.reset();
    delete process.env.MESSAGES_TRANSPORT;
    process.env.PUSH_APPLICATION_APNS = apnsApp;
    process.env.PUSH_APPLICATION_FCM = fcmApp;
  });
  afterEach(() => {
    process.env.MESSAGES_TRANSPORT = 'outbox';
  });
  afterAll(() => s.restore());

  const notice = (source: string) =>
    ({ source, kind: 'transactional', template: 'BACK_IN_STOCK', vars: { productName: 'Socks', locationName: 'Munich' }, channels: ['push'] }) as const;

  it('makes endpoints on the first push, keeps them, and removes a device whose endpoint SNS disabled', async () => {
    const member = await register({ consent: { push: true } });
    const [apns, fcm] = [apnsToken(), fcmToken()];
    const phone = (await addDevice(member.memberId, 'APNS', apns)).body.deviceId as string;
    const tablet = (await addDevice(member.memberId, 'FCM', fcm)).body.deviceId as string;
    const phoneEndpoint = `arn:aws:sns:eu-central-1:123456789012:endpoint/APNS/stockclub/${phone}`;
    const tabletEndpoint = `arn:aws:sns:eu-central-1:123456789012:endpoint/GCM/stockclub/${tablet}`;
    s.on(CreatePlatformEndpointCommand, { Token: apns }).resolves({ EndpointArn: phoneEndpoint });
    s.on(CreatePlatformEndpointCommand, { Token: fcm }).resolves({ EndpointArn: tabletEndpoint });
    s.on(PublishCommand, { TargetArn: phoneEndpoint }).resolves({ MessageId: 'sns-phone' });
    s.on(PublishCommand, { TargetArn: tabletEndpoint }).rejects(new EndpointDisabledException({ message: 'Endpoint is disabled', $metadata: {} }));
    s.on(DeleteEndpointCommand).resolves({});

    const first = await deliver(member.memberId, notice(uniqueId('bis')));
    expect(first).toMatchObject({ channel: 'push', status: 'SENT' });
    expect(
      s
        .commandCalls(CreatePlatformEndpointCommand)
        .map((c) => c.args[0].input)
        .sort((a, b) => a.PlatformApplicationArn!.localeCompare(b.PlatformApplicationArn!)),
    ).toEqual([
      { PlatformApplicationArn: apnsApp, Token: apns, CustomUserData: phone },
      { PlatformApplicationArn: fcmApp, Token: fcm, CustomUserData: tablet },
    ]);
    const published = s.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => p.TargetArn).sort()).toEqual([phoneEndpoint, tabletEndpoint].sort());
    const toPhone = published.find((p) => p.TargetArn === phoneEndpoint)!;
    expect(toPhone.MessageStructure).toBe('json');
    expect(JSON.parse(JSON.parse(toPhone.Message!).APNS)).toMatchObject({
      aps: { alert: { title: 'Socks is back', body: 'Available again at Munich. You asked us to tell you.' } },
      member: member.memberId,
    });
    expect(s.commandCalls(DeleteEndpointCommand).map((c) => c.args[0].input)).toEqual([{ EndpointArn: tabletEndpoint }]);
    expect((await devices(member.memberId)).map((d) => d.deviceId)).toEqual([phone]);
    expect((await messagesOf(member.memberId)).at(-1)).toMatchObject({ status: 'SENT', channel: 'push', providerMessageId: 'sns-phone' });

    // The next push goes to the endpoint kept: no new one is made.
    s.resetHistory();
    expect(await deliver(member.memberId, notice(uniqueId('bis')))).toMatchObject({ status: 'SENT' });
    expect(s.commandCalls(CreatePlatformEndpointCommand)).toHaveLength(0);
    expect(s.commandCalls(PublishCommand).map((c) => c.args[0].input.TargetArn)).toEqual([phoneEndpoint]);
  });

  it('counts the send as skipped (DEVICE_GONE) when every token is gone, and removes them all', async () => {
    const member = await register({ consent: { push: true } });
    const deviceToken = apnsToken();
    const device = (await addDevice(member.memberId, 'APNS', deviceToken)).body.deviceId as string;
    // A malformed or revoked token: SNS refuses to make the endpoint at all.
    s.on(CreatePlatformEndpointCommand).rejects(
      new InvalidParameterException({ message: 'Invalid parameter: Token Reason: iOS device tokens must be', $metadata: {} }),
    );

    const delivery = await deliver(member.memberId, notice(uniqueId('bis')));
    expect(delivery).toMatchObject({ channel: 'push', status: 'SKIPPED' });
    expect(s.commandCalls(CreatePlatformEndpointCommand).map((c) => c.args[0].input)).toEqual([
      { PlatformApplicationArn: apnsApp, Token: deviceToken, CustomUserData: device },
    ]);
    expect(s.commandCalls(PublishCommand)).toHaveLength(0);
    // No endpoint was made, so none to delete.
    expect(s.commandCalls(DeleteEndpointCommand)).toHaveLength(0);
    expect(await devices(member.memberId)).toEqual([]);
    expect((await messagesOf(member.memberId)).at(-1)).toMatchObject({ status: 'SKIPPED', reason: 'DEVICE_GONE', channel: 'push' });
    expect((await api.call('GET', `/members/${member.memberId}`, { token: admin })).body.pushDevices).toBe(0);

    // With no device left, the gate skips push before anything is sent.
    s.resetHistory();
    expect(await deliver(member.memberId, notice(uniqueId('bis')))).toMatchObject({ status: 'SKIPPED', decision: { reason: 'NO_ADDRESS' } });
    expect(s.calls()).toHaveLength(0);
  });

  it('fails (not skips) a push SNS refuses for other reasons, and keeps the device', async () => {
    const member = await register({ consent: { push: true } });
    await addDevice(member.memberId, 'FCM', fcmToken());
    s.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: 'arn:aws:sns:eu-central-1:123456789012:endpoint/GCM/stockclub/x' });
    s.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    expect(await deliver(member.memberId, notice(uniqueId('bis')))).toMatchObject({ status: 'FAILED' });
    expect(await devices(member.memberId)).toHaveLength(1);
  });
});

/**
 * App push: the send gate's decisions for the push channel, the member's
 * channel order, what a push to several devices comes to, the templates'
 * push bodies, and the SNS adapter's exact requests.
 */
import { CreatePlatformEndpointCommand, DeleteEndpointCommand, EndpointDisabledException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pushOutcome, tokenGone } from '../../shared/domain/devices.ts';
import { channelOrder, decideSend, type Message, type PastSend, type Recipient } from '../../shared/domain/send-gate.ts';
import { deletePushEndpoint, PushTokenGone, pushEndpointRequest, pushRequest, sendPush } from '../../shared/messaging/channels.ts';
import { outbox } from '../../shared/messaging/outbox.ts';
import { renderPush, templateNames } from '../../shared/messaging/templates.ts';

const appMember = (overrides: Partial<Recipient> = {}): Recipient => ({
  timeZone: 'Europe/Berlin',
  address: { email: 'anna@example.com', push: '2 devices' },
  consent: { email: { granted: true }, push: { granted: true } },
  suppressed: {},
  ...overrides,
});

const pushOffer: Message = { channel: 'push', kind: 'marketing' };
const pushNotice: Message = { channel: 'push', kind: 'transactional' };
// 10:00 in Berlin (CET, UTC+1).
const morning = '2026-11-25T09:00:00.000Z';
// 22:30 in Berlin: quiet hours (21:00-08:00).
const lateEvening = '2026-11-25T21:30:00.000Z';
const sent = (at: string, channel: PastSend['channel']): PastSend => ({ channel, kind: 'marketing', at });

describe('the send gate on the push channel', () => {
  it('sends marketing push in the daytime with consent and a device', () => {
    expect(decideSend(pushOffer, appMember(), [], morning)).toEqual({ action: 'SEND' });
  });

  it.each([
    ['no device registered', appMember({ address: { email: 'anna@example.com' } }), { action: 'SKIP', reason: 'NO_ADDRESS' }],
    ['push consent withdrawn', appMember({ consent: { email: { granted: true }, push: { granted: false } } }), { action: 'SKIP', reason: 'NO_CONSENT' }],
    ['push consent never given (email consent does not count)', appMember({ consent: { email: { granted: true } } }), { action: 'SKIP', reason: 'NO_CONSENT' }],
  ])('skips with %s, marketing and transactional alike', (_what, recipient, decision) => {
    expect(decideSend(pushOffer, recipient, [], morning)).toEqual(decision);
    expect(decideSend(pushNotice, recipient, [], morning)).toEqual(decision);
  });

  it('defers marketing push out of quiet hours to 08:00 in the member zone; a notice goes at once', () => {
    expect(decideSend(pushOffer, appMember(), [], lateEvening)).toEqual({ action: 'DEFER', until: '2026-11-26T07:00:00.000Z', reason: 'QUIET_HOURS' });
    expect(decideSend(pushNotice, appMember(), [], lateEvening)).toEqual({ action: 'SEND' });
  });

  it('counts email and SMS against the cap for push: the cap is across channels', () => {
    const history = [sent('2026-11-20T10:00:00.000Z', 'email'), sent('2026-11-22T10:00:00.000Z', 'sms')];
    // Two in 7 days; the first leaves the window on 27 Nov at 10:00 UTC (11:00 in Berlin, no quiet hours then).
    expect(decideSend(pushOffer, appMember(), history, morning)).toEqual({ action: 'DEFER', until: '2026-11-27T10:00:00.000Z', reason: 'FREQUENCY_CAP' });
  });

  it('counts push against the cap for email just the same', () => {
    const history = [sent('2026-11-20T10:00:00.000Z', 'push'), sent('2026-11-22T10:00:00.000Z', 'push')];
    expect(decideSend({ channel: 'email', kind: 'marketing' }, appMember(), history, morning)).toMatchObject({ action: 'DEFER', reason: 'FREQUENCY_CAP' });
  });

  it('applies a tighter cap for push alone without touching the other channels', () => {
    const policy = { quietHours: { start: '21:00', end: '08:00' }, cap: { count: 5, days: 7 }, channelCaps: { push: { count: 1, days: 1 } } };
    const history = [sent('2026-11-25T07:30:00.000Z', 'push')];
    expect(decideSend(pushOffer, appMember(), history, morning, policy)).toEqual({ action: 'DEFER', until: '2026-11-26T07:30:00.000Z', reason: 'CHANNEL_CAP' });
    expect(decideSend({ channel: 'email', kind: 'marketing' }, appMember(), history, morning, policy)).toEqual({ action: 'SEND' });
  });

  it('defers rather than drops, and skips only an offer that would arrive after it ends', () => {
    expect(decideSend({ ...pushOffer, expiresAt: '2026-11-26T12:00:00.000Z' }, appMember(), [], lateEvening)).toMatchObject({ action: 'DEFER' });
    expect(decideSend({ ...pushOffer, expiresAt: '2026-11-26T06:00:00.000Z' }, appMember(), [], lateEvening)).toMatchObject({
      action: 'SKIP',
      reason: 'EXPIRED',
    });
  });
});

describe('channelOrder: the member preference among the channels a message allows', () => {
  it('keeps the sender order without a preference', () => {
    expect(channelOrder(['email', 'sms', 'push'])).toEqual(['email', 'sms', 'push']);
  });
  it('puts the member preferred channels first, then the rest in the sender order', () => {
    expect(channelOrder(['email', 'sms', 'push'], ['push'])).toEqual(['push', 'email', 'sms']);
    expect(channelOrder(['sms', 'email', 'push'], ['push', 'email'])).toEqual(['push', 'email', 'sms']);
  });
  it('never adds a channel the message does not allow', () => {
    expect(channelOrder(['email'], ['push', 'sms'])).toEqual(['email']);
  });
});

describe('a push to several devices', () => {
  it('is sent when any device took it, naming the devices removed', () => {
    expect(
      pushOutcome([
        { deviceId: 'a', messageId: 'm1' },
        { deviceId: 'b', gone: 'EndpointDisabledException' },
      ]),
    ).toEqual({
      status: 'SENT',
      messageIds: ['m1'],
      removed: ['b'],
    });
  });
  it('is skipped (DEVICE_GONE) when every token was gone', () => {
    expect(pushOutcome([{ deviceId: 'a', gone: 'EndpointDisabledException' }])).toEqual({ status: 'SKIPPED', reason: 'DEVICE_GONE', removed: ['a'] });
  });
  it('fails when none took it and some failed for other reasons', () => {
    expect(
      pushOutcome([
        { deviceId: 'a', gone: 'InvalidParameterException' },
        { deviceId: 'b', error: 'Throttled' },
      ]),
    ).toEqual({
      status: 'FAILED',
      error: 'Throttled',
      removed: ['a'],
    });
  });
  it('calls a token gone only on the answers that mean it', () => {
    expect(['EndpointDisabledException', 'InvalidParameterException', 'NotFoundException'].every(tokenGone)).toBe(true);
    expect(['ThrottledException', 'InternalErrorException', 'KMSThrottlingException'].some(tokenGone)).toBe(false);
  });
});

describe('push templates', () => {
  it('give every template a short title and body', () => {
    const vars = { name: 'Anna', points: 500, expiresOn: '2027-01-01', headline: 'Winter sale', text: 'Twenty percent off coats.', tier: 'GOLD' };
    for (const template of templateNames) {
      const push = renderPush(template, { ...vars, before: 'SILVER', months: 12, productName: 'Socks', locationName: 'Munich' });
      expect(push.title.length, template).toBeGreaterThan(0);
      expect(push.title.length, template).toBeLessThanOrEqual(60);
      expect(push.body.length, template).toBeLessThanOrEqual(178);
    }
  });
  it('clip a long offer with an ellipsis', () => {
    const push = renderPush('OFFER', { name: 'Anna', headline: 'H'.repeat(80), text: 'T'.repeat(400) });
    expect(push.title).toBe(`${'H'.repeat(59)}…`);
    expect(push.body).toHaveLength(178);
  });
});

const sns = mockClient(SNSClient);
const apnsApp = 'arn:aws:sns:eu-central-1:123456789012:app/APNS/stockclub';
const endpoint = 'arn:aws:sns:eu-central-1:123456789012:endpoint/APNS/stockclub/5f7c-1';
const token = '740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad';
const message = {
  platform: 'APNS' as const,
  token,
  deviceId: '3f1c9a0d5e7b2a4c6d8e0f12',
  title: 'Socks are back',
  body: 'Available again at Munich.',
  kind: 'transactional' as const,
  context: { member: 'm-anna', source: 'stock-alert', template: 'BACK_IN_STOCK', key: 'k-1' },
};

describe('push through SNS mobile push', () => {
  beforeEach(() => {
    sns.reset();
    process.env.PUSH_APPLICATION_APNS = apnsApp;
    delete process.env.MESSAGES_TRANSPORT;
  });
  afterEach(() => {
    delete process.env.PUSH_APPLICATION_APNS;
    delete process.env.MESSAGES_TRANSPORT;
    outbox.clear();
  });

  it('makes the endpoint on the first push, then publishes one JSON message with a payload per push service', async () => {
    sns.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: endpoint });
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    expect(await sendPush(message)).toEqual({ messageId: 'sns-1', endpointArn: endpoint });
    expect(sns.commandCalls(CreatePlatformEndpointCommand).map((c) => c.args[0].input)).toEqual([
      { PlatformApplicationArn: apnsApp, Token: token, CustomUserData: message.deviceId },
    ]);
    const apns = JSON.stringify({ aps: { alert: { title: 'Socks are back', body: 'Available again at Munich.' }, sound: 'default' }, ...message.context });
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([
      {
        TargetArn: endpoint,
        MessageStructure: 'json',
        Message: JSON.stringify({
          default: 'Available again at Munich.',
          APNS: apns,
          APNS_SANDBOX: apns,
          GCM: JSON.stringify({
            fcmV1Message: {
              message: {
                notification: { title: 'Socks are back', body: 'Available again at Munich.' },
                data: message.context,
                android: { priority: 'HIGH' },
              },
            },
          }),
        }),
        MessageAttributes: {
          'AWS.SNS.MOBILE.APNS.PUSH_TYPE': { DataType: 'String', StringValue: 'alert' },
          'AWS.SNS.MOBILE.APNS.PRIORITY': { DataType: 'String', StringValue: '10' },
        },
      },
    ]);
  });

  it('publishes to the endpoint the device has, without making another; marketing at normal priority', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-2' });
    expect(await sendPush({ ...message, endpointArn: endpoint, kind: 'marketing' })).toEqual({ messageId: 'sns-2' });
    expect(sns.commandCalls(CreatePlatformEndpointCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual(pushRequest(endpoint, { ...message, kind: 'marketing' }));
    expect(pushRequest(endpoint, { ...message, kind: 'marketing' }).MessageAttributes?.['AWS.SNS.MOBILE.APNS.PRIORITY']?.StringValue).toBe('5');
  });

  it('calls the token gone when SNS answers EndpointDisabled, naming the endpoint to delete', async () => {
    sns.on(PublishCommand).rejects(new EndpointDisabledException({ message: 'Endpoint is disabled', $metadata: {} }));
    const error = await sendPush({ ...message, endpointArn: endpoint }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PushTokenGone);
    expect(error).toMatchObject({ providerError: 'EndpointDisabledException', endpointArn: endpoint });
  });

  it('passes other provider errors on as they are', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    await expect(sendPush({ ...message, endpointArn: endpoint })).rejects.toThrow('Rate exceeded');
  });

  it('deletes an endpoint with DeleteEndpoint', async () => {
    sns.on(DeleteEndpointCommand).resolves({});
    await deletePushEndpoint(endpoint);
    expect(sns.commandCalls(DeleteEndpointCommand).map((c) => c.args[0].input)).toEqual([{ EndpointArn: endpoint }]);
  });

  it('refuses to make an endpoint without the platform application configured', () => {
    expect(() => pushEndpointRequest({ ...message, platform: 'FCM' })).toThrow('PUSH_APPLICATION_FCM is not set');
  });

  it('puts the push in the outbox off AWS, with no SNS request', async () => {
    process.env.MESSAGES_TRANSPORT = 'outbox';
    const { messageId } = await sendPush(message);
    expect(outbox.list(token)).toEqual([
      expect.objectContaining({ id: messageId, channel: 'push', to: token, subject: 'Socks are back', body: 'Available again at Munich.' }),
    ]);
    expect(sns.calls()).toHaveLength(0);
  });
});

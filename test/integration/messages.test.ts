import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pointsExpiryReminders } from '../../functions/jobs/points-expiry-reminders.ts';
import { backInStock } from '../../functions/streams/back-in-stock.ts';
import { welcome } from '../../functions/streams/welcome.ts';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { inboundSms } from '../../functions/notifications/inbound-sms.ts';
import { mailEvents } from '../../functions/notifications/mail-events.ts';
import type { SNSEvent } from 'aws-lambda';
import { FailureLog } from '../../infra/local/failure-log.ts';
import { lambdaContext } from '../../infra/local/gateway.ts';
import { type StreamPoller, startStreamPoller } from '../../infra/local/stream-poller.ts';
import { streamConsumers } from '../../infra/streams.ts';
import { birthdayGiftsAt } from '../../shared/app/birthdays.ts';
import { deliver, redeliver, unsubscribeUrl } from '../../shared/app/messages.ts';
import { dueMessages, messagesOf } from '../../shared/db/messages.ts';
import { memberKeys } from '../../shared/db/keys.ts';
import { outbox } from '../../shared/messaging/outbox.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let till: string;
let admin: string;
let poller: StreamPoller;
const store = uniqueId('MS');

/** A time zone where it is daytime now, so the gate lets marketing through whenever the test runs. */
const daytimeZone = (): string => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney', 'Pacific/Auckland'];
  const hourIn = (zone: string) => Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: '2-digit' }).format(new Date()));
  return zones.find((zone) => hourIn(zone) >= 9 && hourIn(zone) < 19)!;
};

const register = async (body: Record<string, unknown>) => {
  const answer = await api.call('POST', '/members', {
    token: till,
    headers: { 'idempotency-key': uniqueId('reg') },
    body: { name: 'Birthday Member', ...body },
  });
  expect(answer.status).toBe(201);
  return answer.body;
};

/**
 * The birthday job at a fixed instant: noon UTC on 15 June next year (a day no other test
 * registers birthdays on, in the future so the gift's lot has not expired when the test reads it).
 */
const birthdayNoon = `${new Date().getUTCFullYear() + 1}-06-15T12:00:00.000Z`;
const job = () => birthdayGiftsAt(birthdayNoon, () => 600_000, 1);

beforeAll(async () => {
  process.env.MESSAGES_TRANSPORT = 'outbox';
  api = await startApi();
  till = await token({ role: 'store', locations: [store] });
  admin = await token({ role: 'admin' });
  expect(
    (await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: 'Alert store', type: 'STORE', timeZone: 'UTC' } })).status,
  ).toBe(201);
  poller = await startStreamPoller({
    endpoint: inject('dynamoEndpoint'),
    tableEnv: inject('tableEnv'),
    failures: new FailureLog(),
    consumers: [['backInStock', streamConsumers.backInStock]],
  });
});

afterAll(async () => {
  await poller.stop();
  await api.close();
});

describe('the birthday job', () => {
  it('gives each member with a birthday today one gift and one message, however often it runs that day', async () => {
    const today = birthdayNoon.slice(5, 10);
    // 14:00 there: daytime, and the same date as in UTC.
    const timeZone = 'Europe/Berlin';
    const emailFan = await register({ email: `${uniqueId('bday')}@example.com`, birthday: `1990-${today}`, timeZone, consent: { email: true } });
    const textFan = await register({
      phone: `+4917${String(Math.floor(1e7 + Math.random() * 8e7))}`,
      birthday: `1985-${today}`,
      timeZone,
      consent: { sms: true },
    });
    const silent = await register({ email: `${uniqueId('quiet')}@example.com`, birthday: `1970-${today}`, timeZone });
    const other = await register({
      email: `${uniqueId('other')}@example.com`,
      birthday: '1990-06-16',
      consent: { email: true },
    });

    await job();
    await job();

    expect(outbox.list(emailFan.email)).toEqual([
      expect.objectContaining({
        channel: 'email',
        subject: 'Happy birthday, Birthday Member!',
        headers: expect.objectContaining({ 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }),
      }),
    ]);
    expect(outbox.list(textFan.phone)).toEqual([expect.objectContaining({ channel: 'sms', body: expect.stringContaining('Reply STOP to opt out.') })]);
    expect(outbox.list(silent.email)).toEqual([]);
    expect(outbox.list(other.email)).toEqual([]);

    // The gift came once; the member without consent got it too, and a record of why no message went.
    for (const member of [emailFan, textFan, silent]) {
      const after = (await api.call('GET', `/members/${member.memberId}`, { token: till })).body;
      expect(after.points.available).toBe(600);
    }
    expect(await messagesOf(silent.memberId)).toEqual([expect.objectContaining({ status: 'SKIPPED', reason: 'NO_CONSENT', template: 'BIRTHDAY' })]);
    expect(await messagesOf(emailFan.memberId)).toEqual([expect.objectContaining({ status: 'SENT', channel: 'email', providerMessageId: expect.any(String) })]);
  });
});

describe('deferred messages', () => {
  it("waits out quiet hours in the member's zone, then goes once", async () => {
    const member = await register({ email: `${uniqueId('night')}@example.com`, timeZone: 'Asia/Tokyo', consent: { email: true } });
    // 23:00 in Tokyo.
    const night = '2026-11-25T14:00:00.000Z';
    const message = {
      source: uniqueId('promo'),
      kind: 'marketing' as const,
      template: 'BIRTHDAY' as const,
      vars: { name: 'N', tier: 'REGULAR', points: 0 },
      channels: ['email' as const],
    };
    const first = await deliver(member.memberId, message, night);
    expect(first).toMatchObject({ status: 'DEFERRED', decision: { action: 'DEFER', reason: 'QUIET_HOURS', until: '2026-11-25T23:00:00.000Z' } });
    expect(await deliver(member.memberId, message, night)).toMatchObject({ status: 'DUPLICATE' });

    expect(await dueMessages('2026-11-25', '2026-11-25T22:59:00.000Z')).not.toContainEqual(expect.objectContaining({ memberId: member.memberId }));
    const due = (await dueMessages('2026-11-25', '2026-11-25T23:00:00.000Z')).filter((r) => r.memberId === member.memberId);
    expect(due).toHaveLength(1);
    const [sent, again] = await Promise.all([redeliver(due[0]!, '2026-11-25T23:00:00.000Z'), redeliver(due[0]!, '2026-11-25T23:00:00.000Z')]);
    expect([sent, again].sort()).toEqual(['DUPLICATE', 'SENT']);
    expect(outbox.list(member.email)).toHaveLength(1);
    expect(await messagesOf(member.memberId)).toEqual([expect.objectContaining({ status: 'SENT', reason: 'QUIET_HOURS' })]);
  });
});

describe('back in stock', () => {
  const move = async (body: Record<string, unknown>) =>
    expect((await api.call('POST', '/movements', { token: admin, body: { movementId: uniqueId('m'), locationId: store, ...body } })).status).toBe(201);

  it('tells each subscriber once when stock goes from none to some, higher tiers first (later tiers in waves), and not again on the next restock', async () => {
    const sku = uniqueId('bis');
    expect((await api.call('POST', '/products', { token: admin, body: { sku, name: 'Trail runner', unitCost: 1, price: 2, currency: 'EUR' } })).status).toBe(
      201,
    );
    await move({ type: 'RECEIPT', lines: [{ sku, qty: 1 }] });
    await move({ type: 'SALE', lines: [{ sku, qty: 1 }] });
    const regular = await register({ phone: `+4917${String(Math.floor(1e7 + Math.random() * 8e7))}`, consent: { sms: true } });
    const gold = await register({ phone: `+4917${String(Math.floor(1e7 + Math.random() * 8e7))}`, consent: { sms: true } });
    expect(
      (await api.call('POST', `/members/${gold.memberId}/paid-tier`, { token: till, body: { paymentId: uniqueId('p'), tier: 'GOLD', months: 1, fee: 900 } }))
        .status,
    ).toBe(201);
    const self = await token({ role: 'member', memberId: regular.memberId });
    for (const [member, as] of [
      [regular, self],
      [gold, till],
    ] as const) {
      const answer = await api.call('POST', `/members/${member.memberId}/stock-alerts`, { token: as, body: { sku, locationId: store } });
      expect(answer.status).toBe(201);
      expect(answer.body.status).toBe('ACTIVE');
    }
    // Another member's subscription is not the caller's business.
    expect((await api.call('POST', `/members/${gold.memberId}/stock-alerts`, { token: self, body: { sku, locationId: store } })).status).toBe(404);

    await move({ type: 'RECEIPT', lines: [{ sku, qty: 3 }] });
    const told = async () => outbox.list().filter((m) => m.to === regular.phone || m.to === gold.phone);
    for (let i = 0; i < 100 && (await told()).length < 1; i++) await poller.idle();
    await poller.idle();
    // GOLD now; the regular one wave later (test/integration/back-in-stock.test.ts releases waves on a moved clock).
    expect((await told()).map((m) => m.to)).toEqual([gold.phone]);
    expect((await told())[0]).toMatchObject({ channel: 'sms', body: expect.stringContaining('Trail runner is back at Alert store') });
    expect((await api.call('POST', `/members/${regular.memberId}/stock-alerts`, { token: self, body: { sku, locationId: store } })).body).toMatchObject({
      status: 'SCHEDULED',
      dueAt: expect.any(String),
    });

    await move({ type: 'SALE', lines: [{ sku, qty: 3 }] });
    await move({ type: 'RECEIPT', lines: [{ sku, qty: 2 }] });
    await poller.idle();
    await poller.idle();
    expect(await told()).toHaveLength(1);
  });
});

describe('back in stock, stream records handled late', () => {
  it('tells only who was waiting when the stock came back, higher tiers first', async () => {
    const sku = uniqueId('bis-late');
    expect((await api.call('POST', '/products', { token: admin, body: { sku, name: 'Late runner', unitCost: 1, price: 2, currency: 'EUR' } })).status).toBe(
      201,
    );
    const restock = (updatedAt: string): DynamoDBStreamEvent => ({
      Records: [
        {
          eventID: updatedAt,
          eventName: 'MODIFY',
          eventSource: 'aws:dynamodb',
          dynamodb: { NewImage: marshall({ sku, locationId: store, available: 1, updatedAt }) as never, SequenceNumber: '1' },
        },
      ],
    });
    // The stock came back before anyone asked; its record is handled only now, on a loaded machine.
    const earlier = new Date(Date.now() - 60_000).toISOString();
    const members: { memberId: string; phone: string }[] = [];
    for (let i = 0; i < 3; i++) members.push(await register({ phone: `+4917${String(Math.floor(1e7 + Math.random() * 8e7))}`, consent: { sms: true } }));
    const [firstRegular, gold, secondRegular] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
    expect(
      (await api.call('POST', `/members/${gold.memberId}/paid-tier`, { token: till, body: { paymentId: uniqueId('p'), tier: 'GOLD', months: 1, fee: 900 } }))
        .status,
    ).toBe(201);
    // Subscribed in this order: the regulars keep it among themselves, GOLD goes before both.
    for (const member of members)
      expect((await api.call('POST', `/members/${member.memberId}/stock-alerts`, { token: till, body: { sku, locationId: store } })).status).toBe(201);
    const told = () =>
      outbox
        .list()
        .filter((m) => members.some((member) => member.phone === m.to))
        .map((m) => m.to);

    expect((await backInStock(restock(earlier), lambdaContext('backInStock'))).batchItemFailures).toEqual([]);
    expect(told()).toEqual([]);
    expect((await backInStock(restock(new Date().toISOString()), lambdaContext('backInStock'))).batchItemFailures).toEqual([]);
    // GOLD now; the regulars, who asked in time for this restock, in the next wave, in the order they asked.
    expect(told()).toEqual([gold.phone]);
    const scheduled = [];
    for (const member of [firstRegular, secondRegular])
      scheduled.push((await api.call('POST', `/members/${member.memberId}/stock-alerts`, { token: till, body: { sku, locationId: store } })).body);
    expect(scheduled).toEqual([expect.objectContaining({ status: 'SCHEDULED' }), expect.objectContaining({ status: 'SCHEDULED' })]);
    expect(scheduled[0].dueAt).toBe(scheduled[1].dueAt);
  });
});

describe('unsubscribe', () => {
  it('withdraws consent through the signed one-click link, and refuses a forged one', async () => {
    const member = await register({ email: `${uniqueId('unsub')}@example.com`, consent: { email: true } });
    const link = new URL(unsubscribeUrl(member.memberId, 'email'));
    const forged = await api.call('POST', `${link.pathname}?member=${member.memberId}&channel=email&sig=${'A'.repeat(43)}`, {
      rawBody: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.status).toBe(400);
    const otherChannel = await api.call('POST', `${link.pathname}${link.search.replace('channel=email', 'channel=sms')}`);
    expect(otherChannel.status).toBe(400);

    const done = await api.call('POST', `${link.pathname}${link.search}`, {
      rawBody: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ unsubscribed: true, channel: 'email' });
    const after = (await api.call('GET', `/members/${member.memberId}`, { token: till })).body;
    expect(after.consent.email).toEqual({ granted: false, at: expect.any(String), source: 'UNSUBSCRIBE_LINK' });
    const message = {
      source: uniqueId('promo'),
      kind: 'marketing' as const,
      template: 'BIRTHDAY' as const,
      vars: { name: 'N', tier: 'REGULAR', points: 0 },
      channels: ['email' as const],
    };
    expect(await deliver(member.memberId, message)).toMatchObject({ status: 'SKIPPED', decision: { reason: 'NO_CONSENT' } });
  });
});

describe('what SES and SMS report back', () => {
  const sns = (message: unknown): SNSEvent => ({
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-central-1:123456789012:t:sub',
        Sns: {
          Type: 'Notification',
          MessageId: uniqueId('sns'),
          TopicArn: 'arn:aws:sns:eu-central-1:123456789012:t',
          Subject: '',
          Message: JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  });

  it('suppresses an address that bounced for good or complained, and leaves a full mailbox alone', async () => {
    const [bounced, complained, full] = await Promise.all([1, 2, 3].map(() => register({ email: `${uniqueId('rep')}@example.com`, consent: { email: true } })));
    const mail = (eventType: string, email: string, extra: Record<string, unknown>) => ({ eventType, mail: { destination: [email] }, ...extra });
    expect(
      await mailEvents(
        sns(
          mail('Bounce', bounced!.email.toUpperCase(), {
            bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: bounced!.email.toUpperCase() }] },
          }),
        ),
        lambdaContext('mailEvents'),
      ),
    ).toEqual({ suppressed: 1 });
    expect(
      await mailEvents(
        sns(mail('Complaint', complained!.email, { complaint: { complainedRecipients: [{ emailAddress: complained!.email }] } })),
        lambdaContext('mailEvents'),
      ),
    ).toEqual({ suppressed: 1 });
    expect(
      await mailEvents(
        sns(mail('Bounce', full!.email, { bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: full!.email }] } })),
        lambdaContext('mailEvents'),
      ),
    ).toEqual({ suppressed: 0 });
    expect(
      await mailEvents(
        sns(mail('Complaint', 'nobody@example.com', { complaint: { complainedRecipients: [{ emailAddress: 'nobody@example.com' }] } })),
        lambdaContext('mailEvents'),
      ),
    ).toEqual({ suppressed: 0 });

    const message = {
      source: uniqueId('promo'),
      kind: 'transactional' as const,
      template: 'BIRTHDAY' as const,
      vars: { name: 'N', tier: 'REGULAR', points: 0 },
      channels: ['email' as const],
    };
    expect(await deliver(bounced!.memberId, message)).toMatchObject({ status: 'SKIPPED', decision: { reason: 'SUPPRESSED', detail: 'BOUNCED' } });
    expect(await deliver(complained!.memberId, message)).toMatchObject({ status: 'SKIPPED', decision: { reason: 'SUPPRESSED', detail: 'COMPLAINED' } });
    expect(await deliver(full!.memberId, message)).toMatchObject({ status: 'SENT' });
  });

  it('withdraws SMS consent when a member texts STOP', async () => {
    const member = await register({ phone: `+4917${String(Math.floor(1e7 + Math.random() * 8e7))}`, consent: { sms: true } });
    const text = (body: string) => sns({ originationNumber: member.phone, destinationNumber: '+4930123456', messageBody: body });
    expect(await inboundSms(text('Thanks!'), lambdaContext('inboundSms'))).toEqual({ optedOut: 0 });
    expect(await inboundSms(text(' stop '), lambdaContext('inboundSms'))).toEqual({ optedOut: 1 });
    const after = (await api.call('GET', `/members/${member.memberId}`, { token: till })).body;
    expect(after.consent.sms).toEqual({ granted: false, at: expect.any(String), source: 'SMS_STOP' });
  });
});

describe('the daily marketing budget', () => {
  it("defers marketing to the next day once the day's budget is spent, and never holds back transactional messages", async () => {
    const day = `20${30 + Math.floor(Math.random() * 60)}-03-0${1 + Math.floor(Math.random() * 8)}`;
    const now = `${day}T10:00:00.000Z`;
    process.env.MARKETING_DAILY_CAP = '1';
    try {
      const [first, second] = await Promise.all(
        [1, 2].map(() => register({ email: `${uniqueId('budget')}@example.com`, timeZone: 'UTC', consent: { email: true } })),
      );
      const offer = {
        source: uniqueId('promo'),
        kind: 'marketing' as const,
        template: 'BIRTHDAY' as const,
        vars: { name: 'N', tier: 'REGULAR', points: 0 },
        channels: ['email' as const],
      };
      expect(await deliver(first!.memberId, offer, now)).toMatchObject({ status: 'SENT' });
      const next = new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString();
      expect(await deliver(second!.memberId, offer, now)).toMatchObject({ status: 'DEFERRED', decision: { reason: 'DAILY_BUDGET', until: next } });
      expect(await deliver(second!.memberId, { ...offer, source: uniqueId('receipt'), kind: 'transactional' }, now)).toMatchObject({ status: 'SENT' });
    } finally {
      delete process.env.MARKETING_DAILY_CAP;
    }
  });
});

describe('welcome and points notices', () => {
  it('welcomes a new member once, however often the stream delivers the record', async () => {
    const member = await register({ email: `${uniqueId('hello')}@example.com`, consent: { email: true } });
    const image = {
      pk: `MEMBER#${member.memberId}`,
      sk: 'PROFILE',
      entity: 'MEMBER',
      memberId: member.memberId,
      name: member.name,
      createdAt: member.createdAt,
    };
    const event: DynamoDBStreamEvent = {
      Records: [
        {
          eventID: '1',
          eventName: 'INSERT',
          eventSource: 'aws:dynamodb',
          dynamodb: { NewImage: marshall(image) as never, SequenceNumber: '1', Keys: marshall({ pk: image.pk, sk: image.sk }) as never },
        },
      ],
    };
    for (let i = 0; i < 2; i++) expect((await welcome(event, lambdaContext('welcome'))).batchItemFailures).toEqual([]);
    expect(outbox.list(member.email)).toEqual([
      expect.objectContaining({ subject: 'Welcome to StockClub, Birthday Member', body: expect.stringContaining('500 points') }),
    ]);
  });

  it('tells the holder of an email someone else signed up with, once a day, however often the stream delivers the notice', async () => {
    const holder = await register({ email: `${uniqueId('holder')}@example.com`, consent: { email: true } });
    const at = new Date().toISOString();
    const image = {
      ...memberKeys.signupAttempt(holder.memberId, at.slice(0, 10)),
      entity: 'SIGNUP_ATTEMPT',
      memberId: holder.memberId,
      channels: ['email'],
      at,
    };
    const event: DynamoDBStreamEvent = {
      Records: [
        {
          eventID: '1',
          eventName: 'INSERT',
          eventSource: 'aws:dynamodb',
          dynamodb: { NewImage: marshall(image) as never, SequenceNumber: '1', Keys: marshall({ pk: image.pk, sk: image.sk }) as never },
        },
      ],
    };
    for (let i = 0; i < 2; i++) expect((await welcome(event, lambdaContext('welcome'))).batchItemFailures).toEqual([]);
    expect(outbox.list(holder.email)).toEqual([expect.objectContaining({ subject: 'Someone signed up to StockClub with your details' })]);
  });

  it('tells a member once, 14 days ahead, about points about to expire', async () => {
    const admin = await token({ role: 'admin' });
    const member = await register({ email: `${uniqueId('expiring')}@example.com`, consent: { email: true } });
    expect(
      (
        await api.call('POST', `/members/${member.memberId}/points/adjustments`, {
          token: admin,
          body: { adjustmentId: uniqueId('a'), points: 40, reason: 'goodwill', expiryDays: 14 },
        })
      ).status,
    ).toBe(201);
    for (let i = 0; i < 2; i++) await pointsExpiryReminders({} as ScheduledEvent, lambdaContext('pointsExpiryReminders'));
    expect(outbox.list(member.email)).toEqual([expect.objectContaining({ subject: expect.stringMatching(/^40 points expire on \d{4}-\d{2}-\d{2}$/) })]);
  });
});

describe('campaigns', () => {
  it('shows who would get it and why not, sends each member once however often a page is dispatched, within the budget, and reports', async () => {
    const admin = await token({ role: 'admin' });
    const timeZone = daytimeZone();
    const month = 1 + Math.floor(Math.random() * 12);
    const birthday = `1991-${String(month).padStart(2, '0')}-15`;
    const fan = await register({ email: `${uniqueId('fan')}@example.com`, birthday, timeZone, consent: { email: true } });
    const silent = await register({ email: `${uniqueId('nope')}@example.com`, birthday, timeZone });
    const other = await register({
      email: `${uniqueId('other')}@example.com`,
      birthday: `1991-${String((month % 12) + 1).padStart(2, '0')}-15`,
      timeZone,
      consent: { email: true },
    });
    const campaignId = uniqueId('cmp');
    const created = await api.call('POST', '/campaigns', {
      token: admin,
      body: {
        campaignId,
        name: 'Birthday month',
        segment: { birthdayMonth: month },
        channels: ['email'],
        headline: 'A gift for your month',
        text: 'take 10 % off this week.',
        budget: 1000,
      },
    });
    expect(created.status).toBe(201);

    // Walk every page of the membership (other test files' members included) and keep ours.
    const walk = async (action: 'dry-run' | 'dispatch') => {
      const seen: Record<string, unknown>[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.call('POST', `/campaigns/${campaignId}/${action}${cursor ? `?cursor=${cursor}` : ''}`, { token: admin });
        expect(page.status).toBe(200);
        seen.push(page.body);
        cursor = page.body.cursor;
      } while (cursor);
      return seen;
    };
    const dry = (await walk('dry-run')).flatMap((p) => p.entries as { memberId: string }[]);
    expect(dry.find((e) => e.memberId === fan.memberId)).toEqual({ memberId: fan.memberId, action: 'SEND', channel: 'email' });
    expect(dry.find((e) => e.memberId === silent.memberId)).toEqual({ memberId: silent.memberId, action: 'SKIP', channel: 'email', reason: 'NO_CONSENT' });
    expect(dry.find((e) => e.memberId === other.memberId)).toEqual({ memberId: other.memberId, action: 'NOT_IN_SEGMENT', reason: 'birthday month' });
    expect(outbox.list(fan.email)).toEqual([]);

    await walk('dispatch');
    await walk('dispatch');
    expect(outbox.list(fan.email)).toEqual([
      expect.objectContaining({
        subject: 'A gift for your month',
        headers: expect.objectContaining({ 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }),
      }),
    ]);
    expect(outbox.list(silent.email)).toEqual([]);
    expect(outbox.list(other.email)).toEqual([]);
    const report = (await api.call('GET', `/campaigns/${campaignId}`, { token: admin })).body;
    expect(report.counts.SENT).toBeGreaterThanOrEqual(1);
    expect(report.counts.DUPLICATE).toBe(report.counts.SENT + (report.counts.SKIPPED ?? 0) + (report.counts.DEFERRED ?? 0));
  });
});

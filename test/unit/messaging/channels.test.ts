import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendEmail, sendText } from '../../../shared/messaging/channels.ts';
import { outbox } from '../../../shared/messaging/outbox.ts';
import { renderEmail } from '../../../shared/messaging/templates.ts';

const ses = mockClient(SESv2Client);
const sms = mockClient(PinpointSMSVoiceV2Client);
const settings = {
  EMAIL_FROM: 'StockClub <club@stockclub.example>',
  SES_CONFIGURATION_SET: 'stockclub-members',
  SMS_ORIGINATION_IDENTITY: 'arn:aws:sms-voice:eu-central-1:123456789012:pool/pool-members',
  SMS_CONFIGURATION_SET: 'stockclub-sms',
};

beforeEach(() => {
  ses.reset();
  sms.reset();
  Object.assign(process.env, settings);
  delete process.env.MESSAGES_TRANSPORT;
});

afterEach(() => {
  for (const name of Object.keys(settings)) delete process.env[name];
  delete process.env.MESSAGES_TRANSPORT;
  outbox.clear();
});

describe('email through SES v2', () => {
  it('sends marketing with a configuration set, one-click unsubscribe headers, text and HTML', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const id = await sendEmail({
      to: 'anna@example.com',
      subject: 'Happy birthday, Anna!',
      text: 'Hello',
      html: '<p>Hello</p>',
      unsubscribeUrl: 'https://club.example/unsubscribe?member=m-anna&channel=email&sig=abc',
      tags: { member: 'm-anna', source: 'birthday 2026-11-25' },
    });
    expect(id).toBe('ses-1');
    expect(ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input)).toEqual([
      {
        FromEmailAddress: 'StockClub <club@stockclub.example>',
        Destination: { ToAddresses: ['anna@example.com'] },
        ConfigurationSetName: 'stockclub-members',
        EmailTags: [
          { Name: 'member', Value: 'm-anna' },
          { Name: 'source', Value: 'birthday_2026-11-25' },
        ],
        Content: {
          Simple: {
            Subject: { Data: 'Happy birthday, Anna!', Charset: 'UTF-8' },
            Body: { Text: { Data: 'Hello', Charset: 'UTF-8' }, Html: { Data: '<p>Hello</p>', Charset: 'UTF-8' } },
            Headers: [
              { Name: 'List-Unsubscribe', Value: '<https://club.example/unsubscribe?member=m-anna&channel=email&sig=abc>' },
              { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
            ],
          },
        },
      },
    ]);
  });

  it('leaves the unsubscribe headers off transactional mail', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
    await sendEmail({ to: 'ben@example.com', subject: 'Your receipt', text: 't', html: 'h', tags: {} });
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Content?.Simple?.Headers).toBeUndefined();
  });

  it('writes to the outbox instead in the local cloud, with the same headers and no AWS settings needed', async () => {
    for (const name of Object.keys(settings)) delete process.env[name];
    process.env.MESSAGES_TRANSPORT = 'outbox';
    await sendEmail({ to: 'anna@example.com', subject: 's', text: 't', html: 'h', unsubscribeUrl: 'https://u.example/x', tags: { member: 'm-anna' } });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(outbox.list('anna@example.com')).toEqual([
      expect.objectContaining({
        channel: 'email',
        subject: 's',
        body: 't',
        headers: { 'List-Unsubscribe': '<https://u.example/x>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      }),
    ]);
  });
});

describe('header injection', () => {
  // Stored before the API refused line breaks in names, or written by another path.
  const storedName = 'Eve\r\nBcc: everyone@example.com\r\n\r\nHello';

  it('a stored name with CR/LF yields a single-line Subject, and the address a single line too', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-3' });
    const email = renderEmail('WELCOME', { name: storedName, points: 500, expiresOn: '2027-03-01' });
    await sendEmail({ to: 'eve@example.com\nBcc: x@example.com', ...email, tags: { member: 'm-eve' } });
    expect(ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input)).toEqual([
      {
        FromEmailAddress: 'StockClub <club@stockclub.example>',
        Destination: { ToAddresses: ['eve@example.com Bcc: x@example.com'] },
        ConfigurationSetName: 'stockclub-members',
        EmailTags: [{ Name: 'member', Value: 'm-eve' }],
        Content: {
          Simple: {
            Subject: { Data: 'Welcome to StockClub, Eve Bcc: everyone@example.com Hello', Charset: 'UTF-8' },
            Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
          },
        },
      },
    ]);
  });

  it('strips Unicode line separators and other control characters from the subject and the unsubscribe header', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-4' });
    await sendEmail({
      to: 'a@example.com',
      subject: 'A\u2028B\u0085C\u0000D\tE',
      text: 't',
      html: 'h',
      unsubscribeUrl: 'https://u.example/x\r\nX-Evil: 1',
      tags: {},
    });
    const sent = ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Content?.Simple;
    expect(sent?.Subject).toEqual({ Data: 'A B C D E', Charset: 'UTF-8' });
    expect(sent?.Headers?.[0]).toEqual({ Name: 'List-Unsubscribe', Value: '<https://u.example/x X-Evil: 1>' });
  });

  it('the outbox (local cloud) gets the same single-line subject', async () => {
    process.env.MESSAGES_TRANSPORT = 'outbox';
    await sendEmail({ to: 'eve@example.com', ...renderEmail('BIRTHDAY', { name: storedName, tier: 'GOLD', points: 400 }), tags: {} });
    expect(outbox.list('eve@example.com').map((m) => m.subject)).toEqual(['Happy birthday, Eve Bcc: everyone@example.com Hello!']);
  });
});

describe('SMS through End User Messaging SMS', () => {
  it('sends from the pool (whose opt-out list AWS enforces) with the configuration set and message type', async () => {
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'sms-1' });
    expect(await sendText({ to: '+491701234567', body: 'Hi. Reply STOP to opt out.', kind: 'marketing', context: { member: 'm-anna' } })).toBe('sms-1');
    await sendText({ to: '+491701234567', body: 'Receipt', kind: 'transactional', context: {} });
    expect(sms.commandCalls(SendTextMessageCommand).map((c) => c.args[0].input)).toEqual([
      {
        DestinationPhoneNumber: '+491701234567',
        OriginationIdentity: settings.SMS_ORIGINATION_IDENTITY,
        ConfigurationSetName: 'stockclub-sms',
        MessageBody: 'Hi. Reply STOP to opt out.',
        MessageType: 'PROMOTIONAL',
        Context: { member: 'm-anna' },
      },
      {
        DestinationPhoneNumber: '+491701234567',
        OriginationIdentity: settings.SMS_ORIGINATION_IDENTITY,
        ConfigurationSetName: 'stockclub-sms',
        MessageBody: 'Receipt',
        MessageType: 'TRANSACTIONAL',
        Context: {},
      },
    ]);
  });

  it('refuses to send without its settings rather than from a default identity', async () => {
    delete process.env.SMS_ORIGINATION_IDENTITY;
    await expect(sendText({ to: '+491701234567', body: 'x', kind: 'marketing', context: {} })).rejects.toThrow(/SMS_ORIGINATION_IDENTITY is not set/);
    expect(sms.commandCalls(SendTextMessageCommand)).toHaveLength(0);
  });
});

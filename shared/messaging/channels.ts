/**
 * The three ways a message leaves: email through SES v2, SMS through End
 * User Messaging SMS and app push through SNS mobile push (a platform
 * application per push service, an endpoint per device token). Clients are created once per container, on first use
 * (so an endpoint set before the first send is the one used).
 * MESSAGES_TRANSPORT picks where messages go off AWS:
 * - `local` (the local cloud): email through this same SES adapter to the
 *   SES v2 emulator, texts to the outbox (there is no SMS emulator);
 * - `outbox` (tests): email and texts to the in-process outbox;
 * push goes to the outbox in both (there is no SNS mobile push emulator).
 */
import { SendEmailCommand, type SendEmailCommandInput, SESv2Client } from '@aws-sdk/client-sesv2';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand, type SendTextMessageCommandInput } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  CreatePlatformEndpointCommand,
  type CreatePlatformEndpointCommandInput,
  DeleteEndpointCommand,
  PublishCommand,
  type PublishCommandInput,
  SNSClient,
} from '@aws-sdk/client-sns';
import { type Platform, tokenGone } from '../domain/devices.ts';
import { lineBreaking } from '../schemas/common.ts';
import { outbox } from './outbox.ts';

// One client per endpoint: a second local cloud in the same process brings its own emulator.
const sesClients = new Map<string, SESv2Client>();
let sms: PinpointSMSVoiceV2Client | undefined;
let sns: SNSClient | undefined;

const sesClient = (): SESv2Client => {
  const endpoint = process.env.AWS_ENDPOINT_URL_SESV2 ?? '';
  if (transport() === 'local' && !endpoint)
    throw new Error('MESSAGES_TRANSPORT=local needs AWS_ENDPOINT_URL_SESV2 (the SES emulator): refusing to send to real SES');
  let client = sesClients.get(endpoint);
  if (!client) {
    client = new SESv2Client({});
    sesClients.set(endpoint, client);
  }
  return client;
};

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** One-click unsubscribe (RFC 8058) for marketing; transactional mail leaves it out. */
  readonly unsubscribeUrl?: string;
  /** Tags SES passes to the configuration set's event destinations (member, campaign). */
  readonly tags: Record<string, string>;
}

export interface TextMessage {
  readonly to: string;
  readonly body: string;
  readonly kind: 'marketing' | 'transactional';
  readonly context: Record<string, string>;
}

const setting = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

/** SES tag values allow letters, digits, `_`, `-`, `.`, `@` only. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);

/**
 * A header value on one line. The API refuses line breaks in names and
 * subjects, but records stored before it did, or written by other paths,
 * must not start a header of their own (a Bcc: in a member's name).
 */
const headerValue = (value: string) => value.replace(lineBreaking, ' ');

/** RFC 8058 one-click unsubscribe: mailbox providers show an unsubscribe button and POST to the URL. */
const unsubscribeHeaders = (message: EmailMessage) =>
  message.unsubscribeUrl
    ? [
        { Name: 'List-Unsubscribe', Value: `<${headerValue(message.unsubscribeUrl)}>` },
        { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
      ]
    : undefined;

export const emailRequest = (message: EmailMessage): SendEmailCommandInput => ({
  FromEmailAddress: setting('EMAIL_FROM'),
  Destination: { ToAddresses: [headerValue(message.to)] },
  ConfigurationSetName: setting('SES_CONFIGURATION_SET'),
  EmailTags: Object.entries(message.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
  Content: {
    Simple: {
      Subject: { Data: headerValue(message.subject), Charset: 'UTF-8' },
      Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
      ...(message.unsubscribeUrl ? { Headers: unsubscribeHeaders(message) } : {}),
    },
  },
});

export const textRequest = (message: TextMessage): SendTextMessageCommandInput => ({
  DestinationPhoneNumber: message.to,
  // A pool whose opt-out list holds everyone who texted STOP: AWS refuses to send to them.
  OriginationIdentity: setting('SMS_ORIGINATION_IDENTITY'),
  ConfigurationSetName: setting('SMS_CONFIGURATION_SET'),
  MessageBody: message.body,
  MessageType: message.kind === 'marketing' ? 'PROMOTIONAL' : 'TRANSACTIONAL',
  Context: message.context,
});

const transport = () => process.env.MESSAGES_TRANSPORT;

/** Sends an email; answers the provider's message id. */
export const sendEmail = async (message: EmailMessage): Promise<string> => {
  if (transport() === 'outbox') {
    const headers = Object.fromEntries((unsubscribeHeaders(message) ?? []).map((h) => [h.Name, h.Value]));
    return outbox.add({ channel: 'email', to: headerValue(message.to), subject: headerValue(message.subject), body: message.text, headers, meta: message.tags })
      .id;
  }
  const output = await sesClient().send(new SendEmailCommand(emailRequest(message)));
  return output.MessageId ?? '';
};

export const sendText = async (message: TextMessage): Promise<string> => {
  if (transport() === 'outbox' || transport() === 'local')
    return outbox.add({ channel: 'sms', to: message.to, body: message.body, meta: { ...message.context, kind: message.kind } }).id;
  sms ??= new PinpointSMSVoiceV2Client({});
  const output = await sms.send(new SendTextMessageCommand(textRequest(message)));
  return output.MessageId ?? '';
};

// ---- app push (SNS mobile push)

export interface PushMessage {
  readonly platform: Platform;
  readonly token: string;
  /** The device's SNS endpoint, once made; without one the first send makes it. */
  readonly endpointArn?: string;
  /** What SNS keeps with the endpoint (the device id): never member data. */
  readonly deviceId: string;
  readonly title: string;
  readonly body: string;
  readonly kind: 'marketing' | 'transactional';
  /** Delivered to the app as data (member, source, template, send key). */
  readonly context: Record<string, string>;
}

/**
 * The provider says the token will never work again (SNS `EndpointDisabled`,
 * `InvalidParameter` on a token, `NotFound`): the caller removes the device.
 * `endpointArn` is the endpoint to delete, if one was made.
 */
export class PushTokenGone extends Error {
  constructor(
    readonly providerError: string,
    readonly endpointArn?: string,
  ) {
    super(`The push token is no longer valid (${providerError})`);
    this.name = 'PushTokenGone';
  }
}

/** The platform application of a push service: `PUSH_APPLICATION_APNS` / `PUSH_APPLICATION_FCM`, from the stack's context. */
const platformApplication = (platform: Platform) => setting(`PUSH_APPLICATION_${platform}`);

export const pushEndpointRequest = (message: Pick<PushMessage, 'platform' | 'token' | 'deviceId'>): CreatePlatformEndpointCommandInput => ({
  PlatformApplicationArn: platformApplication(message.platform),
  Token: message.token,
  // The same token always carries the same data, so CreatePlatformEndpoint answers the same endpoint again (it is idempotent only then).
  CustomUserData: message.deviceId,
});

/**
 * A publish to one endpoint: one JSON message with a payload per push
 * service (`MessageStructure: json`); SNS hands each platform its own.
 * Marketing goes with normal priority, account notices with high.
 */
export const pushRequest = (endpointArn: string, message: PushMessage): PublishCommandInput => {
  const apns = JSON.stringify({ aps: { alert: { title: message.title, body: message.body }, sound: 'default' }, ...message.context });
  const fcm = JSON.stringify({
    fcmV1Message: {
      message: {
        notification: { title: message.title, body: message.body },
        data: message.context,
        android: { priority: message.kind === 'marketing' ? 'NORMAL' : 'HIGH' },
      },
    },
  });
  return {
    TargetArn: endpointArn,
    MessageStructure: 'json',
    Message: JSON.stringify({ default: message.body, APNS: apns, APNS_SANDBOX: apns, GCM: fcm }),
    MessageAttributes: {
      'AWS.SNS.MOBILE.APNS.PUSH_TYPE': { DataType: 'String', StringValue: 'alert' },
      'AWS.SNS.MOBILE.APNS.PRIORITY': { DataType: 'String', StringValue: message.kind === 'marketing' ? '5' : '10' },
    },
  };
};

const snsClient = () => {
  sns ??= new SNSClient({});
  return sns;
};

const goneOr = (error: unknown, endpointArn?: string): never => {
  const name = (error as Error).name;
  throw tokenGone(name) ? new PushTokenGone(name, endpointArn) : error;
};

/**
 * Pushes to one device; answers the provider's message id and the endpoint
 * (made now if the device had none, for the caller to keep). Throws
 * `PushTokenGone` when the token is invalid or expired.
 */
export const sendPush = async (message: PushMessage): Promise<{ messageId: string; endpointArn?: string }> => {
  if (transport() === 'outbox' || transport() === 'local') {
    const stored = outbox.add({
      channel: 'push',
      to: message.token,
      subject: message.title,
      body: message.body,
      meta: { ...message.context, platform: message.platform, deviceId: message.deviceId, kind: message.kind },
    });
    return { messageId: stored.id };
  }
  let endpointArn = message.endpointArn;
  if (!endpointArn) {
    try {
      endpointArn = (await snsClient().send(new CreatePlatformEndpointCommand(pushEndpointRequest(message)))).EndpointArn;
    } catch (error) {
      goneOr(error);
    }
    if (!endpointArn) throw new Error('SNS answered no EndpointArn');
  }
  try {
    const output = await snsClient().send(new PublishCommand(pushRequest(endpointArn, message)));
    return { messageId: output.MessageId ?? '', ...(message.endpointArn ? {} : { endpointArn }) };
  } catch (error) {
    return goneOr(error, endpointArn);
  }
};

/** Deletes a device's SNS endpoint (its token is gone, or the member removed the device). Locally, nothing. */
export const deletePushEndpoint = async (endpointArn: string): Promise<void> => {
  if (transport() === 'outbox' || transport() === 'local') return;
  await snsClient().send(new DeleteEndpointCommand({ EndpointArn: endpointArn }));
};

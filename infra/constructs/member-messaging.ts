import { Annotations, CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { ConfigurationSet, EmailSendingEvent, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { CfnConfigurationSet as CfnSmsConfigurationSet, CfnOptOutList, CfnPool } from 'aws-cdk-lib/aws-smsvoice';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { notificationConsumerList, type NotificationConsumerName } from '../notifications.ts';

export interface MemberMessagingProps {
  /** Encrypts the topics SES and SMS report to. */
  readonly notificationKey: IKey;
}

/** Which push service a platform application ARN (`arn:aws:sns:…:app/{APNS|APNS_SANDBOX|GCM}/{name}`) belongs to. */
const pushPlatformOf = (arn: string): 'APNS' | 'FCM' | undefined => {
  const platform = /:app\/([A-Z_]+)\/[^/]+$/.exec(arn)?.[1];
  return platform === 'APNS' || platform === 'APNS_SANDBOX' ? 'APNS' : platform === 'GCM' ? 'FCM' : undefined;
};

/**
 * The channels of member messages: SES for email (a configuration set that
 * suppresses bounces and complaints), End User Messaging SMS for texts (a
 * pool with an opt-out list AWS enforces), SNS mobile push for the app (the
 * platform applications for APNs and FCM, made outside the stack because
 * they hold the push services' credentials; context `pushApplications`), and
 * the encrypted topics SES and SMS report back to. Functions that send get
 * `settings` and `grantSend`.
 */
export class MemberMessaging extends Construct {
  /** The environment of a function that sends member messages (the unsubscribe link and key come from the function). */
  readonly settings: Readonly<Record<string, string>>;
  /** Bounces and complaints, and texts members send back. */
  readonly topics: Readonly<Record<NotificationConsumerName, Topic>>;
  private readonly emailDomain: string;
  private readonly mail: ConfigurationSet;
  private readonly smsConfig: CfnSmsConfigurationSet;
  private readonly smsPool?: CfnPool;
  /** SNS platform applications by push service, from context `pushApplications` (ARNs, comma-separated). */
  private readonly pushApplications: Readonly<Partial<Record<'APNS' | 'FCM', string>>>;

  constructor(scope: Construct, id: string, props: MemberMessagingProps) {
    super(scope, id);
    const emailFrom = String(this.node.tryGetContext('emailFrom') ?? 'StockClub <club@stockclub.example>');
    this.emailDomain = /@([^>\s]+)>?$/.exec(emailFrom)?.[1] ?? 'stockclub.example';
    if (this.emailDomain.endsWith('.example')) {
      Annotations.of(this).addWarningV2(
        'stockclub:emailFrom',
        `emailFrom ${emailFrom} is a placeholder: deploy with -c emailFrom="Name <club@your-verified-domain>".`,
      );
    }
    // Bounces and complaints suppress the address account-wide; the configuration set carries tags to event destinations.
    this.mail = new ConfigurationSet(this, 'MemberMail', { reputationMetrics: true, suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS });
    const smsOptOuts = new CfnOptOutList(this, 'SmsOptOuts', {});
    this.smsConfig = new CfnSmsConfigurationSet(this, 'MemberSms', {});
    const smsNumbers = String(this.node.tryGetContext('smsOriginationNumbers') ?? '')
      .split(',')
      .filter(Boolean);
    this.smsPool = smsNumbers.length
      ? new CfnPool(this, 'SmsPool', {
          originationIdentities: smsNumbers,
          // AWS answers STOP and HELP and keeps opted-out numbers in the list; sends to them are refused.
          optOutListName: smsOptOuts.ref,
          selfManagedOptOutsEnabled: false,
          mandatoryKeywords: {
            help: { message: 'StockClub member messages. Reply STOP to opt out.' },
            stop: { message: 'You will get no more StockClub texts.' },
          },
        })
      : undefined;
    if (!this.smsPool) {
      Annotations.of(this).addWarningV2(
        'stockclub:smsOriginationNumbers',
        'No smsOriginationNumbers context: member texts cannot be sent. Register numbers, then deploy with -c smsOriginationNumbers=<phone number ARN>[,...].',
      );
    }
    const pushArns = String(this.node.tryGetContext('pushApplications') ?? '')
      .split(',')
      .map((arn) => arn.trim())
      .filter(Boolean);
    const unknownPush = pushArns.filter((arn) => !pushPlatformOf(arn));
    if (unknownPush.length > 0) throw new Error(`pushApplications: not an SNS APNS or GCM platform application ARN: ${unknownPush.join(', ')}`);
    this.pushApplications = Object.fromEntries(pushArns.map((arn) => [pushPlatformOf(arn)!, arn]));
    if (pushArns.length === 0) {
      Annotations.of(this).addWarningV2(
        'stockclub:pushApplications',
        'No pushApplications context: app push cannot be sent. Create SNS platform applications (APNs, FCM), then deploy with -c pushApplications=<ARN>[,<ARN>].',
      );
    }
    this.settings = {
      EMAIL_FROM: emailFrom,
      SES_CONFIGURATION_SET: this.mail.configurationSetName,
      SMS_ORIGINATION_IDENTITY: this.smsPool?.attrArn ?? '',
      SMS_CONFIGURATION_SET: this.smsConfig.ref,
      ...Object.fromEntries(Object.entries(this.pushApplications).map(([platform, arn]) => [`PUSH_APPLICATION_${platform}`, arn])),
      // The spend guard: marketing messages per day across the chain (context marketingDailyCap).
      MARKETING_DAILY_CAP: String(this.node.tryGetContext('marketingDailyCap') ?? 50_000),
    };

    // What SES and SMS report back: bounces, complaints, STOP replies.
    this.topics = Object.fromEntries(
      notificationConsumerList().map(([name, consumer]) => [
        name,
        new Topic(this, `${name}Topic`, { masterKey: props.notificationKey, enforceSSL: true, displayName: consumer.description.slice(0, 100) }),
      ]),
    ) as Record<NotificationConsumerName, Topic>;
    this.mail.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.topics.mailEvents),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    new CfnOutput(this, 'InboundSmsTopicArn', {
      value: this.topics.inboundSms.topicArn,
      description: 'Point the two-way channel of the member phone numbers here',
    });
  }

  /** ses:SendEmail from the club's domain through its configuration set, and texts through its pool (when there is one). */
  grantSend(role: Role): void {
    const stack = Stack.of(role);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.emailDomain }),
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.mail.configurationSetName }),
        ],
      }),
    );
    if (this.smsPool) {
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sms-voice:SendTextMessage'], resources: [this.smsPool.attrArn, this.smsConfig.attrArn] }));
    }
    const applications = Object.values(this.pushApplications);
    if (applications.length > 0) {
      // An endpoint per device token, made on the first push to it, in the configured applications only.
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:CreatePlatformEndpoint'], resources: applications }));
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish', 'sns:DeleteEndpoint'], resources: this.endpointArns(role) }));
    }
  }

  /** sns:DeleteEndpoint on the configured applications' endpoints: removing a member's device. */
  grantRemovePushEndpoints(role: Role): void {
    if (Object.keys(this.pushApplications).length === 0) return;
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:DeleteEndpoint'], resources: this.endpointArns(role) }));
  }

  /** `…:endpoint/{platform}/{application}/*` of each application: endpoint ids are made by SNS, so a wildcard, within one application. */
  private endpointArns(role: Role): string[] {
    const arns = Object.values(this.pushApplications).map((arn) => `${arn.replace(':app/', ':endpoint/')}/*`);
    for (const arn of arns) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${arn}]`,
        reason: 'SNS names each device endpoint at run time; the wildcard covers the endpoints of one configured platform application.',
      });
    }
    return arns;
  }
}

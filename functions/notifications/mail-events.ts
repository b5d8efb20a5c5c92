import type { SNSEvent } from 'aws-lambda';
import { withdrawConsentOf } from '../../shared/app/messages.ts';
import { suppressionOf } from '../../shared/domain/opt-out.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

interface SesEvent {
  eventType?: string;
  mail?: { destination?: string[]; timestamp?: string };
  bounce?: { bounceType?: string; bouncedRecipients?: { emailAddress: string }[] };
  complaint?: { complainedRecipients?: { emailAddress: string }[] };
}

/**
 * SES publishes bounces and complaints of the member mail configuration set
 * to SNS. A permanent bounce or a complaint suppresses the address and
 * withdraws email consent; addresses that belong to no member are ignored.
 */
export const mailEvents = eventHandler(async (event: SNSEvent) => {
  let suppressed = 0;
  for (const record of event.Records) {
    const ses = JSON.parse(record.Sns.Message) as SesEvent;
    const reason = suppressionOf(ses);
    if (!reason) continue;
    const recipients = (reason === 'BOUNCED' ? ses.bounce?.bouncedRecipients : ses.complaint?.complainedRecipients) ?? [];
    for (const { emailAddress } of recipients) {
      if (await withdrawConsentOf('email', emailAddress, `SES_${reason}`, record.Sns.Timestamp, reason)) suppressed++;
    }
  }
  logger.info('Mail events', { records: event.Records.length, suppressed });
  return { suppressed };
});

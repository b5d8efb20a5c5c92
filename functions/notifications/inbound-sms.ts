import type { SNSEvent } from 'aws-lambda';
import { withdrawConsentOf } from '../../shared/app/messages.ts';
import { isStopMessage } from '../../shared/domain/opt-out.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';

/** What End User Messaging SMS publishes for a text a member sends to a two-way number. */
interface InboundText {
  originationNumber: string;
  destinationNumber: string;
  messageBody: string;
}

/**
 * A STOP-type reply withdraws SMS consent (AWS's opt-out list already
 * blocks further texts to the number; this keeps the member record, and so
 * the send gate and the member's profile, telling the truth).
 */
export const inboundSms = eventHandler(async (event: SNSEvent) => {
  let optedOut = 0;
  for (const record of event.Records) {
    const text = JSON.parse(record.Sns.Message) as InboundText;
    if (!isStopMessage(text.messageBody ?? '')) continue;
    // Consent only, no suppression: a member who texts START later is let back in by AWS, and may consent again.
    if (await withdrawConsentOf('sms', text.originationNumber, 'SMS_STOP', record.Sns.Timestamp)) optedOut++;
  }
  logger.info('Inbound texts', { records: event.Records.length, optedOut });
  return { optedOut };
});

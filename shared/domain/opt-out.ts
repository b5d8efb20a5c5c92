/**
 * What a member's reply or a mailbox provider's report means for consent.
 * Pure: the handlers parse SNS, this decides.
 */
import type { SuppressionReason } from './send-gate.ts';

/** Keywords carriers and AWS treat as opt-out (case and surrounding spaces ignored). */
export const stopKeywords = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT-OUT', 'ARRET', 'STOPP'] as const;

export const isStopMessage = (body: string): boolean => (stopKeywords as readonly string[]).includes(body.trim().toUpperCase());

/**
 * A permanent bounce means the address does not exist; a complaint means the
 * member marked us as spam. Transient bounces (mailbox full) change nothing.
 */
export const suppressionOf = (event: { eventType?: string; bounce?: { bounceType?: string } }): SuppressionReason | undefined => {
  if (event.eventType === 'Complaint') return 'COMPLAINED';
  if (event.eventType === 'Bounce' && event.bounce?.bounceType === 'Permanent') return 'BOUNCED';
  return undefined;
};

import type { Context } from 'aws-lambda';
import { logger } from '../../shared/http/logger.ts';
import { publishGateEvent } from '../../shared/messaging/gate-events.ts';
import { GateReads } from '../../shared/schemas/rfid.ts';

/**
 * Gate reads as the topic rule delivers them: the gateway's payload plus
 * locationId and gateId from the topic. A message that does not validate
 * is thrown back: the rule invokes asynchronously, so after Lambda's retries
 * it lands in the function's on-failure queue (the same queue as the rule's
 * error action; locally: the failure log). Nothing is dropped silently.
 */
export const gateReads = async (event: unknown, context: Context) => {
  logger.addContext(context);
  const parsed = GateReads.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid gate reads message: ${problems}`);
  }
  const message = parsed.data;
  const acknowledgement = {
    type: 'ACK',
    readAt: message.readAt,
    direction: message.direction,
    received: message.reads.length,
    distinctEpcs: new Set(message.reads.map((r) => r.epc)).size,
  };
  await publishGateEvent(message.locationId, message.gateId, acknowledgement);
  logger.info('Gate reads acknowledged', { locationId: message.locationId, gateId: message.gateId, ...acknowledgement });
  return acknowledgement;
};

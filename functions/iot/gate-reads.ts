import { dedupeWindowSeconds } from '../../shared/domain/dedupe.ts';
import { acknowledgeGateReads } from '../../shared/app/rfid.ts';
import { logger } from '../../shared/observability.ts';
import { GateReads } from '../../shared/schemas/rfid.ts';
import { eventHandler } from '../../shared/triggers.ts';

/**
 * Gate reads as the topic rule delivers them: the gateway's payload plus
 * locationId and gateId from the topic. A message that does not validate,
 * or whose booking fails, is thrown back: the rule invokes asynchronously,
 * so after Lambda's retries it lands in the function's on-failure queue (the
 * same queue as the rule's error action; locally: the failure log). Nothing
 * is dropped silently, and a retry books nothing twice.
 */
export const gateReads = eventHandler(async (event: unknown) => {
  const parsed = GateReads.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid gate reads message: ${problems}`);
  }
  const message = parsed.data;
  const { acknowledgement, alarms } = await acknowledgeGateReads(message, dedupeWindowSeconds(process.env.RFID_DEDUPE_WINDOW_SECONDS));
  const { locationId, gateId } = message;
  if (alarms.length > 0) logger.warn('Unsold items left through an exit gate', { locationId, gateId, items: alarms.map((a) => a.epc) });
  logger.info('Gate reads acknowledged', { locationId, gateId, ...acknowledgement });
  return acknowledgement;
});

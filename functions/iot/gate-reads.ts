import { dedupeWindowSeconds } from '../../shared/domain/dedupe.ts';
import { ingestGateReads } from '../../shared/db/rfid.ts';
import { logger } from '../../shared/observability.ts';
import { publishGateEvent } from '../../shared/messaging/gate-events.ts';
import { GateReads } from '../../shared/schemas/rfid.ts';
import { eventHandler } from '../../shared/triggers.ts';

/** An alarm lists at most this many items, so one alarm stays far below IoT Core's 128 KB. */
const alarmItemsPerMessage = 200;

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
  const { alarms, ...summary } = await ingestGateReads(message, dedupeWindowSeconds(process.env.RFID_DEDUPE_WINDOW_SECONDS));
  const { locationId, gateId } = message;
  // Alarms first: the gate's light and buzzer matter more than the tally.
  for (let i = 0; i < alarms.length; i += alarmItemsPerMessage) {
    await publishGateEvent(locationId, gateId, {
      type: 'ALARM',
      reason: 'UNSOLD_EXIT',
      readAt: message.readAt,
      items: alarms.slice(i, i + alarmItemsPerMessage),
    });
  }
  const acknowledgement = { type: 'ACK', readAt: message.readAt, direction: message.direction, ...summary, alarms: alarms.length };
  await publishGateEvent(locationId, gateId, acknowledgement);
  if (alarms.length > 0) logger.warn('Unsold items left through an exit gate', { locationId, gateId, items: alarms.map((a) => a.epc) });
  logger.info('Gate reads acknowledged', { locationId, gateId, ...acknowledgement });
  return acknowledgement;
});

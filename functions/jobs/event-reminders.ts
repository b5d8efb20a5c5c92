import type { ScheduledEvent } from 'aws-lambda';
import { sendEventReminders } from '../../shared/app/events.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';
import { nowIso } from '../../shared/clock.ts';

/**
 * Daily: members registered for an event that starts tomorrow (UTC day) get
 * one reminder each through the send gate (shared/app/events.ts).
 */
export const eventReminders = eventHandler(async (_event: ScheduledEvent) => {
  const counts = await sendEventReminders(nowIso());
  logger.info('Event reminders', counts);
  return counts;
});

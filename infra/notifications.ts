/**
 * SNS notifications StockClub listens to, declared once: the stack makes a
 * topic and subscribes the function; tests (there is no SNS on one machine)
 * invoke the handlers with the same SNS event shape.
 */
import type { Grants } from './grants.ts';

export interface NotificationConsumerDefinition extends Grants {
  readonly entry: string;
  readonly description: string;
}

export const notificationConsumers = {
  mailEvents: {
    entry: 'functions/notifications/mail-events.ts',
    description: 'SES bounces and complaints from the member mail configuration set: suppress the address, withdraw email consent',
    tables: { members: 'readWrite' },
  },
  inboundSms: {
    entry: 'functions/notifications/inbound-sms.ts',
    description: 'Texts members send back (two-way SMS): STOP-type keywords withdraw SMS consent',
    tables: { members: 'readWrite' },
  },
} as const satisfies Record<string, NotificationConsumerDefinition>;

export type NotificationConsumerName = keyof typeof notificationConsumers;

export const notificationConsumerList = (): [NotificationConsumerName, NotificationConsumerDefinition][] =>
  Object.entries(notificationConsumers) as [NotificationConsumerName, NotificationConsumerDefinition][];

/**
 * Email on one machine: aws-ses-v2-local, an emulator of the SES v2 API, on
 * loopback. The local cloud points the real SES adapter at it
 * (AWS_ENDPOINT_URL_SESV2), so a member email takes the code path it takes
 * in AWS: the same SendEmail request, configuration set, tags and
 * List-Unsubscribe headers. Its web page shows the mail; the outbox
 * endpoint lists it beside the texts.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as emulator from 'aws-ses-v2-local';
import type { OutboxMessage } from '../../shared/messaging/outbox.ts';

type StartEmulator = (config?: { host?: string; port?: number }) => Promise<Server>;

// A CommonJS module with __esModule: its default export sits one level deeper under some loaders.
const startEmulator = (
  typeof emulator.default === 'function' ? emulator.default : (emulator.default as unknown as { default: StartEmulator }).default
) as StartEmulator;

interface StoredEmail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

export interface LocalMail {
  /** The emulator's URL: its page shows every email; SES v2 calls go here. */
  readonly url: string;
  /** Every email sent so far, oldest first, as outbox messages. */
  list(to?: string): Promise<OutboxMessage[]>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

export const startLocalMail = async (port = 0): Promise<LocalMail> => {
  const server = await startEmulator({ host: '127.0.0.1', port });
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    list: async (to) => {
      const { emails } = (await (await fetch(`${url}/store`)).json()) as { emails: StoredEmail[] };
      return emails
        .filter((e) => to === undefined || e.destination.to.includes(to))
        .map((e) => ({
          id: e.messageId,
          channel: 'email' as const,
          to: e.destination.to.join(', '),
          subject: e.subject,
          body: e.body.text ?? '',
          headers: Object.fromEntries((e.headers ?? []).map((h) => [h.name, h.value])),
          sentAt: new Date(e.at * 1000).toISOString(),
        }));
    },
    clear: async () => {
      await fetch(`${url}/clear-store`, { method: 'POST' });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

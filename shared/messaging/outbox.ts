/**
 * The local stand-in for SES, SMS and push delivery: every message the API would
 * have sent, readable at GET /_local/outbox (?to= filters by recipient) and
 * cleared with DELETE /_local/outbox. One module-level outbox per process,
 * so the messaging adapters (in local mode) and the local gateway share it.
 */
import { randomUUID } from 'node:crypto';
import { nowIso } from '../clock.ts';

export interface OutboxMessage {
  readonly id: string;
  readonly channel: 'email' | 'sms' | 'push';
  /** The address, number or (push) device token. */
  readonly to: string;
  /** The email subject, or the push title. */
  readonly subject?: string;
  readonly body: string;
  /** Email headers as SES would send them (List-Unsubscribe and the like). */
  readonly headers?: Record<string, string>;
  /** Whatever else the adapter wants a developer to see: member, campaign, idempotency key. */
  readonly meta?: Record<string, unknown>;
  readonly sentAt: string;
}

export class Outbox {
  #messages: OutboxMessage[] = [];

  add(message: Omit<OutboxMessage, 'id' | 'sentAt'>): OutboxMessage {
    const stored = { ...message, id: randomUUID(), sentAt: nowIso() };
    this.#messages.push(stored);
    return stored;
  }

  /** Oldest first. */
  list(to?: string): readonly OutboxMessage[] {
    return this.#messages.filter((m) => to === undefined || m.to === to);
  }

  clear(): void {
    this.#messages = [];
  }
}

export const outbox = new Outbox();

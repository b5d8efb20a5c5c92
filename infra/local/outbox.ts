/**
 * The local stand-in for SES and SMS delivery: every message the API would
 * have sent, readable at GET /_local/outbox (?to= filters by recipient) and
 * cleared with DELETE /_local/outbox.
 */
export interface OutboxMessage {
  readonly channel: 'email' | 'sms';
  readonly to: string;
  readonly subject?: string;
  readonly body: string;
  readonly headers?: Record<string, string>;
  readonly sentAt: string;
}

class Outbox {
  #messages: OutboxMessage[] = [];

  add(message: Omit<OutboxMessage, 'sentAt'>): void {
    this.#messages.push({ ...message, sentAt: new Date().toISOString() });
  }

  list(to?: string): readonly OutboxMessage[] {
    return this.#messages.filter((m) => to === undefined || m.to === to);
  }

  clear(): void {
    this.#messages = [];
  }
}

export const outbox = new Outbox();

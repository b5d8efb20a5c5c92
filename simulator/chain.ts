/**
 * How the simulated chain talks to StockClub: the public HTTP API with the
 * tokens its tills, staff and HQ would hold, and the gates over MQTT. Any
 * answer the simulator did not expect (a 5xx, a 4xx a real till would not
 * get) is kept as a problem for the scorecard rather than thrown, so one bad
 * answer never stops the month.
 */
import { signLocalToken } from '../infra/local/auth.ts';
import { connectGate, type GateConnection, type GatePayload, publishMessages } from '../infra/local/gate-simulator.ts';

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely by field; the contract tests hold their shapes to the OpenAPI document
export type Json = any;

export interface Answer {
  readonly status: number;
  readonly body: Json;
}

export interface Problem {
  readonly request: string;
  readonly status: number;
  readonly detail: string;
}

export class ChainClient {
  readonly problems: Problem[] = [];
  private tokens = new Map<string, string>();

  constructor(
    readonly url: string,
    private readonly mqttUrl: string,
  ) {}

  /** New tokens each simulated morning: they live a day of simulated time. */
  async signIn(locations: readonly string[]): Promise<void> {
    this.tokens = new Map([['admin', await signLocalToken({ role: 'admin', subject: 'hq', expiresIn: 24 * 3600 })]]);
    for (const locationId of locations)
      this.tokens.set(locationId, await signLocalToken({ role: 'store', locations: [locationId], subject: `staff-${locationId}`, expiresIn: 24 * 3600 }));
  }

  /** As `as` (a location's staff and tills, or 'admin' for HQ); `expected` lists the statuses that are not a problem. */
  async call(
    as: string,
    method: string,
    path: string,
    body?: unknown,
    expected: readonly number[] = [200, 201],
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.tokens.get(as)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const answer = { status: response.status, body: text ? JSON.parse(text) : undefined };
    if (!expected.includes(answer.status)) this.problems.push({ request: `${method} ${path}`, status: answer.status, detail: text.slice(0, 300) });
    return answer;
  }

  /** Every item of a paged list. */
  async all(as: string, path: string): Promise<Json[]> {
    const items: Json[] = [];
    let cursor: string | undefined;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await this.call(as, 'GET', `${path}${separator}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (page.status !== 200) break;
      items.push(...(page.body.items ?? []));
      cursor = page.body.cursor;
    } while (cursor);
    return items;
  }

  private readonly gates = new Map<string, GateConnection>();

  /** Publishes gate messages and waits for each one's ACK (the ingest has booked it). */
  async gate(locationId: string, gateId: string, messages: readonly GatePayload[]): Promise<void> {
    if (messages.length === 0) return;
    const name = `${locationId}/${gateId}`;
    let gate = this.gates.get(name);
    if (!gate) {
      gate = await connectGate(
        this.mqttUrl,
        locationId,
        gateId,
        await signLocalToken({ role: 'gateway', locations: [locationId], gateId, expiresIn: 90 * 24 * 3600 }),
      );
      this.gates.set(name, gate);
    }
    const acked = gate.events.filter((e) => e.type === 'ACK').length;
    await publishMessages(gate, locationId, gateId, messages);
    await gate.waitFor('ACK', acked + messages.length, 120_000);
  }

  async close(): Promise<void> {
    await Promise.all([...this.gates.values()].map((gate) => gate.close()));
    this.gates.clear();
  }
}

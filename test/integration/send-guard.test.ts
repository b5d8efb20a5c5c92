/**
 * A send key delivered once is found by a read, not by a cancelled write:
 * the hourly birthday job meets every birthday member up to 24 times a day,
 * and the chain simulator found its cancelled transactions were nine tenths
 * of what the job wrote (BENCHMARKS.md, "Where the write capacity goes").
 * Metered with bench/capacity.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterCapacity } from '../../bench/capacity.ts';
import { deliver } from '../../shared/app/messages.ts';
import { documentClient } from '../../shared/db/client.ts';
import { messagesOf } from '../../shared/db/messages.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
const meter = meterCapacity(documentClient);

beforeAll(async () => {
  process.env.MESSAGES_TRANSPORT = 'outbox';
  api = await startApi();
});

afterAll(async () => {
  await api.close();
});

describe('a repeated send', () => {
  it('is a DUPLICATE found by one read: it writes nothing, and the first send stays the only one', async () => {
    const registered = await api.call('POST', '/members', {
      token: await token({ role: 'admin' }),
      headers: { 'idempotency-key': uniqueId('reg') },
      body: { name: 'Guarded', email: `${uniqueId('guard')}@example.com`, timeZone: 'UTC', consent: { email: true } },
    });
    expect(registered.status).toBe(201);
    const memberId = registered.body.memberId as string;
    // Noon UTC next year: daytime for the member, so the gate sends at once.
    const noon = `${new Date().getUTCFullYear() + 1}-05-11T12:00:00.000Z`;
    const message = {
      source: uniqueId('birthday'),
      kind: 'marketing' as const,
      template: 'BIRTHDAY' as const,
      vars: { name: 'Guarded', tier: 'REGULAR', points: 100 },
      channels: ['email' as const, 'sms' as const],
    };
    expect((await deliver(memberId, message, noon)).status).toBe('SENT');

    meter.reset();
    const again = await deliver(memberId, message, `${noon.slice(0, 11)}13:00:00.000Z`);
    expect(again).toEqual({ key: expect.any(String), channel: 'email', status: 'DUPLICATE' });
    expect([meter.write, meter.failedWrites]).toEqual([0, 0]);
    expect(meter.read).toBeGreaterThan(0);
    expect((await messagesOf(memberId)).filter((m) => m.source === message.source)).toEqual([expect.objectContaining({ status: 'SENT', channel: 'email' })]);
  });
});

/**
 * Birthdays fall on the member's own calendar: the date in their time zone,
 * once per member and occasion, across the date line and on 29 February.
 * The scenarios run the birthday use-case at fixed instants; their
 * partitions (12-04 to 12-08, 02-29) are days no other test file runs the
 * birthday job on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birthdayGiftsAt, birthdayPage } from '../../shared/app/birthdays.ts';
import { pointsLedger } from '../../shared/app/points.ts';
import { drainPartition } from '../../shared/batches.ts';
import { messagesOf } from '../../shared/db/messages.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { hourMillis } from '../../shared/domain/time.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
const hq: Principal = { subject: 'test:member-days', role: 'admin', locations: [] };

beforeAll(async () => {
  process.env.MESSAGES_TRANSPORT = 'outbox';
  api = await startApi();
  admin = await token({ role: 'admin' });
});

afterAll(async () => {
  await api.close();
});

const register = async (birthday: string, timeZone: string): Promise<string> => {
  const answer = await api.call('POST', '/members', {
    token: admin,
    headers: { 'idempotency-key': uniqueId('reg') },
    body: { name: `Born ${birthday} in ${timeZone}`, email: `${uniqueId('day')}@example.com`, birthday, timeZone, consent: { email: true } },
  });
  expect(answer.status).toBe(201);
  return answer.body.memberId as string;
};

/** The birthday gifts a member got, by the day their message was keyed with. */
const giftsOf = async (memberId: string) => {
  const ledger = await pointsLedger(memberId, hq, 100);
  const messages = (await messagesOf(memberId)).filter((m) => m.template === 'BIRTHDAY');
  return { points: ledger.items.filter((e) => e.reason === 'BIRTHDAY_GIFT').length, messages: messages.map((m) => m.source) };
};

/** A run with time to spare: nothing is handed to the queue. */
const run = (runAt: string) => birthdayGiftsAt(runAt, () => 600_000, 1);

const hourly = (from: string, hours: number): string[] => Array.from({ length: hours }, (_, i) => new Date(Date.parse(from) + i * hourMillis).toISOString());

describe('birthdays on the member’s own calendar', () => {
  it('gives the member in UTC+14 their gift on their date, not the UTC one', async () => {
    const born07 = await register('1990-12-07', 'Pacific/Kiritimati');
    const born06 = await register('1990-12-06', 'Pacific/Kiritimati');

    // 09:53 UTC on 6 Dec is 23:53 on 6 Dec in Kiritimati: the 12-06 member's day.
    await run('2026-12-06T09:53:00.000Z');
    expect(await giftsOf(born06)).toEqual({ points: 1, messages: ['birthday-2026-12-06'] });
    expect(await giftsOf(born07)).toEqual({ points: 0, messages: [] });

    // 13:53 UTC on 6 Dec is already 7 Dec there: the 12-07 member's day; the 12-06 member is not given again.
    const summary = await run('2026-12-06T13:53:00.000Z');
    expect(summary.more).toBe(false);
    expect(await giftsOf(born07)).toEqual({ points: 1, messages: ['birthday-2026-12-07'] });
    expect(await giftsOf(born06)).toEqual({ points: 1, messages: ['birthday-2026-12-06'] });
  });

  it('gives the member in UTC-11 their gift from their own midnight on', async () => {
    const born06 = await register('1984-12-06', 'Pacific/Pago_Pago');

    // 10:30 UTC on 6 Dec is 23:30 on 5 Dec in Pago Pago: not yet.
    await run('2026-12-06T10:30:00.000Z');
    expect(await giftsOf(born06)).toEqual({ points: 0, messages: [] });

    // 11:30 UTC is 00:30 on 6 Dec there. The message waits for the end of quiet hours.
    await run('2026-12-06T11:30:00.000Z');
    expect(await giftsOf(born06)).toEqual({ points: 1, messages: ['birthday-2026-12-06'] });
    expect(await messagesOf(born06)).toEqual([expect.objectContaining({ status: 'DEFERRED', reason: 'QUIET_HOURS' })]);
  });

  it('gives each member exactly one gift when the job runs every hour for 48 hours', async () => {
    const members = await Promise.all([
      register('1970-12-05', 'Pacific/Kiritimati'),
      register('1971-12-05', 'Pacific/Pago_Pago'),
      register('1972-12-05', 'Etc/GMT+12'),
      register('1973-12-05', 'UTC'),
      register('1974-12-05', 'Asia/Kathmandu'),
      register('1975-12-05', 'America/St_Johns'),
      register('1976-12-05', 'Pacific/Chatham'),
    ]);
    // From 00:00 UTC on 4 Dec (already 5 Dec in UTC+14) to 23:00 UTC on 5 Dec (still 5 Dec in UTC-12 until noon on the 6th)...
    for (const at of hourly('2026-12-04T00:00:00.000Z', 48)) await run(at);
    // ...and on to noon on 6 Dec, when 5 Dec has ended everywhere.
    for (const at of hourly('2026-12-06T00:00:00.000Z', 13)) await run(at);
    for (const memberId of members) expect(await giftsOf(memberId)).toEqual({ points: 1, messages: ['birthday-2026-12-05'] });
  });

  it('gives one gift when the member moves up a tier between two runs of their birthday (found by the chain simulator)', async () => {
    const memberId = await register('1988-12-04', 'UTC');
    await run('2026-12-04T00:30:00.000Z');
    expect(await giftsOf(memberId)).toEqual({ points: 1, messages: ['birthday-2026-12-04'] });
    // GOLD gives more birthday points than REGULAR: the next hourly run would give another amount under the same yearly key.
    const upgrade = await api.call('POST', `/members/${memberId}/paid-tier`, {
      token: admin,
      body: { paymentId: uniqueId('pay'), tier: 'GOLD', months: 1, fee: 900 },
    });
    expect(upgrade.status).toBe(201);
    const later = await run('2026-12-04T01:30:00.000Z');
    expect(later.counts.failed).toBe(0);
    expect(await giftsOf(memberId)).toEqual({ points: 1, messages: ['birthday-2026-12-04'] });
  });

  it('gives a 29 February birthday on 28 February in a common year, once, on the member’s calendar', async () => {
    const east = await register('2000-02-29', 'Pacific/Kiritimati');
    const west = await register('2004-02-29', 'Pacific/Pago_Pago');
    // 48 hourly runs over the 29 February partition from 12:00 UTC on 27 Feb 2027.
    for (const runAt of hourly('2027-02-27T12:00:00.000Z', 48)) {
      await drainPartition({ job: 'birthdayGifts', partition: '02-29', runAt }, birthdayPage, () => 600_000, 1);
      // Not before 28 February starts in Kiritimati (10:00 UTC on the 27th), nor before it starts in Pago Pago (11:00 UTC on the 28th).
      if (runAt < '2027-02-28T11:00:00.000Z') expect((await giftsOf(west)).points).toBe(0);
    }
    expect(await giftsOf(east)).toEqual({ points: 1, messages: ['birthday-2027-02-28'] });
    expect(await giftsOf(west)).toEqual({ points: 1, messages: ['birthday-2027-02-28'] });
  });
});

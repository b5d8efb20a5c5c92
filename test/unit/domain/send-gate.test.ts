import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideSend,
  defaultSendPolicy,
  type Message,
  type PastSend,
  quietHoursEnd,
  type Recipient,
  sendKey,
  zonedTime,
} from '../../../shared/domain/send-gate.ts';

const member = (overrides: Partial<Recipient> = {}): Recipient => ({
  timeZone: 'Europe/Berlin',
  address: { email: 'anna@example.com', sms: '+491701234567' },
  consent: { email: { granted: true }, sms: { granted: true } },
  suppressed: {},
  ...overrides,
});

const offer: Message = { channel: 'email', kind: 'marketing' };
const receipt: Message = { channel: 'email', kind: 'transactional' };
// 10:00 in Berlin (CET, UTC+1): outside quiet hours.
const noon = '2026-11-25T09:00:00.000Z';
const sent = (at: string, channel: PastSend['channel'] = 'email', extra: Partial<PastSend> = {}): PastSend => ({ channel, kind: 'marketing', at, ...extra });

describe('decideSend: what is never overridden', () => {
  it('sends marketing in the daytime with consent and no recent sends', () => {
    expect(decideSend(offer, member(), [], noon)).toEqual({ action: 'SEND' });
  });

  it.each([
    ['without an address for the channel', member({ address: { sms: '+491701234567' } }), { action: 'SKIP', reason: 'NO_ADDRESS' }],
    ['when the address is suppressed', member({ suppressed: { email: 'BOUNCED' } }), { action: 'SKIP', reason: 'SUPPRESSED', detail: 'BOUNCED' }],
    ['when consent is off', member({ consent: { email: { granted: false } } }), { action: 'SKIP', reason: 'NO_CONSENT' }],
    ['when consent was never given', member({ consent: {} }), { action: 'SKIP', reason: 'NO_CONSENT' }],
  ])('skips %s, marketing and transactional alike', (_what, recipient, decision) => {
    expect(decideSend(offer, recipient, [], noon)).toEqual(decision);
    expect(decideSend(receipt, recipient, [], noon)).toEqual(decision);
  });
});

describe("decideSend: quiet hours in the member's time zone", () => {
  it.each([
    // 22:30 in Berlin (CET): until 08:00 CET the next morning.
    ['Europe/Berlin', '2026-11-25T21:30:00.000Z', '2026-11-26T07:00:00.000Z'],
    // 07:00 in New York (EST): until 08:00 EST the same morning.
    ['America/New_York', '2026-11-25T12:00:00.000Z', '2026-11-25T13:00:00.000Z'],
    // 21:00 in Tokyo (no DST): until 08:00 JST the next day.
    ['Asia/Tokyo', '2026-11-25T12:00:00.000Z', '2026-11-25T23:00:00.000Z'],
    // 05:00 in Kolkata (UTC+5:30): until 08:00 IST.
    ['Asia/Kolkata', '2026-11-24T23:30:00.000Z', '2026-11-25T02:30:00.000Z'],
    // The night Berlin moves to summer time: 23:00 CET, and 08:00 the next morning is CEST (UTC+2).
    ['Europe/Berlin', '2026-03-28T22:00:00.000Z', '2026-03-29T06:00:00.000Z'],
  ])('defers marketing for a member in %s at %s until %s', (timeZone, now, until) => {
    expect(decideSend(offer, member({ timeZone }), [], now)).toEqual({ action: 'DEFER', until, reason: 'QUIET_HOURS' });
  });

  it('lets transactional messages through at night', () => {
    expect(decideSend(receipt, member(), [], '2026-11-25T23:00:00.000Z')).toEqual({ action: 'SEND' });
  });

  it('has no quiet hours outside the window, whatever the zone', () => {
    expect(quietHoursEnd(Date.parse(noon), 'Europe/Berlin', defaultSendPolicy.quietHours)).toBeUndefined();
    expect(quietHoursEnd(Date.parse('2026-11-25T19:59:00.000Z'), 'Europe/Berlin', defaultSendPolicy.quietHours)).toBeUndefined();
  });

  it('always defers to a moment outside quiet hours, for any instant and zone', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'Asia/Kolkata', 'UTC', 'America/Sao_Paulo'];
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2027-12-31') }), fc.constantFrom(...zones), (instant, timeZone) => {
        const end = quietHoursEnd(instant, timeZone, defaultSendPolicy.quietHours);
        if (end === undefined) return;
        expect(end).toBeGreaterThan(instant);
        expect(end - instant).toBeLessThanOrEqual(11 * 3_600_000 + 60_000);
        expect(quietHoursEnd(end, timeZone, defaultSendPolicy.quietHours)).toBeUndefined();
      }),
    );
  });
});

describe('decideSend: frequency caps', () => {
  it('defers the third marketing message in 7 days until the oldest leaves the window', () => {
    const history = [sent('2026-11-20T09:00:00.000Z'), sent('2026-11-23T09:00:00.000Z', 'sms')];
    expect(decideSend(offer, member(), history, noon)).toEqual({ action: 'DEFER', until: '2026-11-27T09:00:00.000Z', reason: 'FREQUENCY_CAP' });
  });

  it('moves a deferral out of quiet hours too', () => {
    // The window frees a slot at 21:30 UTC (22:30 in Berlin): the message waits for the morning.
    const history = [sent('2026-11-20T21:30:00.000Z'), sent('2026-11-23T09:00:00.000Z')];
    expect(decideSend(offer, member(), history, noon)).toEqual({ action: 'DEFER', until: '2026-11-28T07:00:00.000Z', reason: 'FREQUENCY_CAP' });
  });

  it('drops an offer that would only arrive after it expires', () => {
    const history = [sent('2026-11-20T09:00:00.000Z'), sent('2026-11-23T09:00:00.000Z')];
    expect(decideSend({ ...offer, expiresAt: '2026-11-26T00:00:00.000Z' }, member(), history, noon)).toEqual({
      action: 'SKIP',
      reason: 'EXPIRED',
      detail: 'next allowed 2026-11-27T09:00:00.000Z',
    });
  });

  it('does not count transactional messages, nor sends older than the window', () => {
    const history = [sent('2026-11-10T09:00:00.000Z'), sent('2026-11-24T09:00:00.000Z', 'email', { kind: 'transactional' }), sent('2026-11-24T10:00:00.000Z')];
    expect(decideSend(offer, member(), history, noon)).toEqual({ action: 'SEND' });
  });

  it('applies a tighter cap per channel and per campaign', () => {
    const policy = { ...defaultSendPolicy, channelCaps: { sms: { count: 1, days: 7 } } };
    const history = [sent('2026-11-24T09:00:00.000Z', 'sms', { campaignId: 'xmas' })];
    expect(decideSend({ channel: 'sms', kind: 'marketing' }, member(), history, noon, policy)).toEqual({
      action: 'DEFER',
      until: '2026-12-01T09:00:00.000Z',
      reason: 'CHANNEL_CAP',
    });
    expect(decideSend({ channel: 'email', kind: 'marketing' }, member(), history, noon, policy)).toEqual({ action: 'SEND' });
    expect(decideSend({ ...offer, campaignId: 'xmas', campaignCap: { count: 1, days: 30 } }, member(), history, noon)).toEqual({
      action: 'DEFER',
      until: '2026-12-24T09:00:00.000Z',
      reason: 'CAMPAIGN_CAP',
    });
  });

  it('never lets more than the cap through in any window, sending each message as soon as allowed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 * 24 * 30 }), { minLength: 1, maxLength: 30 }), (minutes) => {
        const history: PastSend[] = [];
        for (const at of [...minutes].sort((a, b) => a - b).map((m) => Date.parse('2026-11-01T00:00:00.000Z') + m * 60_000)) {
          const decision = decideSend(offer, member(), history, new Date(at).toISOString());
          const when = decision.action === 'SEND' ? at : decision.action === 'DEFER' ? Date.parse(decision.until) : undefined;
          if (when !== undefined && when >= (history.length ? Date.parse(history[history.length - 1]!.at) : 0)) {
            history.push(sent(new Date(when).toISOString()));
          }
        }
        for (const send of history) {
          const start = Date.parse(send.at);
          expect(history.filter((s) => Date.parse(s.at) >= start && Date.parse(s.at) < start + 7 * 86_400_000).length).toBeLessThanOrEqual(2);
        }
      }),
    );
  });
});

describe('helpers', () => {
  it('resolves a wall-clock time in a zone, across daylight saving changes', () => {
    expect(new Date(zonedTime({ year: 2026, month: 7, day: 1 }, '08:00', 'Europe/Berlin')).toISOString()).toBe('2026-07-01T06:00:00.000Z');
    expect(new Date(zonedTime({ year: 2026, month: 12, day: 1 }, '08:00', 'Europe/Berlin')).toISOString()).toBe('2026-12-01T07:00:00.000Z');
    // 02:30 does not exist in Berlin on 29 March 2026: it resolves after the change.
    expect(new Date(zonedTime({ year: 2026, month: 3, day: 29 }, '02:30', 'Europe/Berlin')).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('keys a send by its source and member, whatever channel carries it', () => {
    expect(sendKey('birthday-2026-11-25', 'm-anna')).toBe('birthday-2026-11-25#m-anna');
  });
});

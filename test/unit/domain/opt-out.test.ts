import { describe, expect, it } from 'vitest';
import { isStopMessage, suppressionOf } from '../../../shared/domain/opt-out.ts';

describe('isStopMessage', () => {
  it.each(['STOP', 'stop', ' Stop ', 'STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit', 'STOPP', 'ARRET'])('treats %j as an opt-out', (body) => {
    expect(isStopMessage(body)).toBe(true);
  });
  it.each(['Please stop sending', 'STOP!', 'HELP', 'START', '', 'thanks'])('does not treat %j as an opt-out', (body) => {
    expect(isStopMessage(body)).toBe(false);
  });
});

describe('suppressionOf', () => {
  it('suppresses on complaints and permanent bounces only', () => {
    expect(suppressionOf({ eventType: 'Complaint' })).toBe('COMPLAINED');
    expect(suppressionOf({ eventType: 'Bounce', bounce: { bounceType: 'Permanent' } })).toBe('BOUNCED');
    expect(suppressionOf({ eventType: 'Bounce', bounce: { bounceType: 'Transient' } })).toBeUndefined();
    expect(suppressionOf({ eventType: 'Delivery' })).toBeUndefined();
  });
});

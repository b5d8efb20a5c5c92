import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FailureLog, thrownReason } from '../../../infra/local/failure-log.ts';
import { Outbox } from '../../../shared/messaging/outbox.ts';

const dir = mkdtempSync(join(tmpdir(), 'stockclub-failures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('the local failure log', () => {
  it('keeps failures in order, narrows by source, and appends them to a JSON-lines file', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const file = join(dir, 'failures.jsonl');
    const log = new FailureLog({ file });
    log.record({ source: 'topicRule', name: 'gateReads', reason: 'not JSON', payload: 'oops' });
    log.record({ source: 'stream', name: 'expiredHolds', reason: 'handler threw', payload: { eventID: 'e1' } });
    expect(log.list().map((f) => f.name)).toEqual(['gateReads', 'expiredHolds']);
    expect(log.list('stream')).toEqual([expect.objectContaining({ name: 'expiredHolds', payload: { eventID: 'e1' }, at: expect.any(String) })]);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual(log.list());
  });

  it('keeps failures in memory when the file cannot be written', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = new FailureLog({ file: join(dir, 'no-such-dir', 'failures.jsonl') });
    log.record({ source: 'schedule', name: 'releaseExpiredHolds', reason: 'boom', payload: {} });
    expect(log.list()).toHaveLength(1);
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/could not append/));
  });
});

describe('the local outbox', () => {
  it('lists messages oldest first, by recipient, and clears', () => {
    const outbox = new Outbox();
    const first = outbox.add({ channel: 'email', to: 'a@example.com', subject: 'Welcome', body: 'Hi' });
    outbox.add({ channel: 'sms', to: '+4915112345678', body: 'Your code' });
    expect(first).toMatchObject({ id: expect.any(String), sentAt: expect.any(String), channel: 'email' });
    expect(outbox.list().map((m) => m.to)).toEqual(['a@example.com', '+4915112345678']);
    expect(outbox.list('+4915112345678')).toHaveLength(1);
    outbox.clear();
    expect(outbox.list()).toEqual([]);
  });
});

describe('thrownReason', () => {
  it("names each record's error of a batch that failed whole, and the message of any other error", async () => {
    const { FullBatchFailureError } = await import('@aws-lambda-powertools/batch');
    const whole = new FullBatchFailureError([new TypeError('no sku'), new RangeError('qty 0')]);
    expect(thrownReason(whole)).toBe('TypeError: no sku; RangeError: qty 0');
    expect(thrownReason(new Error('table gone'))).toBe('table gone');
  });
});

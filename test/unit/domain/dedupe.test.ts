import { describe, expect, it } from 'vitest';
import {
  collapseReads,
  dedupeWindowSeconds,
  judgeSighting,
  plausibleReads,
  windowExpiresAt,
  windowOpenSince,
  mayContinuePreviousMessage,
} from '../../../shared/domain/dedupe.ts';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, seconds)).toISOString();

describe('the dedupe window', () => {
  it('is 30 seconds unless configured', () => {
    expect(dedupeWindowSeconds(undefined)).toBe(30);
    expect(dedupeWindowSeconds('')).toBe(30);
    expect(dedupeWindowSeconds('5')).toBe(5);
    for (const bad of ['0', '-1', '1.5', 'soon', '3601']) expect(() => dedupeWindowSeconds(bad)).toThrow(/RFID_DEDUPE_WINDOW_SECONDS/);
  });

  it("collapses a message's repeated reads into one sighting per tag, in order of first read", () => {
    const reads = [{ epc: 'B', at: at(3) }, { epc: 'A', at: at(1) }, { epc: 'B', at: at(2) }, { epc: 'A' }, { epc: 'A', at: '2026-11-25T11:00:04+01:00' }];
    expect(collapseReads(reads, at(0), 30)).toEqual([
      { epc: 'A', firstAt: at(0), lastAt: at(4), reads: 3 },
      { epc: 'B', firstAt: at(2), lastAt: at(3), reads: 2 },
    ]);
  });

  it("splits a tag's reads where they pause for a window or more", () => {
    const reads = [at(0), at(29), at(59), at(60)].map((t) => ({ epc: 'A', at: t }));
    expect(collapseReads(reads, at(0), 30)).toEqual([
      { epc: 'A', firstAt: at(0), lastAt: at(29), reads: 2 },
      { epc: 'A', firstAt: at(59), lastAt: at(60), reads: 2 },
    ]);
  });

  it('judges a sighting against the window stored before it', () => {
    const sighting = { epc: 'A', firstAt: at(40), lastAt: at(45), reads: 4 };
    expect(judgeSighting(undefined, sighting, 30, 'IN')).toBe('NEW_EVENT');
    expect(judgeSighting({ startedAt: at(0), lastSeenAt: at(9) }, sighting, 30, 'IN')).toBe('NEW_EVENT');
    expect(judgeSighting({ startedAt: at(0), lastSeenAt: at(10) }, sighting, 30, 'IN')).toBe('DUPLICATE');
    expect(judgeSighting({ startedAt: at(0), lastSeenAt: at(50) }, sighting, 30, 'IN')).toBe('DUPLICATE');
    // The stored event began with this very sighting: the message is being processed again.
    expect(judgeSighting({ startedAt: at(40), lastSeenAt: at(45) }, sighting, 30, 'IN')).toBe('SAME_EVENT');
  });

  it('makes a sighting in the other direction a new event, even inside the window', () => {
    // Regression: OUT and then IN at one gate within the window lost the IN.
    const sighting = { epc: 'A', firstAt: at(10), lastAt: at(12), reads: 3 };
    const out = { startedAt: at(0), lastSeenAt: at(5), direction: 'OUT' };
    expect(judgeSighting(out, sighting, 30, 'IN')).toBe('NEW_EVENT');
    expect(judgeSighting(out, sighting, 30, 'OUT')).toBe('DUPLICATE');
    // Same start, other direction: not the same message again.
    expect(judgeSighting({ ...out, startedAt: at(10) }, sighting, 30, 'IN')).toBe('NEW_EVENT');
    expect(judgeSighting({ ...out, startedAt: at(10) }, sighting, 30, 'OUT')).toBe('SAME_EVENT');
    // A window stored before directions were: as before.
    expect(judgeSighting({ startedAt: at(0), lastSeenAt: at(5) }, sighting, 30, 'IN')).toBe('DUPLICATE');
  });

  it('sets aside reads stamped more than 2 minutes ahead of the server or more than 7 days old', () => {
    // Regression: a read from 2099 held the window open and made every later event of its serial stale.
    const now = new Date(at(0));
    const reads = [
      { epc: 'A', at: '2099-01-01T00:00:00Z' },
      { epc: 'B', at: new Date(now.getTime() + 119_000).toISOString() },
      { epc: 'C', at: new Date(now.getTime() + 121_000).toISOString() },
      { epc: 'D', at: new Date(now.getTime() - 7 * 86_400_000 + 1000).toISOString() },
      { epc: 'E', at: new Date(now.getTime() - 7 * 86_400_000 - 1000).toISOString() },
      { epc: 'F' },
    ];
    const { accepted, skewed } = plausibleReads(reads, at(0), now);
    expect(accepted.map((r) => r.epc)).toEqual(['B', 'D', 'F']);
    expect(skewed.map((r) => r.epc)).toEqual(['A', 'C', 'E']);
    // A read without its own time takes the message's.
    expect(plausibleReads([{ epc: 'F' } as { epc: string; at?: string }], '2099-01-01T00:00:00Z', now).skewed).toHaveLength(1);
    expect(plausibleReads([{ epc: 'F', at: at(0) }], '2099-01-01T00:00:00Z', now).accepted).toHaveLength(1);
  });

  it('keeps a window an hour past its close for retries, counted from now for reads a gateway buffered', () => {
    expect(windowOpenSince(at(40), 30)).toBe(at(10));
    const readTime = Date.UTC(2026, 10, 25, 10, 0, 0) / 1000;
    expect(windowExpiresAt(at(0), 30, new Date(at(0)))).toBe(readTime + 30 + 3600);
    expect(windowExpiresAt(at(0), 30, new Date(Date.UTC(2026, 10, 25, 14, 0, 0)))).toBe(readTime + 4 * 3600 + 30 + 3600);
  });

  it('claims last the sightings that may continue the pass the previous message ended with', () => {
    const first = '2026-11-25T10:00:00.000Z';
    const at = (ms: number) => ({ epc: 'E', firstAt: new Date(Date.parse(first) + ms).toISOString(), lastAt: first, reads: 1 });
    expect([0, 80, 199, 200, 450].map((ms) => mayContinuePreviousMessage(at(ms), first))).toEqual([true, true, true, false, false]);
  });
});

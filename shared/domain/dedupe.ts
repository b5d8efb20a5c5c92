/**
 * A gate reads a tag many times a second while it passes. Reads of one EPC at
 * one gate belong to one item event while they keep coming less than a
 * window apart (sliding: a tag parked in the field stays one event rather
 * than becoming a new one every window). Pure: the db layer keeps each open
 * window in DynamoDB and applies the same rule in a conditional write.
 */
import { dayMillis, hourSeconds, minuteMillis, secondMillis } from './time.ts';

export const defaultDedupeWindowSeconds = 30;
const maxDedupeWindowSeconds = hourSeconds;

/** The window from `RFID_DEDUPE_WINDOW_SECONDS`; a value that is not 1 to 3600 whole seconds is a configuration error. */
export const dedupeWindowSeconds = (configured: string | undefined): number => {
  if (configured === undefined || configured.trim() === '') return defaultDedupeWindowSeconds;
  const seconds = Number(configured);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > maxDedupeWindowSeconds) {
    throw new Error(`RFID_DEDUPE_WINDOW_SECONDS must be 1 to ${maxDedupeWindowSeconds} whole seconds, not ${configured}`);
  }
  return seconds;
};

/** How far ahead of the server's clock a read may be: gateway clocks drift, but not by minutes. */
export const maxClockAheadMs = 2 * minuteMillis;
/** How old a read may be: a gateway buffers reads while offline, not for weeks. */
export const maxReadAgeMs = 7 * dayMillis;

/**
 * Splits reads into those whose time (`at`, else the message's `readAt`) is
 * plausible against the server's clock and those that are not: more than
 * 2 minutes ahead, or more than 7 days old. A read from 2099 would otherwise
 * hold a dedupe window open and make every later event of its serial stale;
 * such reads are counted, never booked.
 */
export const plausibleReads = <R extends { at?: string }>(reads: readonly R[], readAt: string, now: Date): { accepted: R[]; skewed: R[] } => {
  const accepted: R[] = [];
  const skewed: R[] = [];
  const latest = now.getTime() + maxClockAheadMs;
  const earliest = now.getTime() - maxReadAgeMs;
  for (const read of reads) {
    const at = Date.parse(read.at ?? readAt);
    (Number.isFinite(at) && at <= latest && at >= earliest ? accepted : skewed).push(read);
  }
  return { accepted, skewed };
};

/** Reads of one EPC in one message that no gap of a window or more separates. */
export interface Sighting {
  readonly epc: string;
  /** ISO-8601 UTC, so that times compare as strings in DynamoDB conditions. */
  readonly firstAt: string;
  readonly lastAt: string;
  readonly reads: number;
}

/**
 * Collapses a message's reads into sightings, in order of first read. A read
 * without its own time was taken at the message's `readAt`.
 */
export const collapseReads = (reads: readonly { epc: string; at?: string }[], readAt: string, windowSeconds: number): Sighting[] => {
  const times = new Map<string, number[]>();
  for (const read of reads) {
    const at = Date.parse(read.at ?? readAt);
    const list = times.get(read.epc);
    if (list) list.push(at);
    else times.set(read.epc, [at]);
  }
  const sightings: Sighting[] = [];
  for (const [epc, list] of times) {
    list.sort((a, b) => a - b);
    let first = 0;
    for (let i = 1; i <= list.length; i++) {
      if (i < list.length && list[i]! - list[i - 1]! < windowSeconds * 1000) continue;
      sightings.push({ epc, firstAt: new Date(list[first]!).toISOString(), lastAt: new Date(list[i - 1]!).toISOString(), reads: i - first });
      first = i;
    }
  }
  return sightings.sort((a, b) => a.firstAt.localeCompare(b.firstAt));
};

/**
 * An open window as stored: when its event started, when the tag was last
 * read, and the direction of its event (windows written before directions
 * were stored have none; they count for either direction).
 */
export interface OpenWindow {
  readonly startedAt: string;
  readonly lastSeenAt: string;
  readonly direction?: string;
}

/**
 * What a sighting is, given the window stored before it:
 * - NEW_EVENT: no window, the last read is a window or more before this one,
 *   or the window is of the other direction (a tag read OUT and then IN at
 *   one gate within a window went out and came back: two events);
 * - SAME_EVENT: the stored event started with this very sighting, i.e. the
 *   message is being processed again (a retried invocation), so its booking
 *   must be completed, not skipped;
 * - DUPLICATE: more reads of an event already counted.
 */
export type SightingVerdict = 'NEW_EVENT' | 'SAME_EVENT' | 'DUPLICATE';

export const judgeSighting = (before: OpenWindow | undefined, sighting: Sighting, windowSeconds: number, direction: string): SightingVerdict => {
  if (!before) return 'NEW_EVENT';
  if (before.direction !== undefined && before.direction !== direction) return 'NEW_EVENT';
  if (before.startedAt === sighting.firstAt) return 'SAME_EVENT';
  if (before.lastSeenAt < windowOpenSince(sighting.firstAt, windowSeconds)) return 'NEW_EVENT';
  return 'DUPLICATE';
};

/** A window whose last read is before this time has closed by the time of `at`. */
export const windowOpenSince = (at: string, windowSeconds: number): string => new Date(Date.parse(at) - windowSeconds * 1000).toISOString();

/**
 * When TTL may remove a window: an hour after it closes, so a retried
 * invocation (Lambda retries async events for up to the rule's max event age,
 * one hour) still finds it; after that the movement id alone keeps a retry
 * from booking twice. Counted from the later of the last read and `now`: TTL
 * runs on the wall clock, and reads a gateway buffered while offline must not
 * land in a window that is already due for deletion.
 */
export const windowExpiresAt = (lastAt: string, windowSeconds: number, now: Date): number =>
  Math.ceil(Math.max(Date.parse(lastAt), now.getTime()) / secondMillis) + windowSeconds + hourSeconds;

/**
 * How soon after a message's first read a sighting may still be the same
 * pass as a sighting at the end of the gate's previous message: a reader
 * cycles through its tags in well under this.
 */
export const continuationMillis = 200;

/**
 * Whether a sighting may continue a pass the gate's previous message ended
 * with: its first read comes within `continuationMillis` of the message's
 * first read. Such sightings are claimed last, after reading their serials
 * again: the previous message, processed at the same time, has then mostly
 * claimed them already, so this message finds a duplicate instead of
 * losing a conditional write (which AWS bills as a write).
 */
export const mayContinuePreviousMessage = (sighting: Sighting, messageFirstRead: string): boolean =>
  Date.parse(sighting.firstAt) - Date.parse(messageFirstRead) < continuationMillis;

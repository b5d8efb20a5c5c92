/**
 * The EPCIS 2.0 export (DESIGN.md, "EPCIS export"): a location's gate item
 * events as a GS1 EPCISDocument of ObjectEvents. The story: may the caller
 * see this location -> the time range -> the location (its type and time
 * zone) -> a page of its stored item events (shared/db/epcis.ts) -> mapped
 * by shared/domain/epcis.ts. Reads only. Choices: docs/epcis.md.
 */
import { objectEventOf, epcisDocumentOf, type EpcisDocument, utcIso } from '../domain/epcis.ts';
import { ValidationFailed } from '../domain/errors.ts';
import { assertLocationAccess, type Principal } from '../domain/principal.ts';
import { addDays, dayMillis } from '../domain/time.ts';
import { getLocation } from '../db/catalog.ts';
import { readItemEvents } from '../db/epcis.ts';
import { nowIso } from '../clock.ts';

/** The widest range one export reads (a day's partition per day: 31 small queries at most). */
export const maxRangeDays = 31;

export interface EpcisExportQuery {
  readonly locationId: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly cursor?: string;
}

/** The range an export reads, UTC with milliseconds: `to` defaults to now, `from` to 24 hours before `to`. */
const rangeOf = (query: EpcisExportQuery, now: string): { from: string; to: string } => {
  const to = utcIso(query.to ?? now);
  const from = utcIso(query.from ?? addDays(to, -1));
  if (from > to) throw new ValidationFailed('from is after to', [{ path: 'query.from', message: 'must not be after `to`' }]);
  if (Date.parse(to) - Date.parse(from) > maxRangeDays * dayMillis) {
    throw new ValidationFailed(`At most ${maxRangeDays} days per export`, [{ path: 'query.to', message: `at most ${maxRangeDays} days after \`from\`` }]);
  }
  return { from, to };
};

/**
 * A page of a location's item events as an EPCISDocument: admin for any
 * location, store staff for their own (403 otherwise), 404 for a location
 * that does not exist. Bad ranges and cursors are 400; nothing is written.
 */
export const exportEpcisEvents = async (query: EpcisExportQuery, principal: Principal, now = nowIso()): Promise<EpcisDocument> => {
  assertLocationAccess(principal, query.locationId);
  const range = rangeOf(query, now);
  const location = await getLocation(query.locationId);
  const page = await readItemEvents(query.locationId, range, query.limit, query.cursor);
  return epcisDocumentOf(
    page.items.map((event) => objectEventOf(event, location)),
    now,
    page.cursor,
  );
};

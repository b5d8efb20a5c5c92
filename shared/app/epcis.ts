/**
 * The EPCIS 2.0 export (DESIGN.md, "EPCIS export"): a location's item-level
 * events (gate passes, sales of tagged items) as a GS1 EPCISDocument of
 * ObjectEvents. The export's story: may the caller see this location -> the
 * time range -> the location (its type and time zone) -> a page of its
 * stored events (shared/db/epcis.ts) -> mapped by shared/domain/epcis.ts;
 * reads only. And a sale's story, told by the epcisSales stream consumer:
 * its EPCs -> one `retail_selling` event, keyed by the sale id.
 * Choices: docs/epcis.md.
 */
import { objectEventOf, epcisDocumentOf, type EpcisDocument, packSaleEvents, sgtinUri, utcIso } from '../domain/epcis.ts';
import { decodeEpc } from '../domain/epc.ts';
import { ValidationFailed } from '../domain/errors.ts';
import { assertLocationAccess, type Principal } from '../domain/principal.ts';
import { addDays, dayMillis } from '../domain/time.ts';
import { getLocation } from '../db/catalog.ts';
import { putObjectEvents, readObjectEvents } from '../db/epcis.ts';
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
  const page = await readObjectEvents(query.locationId, range, query.limit, query.cursor);
  return epcisDocumentOf(
    page.items.map((event) => objectEventOf(event, location)),
    now,
    page.cursor,
  );
};

/** A sale as its stored record has it (shared/db/sales.ts `salePut`): the fields the EPCIS event needs. */
export interface SoldTags {
  readonly saleId: string;
  readonly locationId: string;
  /** When the sale was booked; an offline till's sale happened at `occurredAt` (kept on its receipt). */
  readonly at: string;
  readonly occurredAt?: string;
  readonly soldTags?: readonly { sku: string; epc: string }[];
}

/**
 * A sale's tagged items as one `retail_selling` / `retail_sold` ObjectEvent
 * at the sale's location and time (split per 200 EPCs), keyed by the sale
 * id: a retried or replayed stream record writes the same item. A sale
 * without EPCs writes nothing. Returns how many EPCs it kept.
 */
export const recordSaleEvent = async (sale: SoldTags): Promise<number> => {
  const uris = (sale.soldTags ?? []).flatMap((tag) => {
    const decoded = decodeEpc(tag.epc);
    // The checkout refused any EPC that does not decode; one that no longer does is not exported rather than blocking the stream.
    return decoded.ok ? [sgtinUri(decoded)] : [];
  });
  if (uris.length === 0) return 0;
  await putObjectEvents(packSaleEvents({ saleId: sale.saleId, locationId: sale.locationId, at: sale.occurredAt ?? sale.at, uris }));
  return uris.length;
};

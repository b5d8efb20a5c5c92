import * as z from 'zod';

/** Identifiers that appear in keys and paths: no separators, bounded length. */
const identifier = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, `${what}: 1-64 letters, digits, '.', '_' or '-'`)
    .meta({ description: what });

export const Sku = /* @__PURE__ */ identifier('Stock keeping unit');
export const LocationId = /* @__PURE__ */ identifier('Location id');
export const RequestId = /* @__PURE__ */ identifier('Client-chosen id that makes the write idempotent');
/**
 * A resource's id in a path or an answer: a client's id, or one the system
 * derived from client ids (shared/domain/ids.ts: parts joined by ':').
 */
export const ResourceId = /* @__PURE__ */ z
  .string()
  .max(256)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}(:[A-Za-z0-9._-]{1,64})*$/,
    "Id: 1-64 letters, digits, '.', '_' or '-', or such ids joined by ':' when the system derived it",
  )
  .meta({ description: 'Resource id (client-chosen, or derived by the system from client ids with ":")' });

/**
 * Money and quantity bounds. Totals are JavaScript numbers (and DynamoDB
 * refuses to marshal an unsafe one), so each bound keeps the totals built
 * from it far below 2^53 (about 9 x 10^15):
 * - a unit price, cost, fee or spend threshold: at most 10^9 minor units
 *   (10 million in a currency with cents);
 * - a sale or return line: at most 10^4 units;
 * - a sale: at most 10^11 minor units in total (checked on the request), so
 *   a member's rolling spend has room for 90,000 such sales, and the points
 *   one earns stay below 10^12 (members.ts bounds the program's rates).
 */
export const maxUnitPrice = 1_000_000_000;
export const maxSaleLineQty = 10_000;
export const maxSaleTotal = 100_000_000_000;
/** Stock movement and purchase order lines: up to a million units (a line's cost is then at most 10^15). */
export const maxMovementQty = 1_000_000;

export const Quantity = /* @__PURE__ */ z.int().min(1).max(maxMovementQty).meta({ description: 'Whole units, positive' });
export const SaleQuantity = /* @__PURE__ */ z.int().min(1).max(maxSaleLineQty).meta({ description: 'Whole units sold or returned on one line' });
export const MinorUnits = /* @__PURE__ */ z
  .int()
  .min(0)
  .max(maxUnitPrice)
  .meta({ description: 'Money in minor units (integer cents): a price, cost, fee or threshold' });
export const Currency = /* @__PURE__ */ z
  .string()
  .regex(/^[A-Z]{3}$/, 'ISO 4217 code')
  .meta({ description: 'ISO 4217 currency' });

/**
 * Offsets may carry a time past 9999-12-31 or before 0000-01-01 in UTC; its
 * stored form ("+010000-...") would sort before every other time in a key.
 */
const earliest = /* @__PURE__ */ Date.parse('0000-01-01T00:00:00Z');
const latest = /* @__PURE__ */ Date.parse('9999-12-31T23:59:59.999Z');
const inFourDigitYears = (time: string): boolean => {
  const at = Date.parse(time);
  return at >= earliest && at <= latest;
};
export const Timestamp = /* @__PURE__ */ z.iso
  .datetime({ offset: true })
  .refine(inFourDigitYears, 'a time between years 0000 and 9999 in UTC')
  .meta({ description: 'ISO-8601 time' });

/**
 * Runs of characters that break a line: control characters (CR and LF would
 * start a new mail header) and Unicode's line and paragraph separators.
 */
export const lineBreaking = /[\p{Cc}\u2028\u2029]+/gu;
/** Text that can reach a mail header (names, subjects, addresses) must be one line. */
export const oneLine = (text: z.ZodString) => text.refine((value) => !value.match(lineBreaking), 'one line of text without control characters');
export const Name = (maxLength: number) => oneLine(z.string().min(1).max(maxLength));

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};
export const TimeZone = /* @__PURE__ */ z
  .string()
  .max(64)
  .refine(isTimeZone, 'an IANA time zone such as Europe/Berlin')
  .meta({ description: 'IANA time zone' });

export const Limit = /* @__PURE__ */ z.coerce.number().int().min(1).max(100).default(25);
export const Cursor = /* @__PURE__ */ z.string().max(1024).meta({ description: 'Opaque cursor from the previous page' });
export const Page = /* @__PURE__ */ z.object({ limit: Limit, cursor: /* @__PURE__ */ Cursor.optional() });

export const Problem = /* @__PURE__ */ z
  .object({
    type: /* @__PURE__ */ z.string(),
    title: /* @__PURE__ */ z.string(),
    status: /* @__PURE__ */ z.int(),
    detail: /* @__PURE__ */ z.string().optional(),
    instance: /* @__PURE__ */ z.string().optional(),
    errors: /* @__PURE__ */ z.array(/* @__PURE__ */ z.object({ path: /* @__PURE__ */ z.string(), message: /* @__PURE__ */ z.string() })).optional(),
  })
  .loose()
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const Health = /* @__PURE__ */ z.object({ status: /* @__PURE__ */ z.literal('ok') }).meta({ id: 'Health' });

/** `GET /openapi.json`: this document, checked as far as its top level (the rest is OpenAPI 3.1's own schema). */
export const OpenApiDocument = /* @__PURE__ */ z
  .looseObject({
    openapi: /* @__PURE__ */ z.string().regex(/^3\.1\.\d+$/),
    info: /* @__PURE__ */ z.looseObject({ title: /* @__PURE__ */ z.string(), version: /* @__PURE__ */ z.string() }),
    paths: /* @__PURE__ */ z.record(/* @__PURE__ */ z.string(), /* @__PURE__ */ z.unknown()),
  })
  .meta({ id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document' });

/** A value as code holds it once built: read-only all the way down, so the domain's read-only lists fit it. */
export type Frozen<T> = T extends readonly (infer E)[] ? readonly Frozen<E>[] : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;

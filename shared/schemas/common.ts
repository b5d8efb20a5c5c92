import { z } from 'zod';

/** Identifiers that appear in keys and paths: no separators, bounded length. */
const identifier = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, `${what}: 1-64 letters, digits, '.', '_' or '-'`)
    .meta({ description: what });

export const Sku = identifier('Stock keeping unit');
export const LocationId = identifier('Location id');
export const RequestId = identifier('Client-chosen id that makes the write idempotent');

export const Quantity = z.int().min(1).max(1_000_000).meta({ description: 'Whole units, positive' });
export const MinorUnits = z
  .int()
  .min(0)
  .max(100_000_000_000)
  .meta({ description: 'Money in minor units (integer cents)' });
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code').meta({ description: 'ISO 4217 currency' });
export const Timestamp = z.iso.datetime({ offset: true }).meta({ description: 'ISO-8601 time' });

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};
export const TimeZone = z
  .string()
  .max(64)
  .refine(isTimeZone, 'an IANA time zone such as Europe/Berlin')
  .meta({ description: 'IANA time zone' });

export const Limit = z.coerce.number().int().min(1).max(100).default(25);
export const Cursor = z.string().max(1024).meta({ description: 'Opaque cursor from the previous page' });
export const Page = z.object({ limit: Limit, cursor: Cursor.optional() });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const Health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

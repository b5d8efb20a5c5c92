import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { maxUnitPrice, Timestamp } from '../../../shared/schemas/common.ts';
import { LocationInput, MovementsQuery, ProductInput } from '../../../shared/schemas/stock.ts';

/** The issues a schema reports, as `path: message`, or [] when the value parses. */
const issues = (schema: z.ZodType, value: unknown): string[] => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('MovementsQuery', () => {
  it('refuses a range whose from is after its to (DynamoDB refuses BETWEEN with reversed bounds)', () => {
    expect(issues(MovementsQuery, { sku: 'X', from: '2030-01-01T00:00:00Z', to: '2020-01-01T00:00:00Z' })).toEqual(['to: from must not be after to']);
  });

  it('compares instants, not text: offsets may make the later-looking string the earlier time', () => {
    // 10:00+02:00 is 08:00Z: before 09:00Z although it reads later.
    expect(issues(MovementsQuery, { sku: 'X', from: '2026-01-01T09:00:00Z', to: '2026-01-01T10:00:00+02:00' })).toEqual(['to: from must not be after to']);
    expect(issues(MovementsQuery, { sku: 'X', from: '2026-01-01T10:00:00+02:00', to: '2026-01-01T09:00:00Z' })).toEqual([]);
  });

  it('takes an empty range, an open end and the widest range', () => {
    expect(issues(MovementsQuery, { sku: 'X', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toEqual([]);
    expect(issues(MovementsQuery, { sku: 'X', from: '2026-01-01T00:00:00Z' })).toEqual([]);
    expect(issues(MovementsQuery, { locationId: 'L', to: '2026-01-01T00:00:00Z' })).toEqual([]);
    expect(issues(MovementsQuery, { sku: 'X', from: '0000-01-01T00:00:00Z', to: '9999-12-31T23:59:59.999Z' })).toEqual([]);
  });
});

describe('Timestamp', () => {
  it.each(['9999-12-31T23:00:00-05:00', '0000-01-01T00:00:00+01:00'])('refuses %s: past year 9999 or before year 0 in UTC', (time) => {
    expect(issues(Timestamp, time)).toEqual([': a time between years 0000 and 9999 in UTC']);
  });

  it.each(['0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-06-01T12:00:00+14:00'])('takes %s', (time) => {
    expect(issues(Timestamp, time)).toEqual([]);
  });
});

describe('names that reach mail headers', () => {
  const product = { sku: 'S', name: 'Tent', unitCost: 1, price: 2, currency: 'EUR' };

  it('refuses control characters in product and location names (a product name is a back-in-stock subject)', () => {
    expect(issues(ProductInput, { ...product, name: 'Tent\r\nBcc: all@example.com' })).toEqual(['name: one line of text without control characters']);
    expect(issues(LocationInput, { locationId: 'L', name: 'Mitte\n', type: 'STORE', timeZone: 'UTC' })).toEqual([
      'name: one line of text without control characters',
    ]);
    expect(issues(ProductInput, { ...product, name: 'Zelt für 2 – 𝕏' })).toEqual([]);
  });

  it(`bounds prices and costs at ${maxUnitPrice} minor units`, () => {
    expect(issues(ProductInput, { ...product, price: maxUnitPrice, unitCost: maxUnitPrice })).toEqual([]);
    expect(issues(ProductInput, { ...product, price: maxUnitPrice + 1 })[0]).toMatch(/^price: /);
  });
});

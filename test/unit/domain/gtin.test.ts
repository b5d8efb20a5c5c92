import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { gs1CheckDigit } from '../../../shared/domain/epc.ts';
import { isValidGtin, sameGtin, toGtin14 } from '../../../shared/domain/gtin.ts';
import { buildOpenApi } from '../../../shared/schemas/openapi.ts';
import { ProductInput, ProductsQuery } from '../../../shared/schemas/stock.ts';

/** The issues a schema reports, as `path: message`, or [] when the value parses. */
const issues = (schema: z.ZodType, value: unknown): string[] => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('isValidGtin', () => {
  it('takes GTIN-8, -12, -13 and -14 with a right check digit', () => {
    // GS1's own examples: EAN-8, UPC-A, EAN-13 and a GTIN-14 with indicator 8.
    for (const gtin of ['96385074', '036000291452', '4006381333931', '80614141123458', '00000000']) expect(isValidGtin(gtin)).toBe(true);
  });

  it('refuses a wrong check digit in every length', () => {
    for (const gtin of ['96385075', '036000291453', '4006381333932', '80614141123459', '40063813339310']) expect(isValidGtin(gtin)).toBe(false);
  });

  it('refuses other lengths, non-digits and padding', () => {
    for (const gtin of [
      '',
      '1234567',
      '123456789',
      '12345678901',
      '123456789012345',
      '400638133393a',
      ' 4006381333931',
      '4006381333931\n',
      '４００６３８１３３３９３１',
    ])
      expect(isValidGtin(gtin)).toBe(false);
  });

  it('agrees with gs1CheckDigit for every check digit of one body', () => {
    const body = '400638133393';
    for (let d = 0; d <= 9; d++) expect(isValidGtin(`${body}${d}`)).toBe(d === gs1CheckDigit(body));
  });
});

describe('toGtin14', () => {
  it('left-pads every length to 14 digits, keeping the check digit', () => {
    expect(toGtin14('4006381333931')).toBe('04006381333931');
    expect(toGtin14('036000291452')).toBe('00036000291452');
    expect(toGtin14('96385074')).toBe('00000096385074');
    expect(toGtin14('80614141123458')).toBe('80614141123458');
    for (const gtin of ['4006381333931', '036000291452', '96385074']) expect(isValidGtin(toGtin14(gtin))).toBe(true);
  });

  it('throws for what is not a valid GTIN (callers validate first)', () => {
    expect(() => toGtin14('4006381333932')).toThrow(RangeError);
    expect(() => toGtin14('123')).toThrow(RangeError);
  });
});

describe('sameGtin', () => {
  it('is the same number whatever its length', () => {
    expect(sameGtin('4006381333931', '04006381333931')).toBe(true);
    expect(sameGtin('036000291452', '0036000291452')).toBe(true);
    expect(sameGtin('036000291452', '00036000291452')).toBe(true);
    expect(sameGtin('4006381333931', '4006381333948')).toBe(false);
  });

  it('is never true of an invalid GTIN', () => {
    expect(sameGtin('4006381333932', '4006381333932')).toBe(false);
  });
});

describe('the Gtin schema', () => {
  it('refuses a product whose GTIN has a wrong check digit', () => {
    const product = { sku: 'X', name: 'X', unitCost: 1, price: 2, currency: 'EUR' };
    expect(issues(ProductInput, { ...product, gtin: '4006381333931' })).toEqual([]);
    expect(issues(ProductInput, { ...product, gtin: '4006381333932' })).toEqual(['gtin: GS1 check digit is wrong']);
  });

  it('reports a malformed GTIN once, as its shape', () => {
    expect(issues(ProductsQuery, { gtin: '40063813339a' })).toEqual(['gtin: GTIN-8, -12, -13 or -14 digits']);
    expect(issues(ProductsQuery, { gtin: '400638133393' })).toEqual(['gtin: GS1 check digit is wrong']);
  });

  it('leaves the listing query as it was without gtin', () => {
    expect(ProductsQuery.parse({ limit: '5' })).toMatchObject({ limit: 5 });
    expect(ProductsQuery.parse({ gtin: '036000291452' })).toMatchObject({ gtin: '036000291452' });
  });

  it('is described in the OpenAPI document as a query parameter of GET /products', () => {
    const parameter = (buildOpenApi() as any).paths['/products'].get.parameters.find((p: { name: string }) => p.name === 'gtin');
    expect(parameter).toMatchObject({ in: 'query', required: false, schema: { type: 'string', pattern: expect.any(String) } });
    expect(parameter.schema.description).toMatch(/Barcode lookup/);
  });
});

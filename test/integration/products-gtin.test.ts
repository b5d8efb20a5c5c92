/**
 * Barcode lookup at the till: GET /products?gtin=... through the local
 * gateway and the real handlers on DynamoDB Local. A GTIN is one number in
 * any of its lengths (GTIN-8, -12, -13, -14); the lookup reads the GTIN's
 * claim by key and the PATCH that changes a product's GTIN moves the claim.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gs1CheckDigit } from '../../shared/domain/epc.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;

/**
 * A GTIN-13 no other test file uses, with a leading zero so that it also
 * has a GTIN-12 form: a random 11-digit item after the zero, then the check digit.
 */
const freshGtin13 = (): string => {
  const body = `0${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`;
  return `${body}${gs1CheckDigit(body)}`;
};
/** The same GTIN with its check digit off by one. */
const withWrongCheckDigit = (gtin: string): string => `${gtin.slice(0, -1)}${(Number(gtin.at(-1)) + 1) % 10}`;

const createProduct = async (sku: string, gtin?: string) => {
  const answer = await api.call('POST', '/products', {
    token: admin,
    body: { sku, name: `Product ${sku}`, unitCost: 250, price: 499, currency: 'EUR', ...(gtin ? { gtin } : {}) },
  });
  expect(answer.status).toBe(201);
  return answer.body;
};

const lookUp = (gtin: string) => api.call('GET', `/products?gtin=${encodeURIComponent(gtin)}`, { token: admin });

const skusFound = async (gtin: string): Promise<string[]> => {
  const answer = await lookUp(gtin);
  expect(answer.status).toBe(200);
  expect(answer.body.cursor).toBeUndefined();
  return answer.body.items.map((p: { sku: string }) => p.sku);
};

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
});

afterAll(async () => {
  await api.close();
});

describe('GET /products?gtin=', () => {
  it('finds a product stored as GTIN-13 by its GTIN-13, -14 and -12 forms, and only that product', async () => {
    const sku = uniqueId('gtin13');
    const gtin13 = freshGtin13();
    await createProduct(sku, gtin13);
    await createProduct(uniqueId('other'), freshGtin13());

    const answer = await lookUp(gtin13);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ items: [expect.objectContaining({ sku, gtin: gtin13, version: 1 })] });
    expect(await skusFound(`0${gtin13}`)).toEqual([sku]);
    expect(await skusFound(gtin13.slice(1))).toEqual([sku]);
  });

  it('finds a product stored as GTIN-14 by its GTIN-13 and -12 forms', async () => {
    const sku = uniqueId('gtin14');
    const gtin13 = freshGtin13();
    await createProduct(sku, `0${gtin13}`);
    expect(await skusFound(gtin13)).toEqual([sku]);
    expect(await skusFound(gtin13.slice(1))).toEqual([sku]);
  });

  it('refuses a GTIN with a wrong check digit, a wrong length or non-digits with a 400 naming query.gtin, listing nothing', async () => {
    const gtin13 = freshGtin13();
    await createProduct(uniqueId('bad'), gtin13);
    for (const gtin of [withWrongCheckDigit(gtin13), withWrongCheckDigit(`0${gtin13}`), '12345', '123456789012345', '40063813339a1', '']) {
      const answer = await lookUp(gtin);
      expect(answer.status, gtin).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body.items).toBeUndefined();
      expect(answer.body.errors).toEqual([{ path: 'query.gtin', message: expect.any(String) }]);
    }
  });

  it('answers an unknown GTIN with no items', async () => {
    expect(await skusFound(freshGtin13())).toEqual([]);
  });

  it('still lists the catalogue a page at a time without gtin', async () => {
    await createProduct(uniqueId('page-a'));
    await createProduct(uniqueId('page-b'));
    const first = await api.call('GET', '/products?limit=1', { token: admin });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.cursor).toEqual(expect.any(String));
    const next = await api.call('GET', `/products?limit=1&cursor=${encodeURIComponent(first.body.cursor)}`, { token: admin });
    expect(next.status).toBe(200);
    expect(next.body.items[0].sku).not.toBe(first.body.items[0].sku);
  });

  it('moves the lookup with a PATCH of the GTIN: the old GTIN no longer finds the product, the new one does', async () => {
    const sku = uniqueId('moved');
    const before = freshGtin13();
    const after = freshGtin13();
    await createProduct(sku, before);
    expect(await skusFound(before)).toEqual([sku]);

    const patched = await api.call('PATCH', `/products/${sku}`, { token: admin, body: { gtin: after }, headers: { 'if-match': '"1"' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ gtin: after, version: 2 });
    expect(await skusFound(before)).toEqual([]);
    expect(await skusFound(`0${before}`)).toEqual([]);
    expect(await skusFound(after)).toEqual([sku]);
    expect(await skusFound(`0${after}`)).toEqual([sku]);

    // The old GTIN is free again: another product may take it, in any length.
    const other = uniqueId('took-old');
    await createProduct(other, `0${before}`);
    expect(await skusFound(before)).toEqual([other]);
  });

  it('keeps the lookup when a PATCH writes the same GTIN in another length', async () => {
    const sku = uniqueId('relength');
    const gtin13 = freshGtin13();
    await createProduct(sku, gtin13);
    const patched = await api.call('PATCH', `/products/${sku}`, { token: admin, body: { gtin: `0${gtin13}` }, headers: { 'if-match': '"1"' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ gtin: `0${gtin13}`, version: 2 });
    expect(await skusFound(gtin13)).toEqual([sku]);
    expect(await skusFound(gtin13.slice(1))).toEqual([sku]);
  });
});

describe('GTINs on products', () => {
  it('refuses a product whose GTIN has a wrong check digit, on create and on PATCH', async () => {
    const sku = uniqueId('badcd');
    const gtin13 = freshGtin13();
    const created = await api.call('POST', '/products', {
      token: admin,
      body: { sku, name: 'Bad check digit', unitCost: 1, price: 2, currency: 'EUR', gtin: withWrongCheckDigit(gtin13) },
    });
    expect(created.status).toBe(400);
    expect(created.headers.get('content-type')).toBe('application/problem+json');
    expect(created.body.errors).toEqual([{ path: 'body.gtin', message: 'GS1 check digit is wrong' }]);
    expect((await api.call('GET', `/products/${sku}`, { token: admin })).status).toBe(404);

    await createProduct(sku, gtin13);
    const patched = await api.call('PATCH', `/products/${sku}`, {
      token: admin,
      body: { gtin: withWrongCheckDigit(gtin13) },
      headers: { 'if-match': '"1"' },
    });
    expect(patched.status).toBe(400);
    expect(await skusFound(gtin13)).toEqual([sku]);
  });

  it('gives one number to one product, whatever length each was entered in', async () => {
    const gtin13 = freshGtin13();
    await createProduct(uniqueId('first'), gtin13);
    const clash = await api.call('POST', '/products', {
      token: admin,
      body: { sku: uniqueId('second'), name: 'Same barcode', unitCost: 1, price: 2, currency: 'EUR', gtin: `0${gtin13}` },
    });
    expect(clash.status).toBe(409);
    expect(clash.headers.get('content-type')).toBe('application/problem+json');
  });
});

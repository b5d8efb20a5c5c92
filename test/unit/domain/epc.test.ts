import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEpc, documentEpcProblems, encodeSgtin198, encodeSgtin96, gs1CheckDigit, gtinForms, pureIdentityUri } from '../../../shared/domain/epc.ts';

describe('SGTIN-96', () => {
  it('decodes the GS1 Tag Data Standard example', () => {
    // TDS: urn:epc:tag:sgtin-96:3.0614141.812345.6789 = 3074257BF7194E4000001A85
    const decoded = decodeEpc('3074257BF7194E4000001A85');
    expect(decoded).toEqual({ ok: true, gtin: '80614141123458', serial: '6789', filter: 3, companyPrefix: '0614141', itemReference: '812345' });
    expect(decoded.ok && pureIdentityUri(decoded)).toBe('urn:epc:id:sgtin:0614141.812345.6789');
  });

  it('decodes a six-digit company prefix (partition 6)', () => {
    // urn:epc:tag:sgtin-96:0.000001.0000001.1, GTIN 00000010000014 (as published with the python `epc` package's tests)
    expect(decodeEpc('301800004000004000000001')).toEqual({
      ok: true,
      gtin: '00000010000014',
      serial: '1',
      filter: 0,
      companyPrefix: '000001',
      itemReference: '0000001',
    });
  });

  it('encodes the published examples back', () => {
    expect(encodeSgtin96({ gtin: '80614141123458', serial: 6789, companyPrefixLength: 7, filter: 3 })).toBe('3074257BF7194E4000001A85');
    expect(encodeSgtin96({ gtin: '00000010000014', serial: 1, companyPrefixLength: 6, filter: 0 })).toBe('301800004000004000000001');
  });

  it('round-trips every partition, filter and serial', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 12 }),
        fc.stringMatching(/^\d{13}$/),
        fc.bigInt({ min: 0n, max: 2n ** 38n - 1n }),
        fc.integer({ min: 0, max: 7 }),
        (companyPrefixLength, digits, serial, filter) => {
          const gtin = `${digits}${gs1CheckDigit(digits)}`;
          const epc = encodeSgtin96({ gtin, serial, companyPrefixLength, filter });
          expect(decodeEpc(epc)).toMatchObject({ ok: true, gtin, serial: serial.toString(), filter, companyPrefix: gtin.slice(1, 1 + companyPrefixLength) });
        },
      ),
    );
  });

  it.each([
    ['another scheme (SSCC-96)', '31AC16465751CCD0C2000000', /header 0x31 is not an SGTIN/],
    ['an SGTIN-198 shorter than 198 bits', '3674257BF6B7A659B2C2BF100000000000000000', /198 bits, not 160/],
    ['a 128-bit SGTIN header', '3074257BF7194E4000001A8500000000', /96 bits, not 128/],
    ['partition 7', '301C00004000004000000001', /partition 7/],
    ['a company prefix with too many digits', '3037FFFFFC00000000000001', /company prefix/],
    // What gates may now send beside good reads (the envelope takes 1-64 letters or digits).
    ['a 32-bit value', 'DEADBEEF', /header 0xDE is not an SGTIN/],
    ['letters that are not hex', 'ZZ9', /not hex/],
    ['a read missing half a byte', '3674257BF6B7A659B2C2BF1000000000000000000000000000000', /not whole bytes/],
    ['a single digit', '3', /not whole bytes/],
  ])('reports %s as undecodable', (_name, epc, reason) => {
    const decoded = decodeEpc(epc);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toMatch(reason);
  });

  it('refuses to encode what SGTIN-96 cannot carry', () => {
    expect(() => encodeSgtin96({ gtin: '80614141123459', serial: 1, companyPrefixLength: 7 })).toThrow(/check digit/);
    expect(() => encodeSgtin96({ gtin: '80614141123458', serial: 2n ** 38n, companyPrefixLength: 7 })).toThrow(/serial/);
    expect(() => encodeSgtin96({ gtin: '80614141123458', serial: 1, companyPrefixLength: 5 })).toThrow(/6 to 12/);
  });
});

describe('SGTIN-198', () => {
  it('decodes the GS1 Tag Data Standard example, with or without padding to whole words', () => {
    // TDS annex E: urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb (serial "32a/b"), GTIN 70614141123451
    const expected = { ok: true, gtin: '70614141123451', serial: '32a/b', filter: 3, companyPrefix: '0614141', itemReference: '712345' };
    expect(decodeEpc('3674257BF6B7A659B2C2BF1000000000000000000000000000')).toEqual(expected);
    expect(decodeEpc('3674257BF6B7A659B2C2BF100000000000000000000000000000')).toEqual(expected);
    expect(encodeSgtin198({ gtin: '70614141123451', serial: '32a/b', companyPrefixLength: 7, filter: 3 })).toBe(
      '3674257BF6B7A659B2C2BF100000000000000000000000000000',
    );
  });

  it('round-trips serials of GS1 set 82 characters', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[!"%-?A-Z_a-z]{1,20}$/), fc.integer({ min: 6, max: 12 }), (serial, companyPrefixLength) => {
        expect(decodeEpc(encodeSgtin198({ gtin: '80614141123458', serial, companyPrefixLength }))).toMatchObject({ ok: true, gtin: '80614141123458', serial });
      }),
    );
  });

  it('reports serials outside the standard as undecodable and refuses to encode them', () => {
    // "32", a zero character (the end), then "a": a character after the end of the serial.
    expect(decodeEpc('3674257BF6B7A659B20184000000000000000000000000000000')).toEqual({ ok: false, reason: 'serial is not 1-20 characters of GS1 set 82' });
    expect(decodeEpc('3674257BF6B7A659B2C2BF100000000000000000000000000001')).toEqual({ ok: false, reason: 'bits after the EPC are not zero' });
    expect(() => encodeSgtin198({ gtin: '80614141123458', serial: 'has#hash', companyPrefixLength: 7 })).toThrow(/set 82/);
    expect(() => encodeSgtin198({ gtin: '80614141123458', serial: '', companyPrefixLength: 7 })).toThrow(/set 82/);
  });
});

describe('GTINs', () => {
  it('computes GS1 check digits', () => {
    expect(gs1CheckDigit('8061414112345')).toBe(8);
    expect(gs1CheckDigit('400638133393')).toBe(1);
  });

  it('lists the shorter forms a catalogue may hold a GTIN-14 in', () => {
    expect(gtinForms('04006381333931')).toEqual(['04006381333931', '4006381333931']);
    expect(gtinForms('00000095010939')).toEqual(['00000095010939', '0000095010939', '000095010939', '95010939']);
    expect(gtinForms('80614141123458')).toEqual(['80614141123458']);
  });
});

describe('documentEpcProblems', () => {
  const gtin = '80614141123458';
  const gtinOf = (sku: string) => (sku === 'A' ? gtin : undefined);
  const lines = (epcs: string[], qty = 3) => new Map([['A', { qty, epcs }]]);

  it('accepts SGTINs of the line product, one per unit', () => {
    expect(documentEpcProblems(lines([encodeSgtin96({ gtin, companyPrefixLength: 7, serial: 1 })]), gtinOf)).toEqual([]);
  });

  it('sees one item in every EPC of a serial (filter bits, SGTIN-96 or -198) and refuses it twice', () => {
    const same = [
      encodeSgtin96({ gtin, companyPrefixLength: 7, serial: 42, filter: 1 }),
      encodeSgtin198({ gtin, companyPrefixLength: 7, serial: '42', filter: 2 }),
    ];
    expect(documentEpcProblems(lines(same), gtinOf)).toEqual(['A: one item appears twice']);
  });

  it('names EPCs of another product, undecodable ones and more EPCs than units', () => {
    const other = encodeSgtin96({ gtin: '80614141999992', companyPrefixLength: 7, serial: 1 });
    expect(documentEpcProblems(lines([other]), gtinOf)).toEqual([`${other} is not a A`]);
    expect(documentEpcProblems(lines(['31AC16465751CCD0C2000000']), gtinOf)[0]).toMatch(/^31AC16465751CCD0C2000000: /);
    const two = [1, 2].map((serial) => encodeSgtin96({ gtin, companyPrefixLength: 7, serial }));
    expect(documentEpcProblems(lines(two, 1), gtinOf)).toEqual(['A: 2 EPCs for 1 units']);
  });
});

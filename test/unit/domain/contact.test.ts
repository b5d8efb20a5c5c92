import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalisePhone } from '../../../shared/domain/contact.ts';

describe('normalisePhone', () => {
  describe('international numbers (no default country needed)', () => {
    it.each([
      ['+49 170 1234567', '+491701234567'],
      ['0049 170 1234567', '+491701234567'],
      ['+491701234567', '+491701234567'],
      ['+49-170-1234567', '+491701234567'],
      ['+49.170.123.4567', '+491701234567'],
      ['  +49 170 1234567  ', '+491701234567'],
      ['+49 (0) 170 1234567', '+491701234567'],
      ['+1 (202) 555-0123', '+12025550123'],
      ['001 202 555 0123', '+12025550123'],
      ['+44 20 7946 0958', '+442079460958'],
      ['+44 7911 123456', '+447911123456'],
    ])('%s -> %s', (input, e164) => {
      expect(normalisePhone(input)).toBe(e164);
    });

    it('ignores the default country when the number has a country code', () => {
      expect(normalisePhone('+49 170 1234567', 'GB')).toBe('+491701234567');
      expect(normalisePhone('0049 170 1234567', 'US')).toBe('+491701234567');
      expect(normalisePhone('+49 30 1234567', 'US')).toBe('+49301234567');
    });
  });

  describe('national numbers', () => {
    it('are read in the default country plan', () => {
      expect(normalisePhone('(030) 1234567', 'DE')).toBe('+49301234567');
      expect(normalisePhone('0170 1234567', 'DE')).toBe('+491701234567');
      expect(normalisePhone('07911 123456', 'GB')).toBe('+447911123456');
      expect(normalisePhone('202-555-0123', 'US')).toBe('+12025550123');
    });

    it('the same national digits mean different numbers in different countries', () => {
      expect(normalisePhone('07911 123456', 'DE')).toBe('+497911123456');
      expect(normalisePhone('07911 123456', 'GB')).toBe('+447911123456');
    });

    it('are undefined without a default country', () => {
      expect(normalisePhone('(030) 1234567')).toBeUndefined();
      expect(normalisePhone('0170 1234567')).toBeUndefined();
      expect(normalisePhone('202-555-0123')).toBeUndefined();
    });

    it('are undefined when the default country is not a known ISO code', () => {
      expect(normalisePhone('030 1234567', 'XX')).toBeUndefined();
    });

    it('are undefined when not valid in the default country', () => {
      expect(normalisePhone('0170 1234567', 'US')).toBeUndefined();
    });
  });

  describe('invalid input', () => {
    it.each([
      ['too short', '+49 30 12'],
      ['too long', '+49 170 12345678901234'],
      ['unknown country code', '+999 1234567'],
      ['letters', '+49 170 abcdefg'],
      ['words', 'abc'],
      ['empty', ''],
      ['blank', '   '],
      ['only 00', '00'],
      ['only +', '+'],
      ['+ and 00', '+0049 170 1234567'],
    ])('%s (%s) -> undefined', (_, input) => {
      expect(normalisePhone(input)).toBeUndefined();
      expect(normalisePhone(input, 'DE')).toBeUndefined();
    });
  });

  it('is idempotent: an E.164 result normalises to itself', () => {
    fc.assert(
      fc.property(fc.constantFrom('+49 170 ', '0049 170 ', '+49 30 ', '+44 7911 ', '+1 202 '), fc.stringMatching(/^[0-9]{6,7}$/), (prefix, digits) => {
        const e164 = normalisePhone(prefix + digits);
        if (e164 === undefined) return;
        expect(e164).toMatch(/^\+[1-9][0-9]{6,14}$/);
        expect(normalisePhone(e164)).toBe(e164);
        expect(normalisePhone(e164, 'DE')).toBe(e164);
      }),
    );
  });

  it('gives the same number however the spacing and the international prefix are typed', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{7}$/), fc.constantFrom(' ', '-', '', '  '), (digits, sep) => {
        const plain = normalisePhone(`+49170${digits}`);
        expect(plain).toBe(`+49170${digits}`);
        expect(normalisePhone(`+49${sep}170${sep}${digits}`)).toBe(plain);
        expect(normalisePhone(`0049${sep}170${sep}${digits}`)).toBe(plain);
        expect(normalisePhone(`0170${sep}${digits}`, 'DE')).toBe(plain);
      }),
    );
  });
});

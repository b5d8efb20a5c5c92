/**
 * GTINs as products and tills carry them: GTIN-8, -12 (UPC-A), -13 (EAN) or
 * -14, each the same number as the GTIN-14 it becomes with leading zeros.
 * The catalogue keeps what it was given; keys and lookups use the GTIN-14.
 * Pure: no I/O. (EPC encoding and the check digit itself: epc.ts.)
 */
import { gs1CheckDigit } from './epc.ts';

/** The lengths GS1 defines: GTIN-8, -12, -13 and -14. */
export const gtinPattern = /^\d{8}$|^\d{12,14}$/;

/**
 * A GTIN of one of the four lengths whose last digit is the GS1 mod-10 check
 * digit of the ones before it.
 */
export const isValidGtin = (gtin: string): boolean => gtinPattern.test(gtin) && gs1CheckDigit(gtin.slice(0, -1)) === Number(gtin[gtin.length - 1]);

/**
 * The GTIN-14 of a GTIN-8, -12, -13 or -14: left-padded with zeros (the
 * check digit, weighted from the right, stays the same). Throws a
 * RangeError for anything else: callers validate first.
 */
export const toGtin14 = (gtin: string): string => {
  if (!isValidGtin(gtin)) throw new RangeError(`not a valid GTIN-8, -12, -13 or -14: ${gtin}`);
  return gtin.padStart(14, '0');
};

/** Whether two GTINs are the same number, whatever length each was written in. */
export const sameGtin = (a: string, b: string): boolean => isValidGtin(a) && isValidGtin(b) && toGtin14(a) === toGtin14(b);

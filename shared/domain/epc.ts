/**
 * SGTIN EPCs per the GS1 EPC Tag Data Standard (TDS 2.x, section 14.5.1):
 * header (8 bits: 0x30 SGTIN-96, 0x36 SGTIN-198), filter (3), partition (3),
 * GS1 company prefix and item reference (44 bits between them, split by the
 * partition table), serial (SGTIN-96: a 38-bit number; SGTIN-198: up to 20
 * 7-bit characters). The item reference carries the GTIN's indicator digit
 * first. Pure: no I/O.
 */

export interface Sgtin {
  /** GTIN-14, indicator digit first, check digit last. */
  readonly gtin: string;
  /** SGTIN-96: decimal, no leading zeros; SGTIN-198: alphanumeric. */
  readonly serial: string;
  readonly filter: number;
  readonly companyPrefix: string;
  /** Indicator digit followed by the item reference proper. */
  readonly itemReference: string;
}

export type EpcDecoding = ({ readonly ok: true } & Sgtin) | { readonly ok: false; readonly reason: string };

const sgtin96Header = 0x30;
const sgtin198Header = 0x36;
const serialBits = 38n;

/** TDS table 14-2: partition value -> company prefix bits/digits, item reference bits/digits. */
const partitions = [
  { prefixBits: 40n, prefixDigits: 12, itemBits: 4n, itemDigits: 1 },
  { prefixBits: 37n, prefixDigits: 11, itemBits: 7n, itemDigits: 2 },
  { prefixBits: 34n, prefixDigits: 10, itemBits: 10n, itemDigits: 3 },
  { prefixBits: 30n, prefixDigits: 9, itemBits: 14n, itemDigits: 4 },
  { prefixBits: 27n, prefixDigits: 8, itemBits: 17n, itemDigits: 5 },
  { prefixBits: 24n, prefixDigits: 7, itemBits: 20n, itemDigits: 6 },
  { prefixBits: 20n, prefixDigits: 6, itemBits: 24n, itemDigits: 7 },
] as const;

/** GS1 mod-10 check digit of the digits before it (weights 3, 1, 3, ... from the right). */
export const gs1CheckDigit = (digits: string): number => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += Number(digits[digits.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10;
};

/** SGTIN-198 serials: 1 to 20 characters of GS1's AI encodable set 82 (no `#`, `$`, `@`, ...), 7 bits each. */
const serial198Pattern = /^[!"%-?A-Z_a-z]{1,20}$/;
const serial198Chars = 20;

/** The fields after the header: filter, partition, company prefix, item reference (TDS 14.5.1). */
const decodeGtinFields = (field: (width: number) => bigint): Omit<Sgtin, 'serial'> | string => {
  const filter = Number(field(3));
  const partitionValue = Number(field(3));
  const partition = partitions[partitionValue];
  if (!partition) return `partition ${partitionValue} does not exist`;
  const prefix = field(Number(partition.prefixBits));
  const item = field(Number(partition.itemBits));
  // A field wider than its digits could hold a value with too many digits: TDS calls that not decodable.
  if (prefix >= 10n ** BigInt(partition.prefixDigits)) return 'company prefix has too many digits';
  if (item >= 10n ** BigInt(partition.itemDigits)) return 'item reference has too many digits';
  const companyPrefix = prefix.toString().padStart(partition.prefixDigits, '0');
  const itemReference = item.toString().padStart(partition.itemDigits, '0');
  const gtin13 = `${itemReference[0]}${companyPrefix}${itemReference.slice(1)}`;
  return { gtin: `${gtin13}${gs1CheckDigit(gtin13)}`, filter, companyPrefix, itemReference };
};

/** 7-bit characters up to the first zero; everything after it must be zero too. */
const decodeSerial198 = (bits140: bigint): string | undefined => {
  let serial = '';
  for (let i = serial198Chars - 1; i >= 0; i--) {
    const code = Number((bits140 >> BigInt(i * 7)) & 0x7fn);
    if (code === 0) return (bits140 & ((1n << BigInt(i * 7)) - 1n)) === 0n && serial ? serial : undefined;
    serial += String.fromCharCode(code);
  }
  return serial;
};

/**
 * Decodes a hex EPC: SGTIN-96 (header 0x30, exactly 96 bits) or SGTIN-198
 * (header 0x36, 198 bits, word padding after them zero). Anything else is
 * `ok: false` with the reason.
 */
export const decodeEpc = (hex: string): EpcDecoding => {
  if (!/^[0-9A-Fa-f]+$/.test(hex)) return { ok: false, reason: 'not hex' };
  // Tag memory holds whole words; a half byte is a truncated read.
  if (hex.length % 2 !== 0) return { ok: false, reason: 'not whole bytes' };
  const header = Number.parseInt(hex.slice(0, 2), 16);
  const totalBits = hex.length * 4;
  const schemeBits = header === sgtin96Header ? 96 : header === sgtin198Header ? 198 : undefined;
  if (!schemeBits) return { ok: false, reason: `header 0x${hex.slice(0, 2).toUpperCase()} is not an SGTIN` };
  if (schemeBits === 96 ? totalBits !== 96 : totalBits < 198) return { ok: false, reason: `SGTIN-${schemeBits} is ${schemeBits} bits, not ${totalBits}` };
  const value = BigInt(`0x${hex}`);
  if ((value & ((1n << BigInt(totalBits - schemeBits)) - 1n)) !== 0n) return { ok: false, reason: 'bits after the EPC are not zero' };
  let offset = 8;
  const field = (width: number): bigint => {
    offset += width;
    return (value >> BigInt(totalBits - offset)) & ((1n << BigInt(width)) - 1n);
  };
  const fields = decodeGtinFields(field);
  if (typeof fields === 'string') return { ok: false, reason: fields };
  const rawSerial = field(schemeBits === 96 ? Number(serialBits) : serial198Chars * 7);
  const serial = schemeBits === 96 ? rawSerial.toString() : decodeSerial198(rawSerial);
  if (serial === undefined || (schemeBits === 198 && !serial198Pattern.test(serial)))
    return { ok: false, reason: 'serial is not 1-20 characters of GS1 set 82' };
  return { ok: true, ...fields, serial };
};

interface EncodeInput {
  readonly gtin: string;
  readonly companyPrefixLength: number;
  readonly filter?: number;
}

/** Header, filter, partition, company prefix and item reference: the 58 bits both SGTINs start with. */
const encodeGtinFields = (header: number, input: EncodeInput): bigint => {
  const gtin = input.gtin.padStart(14, '0');
  if (!/^\d{14}$/.test(gtin)) throw new RangeError(`GTIN must be at most 14 digits: ${input.gtin}`);
  if (gs1CheckDigit(gtin.slice(0, 13)) !== Number(gtin[13])) throw new RangeError(`GTIN ${gtin} has a wrong check digit`);
  const partitionValue = partitions.findIndex((p) => p.prefixDigits === input.companyPrefixLength);
  const partition = partitions[partitionValue];
  if (!partition) throw new RangeError('company prefix length must be 6 to 12 digits');
  const filter = input.filter ?? 1;
  if (!Number.isInteger(filter) || filter < 0 || filter > 7) throw new RangeError('filter must be 0 to 7');
  const companyPrefix = BigInt(gtin.slice(1, 1 + partition.prefixDigits));
  const itemReference = BigInt(`${gtin[0]}${gtin.slice(1 + partition.prefixDigits, 13)}`);
  return (BigInt(header) << 50n) | (BigInt(filter) << 47n) | (BigInt(partitionValue) << 44n) | (companyPrefix << partition.itemBits) | itemReference;
};

/**
 * Encodes an SGTIN-96. The company prefix length is not in the GTIN, so the
 * caller names it (GS1 assigns 6 to 12 digits).
 */
export const encodeSgtin96 = (input: EncodeInput & { serial: string | number | bigint }): string => {
  const serial = BigInt(input.serial);
  if (serial < 0n || serial >= 1n << serialBits) throw new RangeError('SGTIN-96 serial must be 0 to 2^38 - 1');
  return ((encodeGtinFields(sgtin96Header, input) << serialBits) | serial).toString(16).toUpperCase().padStart(24, '0');
};

/** Encodes an SGTIN-198, padded to 208 bits (13 words of tag memory). */
export const encodeSgtin198 = (input: EncodeInput & { serial: string }): string => {
  if (!serial198Pattern.test(input.serial)) throw new RangeError('SGTIN-198 serial must be 1 to 20 characters of GS1 set 82');
  const serial = [...input.serial.padEnd(serial198Chars, '\0')].reduce((bits, char) => (bits << 7n) | BigInt(char.charCodeAt(0)), 0n);
  return (((encodeGtinFields(sgtin198Header, input) << 140n) | serial) << 10n).toString(16).toUpperCase().padStart(52, '0');
};

/** `urn:epc:id:sgtin:CompanyPrefix.ItemRefAndIndicator.Serial`: the item, whatever filter its tag carries. */
export const pureIdentityUri = (sgtin: Sgtin): string => `urn:epc:id:sgtin:${sgtin.companyPrefix}.${sgtin.itemReference}.${sgtin.serial}`;

/**
 * The forms a GTIN-14 may have been entered in the catalogue: GTIN-14 itself
 * and, when it has leading zeros, GTIN-13, -12 and -8 (the same number
 * without them).
 */
export const gtinForms = (gtin14: string): string[] =>
  [14, 13, 12, 8].filter((length) => /^0*$/.test(gtin14.slice(0, 14 - length))).map((length) => gtin14.slice(14 - length));

/**
 * What is wrong with the EPCs a document (a sale, a receipt) lists per SKU:
 * each must be an SGTIN of that SKU's product, each item once (two EPCs of
 * one serial, differing in filter bits or SGTIN-96 vs -198, are the same
 * item), at most one per unit. Empty when they match.
 */
export const documentEpcProblems = (
  bySku: ReadonlyMap<string, { qty: number; epcs: readonly string[] }>,
  gtinOf: (sku: string) => string | undefined,
): string[] =>
  [...bySku].flatMap(([sku, { qty, epcs }]) => {
    const gtin = gtinOf(sku);
    const decoded = epcs.map((epc) => [epc, decodeEpc(epc)] as const);
    const problems = decoded.flatMap(([epc, d]) => {
      if (!d.ok) return [`${epc}: ${d.reason}`];
      return gtin && gtinForms(d.gtin).includes(gtin) ? [] : [`${epc} is not a ${sku}`];
    });
    const items = new Set(decoded.map(([, d]) => (d.ok ? `${d.gtin}#${d.serial}` : '')));
    if (problems.length === 0 && items.size !== epcs.length) problems.push(`${sku}: one item appears twice`);
    if (epcs.length > qty) problems.push(`${sku}: ${epcs.length} EPCs for ${qty} units`);
    return problems;
  });

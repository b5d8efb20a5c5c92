/**
 * Builds an example value from a JSON Schema (the document's own): a schema's
 * `examples`, `const`, `default` or first `enum` value where it has one,
 * else a value built from its type and constraints, with readable strings
 * for the formats and patterns the API uses. Deterministic, so the document
 * is the same on every build; test/unit/schemas/openapi-examples.test.ts
 * validates every example against the schema it illustrates.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON Schema and OpenAPI nodes, read by key at any depth
type JsonSchema = Record<string, any>;

/** Strings for the patterns our zod schemas declare, by property name first, then by pattern. */
const byName: Record<string, string> = {
  sku: 'sku-espresso-250',
  locationId: 'store-berlin',
  fromLocationId: 'wh-central',
  toLocationId: 'store-munich',
  memberId: 'm-anna',
  movementId: 'mv-2026-0001',
  saleId: 'sale-till7-000200',
  returnId: 'ret-till7-000200',
  receiptId: 'rcpt-asn-7781',
  purchaseOrderId: 'po-2026-0042',
  campaignId: 'cmp-spring-2026',
  supplierId: 'SUP-ROASTERY',
  currency: 'EUR',
  gtin: '04006381333931',
  timeZone: 'Europe/Berlin',
  email: 'anna@example.com',
  phone: '+491701234567',
  name: 'Anna Schmidt',
  cursor: 'eyJwayI6Im0tYW5uYSJ9',
  epc: '3074257BF7194E4000001A85',
};

const formats: Record<string, string> = {
  'date-time': '2026-03-02T09:30:00.000Z',
  date: '2026-03-02',
  time: '09:30:00',
  email: 'anna@example.com',
  uri: 'https://api.example.com/',
  uuid: '3f2b8e4c-6d1a-4c1e-9a7b-2f5d8c9e0a11',
};

const matches = (pattern: string, value: string): boolean => {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return false;
  }
};

/** Candidate strings tried against a pattern no name hint satisfies. */
const candidates = [
  'store-berlin',
  'EUR',
  '04006381333931',
  '4006381333931',
  '3074257BF7194E4000001A85',
  'urn:epc:id:sgtin:4006381.033393.1234',
  '+491701234567',
  'ABC',
  'A',
  'a',
  '1',
  '0',
  '2026-03-02',
  '12-24',
  '3.1.0',
  '1.0.0',
  '2026-03-02T09:30:00.000Z',
  'P1D',
  'Europe/Berlin',
];

const sampleString = (schema: JsonSchema, name: string | undefined): string => {
  if (schema.format && formats[schema.format]) return formats[schema.format]!;
  const hinted = name === undefined ? undefined : byName[name];
  const fits = (value: string) =>
    (!schema.pattern || matches(schema.pattern, value)) &&
    value.length >= (schema.minLength ?? 0) &&
    value.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY);
  if (hinted !== undefined && fits(hinted)) return hinted;
  if (!schema.pattern) {
    const text = name ? `${name}` : 'text';
    return fits(text) ? text : 'x'.repeat(Math.max(1, schema.minLength ?? 1));
  }
  return candidates.find(fits) ?? 'x'.repeat(Math.max(1, schema.minLength ?? 1));
};

const sampleNumber = (schema: JsonSchema, integer: boolean): number => {
  const lo: number | undefined = schema.minimum ?? schema.exclusiveMinimum;
  const hi: number | undefined = schema.maximum ?? schema.exclusiveMaximum;
  const fits = (v: number) =>
    (schema.minimum === undefined || v >= schema.minimum) &&
    (schema.exclusiveMinimum === undefined || v > schema.exclusiveMinimum) &&
    (schema.maximum === undefined || v <= schema.maximum) &&
    (schema.exclusiveMaximum === undefined || v < schema.exclusiveMaximum) &&
    (!schema.multipleOf || Number.isInteger(Number((v / schema.multipleOf).toFixed(9))));
  const preferred = [10, 1, 5, 2, 100];
  for (const v of preferred) if (fits(v)) return v;
  if (lo !== undefined && hi !== undefined) {
    const mid = (lo + hi) / 2;
    const value = schema.multipleOf ? Math.round(mid / schema.multipleOf) * schema.multipleOf : integer ? Math.round(mid) : mid;
    if (fits(value)) return value;
  }
  if (lo !== undefined) for (const v of [lo, lo + 1, lo + (schema.multipleOf ?? 1)]) if (fits(v)) return v;
  if (hi !== undefined) for (const v of [hi, hi - 1, hi - (schema.multipleOf ?? 1)]) if (fits(v)) return v;
  return lo ?? 0;
};

export const sample = (schema: JsonSchema | boolean | undefined, resolve: (ref: string) => JsonSchema | undefined, name?: string, depth = 0): unknown => {
  if (schema === undefined || typeof schema === 'boolean' || depth > 12) return {};
  if (schema.$ref) return sample(resolve(schema.$ref), resolve, name, depth + 1);
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const variants = schema[key] as JsonSchema[] | undefined;
    if (variants?.length) {
      // Prefer a variant that is not `null`.
      const chosen = variants.find((v) => v.type !== 'null') ?? variants[0]!;
      return sample(chosen, resolve, name, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((part: JsonSchema) => sample(part, resolve, name, depth + 1)));
  }
  const type = Array.isArray(schema.type) ? (schema.type.find((t: string) => t !== 'null') ?? schema.type[0]) : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, property] of Object.entries<JsonSchema>(schema.properties ?? {})) out[key] = sample(property, resolve, key, depth + 1);
      return out;
    }
    case 'array': {
      const count = Math.max(1, schema.minItems ?? 0);
      if (Array.isArray(schema.prefixItems)) return schema.prefixItems.map((item: JsonSchema) => sample(item, resolve, name, depth + 1));
      const item = sample(schema.items, resolve, name?.endsWith('s') ? name.slice(0, -1) : name, depth + 1);
      return Array.from({ length: schema.maxItems !== undefined ? Math.min(count, schema.maxItems) : count }, () => item);
    }
    case 'string':
      return sampleString(schema, name);
    case 'integer':
      return sampleNumber(schema, true);
    case 'number':
      return sampleNumber(schema, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return schema.properties ? sample({ ...schema, type: 'object' }, resolve, name, depth + 1) : {};
  }
};

/**
 * Lambda event filtering, as the event source mapping applies it before a
 * record reaches the function. Supports what infra/streams.ts uses and a bit
 * more: exact values (null included), `prefix`, `exists`, `anything-but`
 * (values or a prefix) and `numeric`, over nested objects; a field holding
 * an array matches when any element does. Not supported: `suffix`,
 * `equals-ignore-case`, `wildcard`, `cidr` and `$or`.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 */
import type { FilterPattern } from '../streams.ts';

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const compare: Partial<Record<string, (a: number, b: number) => boolean>> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

const numericMatches = (value: unknown, spec: unknown[]): boolean => {
  // DynamoDB stream images carry numbers as strings ({ N: "5" }); accepting those is the useful reading.
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (Number.isNaN(n)) return false;
  for (let i = 0; i < spec.length; i += 2) if (compare[String(spec[i])]?.(n, Number(spec[i + 1])) !== true) return false;
  return true;
};

const scalarMatches = (value: unknown, allowed: unknown): boolean => {
  if (!isObject(allowed)) return value === allowed;
  const condition = allowed;
  if ('prefix' in condition) return typeof value === 'string' && value.startsWith(String(condition.prefix));
  if ('numeric' in condition) return numericMatches(value, condition.numeric as unknown[]);
  if ('anything-but' in condition) {
    const excluded = condition['anything-but'];
    if (isObject(excluded) && 'prefix' in excluded) return !(typeof value === 'string' && value.startsWith(String(excluded.prefix)));
    return ![excluded].flat().includes(value);
  }
  return false;
};

/** One entry of a pattern's value list against the record's field. */
const valueMatches = (value: unknown, present: boolean, allowed: unknown): boolean => {
  if (isObject(allowed) && 'exists' in allowed) return allowed.exists === present;
  if (!present) return false;
  // A field holding an array matches when any of its elements does.
  return Array.isArray(value) ? value.some((v) => scalarMatches(v, allowed)) : scalarMatches(value, allowed);
};

const matches = (record: unknown, pattern: FilterPattern): boolean =>
  Object.entries(pattern).every(([key, expected]) => {
    const container = isObject(record) ? record : {};
    const present = key in container;
    const value = container[key];
    if (Array.isArray(expected)) return expected.some((allowed) => valueMatches(value, present, allowed));
    // A missing or non-object field is an empty object to nested patterns, so `exists: false` below it holds.
    return isObject(expected) && matches(value, expected);
  });

const checkCondition = (condition: unknown, at: string): void => {
  if (!isObject(condition)) return;
  const [operator, ...more] = Object.keys(condition);
  if (more.length || !operator || !['prefix', 'exists', 'anything-but', 'numeric'].includes(operator)) {
    throw new Error(`unsupported filter condition at ${at}: ${JSON.stringify(condition)}`);
  }
  const numeric = condition.numeric;
  if (
    numeric !== undefined &&
    (!Array.isArray(numeric) || numeric.length % 2 !== 0 || numeric.some((x, i) => (i % 2 ? typeof x !== 'number' : !Object.hasOwn(compare, String(x)))))
  ) {
    throw new Error(`bad numeric condition at ${at}: ${JSON.stringify(numeric)}`);
  }
};

/**
 * Refuses a pattern this matcher would misread, as Lambda refuses invalid
 * filter criteria when the mapping is created rather than when records flow.
 */
export const assertFilterPatterns = (patterns: readonly FilterPattern[], at = 'pattern'): void => {
  patterns.forEach((pattern, i) => {
    const walk = (node: FilterPattern, path: string) => {
      for (const [key, expected] of Object.entries(node)) {
        if (Array.isArray(expected)) for (const condition of expected) checkCondition(condition, `${path}.${key}`);
        else if (isObject(expected)) walk(expected, `${path}.${key}`);
        else throw new Error(`filter values must be arrays or objects, got ${JSON.stringify(expected)} at ${path}.${key}`);
      }
    };
    walk(pattern, `${at}[${i}]`);
  });
};

/** A record is delivered when any one pattern matches it; no patterns means everything. */
export const matchesAnyFilter = (record: unknown, patterns: readonly FilterPattern[]): boolean =>
  patterns.length === 0 || patterns.some((pattern) => matches(record, pattern));

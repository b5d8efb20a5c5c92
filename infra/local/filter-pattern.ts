/**
 * Lambda event filtering, as the event source mapping applies it before a
 * record reaches the function. Supports what infra/streams.ts uses and a bit
 * more: exact values, `prefix`, `exists`, `anything-but` and `numeric`.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 */
import type { FilterPattern } from '../streams.ts';

type Condition = Record<string, unknown>;

const numericMatches = (value: unknown, spec: unknown[]): boolean => {
  if (typeof value !== 'number' && !(typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))) return false;
  const n = Number(value);
  for (let i = 0; i < spec.length; i += 2) {
    const [op, bound] = [spec[i], Number(spec[i + 1])];
    const ok = op === '=' ? n === bound : op === '<' ? n < bound : op === '<=' ? n <= bound : op === '>' ? n > bound : op === '>=' ? n >= bound : false;
    if (!ok) return false;
  }
  return true;
};

const valueMatches = (value: unknown, present: boolean, allowed: unknown): boolean => {
  if (allowed !== null && typeof allowed === 'object') {
    const condition = allowed as Condition;
    if ('exists' in condition) return condition.exists === present;
    if (!present) return false;
    if ('prefix' in condition) return typeof value === 'string' && value.startsWith(String(condition.prefix));
    if ('anything-but' in condition) return ![condition['anything-but']].flat().includes(value);
    if ('numeric' in condition) return numericMatches(value, condition.numeric as unknown[]);
    return false;
  }
  return present && value === allowed;
};

const matches = (record: unknown, pattern: FilterPattern): boolean =>
  Object.entries(pattern).every(([key, expected]) => {
    const container = record !== null && typeof record === 'object' ? (record as Record<string, unknown>) : {};
    const present = key in container;
    const value = container[key];
    if (Array.isArray(expected)) return expected.some((allowed) => valueMatches(value, present, allowed));
    if (expected !== null && typeof expected === 'object') return present && matches(value, expected as FilterPattern);
    return false;
  });

/** A record is delivered when any one pattern matches it; no patterns means everything. */
export const matchesAnyFilter = (record: unknown, patterns: readonly FilterPattern[]): boolean =>
  patterns.length === 0 || patterns.some((pattern) => matches(record, pattern));

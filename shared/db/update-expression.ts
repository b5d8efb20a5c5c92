/**
 * What an Update leaves behind, computed instead of read: the item after
 * `UpdateExpression` applied to the item before it. Only the forms this
 * project writes are understood (SET to a value, to `if_not_exists(path,
 * value)` or to `a + b` / `a - b`; ADD of a number; REMOVE), on top-level
 * attributes. Anything else answers undefined, and the caller reads instead.
 */

type Item = Record<string, unknown>;

const sections = /\b(SET|ADD|REMOVE|DELETE)\b/g;

/** Splits on commas outside parentheses. */
const clauses = (text: string): string[] => {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last) out.push(last);
  return out;
};

const unsupported = Symbol('unsupported');

export interface UpdateInput {
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** The item after `update`; `before` undefined is an item that does not exist yet. Undefined when the expression is beyond this evaluator. */
export const applyUpdate = (before: Item | undefined, update: UpdateInput): Item | undefined => {
  const expression = update.UpdateExpression ?? '';
  const names = update.ExpressionAttributeNames ?? {};
  const values = update.ExpressionAttributeValues ?? {};
  const after: Item = { ...(before ?? {}) };

  const path = (token: string): string | typeof unsupported => {
    const name = token.startsWith('#') ? names[token] : token;
    return name !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : unsupported;
  };
  // Operands read the item as it was before the update (DynamoDB evaluates every clause against the old item).
  const operand = (token: string): unknown => {
    const t = token.trim();
    if (t.startsWith(':')) return t in values ? values[t] : unsupported;
    const name = path(t);
    return name === unsupported ? unsupported : before?.[name];
  };
  const number = (value: unknown) => (typeof value === 'number' ? value : unsupported);

  const matches = [...expression.matchAll(sections)];
  if (matches.length === 0 || (matches[0]?.index ?? 0) !== expression.search(/\S/)) return undefined;
  for (const [i, match] of matches.entries()) {
    const body = expression.slice((match.index ?? 0) + match[0].length, matches[i + 1]?.index ?? expression.length);
    for (const clause of clauses(body)) {
      if (match[1] === 'SET') {
        const eq = clause.indexOf('=');
        if (eq < 0) return undefined;
        const target = path(clause.slice(0, eq).trim());
        const rhs = clause.slice(eq + 1).trim();
        if (target === unsupported) return undefined;
        let value: unknown;
        const ifNotExists = /^if_not_exists\s*\(([^,]+),([^)]+)\)$/.exec(rhs);
        const arithmetic = /^([^+-]+)([+-])([^+-]+)$/.exec(rhs);
        if (ifNotExists) {
          const existing = operand(ifNotExists[1]!);
          value = existing === undefined ? operand(ifNotExists[2]!) : existing;
        } else if (arithmetic) {
          const a = number(operand(arithmetic[1]!));
          const b = number(operand(arithmetic[3]!));
          if (a === unsupported || b === unsupported) return undefined;
          value = arithmetic[2] === '+' ? a + b : a - b;
        } else value = operand(rhs);
        if (value === unsupported) return undefined;
        after[target] = value;
      } else if (match[1] === 'ADD') {
        const [name, valueToken, ...rest] = clause.split(/\s+/);
        const target = path(name ?? '');
        const delta = number(operand(valueToken ?? ''));
        if (rest.length > 0 || target === unsupported || delta === unsupported) return undefined;
        const current = before?.[target];
        if (current !== undefined && typeof current !== 'number') return undefined;
        after[target] = (current ?? 0) + delta;
      } else if (match[1] === 'REMOVE') {
        const target = path(clause);
        if (target === unsupported) return undefined;
        delete after[target];
      } else return undefined;
    }
  }
  return after;
};

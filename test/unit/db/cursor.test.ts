import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../shared/domain/errors.ts';
import { cursorScope, decodeCursor, encodeCursor } from '../../../shared/db/cursor.ts';
import { tables } from '../../../infra/tables.ts';
import { Cursor } from '../../../shared/schemas/common.ts';

/** A location's stock levels: gsi1 of the inventory table, one partition. */
const scope = cursorScope(tables.inventory, 'gsi1', 'LOCATION_STOCK#S1');

/** LastEvaluatedKeys of that query: every key attribute in this project is a non-empty string. */
const keyArb = fc.record({
  pk: fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
  sk: fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
  gsi1pk: fc.constant('LOCATION_STOCK#S1'),
  gsi1sk: fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
});

const expectInvalidCursor = (cursor: string) => {
  let error: unknown;
  try {
    decodeCursor(cursor, scope);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationFailed);
  expect((error as ValidationFailed).errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
};

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('encodeCursor / decodeCursor', () => {
  it('passes "no more pages" through as undefined', () => {
    expect(encodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor(undefined, scope)).toBeUndefined();
  });

  it('round-trips a realistic key', () => {
    const key = { pk: 'STOCK#SKU-1', sk: 'LOCATION#S1', gsi1pk: 'LOCATION_STOCK#S1', gsi1sk: 'SKU-1' };
    expect(decodeCursor(encodeCursor(key), scope)).toEqual(key);
  });

  it('round-trips any string-valued key, through a URL-safe cursor', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        const cursor = encodeCursor(key)!;
        expect(cursor).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(decodeCursor(cursor, scope)).toEqual(key);
      }),
    );
  });

  it('makes cursors that the query schema accepts for keys of realistic size', () => {
    fc.assert(
      fc.property(
        fc.record({
          pk: fc.string({ maxLength: 140 }),
          sk: fc.string({ maxLength: 140 }),
          gsi1pk: fc.string({ maxLength: 140 }),
          gsi1sk: fc.string({ maxLength: 140 }),
        }),
        (key) => {
          expect(Cursor.safeParse(encodeCursor(key)).success).toBe(true);
        },
      ),
    );
  });

  it.each([
    ['an empty string', ''],
    ['not base64 JSON', 'not-a-cursor'],
    ['JSON null', b64('null')],
    ['a JSON array', b64('["pk","x"]')],
    ['a JSON number', b64('42')],
    ['a JSON string', b64('"pk"')],
    ['a key with a number', b64('{"pk":"x","sk":1}')],
    ['a key with a nested object', b64('{"pk":{"S":"x"}}')],
    ['truncated JSON', b64('{"pk":"x"')],
    ['an empty object', b64('{}')],
    ['a key missing the index attributes', b64('{"pk":"STOCK#A","sk":"LOCATION#S1"}')],
    ['a key with an extra attribute', b64('{"pk":"STOCK#A","sk":"LOCATION#S1","gsi1pk":"LOCATION_STOCK#S1","gsi1sk":"A","x":"y"}')],
    ['a key of another partition', b64('{"pk":"STOCK#A","sk":"LOCATION#S2","gsi1pk":"LOCATION_STOCK#S2","gsi1sk":"A"}')],
    ['a key of the base table', b64('{"pk":"STOCK#A","sk":"LOCATION#S1"}')],
  ])('refuses %s with a 400-style ValidationFailed on query.cursor', (_name, cursor) => {
    expectInvalidCursor(cursor);
  });

  it('either decodes an arbitrary string to an object or refuses it with ValidationFailed, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.base64String(),
          fc.jsonValue().map((v) => b64(JSON.stringify(v))),
        ),
        (cursor) => {
          let result: unknown;
          try {
            result = decodeCursor(cursor, scope);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationFailed);
            return;
          }
          expect(typeof result).toBe('object');
          expect(result).not.toBeNull();
          expect(Array.isArray(result)).toBe(false);
          for (const value of Object.values(result as object)) expect(typeof value).toBe('string');
        },
      ),
    );
  });
});

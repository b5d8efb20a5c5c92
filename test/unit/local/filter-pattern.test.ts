import { describe, expect, it } from 'vitest';
import { assertFilterPatterns, matchesAnyFilter } from '../../../infra/local/filter-pattern.ts';
import { streamConsumerList, streamConsumers } from '../../../infra/streams.ts';

const removal = (status: string, entity = 'RESERVATION') => ({
  eventName: 'REMOVE',
  dynamodb: { OldImage: { entity: { S: entity }, status: { S: status } } },
});

describe('Lambda event filtering, locally', () => {
  it('lets only removals of active holds reach the expired-holds consumer', () => {
    const { filters } = streamConsumers.expiredHolds;
    expect(matchesAnyFilter(removal('ACTIVE'), filters)).toBe(true);
    expect(matchesAnyFilter(removal('RELEASED'), filters)).toBe(false);
    expect(matchesAnyFilter(removal('ACTIVE', 'STOCK_LEVEL'), filters)).toBe(false);
    expect(matchesAnyFilter({ ...removal('ACTIVE'), eventName: 'MODIFY' }, filters)).toBe(false);
    expect(matchesAnyFilter({ eventName: 'REMOVE', dynamodb: {} }, filters)).toBe(false);
  });

  it.each([
    [{ a: ['x'] }, { a: 'x' }, true],
    [{ a: ['x'] }, { a: 'y' }, false],
    [{ a: ['x'] }, {}, false],
    [{ a: [null] }, { a: null }, true],
    [{ a: [5] }, { a: '5' }, false],
    [{ a: ['x'] }, { a: ['y', 'x'] }, true],
    [{ a: [{ prefix: 'STO' }] }, { a: 'STOCK#1' }, true],
    [{ a: [{ prefix: 'STO' }] }, { a: 'LEDGER' }, false],
    [{ a: [{ prefix: 'STO' }] }, { a: 5 }, false],
    [{ a: [{ exists: false }] }, {}, true],
    [{ a: [{ exists: false }] }, { a: 'x' }, false],
    [{ a: [{ exists: true }] }, {}, false],
    [{ a: [{ exists: true }] }, { a: '' }, true],
    [{ a: { b: [{ exists: false }] } }, {}, true],
    [{ a: [{ 'anything-but': ['X', 'Y'] }] }, { a: 'Z' }, true],
    [{ a: [{ 'anything-but': 'X' }] }, { a: 'X' }, false],
    [{ a: [{ 'anything-but': 'X' }] }, {}, false],
    [{ a: [{ 'anything-but': { prefix: 'RES' } }] }, { a: 'RESERVATION' }, false],
    [{ a: [{ 'anything-but': { prefix: 'RES' } }] }, { a: 'STOCK' }, true],
    [{ a: [{ numeric: ['>', 0, '<=', 5] }] }, { a: '3' }, true],
    [{ a: [{ numeric: ['>', 0, '<=', 5] }] }, { a: 6 }, false],
    [{ a: [{ numeric: ['>', 0] }] }, { a: 0 }, false],
    [{ a: [{ numeric: ['=', 1] }] }, { a: 'one' }, false],
    [{ a: { b: ['x'] } }, { a: { b: 'x' } }, true],
    [{ a: { b: ['x'] } }, { a: 'x' }, false],
    [{ a: { b: ['x'] } }, {}, false],
    [{ a: ['x'], b: ['y'] }, { a: 'x', b: 'z' }, false],
  ])('%j against %j is %s', (pattern, record, expected) => {
    expect(matchesAnyFilter(record, [pattern])).toBe(expected);
  });

  it('delivers when any one of several patterns matches, and everything when there are none', () => {
    expect(matchesAnyFilter({ a: 'y' }, [{ a: ['x'] }, { a: ['y'] }])).toBe(true);
    expect(matchesAnyFilter({ a: 'z' }, [{ a: ['x'] }, { a: ['y'] }])).toBe(false);
    expect(matchesAnyFilter({ a: 'z' }, [])).toBe(true);
  });

  it('refuses patterns it would misread, before any record flows', () => {
    expect(() => assertFilterPatterns([{ a: 'x' }])).toThrow(/must be arrays or objects/);
    expect(() => assertFilterPatterns([{ a: [{ suffix: '.png' }] }])).toThrow(/unsupported filter condition/);
    expect(() => assertFilterPatterns([{ a: [{ numeric: ['>', 0, '<'] }] }])).toThrow(/bad numeric/);
    expect(() => assertFilterPatterns([{ a: [{ numeric: ['~', 0] }] }])).toThrow(/bad numeric/);
    expect(() => assertFilterPatterns([{ a: { b: ['x', { prefix: 'y' }, { exists: true }, { 'anything-but': ['z'] }] } }])).not.toThrow();
  });

  it.each(streamConsumerList())('accepts the filters of %s', (name, consumer) => {
    expect(() => assertFilterPatterns(consumer.filters, name)).not.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { matchesAnyFilter } from '../../infra/local/filter-pattern.ts';
import { streamConsumers } from '../../infra/streams.ts';

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
    [{ a: [{ prefix: 'STO' }] }, { a: 'STOCK#1' }, true],
    [{ a: [{ prefix: 'STO' }] }, { a: 'LEDGER' }, false],
    [{ a: [{ exists: false }] }, {}, true],
    [{ a: [{ exists: true }] }, {}, false],
    [{ a: [{ 'anything-but': ['X', 'Y'] }] }, { a: 'Z' }, true],
    [{ a: [{ 'anything-but': 'X' }] }, { a: 'X' }, false],
    [{ a: [{ numeric: ['>', 0, '<=', 5] }] }, { a: '3' }, true],
    [{ a: [{ numeric: ['>', 0] }] }, { a: 0 }, false],
    [{ a: { b: ['x'] } }, { a: { b: 'x' } }, true],
    [{ a: { b: ['x'] } }, { a: 'x' }, false],
  ])('%j against %j is %s', (pattern, record, expected) => {
    expect(matchesAnyFilter(record, [pattern])).toBe(expected);
  });

  it('delivers when any one of several patterns matches', () => {
    expect(matchesAnyFilter({ a: 'y' }, [{ a: ['x'] }, { a: ['y'] }])).toBe(true);
    expect(matchesAnyFilter({ a: 'z' }, [{ a: ['x'] }, { a: ['y'] }])).toBe(false);
  });
});

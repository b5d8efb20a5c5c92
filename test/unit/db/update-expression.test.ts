import { describe, expect, it } from 'vitest';
import { applyUpdate } from '../../../shared/db/update-expression.ts';

describe('applyUpdate', () => {
  it('applies SET, if_not_exists, arithmetic, ADD and REMOVE against the item before', () => {
    const before = { pk: 'p', onHand: 5, version: 2, reorderPoint: 3, gone: true };
    const after = applyUpdate(before, {
      UpdateExpression:
        'SET #sku = :sku, #rp = if_not_exists(#rp, :rp), #new = if_not_exists(#new, :rp), total = onHand + :n REMOVE gone ADD #onHand :minus, #version :one, fresh :n',
      ExpressionAttributeNames: { '#sku': 'sku', '#rp': 'reorderPoint', '#new': 'newField', '#onHand': 'onHand', '#version': 'version' },
      ExpressionAttributeValues: { ':sku': 'A', ':rp': 9, ':n': 4, ':minus': -1, ':one': 1 },
    });
    expect(after).toEqual({ pk: 'p', sku: 'A', onHand: 4, version: 3, reorderPoint: 3, newField: 9, total: 9, fresh: 4 });
    expect(before.onHand).toBe(5);
  });

  it('creates from nothing', () => {
    expect(applyUpdate(undefined, { UpdateExpression: 'SET a = :a ADD b :b', ExpressionAttributeValues: { ':a': 'x', ':b': 2 } })).toEqual({ a: 'x', b: 2 });
  });

  it('answers undefined for what it does not understand, so the caller reads instead', () => {
    const names = { '#l': 'list' };
    expect(
      applyUpdate({}, { UpdateExpression: 'SET #l = list_append(#l, :v)', ExpressionAttributeNames: names, ExpressionAttributeValues: { ':v': [1] } }),
    ).toBeUndefined();
    expect(applyUpdate({}, { UpdateExpression: 'SET a.b = :v', ExpressionAttributeValues: { ':v': 1 } })).toBeUndefined();
    expect(applyUpdate({}, { UpdateExpression: 'DELETE s :v', ExpressionAttributeValues: { ':v': new Set([1]) } })).toBeUndefined();
    expect(applyUpdate({}, { UpdateExpression: 'SET a = :missing', ExpressionAttributeValues: {} })).toBeUndefined();
    expect(applyUpdate({ a: 'text' }, { UpdateExpression: 'ADD a :v', ExpressionAttributeValues: { ':v': 1 } })).toBeUndefined();
  });
});

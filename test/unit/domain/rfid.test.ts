import { describe, expect, it } from 'vitest';
import { isExitGate, itemEventMovementId, movementTypeOf, movesStock, raisesAlarm, serialStateAfter } from '../../../shared/domain/rfid.ts';

const event = { locationId: 'STORE-BERLIN', gateId: 'DOOR-1', direction: 'OUT' as const, epc: '3074257BF7194E4000001A85', startedAt: '2026-11-25T10:00:00.000Z' };

describe('item events', () => {
  it('get one movement id per event, whoever books it and how often', () => {
    const id = itemEventMovementId(event);
    expect(id).toMatch(/^rfid-[0-9a-f]{40}$/);
    expect(itemEventMovementId({ ...event })).toBe(id);
    expect(new Set([
      id,
      itemEventMovementId({ ...event, startedAt: '2026-11-25T10:00:31.000Z' }),
      itemEventMovementId({ ...event, gateId: 'DOOR-2' }),
      itemEventMovementId({ ...event, direction: 'IN' }),
      itemEventMovementId({ ...event, epc: '3074257BF7194E4000001A86' }),
    ]).size).toBe(5);
  });

  it('move stock and the serial by direction', () => {
    expect([movementTypeOf('IN'), movementTypeOf('OUT')]).toEqual(['RFID_IN', 'RFID_OUT']);
    expect([serialStateAfter('IN'), serialStateAfter('OUT')]).toEqual(['IN_STOCK', 'LEFT']);
  });

  it('raise an alarm only for an unsold item leaving a store', () => {
    expect(isExitGate('STORE', 'OUT')).toBe(true);
    expect(isExitGate('STORE', 'IN')).toBe(false);
    expect(isExitGate('WAREHOUSE', 'OUT')).toBe(false);
    expect(raisesAlarm(true, 'IN_STOCK')).toBe(true);
    expect(raisesAlarm(true, 'UNSEEN')).toBe(true);
    expect(raisesAlarm(true, 'LEFT')).toBe(true);
    expect(raisesAlarm(true, 'SOLD')).toBe(false);
    expect(raisesAlarm(false, 'IN_STOCK')).toBe(false);
  });
});

describe('stock effect of an item event', () => {
  it('books what the books do not show yet', () => {
    expect(movesStock('IN', 'WH', { state: 'UNSEEN' })).toBe(true);
    expect(movesStock('IN', 'WH', { state: 'LEFT', locationId: 'WH' })).toBe(true);
    expect(movesStock('IN', 'STORE', { state: 'IN_STOCK', locationId: 'WH' })).toBe(true);
    expect(movesStock('OUT', 'STORE', { state: 'IN_STOCK', locationId: 'STORE' })).toBe(true);
    expect(movesStock('OUT', 'STORE', 'STALE')).toBe(true);
  });

  it('leaves stock alone for a sold item leaving and for a read that repeats the serial\'s state', () => {
    expect(movesStock('OUT', 'STORE', { state: 'SOLD', locationId: 'STORE' })).toBe(false);
    expect(movesStock('OUT', 'STORE', { state: 'SOLD' })).toBe(false);
    expect(movesStock('IN', 'WH', { state: 'IN_STOCK', locationId: 'WH' })).toBe(false);
    expect(movesStock('OUT', 'STORE', { state: 'LEFT', locationId: 'STORE' })).toBe(false);
  });
});

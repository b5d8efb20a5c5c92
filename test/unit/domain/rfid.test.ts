import { describe, expect, it } from 'vitest';
import type { Sighting } from '../../../shared/domain/dedupe.ts';
import {
  decodeWindow,
  encodeWindow,
  gateMessageKey,
  isExitGate,
  isSold,
  itemEventMovementId,
  messageMovementId,
  movementTypeOf,
  movesStock,
  planSerialSightings,
  raisesAlarm,
  type SerialRecord,
  serialStateAfter,
} from '../../../shared/domain/rfid.ts';

const event = {
  locationId: 'STORE-BERLIN',
  gateId: 'DOOR-1',
  direction: 'OUT' as const,
  epc: '3074257BF7194E4000001A85',
  startedAt: '2026-11-25T10:00:00.000Z',
};

describe('item events', () => {
  it('get one movement id per event, whoever books it and how often', () => {
    const id = itemEventMovementId(event);
    expect(id).toMatch(/^rfid:[0-9a-f]{40}$/);
    expect(itemEventMovementId({ ...event })).toBe(id);
    expect(
      new Set([
        id,
        itemEventMovementId({ ...event, startedAt: '2026-11-25T10:00:31.000Z' }),
        itemEventMovementId({ ...event, gateId: 'DOOR-2' }),
        itemEventMovementId({ ...event, direction: 'IN' }),
        itemEventMovementId({ ...event, epc: '3074257BF7194E4000001A86' }),
      ]).size,
    ).toBe(5);
  });

  it('move stock and the serial by direction', () => {
    expect([movementTypeOf('IN'), movementTypeOf('OUT')]).toEqual(['RFID_IN', 'RFID_OUT']);
    expect([serialStateAfter('IN'), serialStateAfter('OUT')]).toEqual(['IN_STOCK', 'LEFT']);
    expect([serialStateAfter('IN', 'LEFT'), serialStateAfter('OUT', 'IN_STOCK')]).toEqual(['IN_STOCK', 'LEFT']);
  });

  it('keep a sold item sold whichever way it passes a gate (only a return resets it)', () => {
    expect([serialStateAfter('OUT', 'SOLD'), serialStateAfter('OUT', 'LEFT_SOLD')]).toEqual(['LEFT_SOLD', 'LEFT_SOLD']);
    expect([serialStateAfter('IN', 'SOLD'), serialStateAfter('IN', 'LEFT_SOLD')]).toEqual(['SOLD', 'SOLD']);
    expect(['SOLD', 'LEFT_SOLD', 'LEFT', 'IN_STOCK', 'UNSEEN', undefined].map(isSold)).toEqual([true, true, false, false, false, false]);
  });

  it('raise an alarm only for an unsold item leaving a store', () => {
    expect(isExitGate('STORE', 'OUT')).toBe(true);
    expect(isExitGate('STORE', 'IN')).toBe(false);
    expect(isExitGate('WAREHOUSE', 'OUT')).toBe(false);
    expect(raisesAlarm(true, 'IN_STOCK')).toBe(true);
    expect(raisesAlarm(true, 'UNSEEN')).toBe(true);
    expect(raisesAlarm(true, 'LEFT')).toBe(true);
    expect(raisesAlarm(true, 'SOLD')).toBe(false);
    // Regression: a sold item's second exit read (second exit gate, lingering past the window) raised UNSOLD_EXIT.
    expect(raisesAlarm(true, 'LEFT_SOLD')).toBe(false);
    expect(raisesAlarm(false, 'IN_STOCK')).toBe(false);
  });
});

describe('stock effect of an item event', () => {
  it('books what the books do not show yet', () => {
    expect(movesStock('IN', 'WH', { state: 'UNSEEN' })).toBe(true);
    expect(movesStock('IN', 'WH', { state: 'LEFT', locationId: 'WH' })).toBe(true);
    expect(movesStock('IN', 'STORE', { state: 'IN_STOCK', locationId: 'WH' })).toBe(true);
    expect(movesStock('OUT', 'STORE', { state: 'IN_STOCK', locationId: 'STORE' })).toBe(true);
    // A stale event is judged by the serial's current state, like any other.
    expect(movesStock('IN', 'WH', { state: 'LEFT', locationId: 'WH' })).toBe(true);
  });

  it("leaves stock alone for a sold item leaving and for a read that repeats the serial's state", () => {
    expect(movesStock('OUT', 'STORE', { state: 'SOLD', locationId: 'STORE' })).toBe(false);
    expect(movesStock('OUT', 'STORE', { state: 'SOLD' })).toBe(false);
    expect(movesStock('IN', 'WH', { state: 'IN_STOCK', locationId: 'WH' })).toBe(false);
    expect(movesStock('OUT', 'STORE', { state: 'LEFT', locationId: 'STORE' })).toBe(false);
  });

  it('never books a sold item, in either direction (only a RETURN puts it back on the books)', () => {
    // Regression: a stale OUT of a SOLD serial booked RFID_OUT, and a sold item read IN booked RFID_IN.
    for (const state of ['SOLD', 'LEFT_SOLD'] as const) {
      for (const direction of ['IN', 'OUT'] as const) {
        expect(movesStock(direction, 'STORE', { state, locationId: 'STORE' })).toBe(false);
        expect(movesStock(direction, 'STORE', { state, locationId: 'OTHER' })).toBe(false);
        expect(movesStock(direction, 'STORE', { state })).toBe(false);
      }
    }
  });
});

describe('one movement per SKU per message', () => {
  const message = {
    locationId: 'WH',
    gateId: 'DOCK-1',
    direction: 'IN' as const,
    readAt: '2026-11-25T10:00:00.000Z',
    reads: [{ epc: 'A', at: '2026-11-25T10:00:00.000Z' }],
  };

  it('has the same id for the same message again, another for another SKU, message or read', () => {
    const key = gateMessageKey(message);
    const id = messageMovementId(key, 'S1');
    expect(id).toMatch(/^rfid:[0-9a-f]{40}$/);
    expect(messageMovementId(gateMessageKey({ ...message, reads: [...message.reads] }), 'S1')).toBe(id);
    expect(
      new Set([
        id,
        messageMovementId(key, 'S2'),
        messageMovementId(gateMessageKey({ ...message, direction: 'OUT' }), 'S1'),
        messageMovementId(gateMessageKey({ ...message, gateId: 'DOCK-2' }), 'S1'),
        // Two messages of one gate with one readAt are told apart by their reads.
        messageMovementId(gateMessageKey({ ...message, reads: [{ epc: 'B', at: message.readAt }] }), 'S1'),
      ]).size,
    ).toBe(5);
  });
});

describe("one serial's sightings in one message", () => {
  const gate = { locationId: 'STORE', gateId: 'DOOR-1', direction: 'OUT' as const };
  const at = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, seconds)).toISOString();
  const sighting = (first: number, last = first): Sighting => ({ epc: 'E1', firstAt: at(first), lastAt: at(last), reads: 2 });
  const eventId = (first: number) => itemEventMovementId({ ...gate, epc: 'E1', startedAt: at(first) });

  it('opens an event and moves the serial in one write for an unseen item', () => {
    const plan = planSerialSightings(undefined, [sighting(0, 1)], gate, 30, 'M1');
    expect(plan.verdicts).toEqual(['NEW_EVENT']);
    expect(plan.events).toEqual([{ sighting: sighting(0, 1), movementId: eventId(0), current: { state: 'UNSEEN', locationId: undefined }, stale: false }]);
    expect(plan.write?.serial).toMatchObject({ state: 'LEFT', locationId: 'STORE', lastSeenAt: at(0), lastEventId: eventId(0), previousState: 'UNSEEN' });
    expect(plan.write?.window).toMatchObject({
      direction: 'OUT',
      startedAt: at(0),
      lastSeenAt: at(1),
      eventId: eventId(0),
      stateBefore: 'UNSEEN',
      stale: false,
    });
  });

  it('writes nothing for more reads inside the window, and stretches it only when it lags a quarter window', () => {
    const record: SerialRecord = { state: 'LEFT', locationId: 'STORE', window: { direction: 'OUT', startedAt: at(0), lastSeenAt: at(1) } };
    const quiet = planSerialSightings(record, [sighting(2, 5)], gate, 30, 'M1');
    expect([quiet.verdicts, quiet.events, quiet.write]).toEqual([['DUPLICATE'], [], undefined]);
    const parked = planSerialSightings(record, [sighting(2, 20)], gate, 30, 'M1');
    expect(parked.verdicts).toEqual(['DUPLICATE']);
    expect(parked.write).toEqual({ window: { ...record.window, lastSeenAt: at(20) } });
  });

  it('finds a replayed message the same event, as the first attempt decided it, and writes nothing', () => {
    const first = planSerialSightings({ state: 'IN_STOCK', locationId: 'STORE', lastSeenAt: at(-100) }, [sighting(0, 1)], gate, 30, 'M1');
    // The serial moves on at another gate afterwards; the window still remembers what this event found.
    const record: SerialRecord = { state: 'IN_STOCK', locationId: 'OTHER', lastSeenAt: at(50), lastEventId: 'rfid:later', window: first.write!.window };
    const again = planSerialSightings(record, [sighting(0, 1)], gate, 30, 'M1');
    expect(again.verdicts).toEqual(['SAME_EVENT']);
    expect(again.events).toEqual(first.events);
    expect(again.write).toBeUndefined();
    expect(decodeWindow(encodeWindow(first.write!.window))).toEqual(first.write!.window);
    expect(decodeWindow('not json')).toBeUndefined();
  });

  it('keeps a sold item sold and judges an event older than the sale stale, without moving the serial', () => {
    const sold: SerialRecord = { state: 'SOLD', locationId: 'STORE', soldAt: at(10) };
    const after = planSerialSightings(sold, [sighting(20)], gate, 30, 'M1');
    expect(after.events[0]).toMatchObject({ current: { state: 'SOLD' }, stale: false });
    expect(after.write?.serial?.state).toBe('LEFT_SOLD');
    expect(movesStock('OUT', 'STORE', after.events[0]!.current)).toBe(false);
    const before = planSerialSightings(sold, [sighting(5)], gate, 30, 'M1');
    expect(before.events[0]).toMatchObject({ current: { state: 'SOLD' }, stale: true });
    expect(before.write?.serial).toBeUndefined();
    expect(before.write?.window).toMatchObject({ startedAt: at(5), stale: true });
  });

  it('makes two passes in one message two events, and the other direction a new event inside the window', () => {
    const two = planSerialSightings(undefined, [sighting(0, 2), sighting(60, 61)], gate, 30, 'M1');
    expect(two.verdicts).toEqual(['NEW_EVENT', 'NEW_EVENT']);
    expect(two.events.map((e) => e.current.state)).toEqual(['UNSEEN', 'LEFT']);
    expect(two.write?.serial).toMatchObject({ lastSeenAt: at(60), previousState: 'LEFT' });
    const record: SerialRecord = { state: 'LEFT', locationId: 'STORE', lastSeenAt: at(0), window: { direction: 'OUT', startedAt: at(0), lastSeenAt: at(1) } };
    const back = planSerialSightings(record, [sighting(5)], { ...gate, direction: 'IN' }, 30, 'M1');
    expect(back.verdicts).toEqual(['NEW_EVENT']);
    expect(back.write?.serial?.state).toBe('IN_STOCK');
  });

  it('finds another message with the same first read a duplicate, not the same event again', () => {
    const first = planSerialSightings(undefined, [sighting(0, 1)], gate, 30, 'M1');
    const record: SerialRecord = { ...first.write!.serial, window: first.write!.window };
    const other = planSerialSightings(record, [sighting(0, 1)], gate, 30, 'M2');
    expect([other.verdicts, other.events, other.write]).toEqual([['DUPLICATE'], [], undefined]);
    expect(planSerialSightings(record, [sighting(0, 1)], gate, 30, 'M1').verdicts).toEqual(['SAME_EVENT']);
  });

  it('finds an older message processed after a newer one a duplicate of its event (one event per pass, whatever the order)', () => {
    const newer = planSerialSightings(undefined, [sighting(10, 12)], gate, 30, 'M1');
    const record: SerialRecord = { ...newer.write!.serial, window: newer.write!.window };
    const older = planSerialSightings(record, [sighting(8, 10)], gate, 30, 'M1');
    expect([older.verdicts, older.events, older.write]).toEqual([['DUPLICATE'], [], undefined]);
  });
});

/**
 * Member-exclusive allocations are stock (issue 14, part 5): an allocation
 * at a location holds its units in the level's `reserved`, booked as
 * RESERVE/RELEASE movements; sales through it take from there; the chain's
 * allocation cannot promise more than the chain has available.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../infra/tables.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { entities, salesKeys } from '../../shared/db/keys.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
let till: string;
let tillB: string;
const store = uniqueId('AL');
const storeB = uniqueId('ALB');

const createExclusive = async (sku: string) => {
  const answer = await api.call('POST', '/products', {
    token: admin,
    body: { sku, name: `Exclusive ${sku}`, unitCost: 500, price: 1000, currency: 'EUR', memberExclusive: { minTier: 'REGULAR' } },
  });
  expect(answer.status).toBe(201);
};

const receive = async (sku: string, qty: number, locationId = store) => {
  const answer = await api.call('POST', '/movements', {
    token: admin,
    body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId, lines: [{ sku, qty }] },
  });
  expect(answer.status).toBe(201);
};

const allocate = (sku: string, scope: string, quantity: number) =>
  api.call('PUT', `/products/${sku}/allocations/${scope}`, { token: admin, body: { quantity } });

const allocations = async (sku: string, as = admin) => {
  const answer = await api.call('GET', `/products/${sku}/allocations`, { token: as });
  expect(answer.status).toBe(200);
  return answer.body.items as { locationId?: string; quantity: number; sold: number; remaining: number }[];
};

const levelOf = async (sku: string, locationId = store) => {
  const answer = await api.call('GET', `/stock/${sku}`, { token: admin });
  expect(answer.status).toBe(200);
  return answer.body.levels.find((l: { locationId: string }) => l.locationId === locationId) as
    | { onHand: number; available: number; reserved: number }
    | undefined;
};

const ledgerOf = async (sku: string, locationId = store) => {
  const query = new URLSearchParams({ sku, locationId, limit: '100' });
  const answer = await api.call('GET', `/movements?${query}`, { token: admin });
  expect(answer.status).toBe(200);
  return answer.body.items as { type: string; movementId: string; onHandDelta: number; reservedDelta: number; reason?: string }[];
};

const register = async () => {
  const answer = await api.call('POST', '/members', {
    token: till,
    headers: { 'idempotency-key': uniqueId('reg') },
    body: { name: 'Allocation Member', email: `${uniqueId('mail')}@example.com` },
  });
  expect(answer.status).toBe(201);
  return answer.body.memberId as string;
};

const sell = (sku: string, qty: number, memberId?: string, locationId = store) =>
  api.call('POST', '/sales', {
    token: locationId === store ? till : tillB,
    body: { saleId: uniqueId('sale'), locationId, ...(memberId ? { memberId } : {}), lines: [{ sku, qty, unitPrice: 1000 }] },
  });

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  till = await token({ role: 'store', locations: [store] });
  tillB = await token({ role: 'store', locations: [storeB] });
  for (const locationId of [store, storeB]) {
    const answer = await api.call('POST', '/locations', {
      token: admin,
      body: { locationId, name: `Store ${locationId}`, type: 'STORE', timeZone: 'Europe/Berlin' },
    });
    expect(answer.status).toBe(201);
  }
});

afterAll(async () => {
  await api.close();
});

describe('an allocation at a location', () => {
  it('refuses to set aside units that are not there, and writes nothing', async () => {
    const sku = uniqueId('none');
    await createExclusive(sku);
    const answer = await allocate(sku, store, 500);
    expect(answer.status).toBe(409);
    expect(answer.body.type).toBe('/problems/out-of-stock');
    expect(answer.body.shortages).toEqual([{ sku, locationId: store, requested: 500, available: 0 }]);
    expect(await allocations(sku)).toEqual([]);
    expect(await levelOf(sku)).toBeUndefined();
    expect(await ledgerOf(sku)).toEqual([]);

    await receive(sku, 10);
    const tooMany = await allocate(sku, store, 11);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.shortages).toEqual([{ sku, locationId: store, requested: 11, available: 10 }]);
    expect(await allocations(sku)).toEqual([]);
    expect(await levelOf(sku)).toMatchObject({ onHand: 10, available: 10, reserved: 0 });
  });

  it('holds its units in reserved, sells members from there, and gives back what it no longer needs', async () => {
    const sku = uniqueId('held');
    await createExclusive(sku);
    await receive(sku, 10);

    const six = await allocate(sku, store, 6);
    expect(six.status).toBe(200);
    expect(six.body).toMatchObject({ sku, locationId: store, quantity: 6, sold: 0, remaining: 6 });
    expect(await levelOf(sku)).toMatchObject({ onHand: 10, available: 4, reserved: 6 });
    // The same quantity again changes nothing and answers the same allocation.
    const again = await allocate(sku, store, 6);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(six.body);
    expect(await levelOf(sku)).toMatchObject({ onHand: 10, available: 4, reserved: 6 });

    // Only 4 are available to anything else: a hold of 5 is refused.
    const hold = await api.call('POST', '/movements', {
      token: admin,
      body: {
        movementId: uniqueId('hold'),
        type: 'RESERVE',
        locationId: store,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        lines: [{ sku, qty: 5 }],
      },
    });
    expect(hold.status).toBe(409);
    expect(hold.body.shortages).toEqual([expect.objectContaining({ sku, requested: 5, available: 4 })]);
    // Nobody buys it without being a member.
    expect((await sell(sku, 5)).status).toBe(403);

    const memberId = await register();
    const bought = await sell(sku, 2, memberId);
    expect(bought.status).toBe(201);
    expect(await levelOf(sku)).toMatchObject({ onHand: 8, available: 4, reserved: 4 });
    const memberToken = await token({ role: 'member', memberId });
    expect(await allocations(sku, memberToken)).toEqual([expect.objectContaining({ locationId: store, quantity: 6, sold: 2, remaining: 4 })]);

    // Below what is sold is refused; down to 3 (1 remaining) gives 3 back.
    expect((await allocate(sku, store, 1)).status).toBe(400);
    const three = await allocate(sku, store, 3);
    expect(three.status).toBe(200);
    expect(three.body).toMatchObject({ quantity: 3, sold: 2, remaining: 1 });
    expect(await levelOf(sku)).toMatchObject({ onHand: 8, available: 7, reserved: 1 });
    // Released: nothing remains set aside.
    const released = await allocate(sku, store, 2);
    expect(released.body).toMatchObject({ quantity: 2, sold: 2, remaining: 0 });
    expect(await levelOf(sku)).toMatchObject({ onHand: 8, available: 8, reserved: 0 });
    const exhausted = await sell(sku, 1, memberId);
    expect(exhausted.status).toBe(409);
    expect(exhausted.body.type).toBe('/problems/allocation-exhausted');

    // A returned unit goes back to available; the allocation keeps it as sold.
    const back = await api.call('POST', `/sales/${bought.body.saleId}/returns`, { token: till, body: { returnId: uniqueId('ret'), lines: [{ sku, qty: 1 }] } });
    expect(back.status).toBe(201);
    expect(await levelOf(sku)).toMatchObject({ onHand: 9, available: 9, reserved: 0 });
    expect(await allocations(sku)).toEqual([expect.objectContaining({ quantity: 2, sold: 2, remaining: 0 })]);

    const ledger = await ledgerOf(sku);
    expect(ledger.map((e) => [e.type, e.onHandDelta, e.reservedDelta]).sort()).toEqual(
      [
        ['RECEIPT', 10, 0],
        ['RESERVE', 0, 6],
        ['SALE', -2, -2],
        ['RELEASE', 0, -3],
        ['RELEASE', 0, -1],
        ['RETURN', 1, 0],
      ].sort(),
    );
    const allocationEntries = ledger.filter((e) => e.type === 'RESERVE' || e.type === 'RELEASE');
    expect(allocationEntries.every((e) => e.reason === 'ALLOCATION' && e.movementId.startsWith(`allocation:${sku}:${store}:`))).toBe(true);
    expect(new Set(allocationEntries.map((e) => e.movementId)).size).toBe(3);
  });

  it('starts empty with quantity 0 and releases all of an unsold allocation with 0', async () => {
    const sku = uniqueId('zero');
    await createExclusive(sku);
    expect((await allocate(sku, store, 0)).body).toMatchObject({ quantity: 0, sold: 0, remaining: 0 });
    await receive(sku, 5);
    expect((await allocate(sku, store, 5)).status).toBe(200);
    expect(await levelOf(sku)).toMatchObject({ available: 0, reserved: 5 });
    expect((await allocate(sku, store, 0)).body).toMatchObject({ quantity: 0, remaining: 0 });
    expect(await levelOf(sku)).toMatchObject({ onHand: 5, available: 5, reserved: 0 });
  });

  it('ends consistent when PUTs of different quantities and member sales race', async () => {
    const sku = uniqueId('race');
    await createExclusive(sku);
    await receive(sku, 50);
    const memberId = await register();
    const quantities = [5, 12, 20, 8, 30, 0, 17, 25];
    const [puts, sales] = await Promise.all([
      Promise.all(quantities.map((q) => allocate(sku, store, q))),
      Promise.all(Array.from({ length: 4 }, () => sell(sku, 1, memberId))),
    ]);
    for (const answer of puts) {
      expect([200, 400, 409]).toContain(answer.status);
      if (answer.status === 409) expect(answer.body.type).toBe('/problems/conflict');
    }
    expect(puts.filter((a) => a.status === 200).length).toBeGreaterThan(quantities.length / 2);
    for (const answer of sales) expect([201, 409]).toContain(answer.status);
    const soldNow = sales.filter((a) => a.status === 201).length;

    const [allocation] = await allocations(sku);
    const level = await levelOf(sku);
    expect(allocation!.sold).toBe(soldNow);
    expect(level).toMatchObject({ onHand: 50 - soldNow, reserved: allocation!.remaining, available: 50 - soldNow - allocation!.remaining });
    const ledger = await ledgerOf(sku);
    expect(sum(ledger.map((e) => e.reservedDelta))).toBe(level!.reserved);
    expect(sum(ledger.map((e) => e.onHandDelta))).toBe(level!.onHand);

    // And it still moves as one afterwards.
    expect((await allocate(sku, store, soldNow)).body).toMatchObject({ remaining: 0 });
    expect(await levelOf(sku)).toMatchObject({ reserved: 0, available: 50 - soldNow });
  });
});

describe('an allocation written before allocations were stock (no version)', () => {
  it('sells from available until it is set again, then holds its remaining in reserved', async () => {
    const sku = uniqueId('legacy');
    await createExclusive(sku);
    await receive(sku, 10);
    await documentClient.send(
      new PutCommand({
        TableName: tableName(tables.inventory),
        Item: {
          ...salesKeys.allocation(sku, store),
          entity: entities.allocation,
          sku,
          scope: store,
          locationId: store,
          quantity: 5,
          sold: 0,
          remaining: 5,
          updatedAt: new Date().toISOString(),
        },
      }),
    );
    // Nothing is in reserved, so members are shown nothing there yet.
    expect(await allocations(sku)).toEqual([expect.objectContaining({ quantity: 5, remaining: 0 })]);
    const memberId = await register();
    expect((await sell(sku, 1, memberId)).status).toBe(201);
    expect(await levelOf(sku)).toMatchObject({ onHand: 9, available: 9, reserved: 0 });

    // Set again (even to the same quantity), its remaining is set aside for real.
    const again = await allocate(sku, store, 5);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ quantity: 5, sold: 1, remaining: 4 });
    expect(await levelOf(sku)).toMatchObject({ onHand: 9, available: 5, reserved: 4 });
    expect((await sell(sku, 1, memberId)).status).toBe(201);
    expect(await levelOf(sku)).toMatchObject({ onHand: 8, available: 5, reserved: 3 });
  });
});

describe('the chain-wide allocation (*)', () => {
  it('promises no more than the chain has available, and shows no more than exists', async () => {
    const sku = uniqueId('chain');
    await createExclusive(sku);
    await receive(sku, 5, store);
    await receive(sku, 3, storeB);

    const tooMany = await allocate(sku, '*', 9);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.type).toBe('/problems/out-of-stock');
    expect(tooMany.body.shortages).toEqual([{ sku, locationId: '*', requested: 9, available: 8 }]);
    expect(await allocations(sku)).toEqual([]);

    const chain = await allocate(sku, '*', 8);
    expect(chain.status).toBe(200);
    expect(chain.body).toMatchObject({ quantity: 8, sold: 0, remaining: 8 });
    expect(chain.body.locationId).toBeUndefined();
    // It moves no units between states.
    expect(await levelOf(sku, store)).toMatchObject({ available: 5, reserved: 0 });

    // A location allocation takes 3 out of available: the chain's can now promise only 5.
    expect((await allocate(sku, store, 3)).status).toBe(200);
    const memberId = await register();
    const shown = await allocations(sku, await token({ role: 'member', memberId }));
    expect(shown).toEqual(
      expect.arrayContaining([expect.objectContaining({ locationId: store, remaining: 3 }), expect.objectContaining({ quantity: 8, sold: 0, remaining: 5 })]),
    );

    // At the other store members buy through the chain's allocation, from available there.
    const bought = await sell(sku, 2, memberId, storeB);
    expect(bought.status).toBe(201);
    expect(await levelOf(sku, storeB)).toMatchObject({ onHand: 1, available: 1, reserved: 0 });
    expect((await allocations(sku)).find((a) => a.locationId === undefined)).toMatchObject({ sold: 2, remaining: 3 });
    // At this store they buy through its own allocation, from reserved.
    expect((await sell(sku, 1, memberId, store)).status).toBe(201);
    expect(await levelOf(sku, store)).toMatchObject({ onHand: 4, available: 2, reserved: 2 });

    // Shrinking is allowed whatever is available; raising past it is not.
    expect((await allocate(sku, '*', 4)).body).toMatchObject({ quantity: 4, sold: 2, remaining: 2 });
    expect((await allocate(sku, '*', 6)).status).toBe(409);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

/**
 * Issue 20, item 4: a replay must never answer before the caller's access to
 * the request's locations is checked, and a store's ids are its own, so
 * another store can neither replay them nor learn that they exist.
 */
let api: Api;
let admin: string;
let berlin: string;
let munich: string;
const [BERLIN, MUNICH] = [uniqueId('RS-BER'), uniqueId('RS-MUC')];
const sku = uniqueId('rs-p');

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  berlin = await token({ role: 'store', locations: [BERLIN] });
  munich = await token({ role: 'store', locations: [MUNICH] });
  for (const locationId of [BERLIN, MUNICH]) {
    expect((await api.call('POST', '/locations', { token: admin, body: { locationId, name: locationId, type: 'STORE', timeZone: 'UTC' } })).status).toBe(201);
  }
  expect((await api.call('POST', '/products', { token: admin, body: { sku, name: sku, unitCost: 100, price: 250, currency: 'EUR' } })).status).toBe(201);
  for (const locationId of [BERLIN, MUNICH]) {
    expect(
      (await api.call('POST', '/movements', { token: admin, body: { movementId: uniqueId('rs-rc'), type: 'RECEIPT', locationId, lines: [{ sku, qty: 50 }] } }))
        .status,
    ).toBe(201);
  }
});

afterAll(async () => {
  await api.close();
});

const levelAt = async (locationId: string) =>
  (await api.call('GET', `/stock/${sku}`, { token: admin })).body.levels.find((l: { locationId: string }) => l.locationId === locationId);

describe('replays and ids across stores', () => {
  it("refuses another store's movement body with 403 before any replay, never showing its levels", async () => {
    const body = { movementId: uniqueId('xloc'), type: 'RECEIPT', locationId: BERLIN, lines: [{ sku, qty: 1 }] };
    expect((await api.call('POST', '/movements', { token: berlin, body })).status).toBe(201);
    const replayed = await api.call('POST', '/movements', { token: munich, body });
    expect(replayed.status).toBe(403);
    expect(replayed.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.stringify(replayed.body)).not.toMatch(/onHand|levels/);
  });

  it("books a store's own movement under an id another store already used, as a new movement", async () => {
    const movementId = uniqueId('demo-sale-berlin');
    expect(
      (await api.call('POST', '/movements', { token: berlin, body: { movementId, type: 'SALE', locationId: BERLIN, lines: [{ sku, qty: 1 }] } })).status,
    ).toBe(201);
    const before = await levelAt(MUNICH);
    const own = await api.call('POST', '/movements', { token: munich, body: { movementId, type: 'SALE', locationId: MUNICH, lines: [{ sku, qty: 2 }] } });
    expect(own.status).toBe(201);
    expect(own.headers.get('idempotent-replayed')).toBeNull();
    expect(own.body.levels).toEqual([expect.objectContaining({ locationId: MUNICH, onHand: before.onHand - 2 })]);
    // Within a store the id still books once.
    const again = await api.call('POST', '/movements', { token: munich, body: { movementId, type: 'SALE', locationId: MUNICH, lines: [{ sku, qty: 2 }] } });
    expect(again.body).toEqual(own.body);
    expect((await levelAt(MUNICH)).onHand).toBe(before.onHand - 2);
  });

  it("treats another store's hold id as unknown, and its location as forbidden", async () => {
    const reservationId = uniqueId('rs-hold');
    const hold = await api.call('POST', '/movements', {
      token: berlin,
      body: {
        movementId: reservationId,
        type: 'RESERVE',
        locationId: BERLIN,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        lines: [{ sku, qty: 1 }],
      },
    });
    expect(hold.status).toBe(201);
    const atOwn = await api.call('POST', '/movements', {
      token: munich,
      body: { movementId: uniqueId('rs-rel'), type: 'RELEASE', locationId: MUNICH, reservationId },
    });
    expect(atOwn.status).toBe(422);
    expect(atOwn.body.detail ?? atOwn.body.title).not.toMatch(BERLIN);
    const atTheirs = await api.call('POST', '/movements', {
      token: munich,
      body: { movementId: uniqueId('rs-rel'), type: 'RELEASE', locationId: BERLIN, reservationId },
    });
    expect(atTheirs.status).toBe(403);
    expect((await levelAt(BERLIN)).reserved).toBe(1);
  });

  it("refuses another store's sale and return bodies with 403 before any replay", async () => {
    const sale = { saleId: uniqueId('rs-sale'), locationId: BERLIN, lines: [{ sku, qty: 1, unitPrice: 250 }] };
    expect((await api.call('POST', '/sales', { token: berlin, body: sale })).status).toBe(201);
    const replayed = await api.call('POST', '/sales', { token: munich, body: sale });
    expect(replayed.status).toBe(403);
    expect(JSON.stringify(replayed.body)).not.toMatch(/total|pointsEarned/);

    const giveBack = { returnId: uniqueId('rs-ret'), locationId: BERLIN, lines: [{ sku, qty: 1 }] };
    expect((await api.call('POST', `/sales/${sale.saleId}/returns`, { token: berlin, body: giveBack })).status).toBe(201);
    const replayedReturn = await api.call('POST', `/sales/${sale.saleId}/returns`, { token: munich, body: giveBack });
    expect(replayedReturn.status).toBe(403);
  });

  it("refuses another store's purchase order id without its lines, and its receipts before any replay", async () => {
    const purchaseOrderId = uniqueId('rs-po');
    const order = { purchaseOrderId, lines: [{ sku, locationId: BERLIN, qty: 5 }] };
    expect((await api.call('POST', '/purchase-orders', { token: berlin, body: order })).status).toBe(201);
    const sameBody = await api.call('POST', '/purchase-orders', { token: munich, body: order });
    expect(sameBody.status).toBe(403);
    const ownLines = await api.call('POST', '/purchase-orders', { token: munich, body: { purchaseOrderId, lines: [{ sku, locationId: MUNICH, qty: 5 }] } });
    expect(ownLines.status).toBe(403);
    expect(JSON.stringify(ownLines.body)).not.toMatch(BERLIN);

    const receipt = { receiptId: uniqueId('rs-asn'), locationId: BERLIN, lines: [{ sku, qty: 5 }] };
    expect((await api.call('POST', `/purchase-orders/${purchaseOrderId}/receipts`, { token: berlin, body: receipt })).status).toBe(201);
    const replayedReceipt = await api.call('POST', `/purchase-orders/${purchaseOrderId}/receipts`, { token: munich, body: receipt });
    expect(replayedReceipt.status).toBe(403);
  });
});

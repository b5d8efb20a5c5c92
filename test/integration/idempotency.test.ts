import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

/**
 * One answer everywhere (issue 21): a write repeated under its id gets the
 * first answer; the same id with another body is 422
 * /problems/idempotency-key-reused and writes nothing.
 */
let api: Api;
let admin: string;
const store = uniqueId('ID-S');
const sku = uniqueId('id-p');

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  expect(
    (await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: 'Idempotency', type: 'STORE', timeZone: 'UTC' } })).status,
  ).toBe(201);
  expect((await api.call('POST', '/products', { token: admin, body: { sku, name: sku, unitCost: 100, price: 200, currency: 'EUR' } })).status).toBe(201);
  expect(
    (
      await api.call('POST', '/movements', {
        token: admin,
        body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 100 }] },
      })
    ).status,
  ).toBe(201);
});

afterAll(async () => {
  await api.close();
});

const reused = async (path: string, first: Record<string, unknown>, second: Record<string, unknown>) => {
  const answer = await api.call('POST', path, { token: admin, body: first });
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  const again = await api.call('POST', path, { token: admin, body: first });
  expect(again.status).toBe(answer.status);
  const other = await api.call('POST', path, { token: admin, body: second });
  expect(other.status, JSON.stringify(other.body)).toBe(422);
  expect(other.body.type).toBe('/problems/idempotency-key-reused');
};

describe('a reused id with another body', () => {
  it('is 422 for movements, sales and returns', async () => {
    const movementId = uniqueId('m');
    await reused(
      '/movements',
      { movementId, type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 1 }] },
      { movementId, type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 2 }] },
    );
    const saleId = uniqueId('s');
    await reused(
      '/sales',
      { saleId, locationId: store, lines: [{ sku, qty: 2, unitPrice: 200 }] },
      { saleId, locationId: store, lines: [{ sku, qty: 3, unitPrice: 200 }] },
    );
    const returnId = uniqueId('r');
    await reused(`/sales/${saleId}/returns`, { returnId, lines: [{ sku, qty: 1 }] }, { returnId, lines: [{ sku, qty: 2 }] });
  });

  it('is 422 for purchase orders and their receipts, not 409', async () => {
    const purchaseOrderId = uniqueId('po');
    await reused(
      '/purchase-orders',
      { purchaseOrderId, lines: [{ sku, locationId: store, qty: 10 }] },
      { purchaseOrderId, lines: [{ sku, locationId: store, qty: 11 }] },
    );
    const receiptId = uniqueId('asn');
    await reused(
      `/purchase-orders/${purchaseOrderId}/receipts`,
      { receiptId, locationId: store, lines: [{ sku, qty: 4 }] },
      { receiptId, locationId: store, lines: [{ sku, qty: 5 }] },
    );
    const order = await api.call('GET', `/purchase-orders/${purchaseOrderId}`, { token: admin });
    expect(order.body.lines).toEqual([expect.objectContaining({ qty: 10, received: 4 })]);
  });

  it('is 422 for campaigns, not 409', async () => {
    const campaignId = uniqueId('c');
    const campaign = {
      campaignId,
      name: 'Idempotent',
      segment: { tags: [uniqueId('t').toLowerCase()] },
      channels: ['email'],
      headline: 'Hello',
      text: 'once.',
    };
    await reused('/campaigns', campaign, { ...campaign, headline: 'Hello again' });
  });
});

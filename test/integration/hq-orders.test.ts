/**
 * Issue 15, part 2: the HQ order consolidates the stores' needs first and
 * rounds the supplier's order once (packs, then the minimum), shows where
 * the extra goes, and a replayed run answers the first answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReorder } from '../../shared/app/replenishment.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
const [berlin, munich] = [uniqueId('HB'), uniqueId('HM')];

interface LocationLine {
  locationId: string;
  needed: number;
  placed: number;
}

const createProduct = async (sku: string, supplierId: string) => {
  const answer = await api.call('POST', '/products', {
    token: admin,
    body: { sku, name: sku, unitCost: 500, price: 1000, currency: 'EUR', supplierId, reorder: { min: 10, max: 30 }, packSize: 12, minOrderQty: 50 },
  });
  expect(answer.status).toBe(201);
};

const receive = async (sku: string, locationId: string, qty: number) => {
  const answer = await api.call('POST', '/movements', {
    token: admin,
    body: { movementId: uniqueId('m'), type: 'RECEIPT', locationId, lines: [{ sku, qty }] },
  });
  expect(answer.status).toBe(201);
};

const level = async (sku: string, locationId: string) =>
  (await api.call('GET', `/stock/${sku}`, { token: admin })).body.levels.find((l: { locationId: string }) => l.locationId === locationId);

/** The audit's example: Berlin has 5, Munich 7 of a product with reorder {10, 30}, pack 12, minimum 50; both get their suggestion. */
const shortAtBothStores = async () => {
  const sku = uniqueId('hqsku');
  const supplierId = uniqueId('SUP');
  await createProduct(sku, supplierId);
  await receive(sku, berlin, 5);
  await receive(sku, munich, 7);
  // The reorder check the stream consumer runs, called directly.
  const [b, m] = [await checkReorder(sku, berlin), await checkReorder(sku, munich)];
  return { sku, supplierId, suggestions: [b!.suggestion!, m!.suggestion!] };
};

const place = (runId: string, supplierIds: string[]) => api.call('POST', '/replenishment/hq-orders', { token: admin, body: { runId, supplierIds } });

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  for (const locationId of [berlin, munich]) {
    expect((await api.call('POST', '/locations', { token: admin, body: { locationId, name: locationId, type: 'STORE', timeZone: 'UTC' } })).status).toBe(201);
  }
});

afterAll(async () => {
  await api.close();
});

describe('HQ orders consolidate needs, then round once', () => {
  it("orders 60 for the two stores' 48 needed, not 2 x 60, and shows where the extra goes", async () => {
    const { sku, supplierId, suggestions } = await shortAtBothStores();
    // Each store's suggestion still reads as before (raised to the minimum for a store-level order), and carries its need.
    expect(suggestions.map((s) => [s.kind, s.quantity, s.inputs.needed])).toEqual([
      ['PURCHASE', 60, 25],
      ['PURCHASE', 60, 23],
    ]);

    const runId = uniqueId('run');
    const placed = await place(runId, [supplierId]);
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body.runId).toBe(runId);
    expect(placed.body.orders).toHaveLength(1);
    const [order] = placed.body.orders;
    expect(order).toMatchObject({ supplierId, totalQuantity: 60, totalValue: 30_000, rules: ['SUPPLIER_MINIMUM_QTY'] });
    const [line] = order.lines;
    expect(line).toMatchObject({
      sku,
      needed: 48,
      quantity: 60,
      extra: 12,
      packSize: 12,
      minOrderQty: 50,
      rule: 'SUPPLIER_MINIMUM',
      placement: 'SPLIT_BY_NEED',
    });
    expect(line.locations).toEqual(
      [
        { locationId: berlin, needed: 25, placed: 31 },
        { locationId: munich, needed: 23, placed: 29 },
      ].sort((a, b) => (a.locationId < b.locationId ? -1 : 1)),
    );
    expect(line.locations.reduce((sum: number, l: LocationLine) => sum + l.placed, 0)).toBe(line.quantity);
    expect(line.reason).toContain('= 48; order 60 = 5 packs of 12, raised to the supplier minimum 50; extra 12 split by need');

    // Opened like any other purchase order: incoming raised by what is placed, the suggestions ORDERED.
    expect([(await level(sku, berlin)).incoming, (await level(sku, munich)).incoming]).toEqual([31, 29]);
    const po = await api.call('GET', `/purchase-orders/${order.purchaseOrderId}`, { token: admin });
    expect(po.status).toBe(200);
    expect(po.body).toMatchObject({ supplierId, status: 'OPEN', rules: ['SUPPLIER_MINIMUM_QTY'] });
    expect(po.body.lines.map((l: { qty: number }) => l.qty).reduce((a: number, b: number) => a + b, 0)).toBe(60);
    const ordered = await api.call('GET', `/replenishment/suggestions?sku=${sku}&status=ORDERED`, { token: admin });
    expect(ordered.body.items.map((s: { purchaseOrderId: string }) => s.purchaseOrderId)).toEqual([order.purchaseOrderId, order.purchaseOrderId]);

    // Receiving it is a RECEIPT: stock up, incoming down.
    const receipt = await api.call('POST', `/purchase-orders/${order.purchaseOrderId}/receipts`, {
      token: admin,
      body: { receiptId: uniqueId('r'), locationId: berlin, lines: [{ sku, qty: 31 }] },
    });
    expect(receipt.status).toBe(201);
    expect(await level(sku, berlin)).toMatchObject({ onHand: 36, incoming: 0 });

    // The replay answers the first answer with the same status, and opens nothing again.
    const again = await place(runId, [supplierId]);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(placed.body);
    expect((await level(sku, munich)).incoming).toBe(29);

    // The same runId with another request is refused.
    const other = await place(runId, [supplierId, uniqueId('SUP')]);
    expect(other.status).toBe(422);
    expect(other.body.type).toContain('idempotency-key-reused');
  });

  it('concurrent calls of one run create each order once and all answer the same', async () => {
    const { sku, supplierId } = await shortAtBothStores();
    const runId = uniqueId('run');
    const answers = await Promise.all(Array.from({ length: 6 }, () => place(runId, [supplierId])));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    for (const answer of answers) expect(answer.body).toEqual(answers[0]!.body);
    expect(answers[0]!.body.orders).toHaveLength(1);
    expect(answers[0]!.body.orders[0]).toMatchObject({ supplierId, totalQuantity: 60 });
    // incoming raised once: 60 in all, not a multiple.
    const incoming = [(await level(sku, berlin)).incoming, (await level(sku, munich)).incoming];
    expect(incoming.reduce((a, b) => a + b, 0)).toBe(60);

    // A later run finds nothing open for that supplier: no order, not a second one.
    const later = await place(uniqueId('run'), [supplierId]);
    expect(later.status).toBe(201);
    expect(later.body.orders).toEqual([]);
  });

  it('refuses negative minimums and a pack larger than any sensible order at product creation, naming the field', async () => {
    const base = { name: 'x', unitCost: 500, price: 1000, currency: 'EUR', supplierId: 'SUP-X' };
    for (const [field, value] of [
      ['minOrderQty', -5],
      ['minOrderQty', 0],
      ['packSize', 0],
      ['packSize', 10_000_000],
    ] as const) {
      const answer = await api.call('POST', '/products', { token: admin, body: { sku: uniqueId('bad'), ...base, [field]: value } });
      expect(answer.status, `${field} ${value}`).toBe(400);
      expect(answer.body.errors.map((e: { path: string }) => e.path)).toContain(`body.${field}`);
    }
    const negativeMin = await api.call('POST', '/products', { token: admin, body: { sku: uniqueId('bad'), ...base, reorder: { min: -1, max: 30 } } });
    expect(negativeMin.status).toBe(400);
    expect(negativeMin.body.errors.map((e: { path: string }) => e.path)).toContain('body.reorder.min');
  });
});

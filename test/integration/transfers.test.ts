/**
 * Transfers in transit (DESIGN.md, "Stock in the field"): a TRANSFER with
 * `ship: true` leaves the source at once and sits in the destination's
 * `incoming` until the destination receives it, through the real API and
 * DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSgtin96 } from '../../shared/domain/epc.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
let sourceStaff: string;
let destinationStaff: string;
let thirdStaff: string;
const source = uniqueId('TS');
const destination = uniqueId('TD');
const third = uniqueId('TT');

const gs1CheckDigit = (digits: string): number => {
  const sum = [...digits].reverse().reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10;
};

const createProduct = async (sku: string, extra: Record<string, unknown> = {}) => {
  const answer = await api.call('POST', '/products', { token: admin, body: { sku, name: sku, unitCost: 100, price: 200, currency: 'EUR', ...extra } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
};

const move = (body: Record<string, unknown>, as = admin) => api.call('POST', '/movements', { token: as, body: { movementId: uniqueId('m'), ...body } });
const booked = async (body: Record<string, unknown>) => {
  const answer = await move(body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
};
const stocked = (sku: string, qty: number) => booked({ type: 'RECEIPT', locationId: source, lines: [{ sku, qty }] });
const ship = (movementId: string, lines: { sku: string; qty: number }[], as = admin) =>
  move({ movementId, type: 'TRANSFER', locationId: source, toLocationId: destination, ship: true, lines }, as);

const receive = (movementId: string, body: Record<string, unknown>, as = destinationStaff) =>
  api.call('POST', `/transfers/${movementId}/receipts`, { token: as, body: { receiptId: uniqueId('rc'), ...body } });
const transferOf = async (movementId: string, as = admin) => {
  const answer = await api.call('GET', `/transfers/${movementId}`, { token: as });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
};

const levelOf = async (sku: string, locationId: string) => {
  const answer = await api.call('GET', `/stock/${sku}`, { token: admin });
  expect(answer.status).toBe(200);
  return answer.body.levels.find((l: { locationId: string }) => l.locationId === locationId);
};
const ledgerAt = async (sku: string, locationId: string) => {
  const answer = await api.call('GET', `/movements?${new URLSearchParams({ sku, locationId, limit: '100' })}`, { token: admin });
  expect(answer.status).toBe(200);
  return answer.body.items as { movementId: string; type: string; onHandDelta: number }[];
};

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  sourceStaff = await token({ role: 'store', locations: [source] });
  destinationStaff = await token({ role: 'store', locations: [destination] });
  thirdStaff = await token({ role: 'store', locations: [third] });
  for (const locationId of [source, destination, third]) {
    const answer = await api.call('POST', '/locations', { token: admin, body: { locationId, name: locationId, type: 'STORE', timeZone: 'UTC' } });
    expect(answer.status).toBe(201);
  }
});

afterAll(async () => {
  await api.close();
});

// A story, in order even when tests are shuffled: each step reads the transfer the steps before it left.
describe('a shipped transfer', { shuffle: false }, () => {
  const sku = uniqueId('tr');
  const movementId = uniqueId('ship');

  it('leaves the source at once and puts the units in the destination incoming, with a transfer IN_TRANSIT', async () => {
    await createProduct(sku, { reorder: { min: 8, max: 20 } });
    await stocked(sku, 12);
    const shipped = await ship(movementId, [{ sku, qty: 10 }], sourceStaff);
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(201);

    expect(await levelOf(sku, source)).toMatchObject({ onHand: 2, available: 2, incoming: 0 });
    expect(await levelOf(sku, destination)).toMatchObject({ onHand: 0, available: 0, incoming: 10 });
    // Only the source books a ledger entry; the destination's comes with the receipt.
    expect((await ledgerAt(sku, source)).map((e) => e.type)).toEqual(['RECEIPT', 'TRANSFER_OUT']);
    expect(await ledgerAt(sku, destination)).toEqual([]);

    const transfer = await transferOf(movementId);
    expect(transfer).toMatchObject({
      movementId,
      fromLocationId: source,
      toLocationId: destination,
      status: 'IN_TRANSIT',
      lines: [{ sku, shipped: 10, received: 0, missing: 10 }],
      receipts: [],
    });
    expect(typeof transfer.shippedAt).toBe('string');

    // The same movement again: the first answer, nothing moves twice.
    const again = await ship(movementId, [{ sku, qty: 10 }], sourceStaff);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(shipped.body);
    expect(await levelOf(sku, source)).toMatchObject({ onHand: 2 });
    expect(await levelOf(sku, destination)).toMatchObject({ incoming: 10 });
    expect((await transferOf(movementId)).version).toBe(1);
  });

  it('counts the units in transit as incoming for replenishment', async () => {
    const belowAt = async (locationId: string) => {
      const answer = await api.call('GET', `/locations/${locationId}/stock?belowReorderPoint=true&limit=100`, { token: admin });
      expect(answer.status).toBe(200);
      return answer.body.items.map((l: { sku: string }) => l.sku);
    };
    // The source has 2 of a reorder point of 8; the destination 0 on the shelf but 10 on the way.
    expect(await belowAt(source)).toContain(sku);
    expect(await belowAt(destination)).not.toContain(sku);
  });

  it('is read by admin and the staff of either end; a third store gets 403', async () => {
    expect((await transferOf(movementId, sourceStaff)).status).toBe('IN_TRANSIT');
    expect((await transferOf(movementId, destinationStaff)).status).toBe('IN_TRANSIT');
    const foreign = await api.call('GET', `/transfers/${movementId}`, { token: thirdStaff });
    expect(foreign.status).toBe(403);
    expect((await api.call('GET', `/transfers/${uniqueId('nope')}`, { token: admin })).status).toBe(404);
  });

  it('is received only by the destination', async () => {
    for (const as of [sourceStaff, thirdStaff]) {
      const refused = await receive(movementId, { lines: [{ sku, qty: 1 }] }, as);
      expect(refused.status).toBe(403);
    }
    expect(await levelOf(sku, destination)).toMatchObject({ onHand: 0, incoming: 10 });
  });

  const firstReceipt = uniqueId('rc');
  let firstAnswer: Record<string, unknown>;

  it('receives part: PARTIALLY_RECEIVED, onHand up and incoming settled by what arrived', async () => {
    const answer = await receive(movementId, { receiptId: firstReceipt, lines: [{ sku, qty: 6 }] });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({ status: 'PARTIALLY_RECEIVED', lines: [{ sku, shipped: 10, received: 6, missing: 4 }] });
    expect(answer.body.receipts).toEqual([expect.objectContaining({ receiptId: firstReceipt, lines: [{ sku, qty: 6 }] })]);
    firstAnswer = answer.body;
    expect(await levelOf(sku, destination)).toMatchObject({ onHand: 6, available: 6, incoming: 4 });
    expect((await ledgerAt(sku, destination)).map((e) => [e.type, e.onHandDelta])).toEqual([['TRANSFER_IN', 6]]);
    expect(await transferOf(movementId)).toEqual(firstAnswer);
  });

  it('answers a replayed receipt with the first answer and books nothing twice', async () => {
    const again = await receive(movementId, { receiptId: firstReceipt, lines: [{ sku, qty: 6 }] });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(firstAnswer);
    expect(await levelOf(sku, destination)).toMatchObject({ onHand: 6, incoming: 4 });
    expect(await ledgerAt(sku, destination)).toHaveLength(1);
  });

  it('refuses the same receipt id with another body: 422', async () => {
    const reused = await receive(movementId, { receiptId: firstReceipt, lines: [{ sku, qty: 2 }] });
    expect(reused.status).toBe(422);
    expect(reused.body.type).toMatch(/idempotency-key-reused$/);
  });

  it('refuses more than is still open, naming the line, and writes nothing', async () => {
    const over = await receive(movementId, { lines: [{ sku, qty: 5 }] });
    expect(over.status).toBe(409);
    expect(over.body.lines).toEqual([{ sku, requested: 5, open: 4 }]);
    expect(await levelOf(sku, destination)).toMatchObject({ onHand: 6, incoming: 4 });
    expect((await transferOf(movementId)).version).toBe(2);
  });

  it('refuses a SKU the transfer did not ship', async () => {
    const other = uniqueId('tr-other');
    await createProduct(other);
    const answer = await receive(movementId, { lines: [{ sku: other, qty: 1 }] });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body.errors)).toContain(other);
  });

  it('receives the rest: RECEIVED, incoming back to 0', async () => {
    const answer = await receive(movementId, { lines: [{ sku, qty: 4 }] }, admin);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({ status: 'RECEIVED', lines: [{ sku, shipped: 10, received: 10, missing: 0 }] });
    expect(answer.body.receipts).toHaveLength(2);
    expect(await levelOf(sku, destination)).toMatchObject({ onHand: 10, available: 10, incoming: 0 });
    const late = await receive(movementId, { lines: [{ sku, qty: 1 }] });
    expect(late.status).toBe(409);
  });
});

describe('receipts against a transfer', () => {
  it('let exactly the open units through when 20 receipts of 1 race for 4', async () => {
    const sku = uniqueId('tr-race');
    const movementId = uniqueId('ship');
    await createProduct(sku);
    await stocked(sku, 4);
    expect((await ship(movementId, [{ sku, qty: 4 }])).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 20 }, () => receive(movementId, { lines: [{ sku, qty: 1 }] })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(4);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 409)).toBe(true);
    expect(await transferOf(movementId)).toMatchObject({ status: 'RECEIVED', lines: [{ sku, shipped: 4, received: 4, missing: 0 }] });
    expect((await transferOf(movementId)).receipts).toHaveLength(4);
    expect(await levelOf(sku, destination)).toMatchObject({ onHand: 4, incoming: 0 });
  }, 60_000);

  it('are refused for an immediate transfer, with nothing written', async () => {
    const sku = uniqueId('tr-now');
    const movementId = uniqueId('now');
    await createProduct(sku);
    await stocked(sku, 3);
    await booked({ movementId, type: 'TRANSFER', locationId: source, toLocationId: destination, lines: [{ sku, qty: 3 }] });
    expect(await levelOf(sku, destination)).toMatchObject({ onHand: 3, incoming: 0 });
    const answer = await receive(movementId, { lines: [{ sku, qty: 1 }] });
    expect(answer.status).toBe(404);
    expect(await levelOf(sku, destination)).toMatchObject({ onHand: 3, incoming: 0 });
  });

  it('cannot exist for a shipment the source could not cover: 409 out of stock, no transfer', async () => {
    const sku = uniqueId('tr-short');
    const movementId = uniqueId('ship');
    await createProduct(sku);
    await stocked(sku, 2);
    const answer = await ship(movementId, [{ sku, qty: 3 }]);
    expect(answer.status).toBe(409);
    expect(answer.body.type).toMatch(/out-of-stock$/);
    expect((await api.call('GET', `/transfers/${movementId}`, { token: admin })).status).toBe(404);
    expect(await levelOf(sku, destination)).toBeUndefined();
  });

  it('keep the EPCs of the units received, each of the line SKU', async () => {
    const sku = uniqueId('tr-tag');
    const digits = `0614141${String(Math.floor(Math.random() * 100_000)).padStart(5, '0')}`;
    const gtin = `${digits}${gs1CheckDigit(digits)}`;
    await createProduct(sku, { gtin });
    await stocked(sku, 2);
    const movementId = uniqueId('ship');
    expect((await ship(movementId, [{ sku, qty: 2 }])).status).toBe(201);
    const [tagA, tagB] = [1, 2].map((serial) => encodeSgtin96({ gtin, companyPrefixLength: 7, serial: 9_000 + serial }));
    const foreign = encodeSgtin96({ gtin: '80614141123458', companyPrefixLength: 7, serial: 1 });
    const wrong = await receive(movementId, { lines: [{ sku, qty: 1, epcs: [foreign] }] });
    expect(wrong.status).toBe(400);
    const tooMany = await receive(movementId, { lines: [{ sku, qty: 1, epcs: [tagA, tagB] }] });
    expect(tooMany.status).toBe(400);
    expect(await levelOf(sku, destination)).toMatchObject({ onHand: 0, incoming: 2 });
    const answer = await receive(movementId, { lines: [{ sku, qty: 2, epcs: [tagA, tagB] }] });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.receipts[0].lines).toEqual([{ sku, qty: 2, epcs: [tagA, tagB] }]);
  });

  it('name the source when two sources shipped under one movement id', async () => {
    const sku = uniqueId('tr-twice');
    const movementId = uniqueId('ship');
    await createProduct(sku);
    await stocked(sku, 1);
    await booked({ type: 'RECEIPT', locationId: third, lines: [{ sku, qty: 1 }] });
    expect((await ship(movementId, [{ sku, qty: 1 }])).status).toBe(201);
    expect((await move({ movementId, type: 'TRANSFER', locationId: third, toLocationId: destination, ship: true, lines: [{ sku, qty: 1 }] })).status).toBe(201);
    const ambiguous = await receive(movementId, { lines: [{ sku, qty: 1 }] });
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.fromLocationIds).toEqual(expect.arrayContaining([source, third]));
    const named = await receive(movementId, { fromLocationId: third, lines: [{ sku, qty: 1 }] });
    expect(named.status, JSON.stringify(named.body)).toBe(201);
    expect(named.body.fromLocationId).toBe(third);
    // The third store sees only its own shipment under that id.
    expect((await transferOf(movementId, thirdStaff)).fromLocationId).toBe(third);
    const query = await api.call('GET', `/transfers/${movementId}?fromLocationId=${source}`, { token: admin });
    expect(query.body).toMatchObject({ fromLocationId: source, status: 'IN_TRANSIT' });
  });
});

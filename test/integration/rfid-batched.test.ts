import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { tagEpcs } from '../../infra/local/gate-simulator.ts';
import { tables } from '../../infra/tables.ts';
import { checkout } from '../../shared/app/checkout.ts';
import { ingestGateReads, type IngestResult } from '../../shared/app/rfid.ts';
import { recordMovement } from '../../shared/app/stock.ts';
import { createLocation, createProduct } from '../../shared/db/catalog.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { inventoryKeys, rfidKeys } from '../../shared/db/keys.ts';
import type { GateMessage } from '../../shared/db/rfid.ts';
import { decodeEpc, gs1CheckDigit, type Sgtin } from '../../shared/domain/epc.ts';
import { uniqueId } from '../support/local-api.ts';

/**
 * The batched gate path (one read of a message's serials, one conditional
 * write per serial, one movement per SKU) against DynamoDB Local, called
 * directly so that messages can race: each tag is booked exactly once.
 */
const warehouse = uniqueId('RFB-WH');
const store = uniqueId('RFB-ST');
const admin = { subject: 'rfid-batched-test', role: 'admin' as const, locations: [] };
const itemBase = 10_000 + 5 * Math.floor(Math.random() * 17_000);
const products = Array.from({ length: 3 }, (_, i) => {
  const digits = `80614142${itemBase + i}`;
  return { sku: uniqueId(`rfb-sku${i}`), gtin: `${digits}${gs1CheckDigit(digits)}` };
});
const gtins = products.map((p) => p.gtin);
const window = 30;

const onHand = async (sku: string, locationId: string): Promise<number> => {
  const key = inventoryKeys.level(sku, locationId);
  const output = await documentClient.send(
    new QueryCommand({
      TableName: tableName(tables.inventory),
      KeyConditionExpression: 'pk = :pk AND sk = :sk',
      ExpressionAttributeValues: { ':pk': key.pk, ':sk': key.sk },
      ConsistentRead: true,
    }),
  );
  return (output.Items?.[0]?.onHand as number | undefined) ?? 0;
};

const serialOf = async (epc: string) => {
  const { gtin, serial } = decodeEpc(epc) as Sgtin & { ok: true };
  return (await documentClient.send(new GetCommand({ TableName: tableName(tables.rfid), Key: rfidKeys.serial(gtin, serial), ConsistentRead: true }))).Item;
};

const message = (locationId: string, gateId: string, direction: 'IN' | 'OUT', epcs: readonly string[], at: Date, spreadMs = 0): GateMessage => ({
  locationId,
  gateId,
  direction,
  readAt: at.toISOString(),
  reads: epcs.flatMap((epc, i) => [0, 1, 2].map((r) => ({ epc, at: new Date(at.getTime() + ((i * 7 + r * 13) % (spreadMs + 1))).toISOString() }))),
});

const sum = (results: readonly IngestResult[], field: 'booked' | 'alreadyBooked' | 'duplicates' | 'unchanged' | 'notOnBooks') =>
  results.reduce((total, r) => total + r[field], 0);

beforeAll(async () => {
  const now = new Date().toISOString();
  await createLocation({ locationId: warehouse, name: 'RFID batched warehouse', type: 'WAREHOUSE', timeZone: 'UTC' }, now);
  await createLocation({ locationId: store, name: 'RFID batched store', type: 'STORE', timeZone: 'UTC' }, now);
  for (const p of products) await createProduct({ sku: p.sku, name: p.sku, gtin: p.gtin, unitCost: 1, price: 2, currency: 'EUR' }, now);
});

describe('RFID gate messages booked in batches', () => {
  it('books each tag exactly once when messages with overlapping tags race, across SKUs', async () => {
    // 60 tags of 3 SKUs, read by 6 messages at once, each overlapping its neighbours by 10 tags.
    const epcs = tagEpcs(gtins, 60, 20_000);
    const at = new Date(Date.now() - 30_000);
    const messages = Array.from({ length: 6 }, (_, m) => message(warehouse, 'DOCK-R', 'IN', epcs.slice(Math.max(0, m * 10 - 10), m * 10 + 10), at, 2000));
    const before = await Promise.all(products.map((p) => onHand(p.sku, warehouse)));
    const results = await Promise.all(messages.map((m) => ingestGateReads(m, window)));
    expect(sum(results, 'booked')).toBe(60);
    const after = await Promise.all(products.map((p) => onHand(p.sku, warehouse)));
    expect(after.map((n, i) => n - before[i]!)).toEqual([20, 20, 20]);
    // And once more, all at once again: every message is a replay, nothing is booked.
    const again = await Promise.all(messages.map((m) => ingestGateReads(m, window)));
    expect(sum(again, 'booked')).toBe(0);
    expect(sum(again, 'alreadyBooked')).toBe(60);
    expect(await Promise.all(products.map((p) => onHand(p.sku, warehouse)))).toEqual(after);
  });

  it('books the same message racing itself (a duplicate delivery) once', async () => {
    const epcs = tagEpcs(gtins, 12, 21_000);
    const m = message(warehouse, 'DOCK-S', 'IN', epcs, new Date(Date.now() - 20_000));
    const before = await onHand(products[0]!.sku, warehouse);
    const results = await Promise.all([ingestGateReads(m, window), ingestGateReads(m, window), ingestGateReads(m, window)]);
    expect(sum(results, 'booked')).toBe(12);
    expect(sum(results, 'booked') + sum(results, 'alreadyBooked')).toBe(36);
    expect(await onHand(products[0]!.sku, warehouse)).toBe(before + 4);
  });

  it('books nothing for a replayed message, also long after its window closed', async () => {
    const epcs = tagEpcs(gtins, 6, 22_000);
    const m = message(warehouse, 'DOCK-P', 'IN', epcs, new Date(Date.now() - 50_000));
    const first = await ingestGateReads(m, window);
    expect(first).toMatchObject({ booked: 6, alreadyBooked: 0, duplicates: 0 });
    const levels = await Promise.all(products.map((p) => onHand(p.sku, warehouse)));
    const replay = await ingestGateReads(m, window);
    expect(replay).toMatchObject({ booked: 0, alreadyBooked: 6, duplicates: 0 });
    expect(await Promise.all(products.map((p) => onHand(p.sku, warehouse)))).toEqual(levels);
  });

  it('books messages of mixed SKUs in both directions racing at one gate, each event once', async () => {
    const [a, b, c, d] = [0, 1, 2, 0].map((p, i) => tagEpcs([gtins[p]!], 1, 23_000 + i)[0]!) as [string, string, string, string];
    const t = Date.now() - 100_000;
    // a, b, c come in; then a goes out while d comes in, at the same gate, both messages at once.
    const inbound = message(warehouse, 'DOCK-M', 'IN', [a, b, c], new Date(t));
    expect(await ingestGateReads(inbound, window)).toMatchObject({ booked: 3 });
    const levels = await Promise.all(products.map((p) => onHand(p.sku, warehouse)));
    const out = message(warehouse, 'DOCK-M', 'OUT', [a], new Date(t + 5_000));
    const more = message(warehouse, 'DOCK-M', 'IN', [d, b], new Date(t + 5_000));
    const [outAck, inAck] = await Promise.all([ingestGateReads(out, window), ingestGateReads(more, window)]);
    // a out: a new event (other direction); d in: new; b in again: a duplicate of its event.
    expect(outAck).toMatchObject({ booked: 1, duplicates: 0 });
    expect(inAck).toMatchObject({ booked: 1, duplicates: 1 });
    expect(await Promise.all(products.map((p) => onHand(p.sku, warehouse)))).toEqual([levels[0]!, levels[1]!, levels[2]!]);
    expect(await serialOf(a)).toMatchObject({ state: 'LEFT', locationId: warehouse });
    expect(await serialOf(d)).toMatchObject({ state: 'IN_STOCK', locationId: warehouse });
  });

  it('never books a sold item in a message of several items, and alarms only for the unsold ones', async () => {
    const [sold, unsoldA] = tagEpcs([gtins[1]!], 2, 24_000);
    const [unsoldB] = tagEpcs([gtins[2]!], 1, 24_100);
    await recordMovement({ movementId: uniqueId('rfb-rc'), type: 'RECEIPT', locationId: store, lines: [{ sku: products[1]!.sku, qty: 3 }] }, admin);
    await recordMovement({ movementId: uniqueId('rfb-rc'), type: 'RECEIPT', locationId: store, lines: [{ sku: products[2]!.sku, qty: 1 }] }, admin);
    await checkout({ saleId: uniqueId('rfb-sale'), locationId: store, lines: [{ sku: products[1]!.sku, qty: 1, unitPrice: 2, epcs: [sold!] }] }, admin);
    const levels = [await onHand(products[1]!.sku, store), await onHand(products[2]!.sku, store)];
    const result = await ingestGateReads(message(store, 'DOOR-B', 'OUT', [sold!, unsoldA!, unsoldB!], new Date(Date.now() + 1_000)), window);
    expect(result).toMatchObject({ booked: 2, unchanged: 1 });
    expect(result.alarms.map((a) => a.epc).sort()).toEqual([unsoldA, unsoldB].sort());
    expect([await onHand(products[1]!.sku, store), await onHand(products[2]!.sku, store)]).toEqual([levels[0]! - 1, levels[1]! - 1]);
    expect(await serialOf(sold!)).toMatchObject({ state: 'LEFT_SOLD' });
  });

  it('books the good reads beside bad ones, and a claim that fails holds back only its SKU until the retry, which books it once', async () => {
    const [goodA, failing] = tagEpcs([gtins[0]!], 2, 25_000);
    const [goodB] = tagEpcs([gtins[1]!], 1, 25_100);
    const at = new Date(Date.now() - 10_000);
    const m: GateMessage = {
      ...message(warehouse, 'DOCK-F', 'IN', [goodA!, failing!, goodB!], at),
      reads: [
        ...message(warehouse, 'DOCK-F', 'IN', [goodA!, failing!, goodB!], at).reads,
        { epc: 'DEADBEEF' },
        { epc: tagEpcs([`8061414999999${gs1CheckDigit('8061414999999')}`], 1, 1)[0]! },
        { epc: goodB!, at: '2099-01-01T00:00:00.000Z' },
      ],
    };
    const levels = [await onHand(products[0]!.sku, warehouse), await onHand(products[1]!.sku, warehouse)];
    const { gtin, serial } = decodeEpc(failing!) as Sgtin & { ok: true };
    const failingKey = rfidKeys.serial(gtin, serial).pk;
    const send = documentClient.send.bind(documentClient);
    const spy = vi.spyOn(documentClient, 'send').mockImplementation((async (command: unknown) => {
      if (command instanceof UpdateCommand && command.input.Key?.pk === failingKey)
        throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      return send(command as never);
    }) as never);
    try {
      await expect(ingestGateReads(m, window)).rejects.toThrow(/1 of 3 tag sightings .* failed/);
    } finally {
      spy.mockRestore();
    }
    // The other SKU is booked; the failing tag's SKU waits for the retry (its movement is booked whole, once).
    expect([await onHand(products[0]!.sku, warehouse), await onHand(products[1]!.sku, warehouse)]).toEqual([levels[0]!, levels[1]! + 1]);
    const retry = await ingestGateReads(m, window);
    expect(retry).toMatchObject({ booked: 2, alreadyBooked: 1, clockSkew: 1, undecodable: { count: 1 }, unknownGtins: { count: 1 } });
    expect([await onHand(products[0]!.sku, warehouse), await onHand(products[1]!.sku, warehouse)]).toEqual([levels[0]! + 2, levels[1]! + 1]);
    expect(await ingestGateReads(m, window)).toMatchObject({ booked: 0, alreadyBooked: 3 });
  });
});

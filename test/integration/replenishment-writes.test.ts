/**
 * What the reorder check writes, metered (bench/capacity.ts): a check that
 * finds the open suggestion deciding the same leaves it alone; one whose
 * decision changed rewrites it; the stream consumer does not decide again
 * on its own reorder point write. The chain simulator found these rewrites
 * among the month's largest replenishment costs (BENCHMARKS.md, "Where the
 * write capacity goes").
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterCapacity } from '../../bench/capacity.ts';
import { reorderCheck } from '../../functions/streams/reorder-check.ts';
import { lambdaContext } from '../../infra/local/gateway.ts';
import { checkReorder } from '../../shared/app/replenishment.ts';
import { documentClient } from '../../shared/db/client.ts';
import { getInventoryItem } from '../../shared/db/catalog.ts';
import { inventoryKeys, replenishmentKeys } from '../../shared/db/keys.ts';
import { recordDemand } from '../../shared/db/replenishment.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
const store = uniqueId('WS');
const dayMs = 86_400_000;
const meter = meterCapacity(documentClient);
const suggestionWrites = () => meter.breakdown().filter((row) => row.write > 0 && (row.kind === 'SUGGESTION' || row.kind === 'PROMISES'));

const move = async (body: Record<string, unknown>) => {
  const answer = await api.call('POST', '/movements', { token: admin, body: { movementId: uniqueId('m'), ...body } });
  expect(answer.status).toBe(201);
};

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  expect((await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: store, type: 'STORE', timeZone: 'UTC' } })).status).toBe(201);
});

afterAll(async () => {
  await api.close();
});

describe('the reorder check writes only when its decision changes', () => {
  it('leaves an open suggestion alone on a sale that does not change it, and rewrites it on one that does', async () => {
    const sku = uniqueId('wq');
    // An EOQ product (about 10 units at 4 a day): below the reorder point it orders the EOQ until the shortfall is larger.
    const product = {
      sku,
      name: sku,
      unitCost: 500,
      price: 1000,
      currency: 'EUR',
      supplierId: 'SUP-1',
      leadTimeDays: 5,
      orderingCost: 4,
      holdingCostPerUnitYear: 125,
    };
    expect((await api.call('POST', '/products', { token: admin, body: product })).status).toBe(201);
    for (let day = 1; day <= 14; day++)
      await recordDemand({ sku, locationId: store, movementId: uniqueId('d'), onHandDelta: -4, at: new Date(Date.now() - day * dayMs).toISOString() });
    await move({ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 60 }] });
    const { reorderPoint } = (await checkReorder(sku, store))!;
    expect(reorderPoint).toBeGreaterThan(2);

    // Down to the reorder point: the EOQ is suggested.
    await move({ type: 'SALE', locationId: store, lines: [{ sku, qty: 60 - reorderPoint }] });
    const opened = (await checkReorder(sku, store))!;
    expect(opened.outcome).toBe('SUGGESTED');
    expect(opened.suggestion).toMatchObject({ kind: 'PURCHASE', status: 'OPEN', inputs: { available: reorderPoint, basis: 'EOQ' } });
    const eoq = opened.suggestion!.quantity;

    // One more sale: still the EOQ, the same units needed. Nothing is written, the suggestion stays as decided.
    await move({ type: 'SALE', locationId: store, lines: [{ sku, qty: 1 }] });
    meter.reset();
    const again = (await checkReorder(sku, store))!;
    expect(again.outcome).toBe('UNCHANGED');
    expect(suggestionWrites()).toEqual([]);
    expect(meter.write).toBe(0);
    expect(again.suggestion).toMatchObject({ quantity: eoq, updatedAt: opened.suggestion!.updatedAt, inputs: { available: reorderPoint } });
    expect((await getInventoryItem(replenishmentKeys.suggestion(sku, store)))!.updatedAt).toBe(opened.suggestion!.updatedAt);

    // A shortfall beyond the EOQ changes the decision: it is rewritten, from the state now.
    const left = reorderPoint - 1;
    await move({ type: 'SALE', locationId: store, lines: [{ sku, qty: left }] });
    meter.reset();
    const shortfall = (await checkReorder(sku, store))!;
    expect(shortfall.outcome).toBe('SUGGESTED');
    expect(shortfall.suggestion).toMatchObject({ quantity: reorderPoint + 1, inputs: { available: 0, basis: 'SHORTFALL' } });
    expect(suggestionWrites().map((row) => row.kind)).toContain('SUGGESTION');

    // And the position recovering still closes it.
    await move({ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: reorderPoint + 5 }] });
    expect((await checkReorder(sku, store))!.outcome).toBe('CLOSED');
  });

  it('does not decide again on a record where only the reorder point moved, and does when the position moved', async () => {
    const sku = uniqueId('wr');
    expect(
      (
        await api.call('POST', '/products', {
          token: admin,
          body: { sku, name: sku, unitCost: 500, price: 1000, currency: 'EUR', reorder: { min: 5, max: 20 } },
        })
      ).status,
    ).toBe(201);
    await move({ type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 3 }] });
    const level = (await getInventoryItem(inventoryKeys.level(sku, store)))!;
    const record = (before: Record<string, unknown>, after: Record<string, unknown>): DynamoDBStreamEvent => ({
      Records: [
        {
          eventID: uniqueId('ev'),
          eventName: 'MODIFY',
          eventSource: 'aws:dynamodb',
          dynamodb: {
            Keys: marshall({ pk: level.pk, sk: level.sk }) as never,
            OldImage: marshall(before, { removeUndefinedValues: true }) as never,
            NewImage: marshall(after, { removeUndefinedValues: true }) as never,
            SequenceNumber: '1',
          },
        },
      ],
    });

    meter.reset();
    const ownWrite = await reorderCheck(record({ ...level, reorderPoint: 4 }, { ...level, reorderPoint: 5 }), lambdaContext('reorderCheck'));
    expect(ownWrite).toEqual({ batchItemFailures: [] });
    expect(meter.requests).toBe(0);

    const sold = await reorderCheck(record({ ...level, available: 4 }, level), lambdaContext('reorderCheck'));
    expect(sold).toEqual({ batchItemFailures: [] });
    expect(meter.requests).toBeGreaterThan(0);
    // The check it ran opened the suggestion (3 <= min 5).
    const suggestion = await api.call('GET', `/replenishment/suggestions?locationId=${store}&sku=${sku}`, { token: admin });
    expect(suggestion.body.items).toEqual([expect.objectContaining({ quantity: 17, status: 'OPEN' })]);
  });
});

/**
 * Stock: sales through the createMovement handler (validation, idempotency
 * guard, reference reads, the transaction, the response write) next to the
 * raw TransactWriteItems of the same items issued straight from the SDK, at
 * several concurrencies, plus the capacity units one sale line costs.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { routes } from '../infra/routes.ts';
import { tables } from '../infra/tables.ts';
import { apiEvent, lambdaContext } from '../infra/local/gateway.ts';
import { type BenchRow, type LoadResult, percentile, round, runLoad } from './harness.ts';
import { itemSize, meterCapacity } from './capacity.ts';

const location = 'BENCH-STORE';
const skuCount = 64;
const skus = Array.from({ length: skuCount }, (_, i) => `BENCH-SKU-${i}`);
/**
 * The raw baseline writes levels of its own: were it to move the handler's
 * levels, every handler phase would start with all 64 levels changed behind
 * the container's back (the "another writer" row measures that case).
 */
const rawSkus = Array.from({ length: skuCount }, (_, i) => `BENCH-RAW-SKU-${i}`);
const concurrencies = [1, 16, 64] as const;
const salesAt = (concurrency: number) => Math.max(200, concurrency * 10);

/**
 * Handler and raw load in alternating slices (handler, raw, handler, ...):
 * on a machine shared with other work the load changes within seconds, and
 * two phases run one after the other would measure different machines. Each
 * side's throughput is its operations over the time its own slices took.
 */
export const alternating = async (
  total: number,
  concurrency: number,
  sides: readonly ((i: number) => Promise<boolean>)[],
  slices = 4,
): Promise<LoadResult[]> => {
  const size = Math.ceil(total / slices);
  const state = sides.map(() => ({ seconds: 0, done: 0, failures: 0, latencies: [] as number[] }));
  for (let slice = 0; slice < slices; slice++) {
    const offset = slice * size;
    const count = Math.min(size, total - offset);
    if (count <= 0) break;
    for (const [s, side] of sides.entries()) {
      const own = state[s]!;
      const result = await runLoad(count, concurrency, async (i) => {
        const started = performance.now();
        const ok = await side(offset + i);
        own.latencies.push(performance.now() - started);
        return ok;
      });
      own.seconds += count / result.opsPerSecond;
      own.done += count;
      own.failures += result.failures;
    }
  }
  return state.map((own) => {
    own.latencies.sort((a, b) => a - b);
    return { opsPerSecond: own.done / own.seconds, p50: percentile(own.latencies, 50), p99: percentile(own.latencies, 99), failures: own.failures };
  });
};

export const benchStock = async (): Promise<BenchRow[]> => {
  // Imported late: the SDK clients must see the endpoint startBenchDynamo set.
  const { createMovement } = await import('../functions/api/movements.ts');
  const catalog = await import('../shared/db/catalog.ts');
  const { recordMovement } = await import('../shared/app/stock.ts');
  const { documentClient, tableName } = await import('../shared/db/client.ts');
  const { inventoryKeys, entities } = await import('../shared/db/keys.ts');
  const inventory = tableName(tables.inventory);
  const admin = { subject: 'bench', role: 'admin' as const, locations: [] };
  const now = new Date().toISOString();

  await catalog.createLocation({ locationId: location, name: 'Bench store', type: 'STORE', timeZone: 'UTC' }, now);
  for (const sku of [...skus, ...rawSkus]) {
    await catalog.createProduct({ sku, name: sku, unitCost: 100, price: 200, currency: 'EUR' }, now);
  }
  // One movement holds at most 49 SKUs (100 transaction items): receive in two.
  for (const [part, chunk] of [skus.slice(0, 32), skus.slice(32), rawSkus.slice(0, 32), rawSkus.slice(32)].entries()) {
    await recordMovement(
      { movementId: `bench-receipt-${part}`, type: 'RECEIPT', locationId: location, lines: chunk.map((sku) => ({ sku, qty: 1_000_000 })) },
      admin,
    );
  }

  const context: Context = lambdaContext('createMovement');
  const claims = { sub: 'bench', role: 'admin' };
  let run = 0;
  const sale = async (i: number, lines = 1) => {
    const body = JSON.stringify({
      movementId: `bench-sale-${run}-${i}`,
      type: 'SALE',
      locationId: location,
      lines: Array.from({ length: lines }, (_, l) => ({ sku: skus[(i + l) % skuCount], qty: 1 })),
    });
    const result = await createMovement(
      apiEvent({ route: routes.createMovement, path: '/movements', headers: { 'content-type': 'application/json' }, body, claims }),
      context,
    );
    return result.statusCode === 201;
  };

  // The same three items the handler's transaction writes for a one-line sale.
  const rawSale = async (i: number, on: readonly string[] = rawSkus) => {
    const sku = on[i % skuCount]!;
    const movementId = `bench-raw-${run}-${i}`;
    const at = new Date().toISOString();
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: inventory,
              Item: {
                ...inventoryKeys.movement(location, movementId),
                entity: entities.movement,
                movementId,
                type: 'SALE',
                locationId: location,
                lines: [{ sku, qty: 1 }],
                at,
                by: 'bench',
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: inventory,
              Key: inventoryKeys.level(sku, location),
              UpdateExpression: 'SET updatedAt = :at ADD onHand :minus, available :minus, inventoryPosition :minus, version :one',
              ConditionExpression: 'available >= :one',
              ExpressionAttributeValues: { ':at': at, ':minus': -1, ':one': 1 },
            },
          },
          {
            Put: {
              TableName: inventory,
              Item: {
                ...inventoryKeys.ledgerEntry(sku, location, at, at, movementId),
                entity: entities.ledgerEntry,
                movementId,
                type: 'SALE',
                sku,
                locationId: location,
                onHandDelta: -1,
                reservedDelta: 0,
                at,
                by: 'bench',
              },
            },
          },
        ],
      }),
    );
    return true;
  };

  // Warm both paths so JIT and connection set-up do not count.
  run++;
  await runLoad(50, 8, (i) => sale(i));
  await runLoad(50, 8, (i) => rawSale(i));

  // Transactions sent (attempts included): a sale whose level moved since the container saw it sends two.
  let transactions = 0;
  documentClient.middlewareStack.remove('benchStockTransactions');
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') transactions++;
      return next(args);
    },
    { step: 'initialize', name: 'benchStockTransactions' },
  );

  const rows: BenchRow[] = [];
  for (const concurrency of concurrencies) {
    run++;
    transactions = 0;
    const [handler, raw] = (await alternating(salesAt(concurrency), concurrency, [(i) => sale(i), (i) => rawSale(i)])) as [LoadResult, LoadResult];
    // Both sides' transactions were counted; the raw side sends exactly one a sale.
    const perSale = round((transactions - salesAt(concurrency)) / salesAt(concurrency), 2);
    const baseline = `raw TransactWriteItems ${round(raw.opsPerSecond)} ops/s, p50 ${round(raw.p50)} ms, p99 ${round(raw.p99)} ms; handler sent ${perSale} transactions a sale`;
    rows.push(
      { name: `stock: sales through handler, concurrency ${concurrency}`, figure: round(handler.opsPerSecond), unit: 'sales/s', baseline },
      { name: `stock: handler p50 latency, concurrency ${concurrency}`, figure: round(handler.p50), unit: 'ms' },
      { name: `stock: handler p99 latency, concurrency ${concurrency}`, figure: round(handler.p99), unit: 'ms' },
      { name: `stock: handler / raw throughput, concurrency ${concurrency}`, figure: round(handler.opsPerSecond / raw.opsPerSecond, 2), unit: 'ratio' },
    );
    if (handler.failures + raw.failures > 0) throw new Error(`stock bench: ${handler.failures + raw.failures} sales failed`);
  }

  // Another writer (another container, the checkout, a gate) moved each level just before the sale: the container's guess is stale.
  run++;
  transactions = 0;
  const staleLatencies: number[] = [];
  const freshLatencies: number[] = [];
  for (let i = 0; i < 64; i++) {
    await rawSale(i, skus);
    let t = performance.now();
    await sale(i);
    staleLatencies.push(performance.now() - t);
    t = performance.now();
    await sale(i + 64);
    freshLatencies.push(performance.now() - t);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  rows.push({
    name: 'stock: handler p50 latency, level moved by another writer first (concurrency 1)',
    figure: round(median(staleLatencies)),
    unit: 'ms',
    baseline: `same level unmoved: ${round(median(freshLatencies))} ms; ${round(transactions / 128, 2)} transactions a sale over both`,
  });

  // Capacity: measured on the real items the handler wrote, priced with AWS's rules.
  const level = (await documentClient.send(new GetCommand({ TableName: inventory, Key: inventoryKeys.level(skus[0]!, location) }))).Item ?? {};
  const movement =
    (await documentClient.send(new GetCommand({ TableName: inventory, Key: inventoryKeys.movement(location, `bench-sale-${run}-0`) }))).Item ?? {};
  const largestUpdatedKb = Math.max(1, Math.ceil(Math.max(itemSize(level), itemSize(movement)) / 1024));
  const meter = meterCapacity(documentClient, largestUpdatedKb);
  run++;
  for (let i = 0; i < 20; i++) await rawSale(i);
  const rawWrite = round(meter.write / 20, 2);
  for (const lines of [1, 10]) {
    run++;
    meter.reset();
    const sales = 20;
    for (let i = 0; i < sales; i++) await sale(i, lines);
    rows.push(
      {
        name: `stock: write capacity per sale line (${lines}-line sales)`,
        figure: round(meter.write / sales / lines, 2),
        unit: 'WCU',
        baseline: `raw one-line sale transaction: ${rawWrite} WCU`,
      },
      { name: `stock: read capacity per sale line (${lines}-line sales)`, figure: round(meter.read / sales / lines, 2), unit: 'RCU' },
    );
  }
  return rows;
};

/**
 * Hot SKU: a flash sale. 10,000 units of one SKU at one location, 2,000
 * buyers started at once through the createSale handler (in process, API
 * Gateway v2 events), each wanting 1 to 10 units in one sale (11,000 in
 * all); told out of stock, a buyer takes what the answer says is left,
 * until nothing is. A 503 (the transaction's contention retries ran out) is
 * retried with the same sale id, as a till would. Every sale's transaction
 * updates the one level item, so all 10,000 units are contended, and the
 * last ones are fought over by more buyers than there are units.
 *
 * Figures: throughput, oversell (units booked beyond the 10,000, counted
 * three ways: 201 answers, the level item, the ledger), and the ceiling one
 * DynamoDB item would put on this SKU in AWS, computed from the level
 * item's size: about 1,000 WCU/s per partition (and per item), and a write
 * inside a transaction costs 2 WCU per KB.
 *
 * Baseline in the same run: 200 buyers of the same kind started at once,
 * spread over 64 SKUs with stock to spare (no shared item).
 */
import { GetCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { routes } from '../infra/routes.ts';
import { tables } from '../infra/tables.ts';
import { apiEvent, lambdaContext } from '../infra/local/gateway.ts';
import { itemSize } from './capacity.ts';
import { type BenchRow, percentile, round } from './harness.ts';

const location = 'BENCH-FLASH';
const hotSku = 'BENCH-FLASH-HOT';
/** The same flash sale on a SKU declared hot (docs/hot-skus.md): its level spread over this many items. */
const hotShards = 8;
const shardedSku = 'BENCH-FLASH-HOT-SHARDED';
const units = 10_000;
const buyers = 2_000;
const spreadSkus = Array.from({ length: 64 }, (_, i) => `BENCH-FLASH-${String(i).padStart(2, '0')}`);
/** AWS: per-partition (and hard per-item) write throughput. */
const partitionWcuPerSecond = 1_000;

/** Units a buyer asks for: 1 to 10, 5.5 on average, so 2,000 buyers want 11,000 of the 10,000 units. */
const wantOf = (buyer: number) => 1 + ((buyer * 7_919) % 10);
/** The baseline's buyers, each with its own SKU among 64 (no shared item). */
const spreadBuyers = 200;

interface FlashResult {
  seconds: number;
  sales: number;
  units: number;
  outOfStock: number;
  emptyHanded: number;
  unavailable: number;
  other: number;
  p50: number;
  p99: number;
}

export const benchHotSku = async (): Promise<BenchRow[]> => {
  // Imported late: the SDK clients must see the endpoint startBenchDynamo set.
  const { createSale } = await import('../functions/api/sales.ts');
  const catalog = await import('../shared/db/catalog.ts');
  const { recordMovement } = await import('../shared/app/stock.ts');
  const { spreadLevels } = await import('../shared/app/hot-stock.ts');
  const { readLevels } = await import('../shared/db/stock.ts');
  const { documentClient, tableName } = await import('../shared/db/client.ts');
  const { inventoryKeys } = await import('../shared/db/keys.ts');
  const inventory = tableName(tables.inventory);
  const admin = { subject: 'bench', role: 'admin' as const, locations: [] };
  const now = new Date().toISOString();
  documentClient.middlewareStack.remove('capacityMeter');

  await catalog.createLocation({ locationId: location, name: 'Bench flash-sale store', type: 'STORE', timeZone: 'UTC' }, now);
  for (const sku of [hotSku, ...spreadSkus]) await catalog.createProduct({ sku, name: sku, unitCost: 1_000, price: 2_000, currency: 'EUR' }, now);
  await catalog.createProduct({ sku: shardedSku, name: shardedSku, unitCost: 1_000, price: 2_000, currency: 'EUR', hotShards }, now);
  await recordMovement({ movementId: 'bench-flash-receipt', type: 'RECEIPT', locationId: location, lines: [{ sku: hotSku, qty: units }] }, admin);
  await recordMovement({ movementId: 'bench-flash-receipt-sharded', type: 'RECEIPT', locationId: location, lines: [{ sku: shardedSku, qty: units }] }, admin);
  // Spread before the launch, as HQ would (PATCH hotShards does the same).
  await spreadLevels(shardedSku, hotShards, now);
  // One movement holds at most 49 SKUs: receive the baseline's in two.
  for (const [part, chunk] of [spreadSkus.slice(0, 32), spreadSkus.slice(32)].entries()) {
    await recordMovement(
      { movementId: `bench-flash-spread-${part}`, type: 'RECEIPT', locationId: location, lines: chunk.map((sku) => ({ sku, qty: units })) },
      admin,
    );
  }

  // Transaction attempts and the ones DynamoDB cancelled for contention (transactWrite retries those).
  const tx = { attempts: 0, conflicts: 0 };
  documentClient.middlewareStack.remove('benchHotSkuProbe');
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      tx.attempts++;
      try {
        return await next(args);
      } catch (error) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        if ((error as Error).name === 'TransactionConflictException' || reasons.some((r) => r.Code === 'TransactionConflict')) tx.conflicts++;
        throw error;
      }
    },
    { step: 'initialize', name: 'benchHotSkuProbe' },
  );

  const context: Context = lambdaContext('createSale');
  const claims = { sub: 'bench', role: 'admin' };

  /**
   * Every buyer starts at once and wants `wantOf(b)` units in one sale; told
   * out of stock, it takes what the answer says is left (a till offering
   * "only 3 left") until nothing is. A 503 is retried with the same sale id.
   */
  const flashSale = async (label: string, count: number, skuOf: (buyer: number) => string): Promise<FlashResult> => {
    const latencies: number[] = [];
    const counts = { sales: 0, units: 0, outOfStock: 0, emptyHanded: 0, unavailable: 0, other: 0 };
    const buyer = async (b: number) => {
      let want = wantOf(b);
      for (let attempt = 0; ; attempt++) {
        const saleId = `bench-flash-${label}-${b}-${attempt}`;
        const body = JSON.stringify({ saleId, locationId: location, lines: [{ sku: skuOf(b), qty: want, unitPrice: 2_000 }] });
        for (;;) {
          const started = performance.now();
          const result = await createSale(
            apiEvent({ route: routes.createSale, path: '/sales', headers: { 'content-type': 'application/json' }, body, claims }),
            context,
          );
          if (result.statusCode === 201) {
            latencies.push(performance.now() - started);
            counts.sales++;
            counts.units += want;
            return;
          }
          if (result.statusCode === 503) {
            counts.unavailable++;
            continue; // the same sale id: a retry cannot book twice
          }
          const problem = (result.statusCode === 409 ? JSON.parse(result.body ?? '{}') : {}) as { type?: string; shortages?: { available: number }[] };
          if (!problem.type?.includes('out-of-stock')) {
            counts.other++;
            return;
          }
          counts.outOfStock++;
          const left = problem.shortages?.[0]?.available ?? 0;
          if (left <= 0) {
            counts.emptyHanded++;
            return;
          }
          want = Math.min(want, left);
          break; // a new sale id for the smaller request
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: count }, (_, b) => buyer(b)));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return { seconds, ...counts, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  };

  // Warm the handler, the SDK's connections and DynamoDB Local first, on the baseline's SKUs.
  for (let wave = 0; wave < 4; wave++) {
    await Promise.all(
      Array.from({ length: 8 }, (_, b) =>
        createSale(
          apiEvent({
            route: routes.createSale,
            path: '/sales',
            headers: { 'content-type': 'application/json' },
            claims,
            body: JSON.stringify({ saleId: `bench-flash-warm-${wave}-${b}`, locationId: location, lines: [{ sku: spreadSkus[b]!, qty: 1, unitPrice: 2_000 }] }),
          }),
          context,
        ),
      ),
    );
  }
  // Baseline: the same kind of buyers with no shared item (stock to spare on each SKU).
  const spread = await flashSale('spread', spreadBuyers, (b) => spreadSkus[b % spreadSkus.length]!);
  tx.attempts = 0;
  tx.conflicts = 0;
  const hot = await flashSale('hot', buyers, () => hotSku);
  const hotTx = { ...tx };
  tx.attempts = 0;
  tx.conflicts = 0;
  const sharded = await flashSale('sharded', buyers, () => shardedSku);
  const shardedTx = { ...tx };
  documentClient.middlewareStack.remove('benchHotSkuProbe');

  const level =
    (await documentClient.send(new GetCommand({ TableName: inventory, Key: inventoryKeys.level(hotSku, location), ConsistentRead: true }))).Item ?? {};
  /** Units the ledger says were sold, over every partition it was written in; and one entry, to price. */
  const ledgerOf = async (sku: string, partitions: number) => {
    let sold = 0;
    let entry: Record<string, unknown> = {};
    for (let shard = 0; shard < partitions; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const page: QueryCommandOutput = await documentClient.send(
          new QueryCommand({
            TableName: inventory,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': inventoryKeys.ledgerOfSkuAtLocation(sku, location, shard) },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          if (item.type !== 'SALE') continue;
          sold -= Number(item.onHandDelta);
          entry = item;
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return { sold, entry };
  };
  const { sold: ledgerSold, entry: ledgerEntry } = await ledgerOf(hotSku, 1);
  const { sold: shardedLedgerSold } = await ledgerOf(shardedSku, hotShards);
  const [shardedLevel] = await readLevels([{ sku: shardedSku, locationId: location }]);
  const shardItem =
    (await documentClient.send(new GetCommand({ TableName: inventory, Key: inventoryKeys.levelShard(shardedSku, location, 1), ConsistentRead: true }))).Item ??
    {};

  const onHand = Number(level.onHand);
  const oversell = Math.max(hot.units, ledgerSold, units - onHand) - units;
  const shardedOnHand = Number(shardedLevel?.onHand);
  const shardedOversell = Math.max(sharded.units, shardedLedgerSold, units - shardedOnHand) - units;
  const others = hot.other + spread.other + sharded.other;
  if (others > 0) throw new Error(`hot-sku bench: ${others} sales answered neither 201, 409 out-of-stock nor 503`);
  const levelBytes = itemSize(level);
  const wcuPerSale = 2 * Math.max(1, Math.ceil(levelBytes / 1024));
  const spreadRate = spread.sales / spread.seconds;
  const hotRate = hot.sales / hot.seconds;
  const shardedRate = sharded.sales / sharded.seconds;
  // Every partition key one sale writes, priced: the item it takes from, the ledger entry (in a transaction, 2 WCU per KB each), and the entry's copy in each of the ledger's two indexes (1 WCU per KB).
  const ceiling = (writes: { name: string; bytes: number; perKb: number }[]) =>
    writes.map((w) => ({ ...w, rate: Math.floor(partitionWcuPerSecond / (w.perKb * Math.max(1, Math.ceil(w.bytes / 1024)))) })).sort((a, b) => a.rate - b.rate);
  const ledgerBytes = itemSize(ledgerEntry);
  const perShard = ceiling([
    { name: 'level shard', bytes: itemSize(shardItem), perKb: 2 },
    { name: 'ledger partition', bytes: ledgerBytes, perKb: 2 },
    { name: 'ledger by SKU (gsi1)', bytes: ledgerBytes, perKb: 1 },
    { name: 'ledger by location (gsi2)', bytes: ledgerBytes, perKb: 1 },
  ]);
  return [
    {
      name: `hot-sku: flash sale, ${units} units of one SKU, ${buyers} buyers at once, through handler`,
      figure: round(hotRate),
      unit: 'sales/s',
      baseline: `${hot.sales} sales (1-10 units each), ${round(hot.units / hot.seconds)} units/s, ${round(hot.seconds, 1)} s; ${spreadBuyers} such buyers over ${spreadSkus.length} SKUs: ${round(spreadRate)} sales/s (hot / spread ${round(hotRate / spreadRate, 2)})`,
    },
    { name: 'hot-sku: sale p50 latency (incl. contention retries)', figure: round(hot.p50), unit: 'ms', baseline: `spread: ${round(spread.p50)} ms` },
    { name: 'hot-sku: sale p99 latency (incl. contention retries)', figure: round(hot.p99), unit: 'ms', baseline: `spread: ${round(spread.p99)} ms` },
    {
      name: 'hot-sku: oversell',
      figure: oversell,
      unit: 'units',
      baseline: `units sold: ${hot.units} by 201s, ${ledgerSold} by the ledger; onHand after ${onHand} (available ${level.available}); ${hot.outOfStock} out-of-stock answers, ${hot.emptyHanded} buyers empty-handed`,
    },
    {
      name: 'hot-sku: transactions cancelled for contention per sale',
      figure: round(hotTx.conflicts / Math.max(1, hot.sales), 2),
      unit: 'ratio',
      baseline: `${hotTx.conflicts} of ${hotTx.attempts} TransactWriteItems attempts; ${hot.unavailable} 503s retried by buyers`,
    },
    {
      name: `hot-sku: flash sale, the same SKU declared hot (${hotShards} shards), ${buyers} buyers at once, through handler`,
      figure: round(shardedRate),
      unit: 'sales/s',
      baseline: `one item: ${round(hotRate)} sales/s (sharded / one item ${round(shardedRate / hotRate, 2)}); ${sharded.sales} sales, ${round(sharded.seconds, 1)} s, p50 ${round(sharded.p50)} ms, p99 ${round(sharded.p99)} ms`,
    },
    {
      name: `hot-sku: oversell, declared hot (${hotShards} shards)`,
      figure: shardedOversell,
      unit: 'units',
      baseline: `units sold: ${sharded.units} by 201s, ${shardedLedgerSold} by the ledger's ${hotShards} partitions; onHand after ${shardedOnHand} (available ${shardedLevel?.available}, the sum of ${hotShards} items); ${sharded.outOfStock} out-of-stock answers, ${sharded.emptyHanded} buyers empty-handed, ${shardedTx.conflicts} of ${shardedTx.attempts} transactions cancelled for contention`,
    },
    {
      name: `hot-sku: AWS ceiling, declared hot (${hotShards} shards, computed)`,
      figure: hotShards * perShard[0]!.rate,
      unit: 'sales/s',
      baseline: `${hotShards} x ${perShard[0]!.rate}/s (${perShard.map((w) => `${w.name} ${w.bytes} B: ${w.rate}/s`).join(', ')}); one item: ${Math.floor(partitionWcuPerSecond / wcuPerSale)}/s`,
    },
    {
      name: 'hot-sku: AWS ceiling, one SKU at one location (computed)',
      figure: Math.floor(partitionWcuPerSecond / wcuPerSale),
      unit: 'sales/s',
      baseline: `${partitionWcuPerSecond} WCU/s per item / ${wcuPerSale} WCU per transactional write of the ${levelBytes}-byte level item (${partitionWcuPerSecond / Math.max(1, Math.ceil(levelBytes / 1024))}/s outside a transaction)`,
    },
  ];
};

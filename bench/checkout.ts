/**
 * Checkout: member sales through the createSale handler (the exported Lambda
 * handler called in process with API Gateway v2 events: validation, auth,
 * reference reads, idempotency read, member state, the one
 * TransactWriteItems across inventory and members) next to the raw
 * TransactWriteItems of the same items, at several concurrencies; plus the
 * capacity one sale line costs, computed with AWS's rules
 * (bench/capacity.ts) and, beside it, what DynamoDB Local reports through
 * ReturnConsumedCapacity (which the product already asks for).
 *
 * The raw items are the handler's own: one handler sale's TransactItems are
 * captured and re-keyed (sale id, SKU, member) for every raw sale. Only the
 * member profile update loses its version condition (the raw path has not
 * read the version); it writes the same attributes.
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { routes } from '../infra/routes.ts';
import { tables } from '../infra/tables.ts';
import { apiEvent, lambdaContext } from '../infra/local/gateway.ts';
import { itemSize, meterCapacity } from './capacity.ts';
import { type BenchRow, type LoadResult, round, runLoad } from './harness.ts';
import { alternating } from './stock.ts';

const location = 'BENCH-CHECKOUT';
const skuCount = 64;
/** Fixed width, so re-keying a captured transaction by string replacement cannot hit a prefix. */
const skus = Array.from({ length: skuCount }, (_, i) => `BENCH-CO-${String(i).padStart(3, '0')}`);
const memberCount = 64;
const concurrencies = [1, 16, 64] as const;
const salesAt = (concurrency: number) => Math.max(40, concurrency * 4);
const unitPrice = 2_000;
const capacitySales = 10;

export const benchCheckout = async (): Promise<BenchRow[]> => {
  // Imported late: the SDK clients must see the endpoint startBenchDynamo set.
  const { createSale } = await import('../functions/api/sales.ts');
  const catalog = await import('../shared/db/catalog.ts');
  const { recordMovement } = await import('../shared/app/stock.ts');
  const { registerMember } = await import('../shared/app/members.ts');
  const { transactWrite } = await import('../shared/db/transact.ts');
  const { documentClient, tableName } = await import('../shared/db/client.ts');
  const { inventoryKeys, memberKeys, salesKeys } = await import('../shared/db/keys.ts');
  const admin = { subject: 'bench', role: 'admin' as const, locations: [] };
  const now = new Date().toISOString();

  await catalog.createLocation({ locationId: location, name: 'Bench checkout store', type: 'STORE', timeZone: 'UTC' }, now);
  for (const sku of skus) await catalog.createProduct({ sku, name: sku, unitCost: 1_000, price: unitPrice, currency: 'EUR' }, now);
  for (const [part, chunk] of [skus.slice(0, 32), skus.slice(32)].entries()) {
    await recordMovement(
      { movementId: `bench-co-receipt-${part}`, type: 'RECEIPT', locationId: location, lines: chunk.map((sku) => ({ sku, qty: 1_000_000 })) },
      admin,
    );
  }
  const members: string[] = [];
  for (let j = 0; j < memberCount; j++) {
    const { member } = await registerMember({ name: `Bench member ${j}`, email: `bench-co-${j}@example.com` } as never, admin, `bench-co-member-${j}`);
    members.push(member.memberId);
  }

  // An earlier benchmark's capacity meter would tax only this run's calls: measure without it.
  documentClient.middlewareStack.remove('capacityMeter');
  // What every TransactWriteItems call sends and what DynamoDB Local says it consumed.
  let captured: Record<string, unknown>[] | undefined;
  let capture = false;
  const reported = { transactions: 0, capacity: 0 };
  /** TransactWriteItems attempts DynamoDB Local cancelled or refused, by reason (transactWrite retries the transient ones). */
  const refusals = new Map<string, number>();
  /** Where a refusal is counted: the side whose slice is running. */
  let current = refusals;
  documentClient.middlewareStack.remove('benchCheckoutProbe');
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TransactItems?: Record<string, unknown>[] };
      if (context.commandName === 'TransactWriteItemsCommand' && capture) captured = structuredClone(input.TransactItems);
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        const reasons = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [])
          .map((r) => r.Code)
          .filter((c) => c && c !== 'None');
        const key = `${(error as Error).name}${reasons.length ? `(${[...new Set(reasons)].join(',')})` : ''}`;
        current.set(key, (current.get(key) ?? 0) + 1);
        throw error;
      }
      if (context.commandName === 'TransactWriteItemsCommand') {
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity[] }).ConsumedCapacity ?? [];
        reported.transactions++;
        reported.capacity += consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      }
      return result;
    },
    { step: 'initialize', name: 'benchCheckoutProbe' },
  );

  const context: Context = lambdaContext('createSale');
  const claims = { sub: 'bench', role: 'admin' };
  let run = 0;
  const sale = async (i: number, lines = 1, saleId = `bench-co-${run}-${i}`) => {
    const body = JSON.stringify({
      saleId,
      locationId: location,
      memberId: members[i % memberCount],
      lines: Array.from({ length: lines }, (_, l) => ({ sku: skus[(i + l * 13) % skuCount], qty: 1, unitPrice })),
    });
    const result = await createSale(
      apiEvent({ route: routes.createSale, path: '/sales', headers: { 'content-type': 'application/json' }, body, claims }),
      context,
    );
    if (result.statusCode !== 201) throw new Error(`checkout bench: sale ${saleId} answered ${result.statusCode} ${result.body}`);
    return true;
  };

  // One handler sale's items, the template of every raw sale.
  const templateId = 'bench-co-template';
  capture = true;
  await sale(0, 1, templateId);
  capture = false;
  const template = JSON.stringify(captured);
  if (!captured) throw new Error('checkout bench: no transaction captured');
  const rawSale = async (i: number) => {
    const text = template
      .replaceAll(templateId, `bench-co-raw-${run}-${i}`)
      .replaceAll(members[0]!, members[i % memberCount]!)
      .replaceAll(skus[0]!, skus[i % skuCount]!);
    const items = JSON.parse(text) as {
      Update?: { Key: { sk: string }; UpdateExpression: string; ConditionExpression?: string; ExpressionAttributeValues: Record<string, unknown> };
    }[];
    for (const item of items) {
      const update = item.Update;
      if (update?.Key.sk !== memberKeys.profileSk) continue;
      update.UpdateExpression = update.UpdateExpression.replace('#version = :next', '#version = #version + :one');
      delete update.ConditionExpression;
      delete update.ExpressionAttributeValues[':expected'];
      delete update.ExpressionAttributeValues[':next'];
      update.ExpressionAttributeValues[':one'] = 1;
    }
    await transactWrite(items as never);
    return true;
  };

  // Warm both paths so JIT and connection set-up do not count.
  run++;
  await runLoad(16, 8, (i) => sale(i));
  await runLoad(16, 8, rawSale);

  const rows: BenchRow[] = [];
  for (const concurrency of concurrencies) {
    run++;
    refusals.clear();
    // Alternating slices (bench/stock.ts): both sides measured on the same machine state.
    const bySide = { handler: new Map<string, number>(), raw: new Map<string, number>() };
    const [handler, raw] = (await alternating(salesAt(concurrency), concurrency, [
      (i) => {
        current = bySide.handler;
        return sale(i);
      },
      (i) => {
        current = bySide.raw;
        return rawSale(i);
      },
    ])) as [LoadResult, LoadResult];
    current = refusals;
    const handlerRefusals = [...bySide.handler].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
    const rawRefusals = [...bySide.raw].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
    const baseline =
      `raw TransactWriteItems (${captured.length} items) ${round(raw.opsPerSecond)} ops/s, p50 ${round(raw.p50)} ms, p99 ${round(raw.p99)} ms; ` +
      `${salesAt(concurrency)} sales each; transactions refused (retried): handler ${handlerRefusals}, raw ${rawRefusals}`;
    rows.push(
      { name: `checkout: member sales through handler, concurrency ${concurrency}`, figure: round(handler.opsPerSecond), unit: 'sales/s', baseline },
      { name: `checkout: handler p50 latency, concurrency ${concurrency}`, figure: round(handler.p50), unit: 'ms', baseline: `raw p50 ${round(raw.p50)} ms` },
      { name: `checkout: handler p99 latency, concurrency ${concurrency}`, figure: round(handler.p99), unit: 'ms', baseline: `raw p99 ${round(raw.p99)} ms` },
      { name: `checkout: handler / raw throughput, concurrency ${concurrency}`, figure: round(handler.opsPerSecond / raw.opsPerSecond, 2), unit: 'ratio' },
    );
  }

  // Capacity: the real items, priced with AWS's rules; updates sized by the larger item they change.
  const get = async (table: string, key: Record<string, string>) => (await documentClient.send(new GetCommand({ TableName: table, Key: key }))).Item ?? {};
  const inventory = tableName(tables.inventory);
  const membersTable = tableName(tables.members);
  const level = await get(inventory, inventoryKeys.level(skus[0]!, location));
  const profile = await get(membersTable, memberKeys.profile(members[0]!));
  const saleItem = await get(inventory, salesKeys.sale(templateId));
  const largestUpdatedKb = Math.max(1, Math.ceil(Math.max(itemSize(level), itemSize(profile)) / 1024));
  const meter = meterCapacity(documentClient, largestUpdatedKb);
  for (const lines of [1, 5]) {
    run++;
    meter.reset();
    reported.transactions = 0;
    reported.capacity = 0;
    for (let i = 0; i < capacitySales; i++) await sale(i, lines);
    const localPerSale = reported.transactions === 0 ? 0 : reported.capacity / capacitySales;
    rows.push(
      {
        name: `checkout: write capacity per sale line (member sale, ${lines} line${lines > 1 ? 's' : ''})`,
        figure: round(meter.write / capacitySales / lines, 2),
        unit: 'WCU',
        baseline: `${round(meter.write / capacitySales, 1)} WCU per sale computed; DynamoDB Local's ReturnConsumedCapacity: ${round(localPerSale, 1)} per sale`,
      },
      {
        name: `checkout: read capacity per sale line (member sale, ${lines} line${lines > 1 ? 's' : ''})`,
        figure: round(meter.read / capacitySales / lines, 2),
        unit: 'RCU',
        baseline: `${round(meter.read / capacitySales, 1)} RCU per sale`,
      },
    );
  }
  rows.push({
    name: 'checkout: largest item a sale writes',
    figure: Math.max(itemSize(level), itemSize(profile), itemSize(saleItem)),
    unit: 'bytes',
    baseline: `level ${itemSize(level)} B, member profile ${itemSize(profile)} B, sale record ${itemSize(saleItem)} B (1-line)`,
  });
  documentClient.middlewareStack.remove('benchCheckoutProbe');
  documentClient.middlewareStack.remove('capacityMeter');
  return rows;
};

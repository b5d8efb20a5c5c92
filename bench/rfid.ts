/**
 * RFID: tag reads ingested end to end (gateway -> local broker -> topic rule
 * -> ingest handler -> DynamoDB Local, ACKs back over MQTT) next to, in the
 * same run, the broker's raw rate for the same messages (no rule behind
 * them) and DynamoDB Local's raw BatchWriteItem rate; and the capacity units
 * one booked item costs, priced with AWS's rules (bench/capacity.ts) plus
 * the conditional writes that failed (AWS bills those as writes too) and the
 * EPCIS trail's packed events priced at their size.
 */
import { BatchWriteCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import mqtt from 'mqtt';
import { tables } from '../infra/tables.ts';
import { signLocalToken } from '../infra/local/auth.ts';
import { FailureLog } from '../infra/local/failure-log.ts';
import { connectGate, passReads, publishMessages, seededRandom, splitIntoMessages, tagEpcs } from '../infra/local/gate-simulator.ts';
import { startIotDataEndpoint } from '../infra/local/iot-data-endpoint.ts';
import { startMqttBroker } from '../infra/local/mqtt.ts';
import { itemSize, meterCapacity } from './capacity.ts';
import { type BenchRow, round, runLoad } from './harness.ts';

const location = 'BENCH-DC';
const tags = 500;
const readsPerTag = 20;
const messageCount = 10;

/** A missing ACK says why: the messages the handler threw back. */
const failed = (failures: FailureLog) => (error: Error) => {
  throw new Error(`${error.message}; failures: ${JSON.stringify(failures.list().slice(0, 3))}`);
};

export const benchRfid = async (): Promise<BenchRow[]> => {
  // Imported late: the SDK clients must see the endpoint startBenchDynamo set.
  const catalog = await import('../shared/db/catalog.ts');
  const { documentClient, tableName } = await import('../shared/db/client.ts');
  const { gs1CheckDigit } = await import('../shared/domain/epc.ts');
  const now = new Date().toISOString();
  await catalog.createLocation({ locationId: location, name: 'Bench DC', type: 'WAREHOUSE', timeZone: 'UTC' }, now);
  const gtins = Array.from({ length: 5 }, (_, i) => {
    const digits = `806141410000${i}`;
    return `${digits}${gs1CheckDigit(digits)}`;
  });
  for (const [i, gtin] of gtins.entries()) {
    await catalog.createProduct({ sku: `BENCH-RFID-${i}`, name: `RFID ${i}`, gtin, unitCost: 1, price: 2, currency: 'EUR' }, now);
  }

  const failures = new FailureLog({});
  const broker = await startMqttBroker({ port: 0, failures });
  const iotData = await startIotDataEndpoint(broker);
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotData.url;
  const rows: BenchRow[] = [];
  try {
    const burst = (gateId: string, serialStart: number) => ({
      gateId,
      messages: splitIntoMessages(passReads(tagEpcs(gtins, tags, serialStart), readsPerTag, new Date(), seededRandom(serialStart)), 'IN', messageCount),
    });

    // Warm-up: JIT, connections, the handler's module load.
    const warm = burst('WARM', 1_000_000);
    const warmGate = await connectGate(broker.url, location, warm.gateId);
    await publishMessages(warmGate, location, warm.gateId, warm.messages.slice(0, 2));
    await warmGate.waitFor('ACK', 2).catch(failed(failures));
    await warmGate.close();

    // End to end, with the capacity it costs.
    // Failed conditional writes are billed too: the meter counts them in `write` (and apart in `failedWrites`).
    const meter = meterCapacity(documentClient);
    const run = burst('DOCK-1', 1);
    const gate = await connectGate(broker.url, location, run.gateId);
    const started = performance.now();
    await publishMessages(gate, location, run.gateId, run.messages);
    const acks = await gate.waitFor('ACK', run.messages.length, 300_000).catch(failed(failures));
    const seconds = (performance.now() - started) / 1000;
    await gate.close();
    const booked = acks.reduce((sum, a) => sum + (a.booked as number), 0);
    if (booked !== tags || failures.list().length > 0) throw new Error(`rfid bench: booked ${booked} of ${tags}, ${failures.list().length} failures`);
    const requests = meter.requests;
    // The meter prices an update at 1 WCU: check it against the largest serial item the burst left.
    const serials = await documentClient.send(
      new ScanCommand({
        TableName: tableName(tables.rfid),
        FilterExpression: 'entity = :serial AND locationId = :loc',
        ExpressionAttributeValues: { ':serial': 'SERIAL', ':loc': location },
      }),
    );
    const largestItem = Math.max(0, ...(serials.Items ?? []).map((item) => itemSize(item)));
    // The EPCIS trail: the meter prices every UpdateItem at 1 KB, but a packed event holds up to 200 EPCs. Price each
    // update at its item's size (AWS: the larger of before and after; each is written once here), the string set counted
    // by hand (itemSize does not size sets).
    const trailItems: Record<string, unknown>[] = [];
    let trailPage: Record<string, unknown> | undefined;
    do {
      const trail = await documentClient.send(
        new ScanCommand({
          TableName: tableName(tables.rfid),
          FilterExpression: 'entity = :event AND locationId = :loc AND gateId = :gate',
          ExpressionAttributeValues: { ':event': 'OBJECT_EVENT', ':loc': location, ':gate': run.gateId },
          ExclusiveStartKey: trailPage,
        }),
      );
      trailItems.push(...(trail.Items ?? []));
      trailPage = trail.LastEvaluatedKey;
    } while (trailPage);
    const trailKb = trailItems.reduce((sum, { epcs, ...rest }) => {
      const bytes = itemSize(rest) + Buffer.byteLength('epcs') + [...((epcs as Set<string>) ?? [])].reduce((n, epc) => n + Buffer.byteLength(epc), 0);
      return sum + Math.max(1, Math.ceil(bytes / 1024));
    }, 0);
    const trailRows = meter.breakdown().filter((row) => row.kind === 'ITEM_EVENTS' && row.operation === 'UpdateItem');
    const trailUpdates = trailRows.reduce((sum, row) => sum + row.requests, 0);
    const trailMetered = trailRows.reduce((sum, row) => sum + row.write, 0);
    const trailWrites = trailItems.length > 0 ? (trailKb * trailUpdates) / trailItems.length : 0;
    const trailEpcs = trailItems.reduce((sum, item) => sum + ((item.epcs as Set<string> | undefined)?.size ?? 0), 0);
    const writes = meter.write - trailMetered + trailWrites;

    // The broker alone: the same messages, published to a topic no rule listens on, delivered over MQTT to a subscriber.
    // Published server-side (the IoT data plane's path): a gateway may publish only to its reads topic, whose rule is what is measured above.
    const raw = run.messages.map((m) => JSON.stringify(m));
    const rounds = 5;
    const observer = await mqtt.connectAsync(broker.url, { username: 'stockclub', password: await signLocalToken({ role: 'service' }), reconnectPeriod: 0 });
    const rawTopic = `stockclub/${location}/gates/RAW/events`;
    await observer.subscribeAsync(rawTopic, { qos: 1 });
    let received = 0;
    const allReceived = new Promise<void>((resolve) => observer.on('message', () => ++received === raw.length * rounds && resolve()));
    const rawStarted = performance.now();
    for (let r = 0; r < rounds; r++) for (const payload of raw) await broker.publish(rawTopic, payload, { qos: 1 });
    await Promise.race([
      allReceived,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`rfid bench: broker delivered ${received} of ${raw.length * rounds}`)), 60_000)),
    ]);
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    await observer.endAsync(true);

    // DynamoDB Local alone: BatchWriteItem of window-sized items, 25 a call, 8 calls in flight.
    const rfidTable = tableName(tables.rfid);
    const batches = 80;
    const batchWrite = await runLoad(batches, 8, async (b) => {
      const output = await documentClient.send(
        new BatchWriteCommand({
          RequestItems: {
            [rfidTable]: Array.from({ length: 25 }, (_, i) => ({
              PutRequest: { Item: { pk: `WINDOW#BENCH#RAW#${b}-${i}`, sk: 'WINDOW', entity: 'RFID_WINDOW', startedAt: now, lastSeenAt: now, expiresAt: 0 } },
            })),
          },
        }),
      );
      return Object.keys(output.UnprocessedItems ?? {}).length === 0;
    });

    // DynamoDB Local alone: conditional UpdateItem (what a gate read's claim is), 16 in flight.
    const updates = await runLoad(1000, 16, async (i) => {
      await documentClient.send(
        new UpdateCommand({
          TableName: rfidTable,
          Key: { pk: `SERIAL#BENCH#RAW#${i}`, sk: 'SERIAL' },
          UpdateExpression: 'SET #state = :state, #lastSeenAt = :at',
          ConditionExpression: 'attribute_not_exists(pk)',
          ExpressionAttributeNames: { '#state': 'state', '#lastSeenAt': 'lastSeenAt' },
          ExpressionAttributeValues: { ':state': 'IN_STOCK', ':at': now },
        }),
      );
      return true;
    });

    const readsSent = tags * readsPerTag;
    rows.push(
      {
        name: `rfid: tag reads end to end (${tags} tags x ${readsPerTag} reads, ${run.messages.length} messages)`,
        figure: round(readsSent / seconds),
        unit: 'reads/s',
        baseline: `broker alone ${round((raw.length * rounds) / rawSeconds)} msgs/s = ${round((readsSent * rounds) / rawSeconds)} reads/s; DynamoDB Local BatchWriteItem ${round(batchWrite.opsPerSecond * 25)} items/s, conditional UpdateItem ${round(updates.opsPerSecond)}/s`,
      },
      {
        name: 'rfid: items booked end to end',
        figure: round(booked / seconds),
        unit: 'items/s',
        baseline: `${round(seconds, 2)} s for the burst; ${round(requests / booked, 2)} DynamoDB requests per item`,
      },
      {
        name: 'rfid: write capacity per booked item',
        figure: round(writes / booked, 2),
        unit: 'WCU',
        baseline: `incl. ${round(meter.failedWrites / booked, 2)} failed conditional writes and ${round(trailWrites / booked, 3)} for the EPCIS trail per item (${trailItems.length} stored events, ${trailEpcs} EPCs, ${trailKb} KB)`,
      },
      {
        name: 'rfid: read capacity per booked item',
        figure: round(meter.read / booked, 2),
        unit: 'RCU',
        baseline: `largest serial item ${largestItem} bytes (updates priced at 1 KB)`,
      },
    );
  } finally {
    await iotData.close();
    await broker.close();
  }
  return rows;
};

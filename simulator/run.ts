/**
 * One simulated chain-month under one policy: a fresh local cloud, a seeded
 * world, and day after day of deliveries, counts, replenishment, selling,
 * theft, gates and members, all through the public API and MQTT, with the
 * local cloud's clock moved to each simulated hour. The scorer reads the
 * product's levels and the physical truth at every closing.
 */
import { type CapacityMeter, type CapacityUse, breakdownSince, meterCapacity, topConsumers } from '../bench/capacity.ts';
import { localFunctions } from '../infra/local/functions.ts';
import { runningFunction } from '../infra/local/handlers.ts';
import { passReads, type SimulatedRead, splitIntoMessages } from '../infra/local/gate-simulator.ts';
import type { LocalCloud } from '../infra/local/cloud.ts';
import { nowMillis } from '../shared/clock.ts';
import { mapLimited } from '../shared/concurrency.ts';
import { documentClient } from '../shared/db/client.ts';
import { defaultAbcConfig } from '../shared/domain/replenishment/abc.ts';
import type { Policy, SimulationConfig } from './config.ts';
import { ChainClient } from './chain.ts';
import { randomFrom, type Random } from './random.ts';
import { type AbcClass, type DayScore, type Members, type Position, type RunScore, scoreDay, scoreRun } from './scorecard.ts';
import { blockShare, catalogue, demandPlan, epcOf, PhysicalChain, storeIds, tradingBlocks, warehouseId } from './world.ts';

const dayMillis = 86_400_000;
/** What a transfer costs the chain to pick, pack and drive (minor units): the EOQ's ordering cost for moving stock instead of buying it. */
export const transferCost = 1500;
/** Lines per COUNT: the API takes at most 33 SKUs in a movement of this type (one transaction). */
const countLines = 30;
/** Units in one sale line at most: the API takes up to 50 EPCs per line. */
const unitsPerLine = 50;
/** Days a transfer travels, at most (one or two). */
const transferDays = 2;

interface Line {
  readonly sku: string;
  readonly qty: number;
}

interface Delivery {
  readonly purchaseOrderId: string;
  readonly locationId: string;
  readonly arriveDay: number;
  /** What the advance notice (the document) says. */
  readonly documented: Line[];
  /** What is in the truck. */
  readonly actual: { sku: string; serials: number[] }[];
}

interface Shipment {
  readonly movementId: string;
  readonly from: string;
  readonly to: string;
  readonly arriveDay: number;
  readonly units: { sku: string; serials: number[] }[];
}

interface LateSale {
  readonly locationId: string;
  readonly request: Record<string, unknown>;
}

export interface RunOptions {
  readonly config: SimulationConfig;
  readonly policy: Policy;
  /** The first simulated day, UTC midnight. */
  readonly startDay: Date;
  readonly log?: (line: string) => void;
}

export interface RunResult {
  readonly score: RunScore;
  /** The physical truth at the end, and the theft it saw (for the scorer's own tests). */
  readonly world: PhysicalChain;
  readonly problems: ChainClient['problems'];
}

export const simulateMonth = async (cloud: LocalCloud, options: RunOptions): Promise<RunResult> => {
  const { config, policy, startDay } = options;
  const noise = config.noise;
  const log = options.log ?? (() => {});
  const random = randomFrom(config.seed);
  const products = catalogue(config, random.fork('catalogue'));
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const plan = demandPlan(config, products, startDay, random.fork('demand'));
  const stores = storeIds(config.stores);
  const locations = [warehouseId, ...stores];
  const world = new PhysicalChain();
  const chain = new ChainClient(cloud.url, cloud.mqttUrl);
  // Each call is charged to the function it runs in, named with its trigger: `api:createSale`, `stream:reorderCheck`, `schedule:...`.
  const functions = localFunctions();
  const meter: CapacityMeter = meterCapacity(documentClient, 1, {
    caller: () => {
      const name = runningFunction();
      return name === undefined ? undefined : `${functions.get(name)?.trigger ?? 'function'}:${name}`;
    },
  });
  /** The days' capacity by caller, operation, table and kind (the scorer's reads between days left out, as in the totals). */
  let capacityUse: CapacityUse[] = [];

  /** Where a day's wall-clock time goes, by phase, for the day's line. */
  let spent: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      spent[phase] = (spent[phase] ?? 0) + (performance.now() - started) / 1000;
    }
  };
  const at = (day: number, hour: number, minute = 0) => new Date(startDay.getTime() + day * dayMillis + hour * 3_600_000 + minute * 60_000);
  const moveClock = async (instant: Date) => {
    const answer = await fetch(`${cloud.url}/_local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ at: instant.toISOString() }),
    });
    if (answer.status !== 200) throw new Error(`the local clock refused ${instant.toISOString()}: ${await answer.text()}`);
    for (const job of ((await answer.json()) as { jobs: { name: string; millis: number }[] }).jobs)
      spent[`job ${job.name}`] = (spent[`job ${job.name}`] ?? 0) + job.millis / 1000;
  };
  const setClock = (instant: Date) => timed('clock and jobs', () => moveClock(instant));
  /** Works through `items` one after another per location, and the locations at the same time (each has its own dock and staff). */
  const eachLocation = async <T extends { readonly locationId: string }>(items: readonly T[], work: (item: T) => Promise<void>) => {
    const byLocation = new Map<string, T[]>();
    for (const item of items) byLocation.set(item.locationId, [...(byLocation.get(item.locationId) ?? []), item]);
    await Promise.all(
      [...byLocation.values()].map(async (ofLocation) => {
        for (const item of ofLocation) await work(item);
      }),
    );
  };
  const epcs = (sku: string, serials: readonly number[]) => serials.map((serial) => epcOf(bySku.get(sku)!, serial));

  /**
   * A gate pass that just ended: every tag read 3-6 times if read at all
   * (noise.readRate per tag), the message sometimes sent twice. Read times
   * end before the local clock's now: the ingest sets aside reads from the future.
   */
  const gatePass = async (
    locationId: string,
    gateId: string,
    direction: 'IN' | 'OUT',
    units: readonly { sku: string; serials: readonly number[] }[],
    r: Random,
  ) => {
    const tags = units.flatMap((u) => epcs(u.sku, u.serials)).filter(() => r.next() < noise.readRate);
    if (tags.length === 0) return;
    const passMillis = Math.max(2000, tags.length * 10) + 1000;
    const reads: SimulatedRead[] = passReads(tags, r.int(3, 6), new Date(nowMillis() - passMillis), r.next);
    const messages = splitIntoMessages(reads, direction);
    await chain.gate(locationId, gateId, r.chance(noise.duplicateMessages) ? [...messages, ...messages] : messages);
  };

  // ---- Setup, the morning before day 0: locations, catalogue, ABC policy, opening stock (counted), members.
  const setupStarted = performance.now();
  await setClock(at(0, 5));
  await chain.signIn(locations);
  for (const locationId of locations)
    await chain.call('admin', 'POST', '/locations', {
      locationId,
      name: locationId,
      type: locationId === warehouseId ? 'WAREHOUSE' : 'STORE',
      timeZone: 'UTC',
    });
  await timed('products', () =>
    mapLimited(products, config.concurrency, async (p) => {
      const { demandShare: _share, ...product } = p;
      await chain.call('admin', 'POST', '/products', { ...product, name: `Simulated ${p.sku}`, currency: 'EUR', ...(policy.rfid ? { rfidTagged: true } : {}) });
    }),
  );
  const flat = defaultAbcConfig.policies.B;
  const abcConfig = policy.abc === 'flat' ? { ...defaultAbcConfig, policies: { A: flat, B: flat, C: flat } } : defaultAbcConfig;
  // Opening stock is a stocktake: a week of demand in each store, two in the warehouse.
  // The units are made in location order (serials count up), then the warehouse counts first and the stores at the same time.
  const opening = locations.map((locationId) => {
    const store = stores.indexOf(locationId);
    const lines = products.map((p, index) => {
      const daily = store >= 0 ? plan.expected(store, index, 0) : stores.reduce((sum, _s, s) => sum + plan.expected(s, index, 0), 0);
      return { sku: p.sku, qty: Math.ceil(daily * (store >= 0 ? 7 : 14)) + 1 };
    });
    for (const line of lines) world.put(locationId, line.sku, world.make(line.sku, line.qty));
    return { locationId, lines };
  });
  const countOpening = async ({ locationId, lines }: (typeof opening)[number]) => {
    for (let i = 0; i < lines.length; i += countLines)
      await chain.call(locationId, 'POST', '/movements', {
        movementId: `open-${locationId}-${i}`,
        type: 'COUNT',
        locationId,
        lines: lines.slice(i, i + countLines),
      });
  };
  await timed('opening counts', async () => {
    await countOpening(opening[0]!);
    await Promise.all(opening.slice(1).map(countOpening));
  });
  const memberRandom = random.fork('members');
  const signUps = Array.from({ length: config.members }, (_, m) => {
    const birthday = at(memberRandom.int(0, Math.max(0, config.days - 1)), 0);
    return {
      name: `Member ${m}`,
      email: `member-${m}@sim.example`,
      ...(memberRandom.chance(0.3) ? { phone: `+4917${String(10_000_000 + m)}` } : {}),
      // A tenth have their birthday in the month.
      ...(memberRandom.chance(0.1) ? { birthday: `1990-${birthday.toISOString().slice(5, 10)}` } : {}),
      timeZone: 'UTC',
      consent: { email: memberRandom.chance(0.7), sms: memberRandom.chance(0.3) },
      consentSource: 'POS',
    };
  });
  // Kept in sign-up order whatever order the answers come in, so the month's draws pick the same members.
  const signedUp: ({ memberId: string; points: number } | undefined)[] = [];
  await timed('members', () =>
    mapLimited([...signUps.keys()], config.concurrency, async (m) => {
      const answer = await chain.call('admin', 'POST', '/members', signUps[m], [201], { 'idempotency-key': `sim-member-${m}` });
      if (answer.status === 201) signedUp[m] = { memberId: answer.body.memberId, points: 0 };
    }),
  );
  const members = signedUp.filter((member) => member !== undefined);
  const campaignId = `sim-offer-${config.seed}`;
  await chain.call('admin', 'POST', '/campaigns', {
    campaignId,
    name: 'Month offer',
    segment: {},
    channels: ['email', 'sms'],
    headline: 'This month at the club',
    text: 'Double points on everything this weekend.',
    cap: { count: 1, days: 7 },
  });

  log(
    `${policy.name} setup: ${((performance.now() - setupStarted) / 1000).toFixed(1)} s (${Object.entries(spent)
      .map(([phase, seconds]) => `${phase} ${seconds.toFixed(1)} s`)
      .join(', ')})`,
  );
  spent = {};

  // ---- The days.
  const deliveries: Delivery[] = [];
  const shipments: Shipment[] = [];
  const returnsDue: { day: number; saleId: string; locationId: string; sku: string; serials: number[] }[] = [];
  const actedOn = new Set<string>();
  const days: DayScore[] = [];
  let transfersToday = 0;
  let purchaseOrdersToday = 0;
  let purchaseOrderCostToday = 0;

  for (let day = 0; day < config.days; day++) {
    // Common random numbers: each kind of chance draws from its own stream, keyed by what it is about, so the
    // draws one policy makes and another does not (gate reads, counts, a refused sale) never shift the demand
    // or the noise the other sees, and the tills' concurrency never reorders them.
    const gates = (pass: string) => random.fork(`gate-${day}-${pass}`);
    const capacityAtStart = { read: meter.read, write: meter.write, requests: meter.requests };
    const breakdownAtStart = meter.breakdown();
    transfersToday = 0;
    purchaseOrdersToday = 0;
    purchaseOrderCostToday = 0;
    await setClock(at(day, 6));
    await chain.signIn(locations);
    world.findMisplaced(day);
    if (day === 1) await chain.call('admin', 'POST', `/campaigns/${campaignId}/start`, undefined, [200, 202]);

    // Deliveries from suppliers: the document (advance notice) and, with RFID, the dock gate's reads, in either order.
    // Each location's dock works on its own, at the same time as the others' (its passes one after another).
    const todaysDeliveries = deliveries.filter((d) => d.arriveDay === day);
    for (const delivery of todaysDeliveries) for (const unit of delivery.actual) world.put(delivery.locationId, unit.sku, unit.serials);
    const deliveriesStarted = performance.now();
    await eachLocation(todaysDeliveries, async (delivery) => {
      const r = gates(`delivery-${delivery.purchaseOrderId}-${delivery.locationId}`);
      const receiveDocument = () =>
        chain.call(delivery.locationId, 'POST', `/purchase-orders/${delivery.purchaseOrderId}/receipts`, {
          // A receipt id takes letters, digits, '.', '_' and '-'; HQ's order ids carry ':'.
          receiptId: `asn-${delivery.purchaseOrderId.replace(/[^A-Za-z0-9._-]/g, '-')}-${delivery.locationId}-${delivery.arriveDay}`,
          locationId: delivery.locationId,
          lines: delivery.documented,
        });
      if (!policy.rfid) await receiveDocument();
      else if (r.chance(0.5)) {
        await receiveDocument();
        await gatePass(delivery.locationId, 'DOCK', 'IN', delivery.actual, r);
      } else {
        await gatePass(delivery.locationId, 'DOCK', 'IN', delivery.actual, r);
        await receiveDocument();
      }
    });
    // Transfers arriving: the dock gate receives them (RFID), and staff receive by document what it did not read; or all by document.
    const arriving = shipments.filter((s) => s.arriveDay === day).map((shipment) => ({ ...shipment, locationId: shipment.to }));
    for (const shipment of arriving) for (const unit of shipment.units) world.put(shipment.to, unit.sku, unit.serials);
    await eachLocation(arriving, async (shipment) => {
      if (policy.rfid) await gatePass(shipment.to, 'DOCK', 'IN', shipment.units, gates(`transfer-${shipment.movementId}`));
      const transfer = await chain.call(shipment.to, 'GET', `/transfers/${shipment.movementId}`);
      const missing = (transfer.body?.lines ?? [])
        .filter((l: { missing: number }) => l.missing > 0)
        .map((l: { sku: string; missing: number }) => ({ sku: l.sku, qty: l.missing }));
      if (missing.length > 0)
        await chain.call(shipment.to, 'POST', `/transfers/${shipment.movementId}/receipts`, { receiptId: `rcv-${shipment.movementId}`, lines: missing });
    });
    spent['deliveries (dock gates, receipts)'] = (performance.now() - deliveriesStarted) / 1000;

    // Counts due: blind, counting what is on the shelf (misplaced units are not found), now and then off by one.
    if (policy.counts) {
      await timed('counts', () =>
        mapLimited(locations, locations.length, async (locationId) => {
          const counting = random.fork(`counts-${day}-${locationId}`);
          const due = await chain.call(locationId, 'GET', `/locations/${locationId}/counts-due`);
          const skus = [...new Set<string>((due.body?.items ?? []).map((item: { sku: string }) => item.sku))].slice(0, config.countsPerDay);
          const lines = skus.map((sku) => ({
            sku,
            qty: Math.max(0, world.shelf(locationId, sku).length + (counting.chance(noise.miscount) ? counting.pick([-1, 1]) : 0)),
          }));
          for (let i = 0; i < lines.length; i += 40)
            await chain.call(locationId, 'POST', '/movements', {
              movementId: `count-${locationId}-${day}-${i}`,
              type: 'COUNT',
              locationId,
              lines: lines.slice(i, i + 40),
            });
        }),
      );
    }

    // Replenishment: staff ship the transfers suggested, HQ orders the purchases (consolidated per supplier).
    await setClock(at(day, 7));
    // An hour has passed since the deliveries and counts, and the night's sweep: what the streams make of them is done
    // before staff read their suggestions (a fixed point, not a race with the local poller; about 0.2 s here).
    await timed('streams settle', () => cloud.settled());
    const staffStarted = performance.now();
    for (const locationId of stores) {
      const suggestions = await chain.all(locationId, `/replenishment/suggestions?locationId=${locationId}`);
      // What staff pick, suggestion by suggestion (one per SKU here, so no two touch the same shelf); then the transfers
      // are booked at the same time, and kept in suggestion order whatever order the answers come in.
      const picks: { movementId: string; from: string; sku: string; picked: number[] }[] = [];
      for (const suggestion of suggestions) {
        const from = suggestion.fromLocationId as string | undefined;
        const qty = (suggestion.kind === 'TRANSFER' ? suggestion.quantity : suggestion.transferQuantity) as number | undefined;
        const seen = `${suggestion.sku}|${locationId}|${suggestion.updatedAt}`;
        if (!from || !qty || actedOn.has(seen)) continue;
        actedOn.add(seen);
        const picked = world.take(from, suggestion.sku, qty);
        if (picked.length === 0) continue;
        picks.push({ movementId: `tr-${from}-${locationId}-${suggestion.sku}-${day}`, from, sku: suggestion.sku, picked });
      }
      const shipped = await mapLimited(picks, config.concurrency, ({ movementId, from, sku, picked }) =>
        chain.call(
          from,
          'POST',
          '/movements',
          { movementId, type: 'TRANSFER', locationId: from, toLocationId: locationId, ship: true, lines: [{ sku, qty: picked.length }] },
          [200, 201, 409],
        ),
      );
      for (const [i, { movementId, from, sku, picked }] of picks.entries()) {
        if (shipped[i]!.status === 201 || shipped[i]!.status === 200) {
          shipments.push({
            movementId,
            from,
            to: locationId,
            arriveDay: day + random.fork(`transit-${movementId}`).int(1, transferDays),
            units: [{ sku, serials: picked }],
          });
          transfersToday++;
        } else world.put(from, sku, picked);
      }
    }
    spent['staff transfers'] = (performance.now() - staffStarted) / 1000;
    // HQ orders after the transfers' stream work (reorder checks, promises) is done, not while it is under way.
    await timed('streams settle', () => cloud.settled());
    const hqStarted = performance.now();
    // A suggestion the streams closed meanwhile makes the run 409: HQ places the run again, as of now.
    let hq = await chain.call('admin', 'POST', '/replenishment/hq-orders', { runId: `hq-${config.seed}-${day}` }, [200, 201, 409]);
    if (hq.status === 409) hq = await chain.call('admin', 'POST', '/replenishment/hq-orders', { runId: `hq-${config.seed}-${day}-again` });
    for (const order of hq.body?.orders ?? []) {
      purchaseOrdersToday++;
      purchaseOrderCostToday += 5000;
      const byLocation = new Map<string, { sku: string; qty: number }[]>();
      for (const line of order.lines)
        for (const placement of line.locations)
          if (placement.placed > 0)
            byLocation.set(placement.locationId, [...(byLocation.get(placement.locationId) ?? []), { sku: line.sku, qty: placement.placed }]);
      // Each line arrives its own SKU's lead time later, as the product plans it (one delivery per location and arrival day);
      // delivering the whole order with its slowest line made the real lead time about 7 days for every SKU.
      const byArrival = new Map<string, { locationId: string; leadTime: number; lines: { sku: string; qty: number }[] }>();
      for (const [locationId, lines] of byLocation)
        for (const line of lines) {
          const leadTime = bySku.get(line.sku)!.leadTimeDays;
          const key = `${locationId}|${leadTime}`;
          byArrival.set(key, { locationId, leadTime, lines: [...(byArrival.get(key)?.lines ?? []), line] });
        }
      for (const { locationId, leadTime, lines } of byArrival.values()) {
        const actual = lines.map((line) => {
          const r = random.fork(`supplier-${day}-${locationId}-${line.sku}`);
          if (!r.chance(noise.supplierErrors)) return { sku: line.sku, serials: world.make(line.sku, line.qty) };
          const kind = r.pick(['short', 'over', 'wrong'] as const);
          if (kind === 'short')
            return { sku: line.sku, serials: world.make(line.sku, Math.max(0, line.qty - r.int(1, Math.max(1, Math.floor(line.qty / 4))))) };
          if (kind === 'over') return { sku: line.sku, serials: world.make(line.sku, line.qty + r.int(1, 2)) };
          const other = products[(products.findIndex((p) => p.sku === line.sku) + 1) % products.length]!.sku;
          return { sku: other, serials: world.make(other, line.qty) };
        });
        deliveries.push({ purchaseOrderId: order.purchaseOrderId, locationId, arriveDay: day + leadTime, documented: lines, actual });
      }
    }

    spent['HQ orders'] = (performance.now() - hqStarted) / 1000;

    // Selling hours.
    const offline = random.fork(`offline-${day}`);
    const offlineStores = new Set(stores.filter(() => offline.chance(noise.offlineTills)));
    const demandedToday = new Map<string, number>();
    const soldToday = new Map<string, number>();
    const offlineToday = new Map<string, number>();
    const add = (map: Map<string, number>, key: string, qty: number) => map.set(key, (map.get(key) ?? 0) + qty);
    const lateSales: LateSale[] = [];

    /** A sale, now and then sent twice (the till lost the first answer): the second must be the first's replay. */
    const postSale = async (locationId: string, request: Record<string, unknown>, r: Random) => {
      const first = await chain.call(locationId, 'POST', '/sales', request, [200, 201, 409]);
      if (r.chance(noise.retries)) await chain.call(locationId, 'POST', '/sales', request, [200, 201, 409]);
      return first;
    };

    // What left the stores in a block (sold units, paid for, and stolen ones) passes the exit gates when the block ends.
    let exits = new Map<string, { sku: string; serials: number[] }[]>();
    let passes = 0;
    const passExits = async () => {
      // The stores' exit gates report at the same time, each its own pass.
      if (policy.rfid)
        await Promise.all([...exits].map(([locationId, units]) => gatePass(locationId, 'EXIT', 'OUT', units, gates(`exit-${passes++}-${locationId}`))));
      exits = new Map(stores.map((s) => [s, []]));
    };
    for (const [blockIndex, hour] of tradingBlocks.entries()) {
      await setClock(at(day, hour));
      await timed('exit gates', passExits);
      // An offline store-day's tills are down 12:00-15:00 and post that block's sales at 15:00, after the gate saw the goods leave.
      const online = (store: string) => !offlineStores.has(store) || hour !== 12;
      const due = lateSales.filter((s) => online(s.locationId));
      lateSales.splice(0, lateSales.length, ...lateSales.filter((s) => !due.includes(s)));
      // The goods left with the customers whatever the answer; an offline sale is never refused for stock.
      for (const late of due) await chain.call(late.locationId, 'POST', '/sales', late.request, [200, 201]);
      const baskets: { locationId: string; store: number; lines: Line[] }[] = [];
      const demand = random.fork(`demand-${day}-${blockIndex}`);
      for (const [store, locationId] of stores.entries()) {
        const wanted: Line[] = [];
        for (let index = 0; index < products.length; index++) {
          const qty = demand.poisson(plan.expected(store, index, day) * blockShare(blockIndex));
          if (qty > 0) wanted.push({ sku: products[index]!.sku, qty });
        }
        // A flash sale's big lines go one basket per 50 units: the till sends at most 50 EPCs per line.
        for (const line of wanted.filter((l) => l.qty > unitsPerLine))
          for (let left = line.qty; left > 0; left -= unitsPerLine)
            baskets.push({ locationId, store, lines: [{ sku: line.sku, qty: Math.min(unitsPerLine, left) }] });
        const small = wanted.filter((l) => l.qty <= unitsPerLine);
        while (small.length > 0) baskets.push({ locationId, store, lines: small.splice(0, demand.int(1, 3)) });
      }
      await timed('selling', () =>
        mapLimited([...baskets.keys()], config.concurrency, async (basketIndex) => {
          const basket = baskets[basketIndex]!;
          const { locationId } = basket;
          // The customer's own chances (member, redemption, a retried till, returns), whatever the shelf did.
          const r = random.fork(`basket-${day}-${blockIndex}-${basketIndex}`);
          const memberIndex = members.length > 0 && r.chance(0.4) ? r.int(0, members.length - 1) : undefined;
          const redeems = r.chance(0.3);
          const lateMinute = r.int(0, 170);
          const lines: { sku: string; serials: number[] }[] = [];
          for (const line of basket.lines) {
            add(demandedToday, `${locationId}|${line.sku}`, line.qty);
            const serials = world.take(locationId, line.sku, line.qty);
            if (serials.length > 0) lines.push({ sku: line.sku, serials });
          }
          if (lines.length === 0) return;
          const member = memberIndex === undefined ? undefined : members[memberIndex]!;
          const saleId = `sale-${locationId}-${day}-${hour}-${basketIndex}`;
          const request: Record<string, unknown> = {
            saleId,
            locationId,
            ...(member ? { memberId: member.memberId } : {}),
            ...(member && member.points >= 500 && redeems ? { redeemPoints: 200 } : {}),
            lines: lines.map((l) => ({
              sku: l.sku,
              qty: l.serials.length,
              unitPrice: bySku.get(l.sku)!.price,
              ...(policy.rfid ? { epcs: epcs(l.sku, l.serials) } : {}),
            })),
          };
          if (!online(locationId)) {
            lateSales.push({ locationId, request: { ...request, occurredAt: at(day, hour, lateMinute).toISOString() } });
            for (const l of lines) {
              add(soldToday, `${locationId}|${l.sku}`, l.serials.length);
              add(offlineToday, `${locationId}|${l.sku}`, l.serials.length);
            }
            exits.get(locationId)!.push(...lines);
            return;
          }
          let answer = await postSale(locationId, request, r);
          // Refused for stock the shelf has: the books are short. Staff count the SKUs, then the till tries again.
          if (answer.status === 409 && policy.counts) {
            const short = lines.map((l) => ({ sku: l.sku, qty: world.shelf(locationId, l.sku).length + l.serials.length }));
            await chain.call(locationId, 'POST', '/movements', { movementId: `till-count-${saleId}`, type: 'COUNT', locationId, lines: short });
            answer = await chain.call(locationId, 'POST', '/sales', request, [200, 201, 409]);
          }
          if (answer.status !== 201 && answer.status !== 200) {
            for (const l of lines) world.put(locationId, l.sku, l.serials);
            return;
          }
          for (const l of lines) add(soldToday, `${locationId}|${l.sku}`, l.serials.length);
          exits.get(locationId)!.push(...lines);
          if (member) member.points = answer.body?.member?.points?.available ?? member.points;
          if (member)
            for (const l of lines)
              if (r.chance(noise.returns)) returnsDue.push({ day: day + r.int(1, 3), saleId, locationId, sku: l.sku, serials: l.serials.slice(0, 1) });
        }),
      );

      // Midday trouble: theft (out through the exit), damage found, units put in the wrong place.
      const troubleStarted = performance.now();
      if (hour === 12) {
        // Damage staff book: each its own SKU and location, booked at the same time once the shelves are walked.
        const damageBooked: { locationId: string; sku: string; qty: number }[] = [];
        for (const locationId of stores)
          for (const product of products) {
            const r = random.fork(`trouble-${day}-${locationId}-${product.sku}`);
            const shelf = world.shelf(locationId, product.sku).length;
            const stolen = world.steal(locationId, product.sku, r.poisson(noise.theft * shelf));
            if (stolen.length > 0) exits.get(locationId)!.push({ sku: product.sku, serials: stolen });
            const damaged = world.take(locationId, product.sku, r.poisson(noise.damage * shelf));
            if (damaged.length > 0 && r.chance(noise.damageBooked)) damageBooked.push({ locationId, sku: product.sku, qty: damaged.length });
            const misplaced = r.poisson(noise.misplace * shelf);
            if (misplaced > 0) world.misplace(locationId, product.sku, misplaced, day + r.int(2, 5));
          }
        await mapLimited(damageBooked, config.concurrency, ({ locationId, sku, qty }) =>
          chain.call(
            locationId,
            'POST',
            '/movements',
            { movementId: `damage-${locationId}-${sku}-${day}`, type: 'ADJUSTMENT', reason: 'DAMAGED', locationId, lines: [{ sku, qty }] },
            [200, 201, 409],
          ),
        );
      }
      spent['theft, damage, misplacing'] = (spent['theft, damage, misplacing'] ?? 0) + (performance.now() - troubleStarted) / 1000;
      const returnsStarted = performance.now();
      if (hour === 9) {
        // Returns of different sales at the same time (those of one sale one after another, as one customer brings them);
        // back on the shelf in the order they came.
        const returning = returnsDue.filter((d) => d.day === day);
        const bySale = new Map<string, number[]>();
        for (const [i, due] of returning.entries()) bySale.set(due.saleId, [...(bySale.get(due.saleId) ?? []), i]);
        const answers: Awaited<ReturnType<ChainClient['call']>>[] = [];
        await mapLimited([...bySale.values()], config.concurrency, async (indexes) => {
          for (const i of indexes) {
            const due = returning[i]!;
            answers[i] = await chain.call(
              due.locationId,
              'POST',
              `/sales/${due.saleId}/returns`,
              {
                returnId: `ret-${due.saleId}-${due.sku}`,
                lines: [{ sku: due.sku, qty: due.serials.length, ...(policy.rfid ? { epcs: epcs(due.sku, due.serials) } : {}) }],
              },
              [200, 201, 409],
            );
          }
        });
        for (const [i, due] of returning.entries())
          if (answers[i]!.status === 201 || answers[i]!.status === 200) world.put(due.locationId, due.sku, due.serials);
      }
      spent.returns = (spent.returns ?? 0) + (performance.now() - returnsStarted) / 1000;
    }

    // Closing: the last exits, stream work done, the ABC run once there is history, then the day's score.
    await setClock(at(day, 21));
    await timed('exit gates', passExits);
    await timed('streams settle', () => cloud.settled());
    if (day === 2) await chain.call('admin', 'POST', '/analytics/abc/runs', { runId: `abc-${config.seed}-${day}`, config: abcConfig });
    const capacity = {
      read: meter.read - capacityAtStart.read,
      write: meter.write - capacityAtStart.write,
      requests: meter.requests - capacityAtStart.requests,
    };
    capacityUse = topConsumers(
      [...capacityUse, ...breakdownSince(meter.breakdown(), breakdownAtStart)],
      ['caller', 'operation', 'table', 'kind'],
      Number.POSITIVE_INFINITY,
    );
    const scoringStarted = performance.now();
    const catalogueNow = new Map((await chain.all('admin', '/products')).map((p) => [p.sku as string, p]));
    const positions: Position[] = [];
    for (const locationId of locations) {
      const levels = new Map((await chain.all(locationId, `/locations/${locationId}/stock`)).map((level) => [level.sku as string, level]));
      for (const product of products) {
        const level = levels.get(product.sku);
        const listed = catalogueNow.get(product.sku);
        const key = `${locationId}|${product.sku}`;
        positions.push({
          locationId,
          sku: product.sku,
          store: locationId !== warehouseId,
          abcClass: (listed?.abcClass ?? 'unclassified') as AbcClass,
          serviceTarget: listed?.abcPolicy?.serviceLevel,
          system: { onHand: level?.onHand ?? 0, available: level?.available ?? 0 },
          truth: { onHand: world.onHand(locationId, product.sku), shelf: world.shelf(locationId, product.sku).length },
          holdingCostPerUnitYear: product.holdingCostPerUnitYear,
          demanded: demandedToday.get(key) ?? 0,
          sold: soldToday.get(key) ?? 0,
          offlineSales: offlineToday.get(key) ?? 0,
        });
      }
    }
    if (process.env.SIM_DEBUG)
      for (const p of positions.filter((p) => p.system.onHand !== p.truth.onHand).slice(0, 6)) {
        const ledger = await chain.all('admin', `/movements?sku=${p.sku}&locationId=${p.locationId}`);
        log(
          `MISMATCH ${p.locationId} ${p.sku} system ${p.system.onHand} truth ${p.truth.onHand}: ${ledger.map((e) => `${e.type}${e.absorbedBy ? '(absorbed)' : ''} ${e.qty ?? ''}${e.confirmed ? ` c${e.confirmed}` : ''} ${e.movementId}`).join('; ')}`,
        );
      }
    spent.scoring = (performance.now() - scoringStarted) / 1000;
    const score = scoreDay(day, at(day, 0).toISOString().slice(0, 10), positions, {
      purchaseOrders: purchaseOrdersToday,
      purchaseOrderCost: purchaseOrderCostToday,
      transfers: transfersToday,
      transferCost: transfersToday * transferCost,
      capacity,
    });
    days.push(score);
    log(
      `${policy.name} day ${day + 1}/${config.days} ${score.date}: accuracy ${(score.accuracy * 100).toFixed(1)} %, phantom ${score.phantomPositions}, OOS ${(score.outOfStockRate * 100).toFixed(1)} %, POs ${score.purchaseOrders}, transfers ${score.transfers}, WCU ${Math.round(capacity.write)}; ${Object.entries(
        spent,
      )
        .sort(([, a], [, b]) => b - a)
        .map(([phase, seconds]) => `${phase} ${seconds.toFixed(1)} s`)
        .join(', ')}`,
    );
    spent = {};
  }

  const wrapUpStarted = performance.now();
  const duplicateBookings = await countDuplicateBookings(chain, locations);
  const memberScore = await scoreMembers(
    chain,
    cloud,
    members.map((m) => m.memberId),
    campaignId,
  );
  await chain.close();
  log(`${policy.name} wrap-up: ${((performance.now() - wrapUpStarted) / 1000).toFixed(1)} s`);
  return { score: scoreRun(policy.name, days, duplicateBookings, memberScore, capacityUse), world, problems: chain.problems };
};

/** Ledger entries booked twice: the same movement id and SKU at a location more than once. */
const countDuplicateBookings = async (chain: ChainClient, locations: readonly string[]): Promise<number> => {
  let duplicates = 0;
  for (const locationId of locations) {
    const seen = new Set<string>();
    for (const entry of await chain.all('admin', `/movements?locationId=${locationId}`)) {
      const key = `${entry.movementId}|${entry.sku}|${entry.type}`;
      if (seen.has(key)) duplicates++;
      seen.add(key);
    }
  }
  return duplicates;
};

const scoreMembers = async (chain: ChainClient, cloud: LocalCloud, memberIds: readonly string[], campaignId: string): Promise<Members> => {
  let pointsLiability = 0;
  let gifts = 0;
  await mapLimited(memberIds, 4, async (memberId) => {
    const points = await chain.call('admin', 'GET', `/members/${memberId}/points`);
    pointsLiability += (points.body?.available ?? 0) + (points.body?.pending ?? 0);
    const entries = await chain.all('admin', `/members/${memberId}/points/entries`);
    gifts += entries.filter((e) => /GIFT|WELCOME|BIRTHDAY/.test(String(e.reason ?? ''))).length;
  });
  const campaign = await chain.call('admin', 'GET', `/campaigns/${campaignId}`);
  const counts = (campaign.body?.counts ?? {}) as Record<string, number>;
  const outbox = (await (await fetch(`${cloud.url}/_local/outbox`)).json()) as { items: unknown[] };
  return {
    members: memberIds.length,
    pointsLiability,
    gifts,
    messagesSent: outbox.items.length,
    messagesDeferred: counts.DEFERRED ?? 0,
    messagesSkipped: counts.SKIPPED ?? 0,
  };
};

/** The first simulated day: the Monday after `now`, UTC midnight. */
export const nextMonday = (now: Date): Date => {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = (8 - new Date(midnight).getUTCDay()) % 7 || 7;
  return new Date(midnight + days * dayMillis);
};

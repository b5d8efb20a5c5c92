/**
 * The scorecard: pure functions from what the product says (levels, classes,
 * orders) and what is physically true (shelves, demand met and lost) to the
 * figures retail judges an inventory system by. Only the scorer sees both.
 */
import { type CapacityDimension, type CapacityUse, onDemandUsd, topConsumers } from '../bench/capacity.ts';

export type AbcClass = 'A' | 'B' | 'C' | 'unclassified';
export const classes: readonly AbcClass[] = ['A', 'B', 'C', 'unclassified'];

/** One SKU at one location at the end of a day. */
export interface Position {
  readonly locationId: string;
  readonly sku: string;
  readonly store: boolean;
  readonly abcClass: AbcClass;
  /** The cycle service level the product plans this SKU with (its class policy), when classified. */
  readonly serviceTarget?: number;
  readonly system: { readonly onHand: number; readonly available: number };
  readonly truth: { readonly onHand: number; readonly shelf: number };
  readonly holdingCostPerUnitYear: number;
  /** Units customers wanted here today, and those they got. */
  readonly demanded: number;
  readonly sold: number;
  /** Sales of this position posted late by an offline till today (these may take available below zero). */
  readonly offlineSales: number;
}

export interface DayActivity {
  readonly purchaseOrders: number;
  readonly purchaseOrderCost: number;
  readonly transfers: number;
  readonly transferCost: number;
  readonly capacity: { readonly read: number; readonly write: number; readonly requests: number };
}

export interface ClassService {
  readonly demanded: number;
  readonly sold: number;
  /** Units sold / units wanted. */
  readonly fillRate: number;
  /** Share of store SKU-days on which no customer went without (the cycle service level the reorder point aims at). */
  readonly cycleService: number;
  readonly target?: number;
}

export interface DayScore {
  readonly day: number;
  readonly date: string;
  /** Share of SKU-locations whose system onHand is exactly the physical count. */
  readonly accuracy: number;
  readonly meanAbsoluteError: number;
  /** Store SKU-locations the system shows available while the shelf is empty. */
  readonly phantomPositions: number;
  readonly phantomLostUnits: number;
  /** Share of store SKU-locations with an empty shelf at closing. */
  readonly outOfStockRate: number;
  readonly service: Record<AbcClass, ClassService>;
  /** Physical units at cost of holding, for the day (minor units). */
  readonly holdingCost: number;
  readonly purchaseOrders: number;
  readonly transfers: number;
  readonly orderCost: number;
  /** Positions below zero available that no offline sale explains: the product let an online sale oversell. */
  readonly oversell: number;
  readonly negativeFromOffline: number;
  readonly capacity: DayActivity['capacity'] & { readonly usd: number };
}

const share = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);

export const scoreDay = (day: number, date: string, positions: readonly Position[], activity: DayActivity): DayScore => {
  const exact = positions.filter((p) => p.system.onHand === p.truth.onHand).length;
  const absoluteError = positions.reduce((sum, p) => sum + Math.abs(p.system.onHand - p.truth.onHand), 0);
  const stores = positions.filter((p) => p.store);
  const phantom = stores.filter((p) => p.system.available > 0 && p.truth.shelf === 0);
  const service = Object.fromEntries(
    classes.map((abcClass) => {
      const of = stores.filter((p) => p.abcClass === abcClass);
      const demanded = of.reduce((sum, p) => sum + p.demanded, 0);
      const sold = of.reduce((sum, p) => sum + p.sold, 0);
      const wanted = of.filter((p) => p.demanded > 0);
      const targets = of.map((p) => p.serviceTarget).filter((t): t is number => t !== undefined);
      return [
        abcClass,
        {
          demanded,
          sold,
          fillRate: share(sold, demanded),
          cycleService: share(wanted.filter((p) => p.sold >= p.demanded).length, wanted.length),
          target: targets.length > 0 ? targets.reduce((a, b) => a + b, 0) / targets.length : undefined,
        },
      ];
    }),
  ) as Record<AbcClass, ClassService>;
  const negative = positions.filter((p) => p.system.available < 0);
  return {
    day,
    date,
    accuracy: share(exact, positions.length),
    meanAbsoluteError: positions.length === 0 ? 0 : absoluteError / positions.length,
    phantomPositions: phantom.length,
    phantomLostUnits: phantom.reduce((sum, p) => sum + (p.demanded - p.sold), 0),
    outOfStockRate: share(stores.filter((p) => p.truth.shelf === 0).length, stores.length),
    service,
    holdingCost: positions.reduce((sum, p) => sum + (p.truth.onHand * p.holdingCostPerUnitYear) / 365, 0),
    purchaseOrders: activity.purchaseOrders,
    transfers: activity.transfers,
    orderCost: activity.purchaseOrderCost + activity.transferCost,
    oversell: negative.filter((p) => p.offlineSales === 0).length,
    negativeFromOffline: negative.filter((p) => p.offlineSales > 0).length,
    capacity: { ...activity.capacity, usd: onDemandUsd(activity.capacity) },
  };
};

export interface Members {
  readonly members: number;
  /** Points members hold (available and pending), and their value at 1 point = 1 minor unit. */
  readonly pointsLiability: number;
  readonly gifts: number;
  readonly messagesSent: number;
  readonly messagesDeferred: number;
  readonly messagesSkipped: number;
}

export interface RunScore {
  readonly policy: string;
  readonly days: readonly DayScore[];
  /** The last day's state (accuracy, error, phantom positions), the days' flows summed, the out-of-stock rate and service over all days. */
  readonly final: Pick<
    DayScore,
    | 'accuracy'
    | 'meanAbsoluteError'
    | 'phantomPositions'
    | 'phantomLostUnits'
    | 'outOfStockRate'
    | 'service'
    | 'holdingCost'
    | 'purchaseOrders'
    | 'transfers'
    | 'orderCost'
    | 'oversell'
  > & {
    readonly meanAccuracy: number;
    readonly duplicateBookings: number;
    readonly capacity: DayScore['capacity'] & { readonly perDay: { read: number; write: number; requests: number; usd: number } };
  };
  readonly members: Members;
  /** Where the days' capacity went: every caller, operation, table and kind of item, largest write first; and the top rows by each dimension alone. */
  readonly capacityUse?: {
    readonly rows: readonly CapacityUse[];
    readonly top: Record<CapacityDimension, readonly CapacityUse[]>;
  };
}

/** The month's breakdown, summed: its rows largest first, and the top rows by caller, operation, table and kind alone. */
export const capacityUseOf = (rows: readonly CapacityUse[]): NonNullable<RunScore['capacityUse']> => ({
  rows: topConsumers(rows, ['caller', 'operation', 'table', 'kind'], Number.POSITIVE_INFINITY),
  top: {
    caller: topConsumers(rows, ['caller'], 15),
    operation: topConsumers(rows, ['operation'], 15),
    table: topConsumers(rows, ['table'], 15),
    kind: topConsumers(rows, ['kind'], 15),
  },
});

const sum = (days: readonly DayScore[], pick: (d: DayScore) => number) => days.reduce((total, d) => total + pick(d), 0);

/** The run's figures: the last day's state, the month's flows, and service over every day. */
export const scoreRun = (
  policy: string,
  days: readonly DayScore[],
  duplicateBookings: number,
  members: Members,
  capacityUse?: readonly CapacityUse[],
): RunScore => {
  const last = days[days.length - 1];
  if (!last) throw new Error('a run has at least one day');
  const service = Object.fromEntries(
    classes.map((abcClass) => {
      const demanded = sum(days, (d) => d.service[abcClass].demanded);
      const sold = sum(days, (d) => d.service[abcClass].sold);
      const withDemand = days.filter((d) => d.service[abcClass].demanded > 0);
      return [
        abcClass,
        {
          demanded,
          sold,
          fillRate: share(sold, demanded),
          cycleService: withDemand.length === 0 ? 1 : sum(withDemand, (d) => d.service[abcClass].cycleService) / withDemand.length,
          target: last.service[abcClass].target,
        },
      ];
    }),
  ) as Record<AbcClass, ClassService>;
  const capacity = { read: sum(days, (d) => d.capacity.read), write: sum(days, (d) => d.capacity.write), requests: sum(days, (d) => d.capacity.requests) };
  const usd = onDemandUsd(capacity);
  return {
    policy,
    days,
    final: {
      accuracy: last.accuracy,
      meanAbsoluteError: last.meanAbsoluteError,
      meanAccuracy: sum(days, (d) => d.accuracy) / days.length,
      phantomPositions: last.phantomPositions,
      phantomLostUnits: sum(days, (d) => d.phantomLostUnits),
      outOfStockRate: sum(days, (d) => d.outOfStockRate) / days.length,
      service,
      holdingCost: sum(days, (d) => d.holdingCost),
      purchaseOrders: sum(days, (d) => d.purchaseOrders),
      transfers: sum(days, (d) => d.transfers),
      orderCost: sum(days, (d) => d.orderCost),
      oversell: sum(days, (d) => d.oversell),
      duplicateBookings,
      capacity: {
        ...capacity,
        usd,
        perDay: { read: capacity.read / days.length, write: capacity.write / days.length, requests: capacity.requests / days.length, usd: usd / days.length },
      },
    },
    members,
    ...(capacityUse ? { capacityUse: capacityUseOf(capacityUse) } : {}),
  };
};

/** Units sold in stores over the month (every class). */
export const unitsSold = (run: RunScore): number => classes.reduce((total, c) => total + run.final.service[c].sold, 0);

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
const money = (minor: number) => (minor / 100).toFixed(0);

/** The comparison table: one column per policy. */
export const scorecardTable = (runs: readonly RunScore[]): string => {
  const rows: [string, (run: RunScore) => string][] = [
    ['inventory record accuracy (end)', (r) => percent(r.final.accuracy)],
    ['accuracy, mean of days', (r) => percent(r.final.meanAccuracy)],
    ['mean absolute error, units', (r) => r.final.meanAbsoluteError.toFixed(2)],
    ['phantom positions (end)', (r) => String(r.final.phantomPositions)],
    ['units lost to phantom stock', (r) => String(r.final.phantomLostUnits)],
    ['out-of-stock rate (store, mean)', (r) => percent(r.final.outOfStockRate)],
    ...(['A', 'B', 'C'] as const).map((c): [string, (run: RunScore) => string] => [
      `service ${c}: fill / cycle (target)`,
      (r) => {
        const s = r.final.service[c];
        return `${percent(s.fillRate)} / ${percent(s.cycleService)}${s.target === undefined ? '' : ` (${percent(s.target)})`}`;
      },
    ]),
    ['holding cost, EUR', (r) => money(r.final.holdingCost)],
    ['purchase orders / transfers', (r) => `${r.final.purchaseOrders} / ${r.final.transfers}`],
    ['order cost, EUR', (r) => money(r.final.orderCost)],
    ['oversell (online)', (r) => String(r.final.oversell)],
    ['duplicate bookings', (r) => String(r.final.duplicateBookings)],
    ['points liability, EUR', (r) => money(r.members.pointsLiability)],
    [
      'gifts / messages sent / deferred / skipped',
      (r) => `${r.members.gifts} / ${r.members.messagesSent} / ${r.members.messagesDeferred} / ${r.members.messagesSkipped}`,
    ],
    ['DynamoDB WCU / RCU per day', (r) => `${Math.round(r.final.capacity.perDay.write)} / ${Math.round(r.final.capacity.perDay.read)}`],
    ['DynamoDB requests per day', (r) => String(Math.round(r.final.capacity.perDay.requests))],
    [
      'per unit sold: WCU / RCU / requests',
      (r) => {
        const units = Math.max(1, unitsSold(r));
        return `${(r.final.capacity.write / units).toFixed(1)} / ${(r.final.capacity.read / units).toFixed(1)} / ${(r.final.capacity.requests / units).toFixed(1)}`;
      },
    ],
    ['USD per day on demand', (r) => r.final.capacity.perDay.usd.toFixed(4)],
  ];
  return table(
    ['', ...runs.map((r) => r.policy)],
    rows.map(([label, value]) => [label, ...runs.map(value)]),
  );
};

/**
 * Policies over several seeds: one column per policy, each figure the mean
 * over the seeds with its range, so a difference can be read against the
 * spread the seeds alone make.
 */
export const seedsTable = (byPolicy: readonly { readonly policy: string; readonly runs: readonly RunScore[] }[]): string => {
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const spread = (runs: readonly RunScore[], pick: (r: RunScore) => number, show: (v: number) => string) => {
    const values = runs.map(pick);
    return values.length < 2 ? show(mean(values)) : `${show(mean(values))} (${show(Math.min(...values))}–${show(Math.max(...values))})`;
  };
  const rows: [string, (r: RunScore) => number, (v: number) => string][] = [
    ['inventory record accuracy (end)', (r) => r.final.accuracy, percent],
    ['accuracy, mean of days', (r) => r.final.meanAccuracy, percent],
    ['mean absolute error, units', (r) => r.final.meanAbsoluteError, (v) => v.toFixed(2)],
    ['phantom positions (end)', (r) => r.final.phantomPositions, (v) => v.toFixed(1)],
    ['out-of-stock rate (store, mean)', (r) => r.final.outOfStockRate, percent],
    ...(['A', 'B', 'C'] as const).flatMap((c): [string, (r: RunScore) => number, (v: number) => string][] => [
      [`service ${c}: fill`, (r) => r.final.service[c].fillRate, percent],
      [`service ${c}: cycle`, (r) => r.final.service[c].cycleService, percent],
    ]),
    ['units sold', (r) => unitsSold(r), (v) => v.toFixed(0)],
    ['holding cost, EUR', (r) => r.final.holdingCost, money],
    ['purchase orders', (r) => r.final.purchaseOrders, (v) => v.toFixed(1)],
    ['transfers', (r) => r.final.transfers, (v) => v.toFixed(0)],
    ['order cost, EUR', (r) => r.final.orderCost, money],
    ['oversell / duplicate bookings', (r) => r.final.oversell + r.final.duplicateBookings, (v) => v.toFixed(0)],
    ['WCU per unit sold', (r) => r.final.capacity.write / Math.max(1, unitsSold(r)), (v) => v.toFixed(1)],
    ['RCU per unit sold', (r) => r.final.capacity.read / Math.max(1, unitsSold(r)), (v) => v.toFixed(1)],
  ];
  return table(
    ['', ...byPolicy.map((p) => p.policy)],
    rows.map(([label, pick, show]) => [label, ...byPolicy.map((p) => spread(p.runs, pick, show))]),
  );
};

/** The top capacity consumers of a run: who (caller), how (operation), where (table, kind of item), with their share of the month's writes. */
export const consumersTable = (run: RunScore, limit = 15): string => {
  const rows = run.capacityUse?.rows ?? [];
  const write = rows.reduce((total, row) => total + row.write, 0);
  const units = Math.max(1, unitsSold(run));
  return table(
    ['caller', 'operation', 'table', 'kind', 'WCU', 'share', 'WCU/unit sold', 'failed WCU', 'requests', 'RCU'],
    rows
      .slice(0, limit)
      .map((row) => [
        row.caller,
        row.operation,
        row.table,
        row.kind,
        String(Math.round(row.write)),
        percent(share(row.write, write)),
        (row.write / units).toFixed(2),
        String(Math.round(row.failedWrites)),
        String(row.requests),
        String(Math.round(row.read)),
      ]),
  );
};

/** The days of one run, a row each. */
export const dailyTable = (run: RunScore): string => {
  const header = ['day', 'accuracy', 'MAE', 'phantom', 'OOS', 'fill A/B/C', 'POs', 'transfers', 'WCU', 'RCU', 'USD'];
  const rows = run.days.map((d) => [
    d.date,
    percent(d.accuracy),
    d.meanAbsoluteError.toFixed(2),
    String(d.phantomPositions),
    percent(d.outOfStockRate),
    (['A', 'B', 'C'] as const).map((c) => (d.service[c].demanded === 0 ? '-' : percent(d.service[c].fillRate))).join(' '),
    String(d.purchaseOrders),
    String(d.transfers),
    String(Math.round(d.capacity.write)),
    String(Math.round(d.capacity.read)),
    d.capacity.usd.toFixed(4),
  ]);
  return table(header, rows);
};

const table = (header: readonly string[], body: readonly (readonly string[])[]): string => {
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i]!.length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
};

/** The console's views: a SKU across the chain, a location, reorder suggestions, gates, ABC, a campaign. */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Api, ApiError, requestId } from './api.ts';
import type { GateEvent, LiveLevel, LiveState, StockLevel, VersionGate } from './live.ts';
import { ParetoChart, type ParetoPoint } from './pareto.ts';
import { Empty, Failure, formatTime, Loading, useLoad } from './ui.ts';

export interface Location {
  readonly locationId: string;
  readonly name: string;
  readonly type: string;
}

/** What every view gets: the API, the locations known, and the live levels. */
export interface ViewContext {
  readonly api: Api;
  readonly role: string;
  readonly locations: readonly Location[];
  readonly versions: VersionGate;
  readonly onLevel: (listener: (level: LiveLevel) => void) => () => void;
}

const nameOf = (ctx: ViewContext, locationId: string) => ctx.locations.find((l) => l.locationId === locationId)?.name ?? locationId;

/** Levels kept in state, replaced by newer pushed ones (the version gate already dropped older ones). */
const useLiveLevels = (ctx: ViewContext, initial: readonly StockLevel[] | undefined, matches: (level: LiveLevel) => boolean) => {
  const [levels, setLevels] = useState<readonly (StockLevel & { movementType?: string; live?: boolean })[]>([]);
  // The latest filter (the SKU or location shown now), read by the one listener.
  const matching = useRef(matches);
  matching.current = matches;
  useEffect(() => {
    for (const level of initial ?? []) ctx.versions.note(level);
    setLevels(initial ?? []);
  }, [initial, ctx.versions]);
  useEffect(
    () =>
      ctx.onLevel((level) => {
        if (!matching.current(level)) return;
        setLevels((current) => {
          const at = current.findIndex((l) => l.sku === level.sku && l.locationId === level.locationId);
          const next = { ...level, live: true };
          return at < 0 ? [...current, next] : current.map((l, i) => (i === at ? next : l));
        });
      }),
    [ctx.onLevel],
  );
  return levels;
};

const LevelCells = ({ level }: { level: StockLevel }) =>
  html`${(['available', 'reserved', 'incoming', 'damaged', 'onHand'] as const).map((field) => html`<td class="num" data-field=${field}>${level[field]}</td>`)}`;

/** A SKU across the chain: every location's available / reserved / incoming / damaged, live. */
export const SkuView = ({ ctx, sku }: { ctx: ViewContext; sku: string }) => {
  const [input, setInput] = useState(sku);
  useEffect(() => setInput(sku), [sku]);
  const [loaded, reload] = useLoad(
    () => (sku ? ctx.api<{ sku: string; levels: StockLevel[] }>('GET', `/stock/${encodeURIComponent(sku)}`) : Promise.resolve(undefined)),
    [sku],
  );
  const levels = useLiveLevels(ctx, loaded.state === 'ok' ? loaded.data?.levels : undefined, (l) => l.sku === sku);
  return html`<section aria-labelledby="sku-title">
    <h2 id="sku-title">A SKU across the chain</h2>
    <form class="inline" onSubmit=${(e: Event) => {
      e.preventDefault();
      location.hash = `#/sku/${encodeURIComponent(input.trim())}`;
    }}>
      <label>SKU <input name="sku" value=${input} onInput=${(e: Event) => setInput((e.target as HTMLInputElement).value)} placeholder="e.g. SNEAKER-42" /></label>
      <button type="submit">Open</button>
    </form>
    ${
      !sku
        ? html`<${Empty}>Enter a SKU to see its stock at every location.<//>`
        : loaded.state === 'loading'
          ? html`<${Loading} what=${`stock of ${sku}`} />`
          : loaded.state === 'error'
            ? html`<${Failure} error=${loaded.error} retry=${reload} />`
            : levels.length === 0
              ? html`<${Empty}>No stock of ${sku} at any location you can see.<//>`
              : html`<div class="table-wrap"><table data-testid="sku-levels">
                  <caption>${sku}: ${levels.length} location${levels.length === 1 ? '' : 's'}</caption>
                  <thead><tr><th>Location</th><th class="num">Available</th><th class="num">Reserved</th><th class="num">Incoming</th><th class="num">Damaged</th><th class="num">On hand</th><th>Last change</th></tr></thead>
                  <tbody>${levels.map(
                    (l) => html`<tr key=${l.locationId} data-testid=${`level-${l.locationId}`} class=${l.live ? 'flash' : ''}>
                      <th scope="row"><a href=${`#/location/${encodeURIComponent(l.locationId)}`}>${nameOf(ctx, l.locationId)}</a> <small>${l.locationId}</small></th>
                      <${LevelCells} level=${l} />
                      <td><small>${l.movementType ? `${l.movementType}, ` : ''}${formatTime(l.updatedAt)}</small></td>
                    </tr>`,
                  )}</tbody>
                </table></div>`
    }
  </section>`;
};

interface CountDue {
  readonly sku: string;
  readonly abcClass?: string;
  readonly dueAt: string;
  readonly reason: string;
}

/** A location's stock (all, or at/below reorder point) and its counts due. */
export const LocationView = ({ ctx, locationId }: { ctx: ViewContext; locationId: string }) => {
  const [low, setLow] = useState(false);
  const [stock, reload] = useLoad(
    () =>
      locationId
        ? ctx.api<{ items: StockLevel[] }>('GET', `/locations/${encodeURIComponent(locationId)}/stock?limit=100${low ? '&belowReorderPoint=true' : ''}`)
        : Promise.resolve(undefined),
    [locationId, low],
  );
  const [counts] = useLoad(
    () => (locationId ? ctx.api<{ items: CountDue[] }>('GET', `/locations/${encodeURIComponent(locationId)}/counts-due`) : Promise.resolve(undefined)),
    [locationId],
  );
  const levels = useLiveLevels(ctx, stock.state === 'ok' ? stock.data?.items : undefined, (l) => l.locationId === locationId);
  const shown = low ? levels.filter((l) => l.reorderPoint === undefined || l.available + l.incoming <= l.reorderPoint) : levels;
  return html`<section aria-labelledby="location-title">
    <h2 id="location-title">A location's stock</h2>
    <div class="inline">
      <label>Location
        <select name="location" value=${locationId} onChange=${(e: Event) => {
          location.hash = `#/location/${encodeURIComponent((e.target as HTMLSelectElement).value)}`;
        }}>
          <option value="">choose…</option>
          ${ctx.locations.map((l) => html`<option value=${l.locationId}>${l.name} (${l.locationId})</option>`)}
          ${locationId && !ctx.locations.some((l) => l.locationId === locationId) ? html`<option value=${locationId}>${locationId}</option>` : null}
        </select>
      </label>
      <label class="check"><input type="checkbox" name="low" checked=${low} onChange=${(e: Event) => setLow((e.target as HTMLInputElement).checked)} /> at or below reorder point</label>
    </div>
    ${
      !locationId
        ? html`<${Empty}>Choose a location.<//>`
        : stock.state === 'loading'
          ? html`<${Loading} what="stock" />`
          : stock.state === 'error'
            ? html`<${Failure} error=${stock.error} retry=${reload} />`
            : shown.length === 0
              ? html`<${Empty}>${low ? 'Nothing at or below its reorder point here.' : 'No stock recorded at this location.'}<//>`
              : html`<div class="table-wrap"><table data-testid="location-levels">
                  <thead><tr><th>SKU</th><th class="num">Available</th><th class="num">Reserved</th><th class="num">Incoming</th><th class="num">Damaged</th><th class="num">On hand</th><th class="num">Reorder point</th></tr></thead>
                  <tbody>${shown.map(
                    (l) => html`<tr key=${l.sku} data-testid=${`level-${l.sku}`} class=${l.live ? 'flash' : ''}>
                      <th scope="row"><a href=${`#/sku/${encodeURIComponent(l.sku)}`}>${l.sku}</a></th>
                      <${LevelCells} level=${l} />
                      <td class="num">${l.reorderPoint ?? '–'}</td>
                    </tr>`,
                  )}</tbody>
                </table></div>`
    }
    ${
      locationId && stock.state !== 'error'
        ? html`<h3>Counts due</h3>
          ${
            counts.state === 'loading'
              ? html`<${Loading} what="counts due" />`
              : counts.state === 'error'
                ? html`<${Failure} error=${counts.error} />`
                : (counts.data?.items.length ?? 0) === 0
                  ? html`<${Empty}>No counts due.<//>`
                  : html`<ul class="counts" data-testid="counts-due">${counts.data!.items.map(
                      (c) =>
                        html`<li><strong>${c.sku}</strong> ${c.abcClass ? html`<span class=${`badge badge-${c.abcClass}`}>${c.abcClass}</span>` : null} due ${formatTime(c.dueAt)} <small>${c.reason}</small></li>`,
                    )}</ul>`
          }`
        : null
    }
  </section>`;
};

interface Suggestion {
  readonly sku: string;
  readonly locationId: string;
  readonly kind: 'PURCHASE' | 'TRANSFER';
  readonly quantity: number;
  readonly reorderPoint: number;
  readonly fromLocationId?: string;
  readonly transferQuantity?: number;
  readonly supplierId?: string;
  readonly reason: string;
  readonly status: string;
}

/** Accepting a suggestion: a PURCHASE opens a purchase order (marking it ORDERED); a TRANSFER ships the units from the donor. */
const accept = async (api: Api, s: Suggestion): Promise<string> => {
  if (s.kind === 'TRANSFER' && s.fromLocationId) {
    const movementId = requestId('console-transfer');
    await api('POST', '/movements', {
      movementId,
      type: 'TRANSFER',
      locationId: s.fromLocationId,
      toLocationId: s.locationId,
      ship: true,
      lines: [{ sku: s.sku, qty: s.quantity }],
    });
    return `Transfer ${movementId} shipped from ${s.fromLocationId}`;
  }
  const purchaseOrderId = requestId('console-po');
  await api('POST', '/purchase-orders', {
    purchaseOrderId,
    ...(s.supplierId ? { supplierId: s.supplierId } : {}),
    lines: [{ sku: s.sku, locationId: s.locationId, qty: s.quantity }],
    fromSuggestions: true,
  });
  return `Purchase order ${purchaseOrderId} opened`;
};

export const SuggestionsView = ({ ctx }: { ctx: ViewContext }) => {
  const [locationId, setLocationId] = useState('');
  const [loaded, reload] = useLoad(
    () => ctx.api<{ items: Suggestion[] }>('GET', `/replenishment/suggestions?limit=100${locationId ? `&locationId=${encodeURIComponent(locationId)}` : ''}`),
    [locationId],
  );
  const [outcome, setOutcome] = useState<{ key: string; text: string; failed?: boolean }>();
  const [busy, setBusy] = useState('');
  const run = async (s: Suggestion) => {
    const key = `${s.sku}/${s.locationId}`;
    setBusy(key);
    try {
      setOutcome({ key, text: await accept(ctx.api, s) });
      reload();
    } catch (error) {
      setOutcome({
        key,
        text: error instanceof ApiError && error.status === 403 ? 'No permission to order for this location.' : String((error as Error).message),
        failed: true,
      });
    } finally {
      setBusy('');
    }
  };
  return html`<section aria-labelledby="suggestions-title">
    <h2 id="suggestions-title">Reorder suggestions</h2>
    <div class="inline">
      <label>Location
        <select value=${locationId} onChange=${(e: Event) => setLocationId((e.target as HTMLSelectElement).value)}>
          <option value="">all I can see</option>
          ${ctx.locations.map((l) => html`<option value=${l.locationId}>${l.name}</option>`)}
        </select>
      </label>
    </div>
    ${outcome ? html`<p class=${outcome.failed ? 'state error' : 'state ok'} role="status" data-testid="accept-outcome">${outcome.text}</p>` : null}
    ${
      loaded.state === 'loading'
        ? html`<${Loading} what="suggestions" />`
        : loaded.state === 'error'
          ? html`<${Failure} error=${loaded.error} retry=${reload} />`
          : loaded.data.items.length === 0
            ? html`<${Empty}>No open reorder suggestions.<//>`
            : html`<div class="table-wrap"><table data-testid="suggestions">
                <thead><tr><th>SKU</th><th>Location</th><th>Kind</th><th class="num">Qty</th><th class="num">Reorder point</th><th>Why</th><th></th></tr></thead>
                <tbody>${loaded.data.items.map(
                  (s) => html`<tr key=${`${s.sku}/${s.locationId}`} data-testid=${`suggestion-${s.sku}-${s.locationId}`}>
                    <th scope="row">${s.sku}</th>
                    <td>${nameOf(ctx, s.locationId)}</td>
                    <td>
                      ${s.kind}
                      ${s.kind === 'TRANSFER' && s.fromLocationId ? html` <small>from ${s.fromLocationId}</small>` : null}
                      ${s.kind === 'PURCHASE' && s.fromLocationId && s.transferQuantity ? html` <small>(+${s.transferQuantity} from ${s.fromLocationId})</small>` : null}
                    </td>
                    <td class="num">${s.quantity}</td>
                    <td class="num">${s.reorderPoint}</td>
                    <td><small>${s.reason}</small></td>
                    <td><button type="button" disabled=${busy !== ''} onClick=${() => run(s)}>${s.kind === 'TRANSFER' ? 'Ship transfer' : 'Order'}</button></td>
                  </tr>`,
                )}</tbody>
              </table></div>`
    }
  </section>`;
};

/** Gate events and alarms as they arrive on the gates' events topics. */
export const GatesView = ({ ctx, events, refused, live }: { ctx: ViewContext; events: readonly GateEvent[]; refused: boolean; live: LiveState }) => {
  const [alarmsOnly, setAlarmsOnly] = useState(false);
  const shown = alarmsOnly ? events.filter((e) => e.type === 'ALARM') : events;
  return html`<section aria-labelledby="gates-title">
    <h2 id="gates-title">Gate events and alarms</h2>
    ${refused ? html`<p class="state forbidden" data-testid="gates-refused" role="alert">The live endpoint does not let this sign-in watch the gates' events: none will appear here.</p>` : null}
    ${live === 'lost' ? html`<p class="state forbidden" role="status">Connection lost: events passing now will not show until it is back.</p>` : null}
    <label class="check"><input type="checkbox" checked=${alarmsOnly} onChange=${(e: Event) => setAlarmsOnly((e.target as HTMLInputElement).checked)} /> alarms only</label>
    ${
      shown.length === 0
        ? html`<${Empty}>No gate events since you signed in. They appear here as gates report them.<//>`
        : html`<ol class="events" data-testid="gate-events">${shown.map(
            (e) => html`<li class=${e.type === 'ALARM' ? 'alarm' : 'ack'} data-testid=${e.type === 'ALARM' ? 'alarm' : 'gate-event'}>
              <strong>${e.type === 'ALARM' ? `Alarm: ${e.reason ?? ''}` : e.type}</strong> ${nameOf(ctx, e.locationId)}, gate ${e.gateId} · ${formatTime(e.readAt ?? e.receivedAt)}
              ${
                e.type === 'ALARM'
                  ? html`<ul>${(e.items ?? []).map((i) => html`<li>${i.sku ?? '?'} serial ${i.serial ?? '?'} <small>${i.epc} (${i.stateBefore ?? ''})</small></li>`)}</ul>`
                  : html`<small> booked ${String(e.booked ?? 0)}, received ${String(e.received ?? 0)}, alarms ${String(e.alarms ?? 0)}</small>`
              }
            </li>`,
          )}</ol>`
    }
  </section>`;
};

interface AbcItem extends ParetoPoint {
  readonly value: number;
  readonly valueShare: number;
}
interface AbcAnalysis {
  readonly report?: {
    classifiedAt: string;
    totalValue: number;
    skus: number;
    pareto: Record<'A' | 'B' | 'C', { skuCount: number; skuShare: number; valueShare: number }>;
  };
  readonly items: AbcItem[];
  readonly cursor?: string;
}

/** Every page of the analysis (ranks are chain-wide, so the chart needs them all); at most 20 pages of 100. */
const loadAbc = async (api: Api): Promise<AbcAnalysis> => {
  const first = await api<AbcAnalysis>('GET', '/analytics/abc?limit=100');
  const items = [...first.items];
  let cursor = first.cursor;
  for (let page = 1; cursor && page < 20; page++) {
    const next = await api<AbcAnalysis>('GET', `/analytics/abc?limit=100&cursor=${encodeURIComponent(cursor)}`);
    items.push(...next.items);
    cursor = next.cursor;
  }
  return { ...first, items };
};

const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

export const AbcView = ({ ctx }: { ctx: ViewContext }) => {
  const [loaded, reload] = useLoad(() => loadAbc(ctx.api), []);
  return html`<section aria-labelledby="abc-title">
    <h2 id="abc-title">ABC analysis</h2>
    ${
      loaded.state === 'loading'
        ? html`<${Loading} what="the ABC analysis" />`
        : loaded.state === 'error'
          ? html`<${Failure} error=${loaded.error} retry=${reload} />`
          : loaded.data.items.length === 0
            ? html`<${Empty}>No classification yet: the weekly job (or POST /analytics/abc/runs) makes one.<//>`
            : html`${
                loaded.data.report
                  ? html`<p>Classified ${formatTime(loaded.data.report.classifiedAt)}: ${loaded.data.report.skus} SKUs.
                    ${(['A', 'B', 'C'] as const).map((c) => {
                      const p = loaded.data.report!.pareto[c];
                      return html` <span class=${`badge badge-${c}`}>${c}</span> ${p.skuCount} SKUs (${percent(p.skuShare)}) hold ${percent(p.valueShare)} of value.`;
                    })}</p>`
                  : null
              }
              <${ParetoChart} points=${loaded.data.items} />`
    }
  </section>`;
};

interface Campaign {
  readonly campaignId: string;
  readonly name: string;
  readonly status: string;
  readonly channels: string[];
  readonly headline: string;
  readonly counts: Record<string, number>;
  readonly fanOut?: { sources: number; finished: number; startedAt: string; finishedAt?: string };
  readonly createdAt: string;
}

export const CampaignView = ({ ctx, campaignId }: { ctx: ViewContext; campaignId: string }) => {
  const [input, setInput] = useState(campaignId);
  useEffect(() => setInput(campaignId), [campaignId]);
  const [loaded, reload] = useLoad(
    () => (campaignId ? ctx.api<Campaign>('GET', `/campaigns/${encodeURIComponent(campaignId)}`) : Promise.resolve(undefined)),
    [campaignId],
  );
  return html`<section aria-labelledby="campaign-title">
    <h2 id="campaign-title">A campaign's report</h2>
    <form class="inline" onSubmit=${(e: Event) => {
      e.preventDefault();
      location.hash = `#/campaign/${encodeURIComponent(input.trim())}`;
    }}>
      <label>Campaign id <input name="campaign" value=${input} onInput=${(e: Event) => setInput((e.target as HTMLInputElement).value)} /></label>
      <button type="submit">Open</button>
    </form>
    ${
      !campaignId
        ? html`<${Empty}>Enter a campaign id (the one POST /campaigns was given).<//>`
        : loaded.state === 'loading'
          ? html`<${Loading} what="the campaign" />`
          : loaded.state === 'error'
            ? html`<${Failure} error=${loaded.error} retry=${reload} />`
            : html`<div class="card" data-testid="campaign">
                <h3>${loaded.data!.name} <span class="badge">${loaded.data!.status}</span></h3>
                <p>${loaded.data!.headline} <small>(${loaded.data!.channels.join(', ')}; created ${formatTime(loaded.data!.createdAt)})</small></p>
                ${
                  Object.keys(loaded.data!.counts).length === 0
                    ? html`<${Empty}>Nothing sent yet.<//>`
                    : html`<dl class="counts-grid">${Object.entries(loaded.data!.counts).map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`
                }
                ${loaded.data!.fanOut ? html`<p><small>Fan-out: ${loaded.data!.fanOut.finished} of ${loaded.data!.fanOut.sources} sources done</small></p>` : null}
              </div>`
    }
  </section>`;
};

/**
 * The StockClub HQ console: sign in with a bearer token, then the views of
 * views.ts, with live levels and gate events pushed over MQTT (live.ts).
 * Routes are hash fragments (`#/sku/SNEAKER-42`, `#/location/STORE-BERLIN`,
 * `#/suggestions`, `#/gates`, `#/abc`, `#/campaign/ID`), so the static host
 * needs no rewrite rules.
 */
import { html, render } from 'htm/preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Api, apiClient, type Config, loadConfig } from './api.ts';
import { connectLive, type GateEvent, type LiveLevel, type LiveState, liveTopicsFor, VersionGate } from './live.ts';
import { savedSession, type Session, saveSession, sessionOf } from './session.ts';
import { Failure, Loading } from './ui.ts';
import { AbcView, CampaignView, GatesView, type Location, LocationView, SkuView, SuggestionsView, type ViewContext } from './views.ts';

const useHash = (): string[] => {
  const read = () =>
    location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .map((part) => decodeURIComponent(part));
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const changed = () => setParts(read());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return parts;
};

const SignIn = ({ config, onSignIn, notice }: { config: Config; onSignIn: (s: Session) => void; notice?: string }) => {
  const [token, setToken] = useState('');
  const [store, setStore] = useState('STORE-BERLIN');
  const [error, setError] = useState(notice ?? '');
  const submit = (raw: string) => {
    try {
      onSignIn(sessionOf(raw));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const localToken = async (body: Record<string, unknown>) => {
    const answer = await fetch('local-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!answer.ok) return setError(`The local gateway refused: ${answer.status}`);
    submit(((await answer.json()) as { token: string }).token);
  };
  return html`<main class="signin">
    <h1>StockClub HQ console</h1>
    <form onSubmit=${(e: Event) => {
      e.preventDefault();
      submit(token);
    }}>
      <label for="token">Bearer token</label>
      <textarea id="token" name="token" rows="4" placeholder="eyJhbGciOi…" value=${token} onInput=${(e: Event) => setToken((e.target as HTMLTextAreaElement).value)}></textarea>
      <button type="submit">Sign in</button>
      ${error ? html`<p class="state error" role="alert" data-testid="signin-error">${error}</p>` : null}
    </form>
    <p><small>Locally: <code>npm run token -- --role admin</code> or <code>npm run token -- --role store --location STORE-BERLIN</code> prints one. In AWS, use a token of your identity provider.</small></p>
    ${
      config.localTokens
        ? html`<fieldset class="local">
            <legend>Local cloud only</legend>
            <button type="button" onClick=${() => localToken({ role: 'admin' })}>Sign in as HQ admin</button>
            <span class="inline">
              <input aria-label="store location" value=${store} onInput=${(e: Event) => setStore((e.target as HTMLInputElement).value)} />
              <button type="button" onClick=${() => localToken({ role: 'store', locations: [store] })}>Sign in as that store</button>
            </span>
          </fieldset>`
        : null
    }
  </main>`;
};

const liveText: Record<LiveState, string> = {
  idle: 'Live: off',
  connecting: 'Live: connecting…',
  live: 'Live: connected',
  lost: 'Live: connection lost, reconnecting…',
  reconnected: 'Live: reconnected',
  refused: 'Live: refused',
};

const Console = ({ config, session, onSignOut }: { config: Config; session: Session; onSignOut: (notice?: string) => void }) => {
  const api: Api = useMemo(() => apiClient(config, session.token), [config, session.token]);
  const [locations, setLocations] = useState<readonly Location[] | undefined>();
  const [locationsError, setLocationsError] = useState<unknown>();
  const [liveState, setLiveState] = useState<{ state: LiveState; detail?: string }>({ state: 'idle' });
  const [events, setEvents] = useState<readonly GateEvent[]>([]);
  const [gatesRefused, setGatesRefused] = useState(false);
  const listeners = useRef(new Set<(level: LiveLevel) => void>());
  const versions = useMemo(() => new VersionGate(), []);
  const route = useHash();

  useEffect(() => {
    api<{ items: Location[] }>('GET', '/locations?limit=100').then(
      (page) => setLocations(page.items),
      (error) => {
        // A store user may not list locations everywhere: fall back to the token's own.
        setLocations(session.locations.map((locationId) => ({ locationId, name: locationId, type: 'STORE' })));
        setLocationsError(error);
      },
    );
  }, [api, session.locations]);

  useEffect(() => {
    // No live endpoint configured (an AWS deploy without iotDataEndpoint): the views still work, the badge says live is off.
    if (!config.mqttUrl) return;
    const topics = liveTopicsFor(session.role, session.locations);
    const live = connectLive(
      config.mqttUrl,
      session.token,
      [...topics.levels, ...topics.gates],
      {
        onState: (state, detail) => setLiveState({ state, detail }),
        onRefused: (filters) => setGatesRefused(filters.some((f) => topics.gates.includes(f))),
        onLevel: (level) => {
          for (const listener of listeners.current) listener(level);
        },
        onGateEvent: (event) => setEvents((current) => [event, ...current].slice(0, 200)),
      },
      versions,
    );
    return () => live.close();
  }, [config.mqttUrl, session, versions]);

  const onLevel = useCallback((listener: (level: LiveLevel) => void) => {
    listeners.current.add(listener);
    return () => listeners.current.delete(listener);
  }, []);

  if (!locations) return html`<${Loading} what="your locations" />`;
  const ctx: ViewContext = { api, role: session.role, locations, versions, onLevel };
  const [view = 'sku', arg = ''] = route;
  const alarms = events.filter((e) => e.type === 'ALARM').length;
  const tabs = [
    ['sku', 'SKU', `#/sku/${view === 'sku' ? arg : ''}`],
    ['location', 'Location', `#/location/${view === 'location' ? arg : (session.locations[0] ?? '')}`],
    ['suggestions', 'Reorder', '#/suggestions'],
    ['gates', alarms ? `Gates (${alarms} alarm${alarms === 1 ? '' : 's'})` : 'Gates', '#/gates'],
    ['abc', 'ABC', '#/abc'],
    ['campaign', 'Campaign', '#/campaign/'],
  ] as const;
  return html`<div class="app">
    <header>
      <h1>StockClub HQ</h1>
      <nav aria-label="views">${tabs.map(([key, label, href]) => html`<a href=${href} aria-current=${view === key ? 'page' : undefined}>${label}</a>`)}</nav>
      <div class="who">
        <span class=${`live live-${liveState.state}`} data-testid="live-status" role="status" title=${liveState.detail ?? ''}>${liveText[liveState.state]}</span>
        <span data-testid="who">${session.role}${session.locations.length ? ` · ${session.locations.join(', ')}` : ''}</span>
        <button type="button" onClick=${() => onSignOut()}>Sign out</button>
      </div>
    </header>
    ${
      session.role !== 'admin' && session.role !== 'store'
        ? html`<div class="state forbidden" data-testid="no-permission" role="alert"><strong>No permission.</strong> The console is for HQ and store staff; this token's role is ${session.role}.</div>`
        : null
    }
    ${locationsError && session.role === 'admin' ? html`<${Failure} error=${locationsError} />` : null}
    <main>
      ${
        view === 'location'
          ? html`<${LocationView} ctx=${ctx} locationId=${arg} />`
          : view === 'suggestions'
            ? html`<${SuggestionsView} ctx=${ctx} />`
            : view === 'gates'
              ? html`<${GatesView} ctx=${ctx} events=${events} refused=${gatesRefused} live=${liveState.state} />`
              : view === 'abc'
                ? html`<${AbcView} ctx=${ctx} />`
                : view === 'campaign'
                  ? html`<${CampaignView} ctx=${ctx} campaignId=${arg} />`
                  : html`<${SkuView} ctx=${ctx} sku=${arg} />`
      }
    </main>
  </div>`;
};

const App = () => {
  const [config, setConfig] = useState<Config>();
  const [configError, setConfigError] = useState<unknown>();
  const [session, setSession] = useState<Session | undefined>(savedSession);
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    loadConfig().then(setConfig, setConfigError);
  }, []);
  if (configError) return html`<${Failure} error=${configError} />`;
  if (!config) return html`<${Loading} what="the console" />`;
  if (!session)
    return html`<${SignIn}
      config=${config}
      notice=${notice}
      onSignIn=${(s: Session) => {
        saveSession(s);
        setSession(s);
      }}
    />`;
  return html`<${Console}
    key=${session.token}
    config=${config}
    session=${session}
    onSignOut=${(message?: string) => {
      saveSession(undefined);
      setNotice(message);
      setSession(undefined);
    }}
  />`;
};

render(html`<${App} />`, document.getElementById('app')!);

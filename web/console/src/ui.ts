/** Shared pieces: the loading / empty / error / no-permission states and an async loader hook. */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, Unreachable } from './api.ts';

export type Loaded<T> = { readonly state: 'loading' } | { readonly state: 'ok'; readonly data: T } | { readonly state: 'error'; readonly error: unknown };

/** Runs `load` whenever `deps` change (and on `reload()`), dropping answers of superseded runs. */
export const useLoad = <T>(load: () => Promise<T>, deps: readonly unknown[]): [Loaded<T>, () => void] => {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  // The caller names what the load depends on.
  useEffect(() => {
    let current = true;
    setResult({ state: 'loading' });
    load().then(
      (data) => current && setResult({ state: 'ok', data }),
      (error: unknown) => current && setResult({ state: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  return [result, () => setRound((r) => r + 1)];
};

export const Loading = ({ what }: { what: string }) => html`<p class="state loading" data-testid="loading" role="status">Loading ${what}…</p>`;

export const Empty = ({ children }: { children: unknown }) => html`<p class="state empty" data-testid="empty">${children}</p>`;

/** An error as the user should read it: 403 is "no permission", not a failure. */
export const Failure = ({ error, retry }: { error: unknown; retry?: () => void }) => {
  if (error instanceof ApiError && error.status === 403)
    return html`<div class="state forbidden" data-testid="no-permission" role="alert">
      <strong>No permission.</strong> Your sign-in does not cover this (store users see their own locations only).
    </div>`;
  if (error instanceof ApiError && error.status === 401)
    return html`<div class="state error" data-testid="error" role="alert"><strong>Signed out.</strong> The token was refused or has expired: sign in again.</div>`;
  if (error instanceof ApiError && error.status === 404)
    return html`<div class="state empty" data-testid="not-found" role="alert"><strong>Not found.</strong> ${error.title}</div>`;
  const message = error instanceof Unreachable ? error.message : error instanceof Error ? error.message : String(error);
  return html`<div class="state error" data-testid="error" role="alert">
    <strong>Something went wrong.</strong> ${message} ${retry ? html`<button type="button" onClick=${retry}>Try again</button>` : null}
  </div>`;
};

export const formatTime = (iso: string | undefined): string => (iso ? new Date(iso).toLocaleString() : '');

// Hash routing (`#/queue?status=failed`): reloads and deep links work without
// any server-side fallback. Also holds the unsaved-changes guard that every
// in-app navigation and the browser's back button pass through.
import { useSyncExternalStore, type MouseEvent } from 'react';

export interface Route {
  /** path segments, e.g. ['settings', 'workers'] */
  segments: string[];
  query: URLSearchParams;
  /** the raw hash without '#' */
  raw: string;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', qs = ''] = raw.split('?');
  return {
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(qs),
    raw,
  };
}

let current = parse(location.hash);
let accepted = location.hash;
const subs = new Set<() => void>();

type Guard = () => string | null;
const guards = new Set<Guard>();

/** The message of the first guard with unsaved changes, or null. */
function blocked(): string | null {
  for (const g of guards) {
    const m = g();
    if (m) return m;
  }
  return null;
}

/** Registers a check; return a message while there are unsaved changes. */
export function addNavigationGuard(g: Guard): () => void {
  guards.add(g);
  return () => guards.delete(g);
}

let reverting = false;
window.addEventListener('hashchange', () => {
  if (reverting) {
    reverting = false;
    return;
  }
  const msg = blocked();
  if (msg && !window.confirm(msg)) {
    reverting = true;
    location.hash = accepted;
    return;
  }
  accepted = location.hash;
  current = parse(location.hash);
  for (const s of [...subs]) s();
});

export function useRoute(): Route {
  return useSyncExternalStore(
    (fn) => {
      subs.add(fn);
      return () => subs.delete(fn);
    },
    () => current,
  );
}

/** Goes to `to` (e.g. '/queue?status=failed'), asking first if a guard objects. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const hash = '#' + to;
  if (hash === location.hash) return;
  if (opts.replace) {
    const msg = blocked();
    if (msg && !window.confirm(msg)) return;
    history.replaceState(null, '', hash);
    accepted = hash;
    current = parse(hash);
    for (const s of [...subs]) s();
    return;
  }
  location.hash = hash;
}

/** href for an in-app link */
export const href = (to: string): string => '#' + to;

/** onClick for anchors that should replace rather than push history. */
export function linkHandler(to: string) {
  return (e: MouseEvent) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
}

/** Builds '/path?query' keeping only defined, non-empty values. */
export function withQuery(path: string, q: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

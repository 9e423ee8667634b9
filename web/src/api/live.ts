// The live event stream (GET /api/events, server-sent events). One
// EventSource for the whole app; views subscribe to the events they show.
import { useEffect, useRef } from 'react';
import { auth } from '../lib/auth';
import { createStore, useStore } from '../lib/store';
import type { LiveEvents } from './types';

export type LiveState = 'connecting' | 'open' | 'down';
export const liveState = createStore<LiveState>('connecting');

type Handler<K extends keyof LiveEvents> = (data: LiveEvents[K]) => void;
const handlers = new Map<keyof LiveEvents, Set<(d: unknown) => void>>();
const NAMES: (keyof LiveEvents)[] = [
  'job.created',
  'job.updated',
  'job.deleted',
  'worker.updated',
  'workers.removed',
  'scan.progress',
  'scan.completed',
  'model.download',
  'stats',
  'library.item',
  'library.changed',
];

let source: EventSource | null = null;
let retry: ReturnType<typeof setTimeout> | undefined;
let backoff = 1000;

function url(): string {
  const key = auth.getKey();
  return key ? `/api/events?apikey=${encodeURIComponent(key)}` : '/api/events';
}

/** Opens (or reopens, e.g. after login) the stream. */
export function connectLive(): void {
  if (retry) clearTimeout(retry);
  source?.close();
  liveState.set('connecting');
  const es = new EventSource(url());
  source = es;
  es.onopen = () => {
    backoff = 1000;
    liveState.set('open');
  };
  es.onerror = () => {
    // The browser retries by itself while readyState is CONNECTING; a CLOSED
    // stream (e.g. 401 or a non-stream answer) needs our own retry.
    if (es.readyState === EventSource.CLOSED) {
      liveState.set('down');
      retry = setTimeout(connectLive, backoff);
      backoff = Math.min(backoff * 2, 30_000);
    } else {
      liveState.set('connecting');
    }
  };
  for (const name of NAMES) {
    es.addEventListener(name, (ev) => {
      const set = handlers.get(name);
      if (!set?.size) return;
      let data: unknown;
      try {
        data = JSON.parse((ev as MessageEvent<string>).data);
      } catch {
        return;
      }
      for (const h of [...set]) h(data);
    });
  }
}

export function disconnectLive(): void {
  if (retry) clearTimeout(retry);
  source?.close();
  source = null;
}

export function onLive<K extends keyof LiveEvents>(name: K, h: Handler<K>): () => void {
  let set = handlers.get(name);
  if (!set) handlers.set(name, (set = new Set()));
  const fn = h as (d: unknown) => void;
  set.add(fn);
  return () => set.delete(fn);
}

/** Subscribes for the component's lifetime; the latest handler is always used. */
export function useLive<K extends keyof LiveEvents>(name: K, h: Handler<K>): void {
  const ref = useRef(h);
  ref.current = h;
  useEffect(() => onLive(name, (d) => ref.current(d)), [name]);
}

export function useLiveState(): LiveState {
  return useStore(liveState);
}

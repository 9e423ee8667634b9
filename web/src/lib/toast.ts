// Transient notifications shown at the top right, clear of the sticky save
// bar (announced to screen readers). An error stays until it is dismissed or
// for 15 s, long enough to read its reason.
import { createStore } from './store';

export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  text: string;
}

export const toasts = createStore<Toast[]>([]);
let seq = 0;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

function schedule(id: number, ms: number): void {
  clearTimeout(timers.get(id));
  timers.set(id, setTimeout(() => dismiss(id), ms));
}

function push(kind: Toast['kind'], text: string, ms = kind === 'error' ? 15000 : 5000): void {
  const id = ++seq;
  toasts.update((list) => [...list.slice(-3), { id, kind, text }]);
  schedule(id, ms);
}

export function dismiss(id: number): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
  toasts.update((list) => list.filter((t) => t.id !== id));
}

/** While the pointer is on a toast it stays; it leaves a few seconds after. */
export function hold(id: number, held: boolean): void {
  if (held) {
    clearTimeout(timers.get(id));
    timers.delete(id);
  } else {
    schedule(id, 4000);
  }
}

export const toast = {
  success: (t: string) => push('success', t),
  error: (t: string) => push('error', t),
  info: (t: string) => push('info', t),
};

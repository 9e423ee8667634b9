// Transient notifications shown bottom-right (announced to screen readers).
import { createStore } from './store';

export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  text: string;
}

export const toasts = createStore<Toast[]>([]);
let seq = 0;

function push(kind: Toast['kind'], text: string, ms = kind === 'error' ? 8000 : 4000): void {
  const id = ++seq;
  toasts.update((list) => [...list.slice(-4), { id, kind, text }]);
  setTimeout(() => dismiss(id), ms);
}

export function dismiss(id: number): void {
  toasts.update((list) => list.filter((t) => t.id !== id));
}

export const toast = {
  success: (t: string) => push('success', t),
  error: (t: string) => push('error', t),
  info: (t: string) => push('info', t),
};

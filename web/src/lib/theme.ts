// Dark by default (like the *arr apps); the choice is remembered.
import { createStore } from './store';

type Theme = 'dark' | 'light';
const KEY = 'transcriptorio.theme';

function initial(): Theme {
  try {
    return localStorage.getItem(KEY) === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

export const theme = createStore<Theme>(initial());
const apply = () => document.documentElement.setAttribute('data-theme', theme.get());
apply();
theme.subscribe(apply);

export function toggleTheme(): void {
  const next: Theme = theme.get() === 'dark' ? 'light' : 'dark';
  try {
    localStorage.setItem(KEY, next);
  } catch {
    /* ignore */
  }
  theme.set(next);
}

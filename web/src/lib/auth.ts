// API key storage and the "login needed" flag, *arr style: the key lives in
// localStorage and goes out as X-Api-Key (and ?apikey= on the event stream).
import { createStore } from './store';

const STORAGE_KEY = 'transcriptorio.apiKey';

function read(): string {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

const state = createStore({ loginRequired: false, key: read() });

export const auth = {
  store: state,
  getKey: (): string => state.get().key,
  setKey(key: string): void {
    try {
      if (key) localStorage.setItem(STORAGE_KEY, key);
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      /* private mode: keep it in memory only */
    }
    state.set({ key, loginRequired: false });
  },
  requireLogin(): void {
    if (!state.get().loginRequired) state.set({ ...state.get(), loginRequired: true });
  },
  logout(): void {
    auth.setKey('');
    state.set({ key: '', loginRequired: true });
  },
};

// Loads data for a view, reloads on demand, and refreshes slowly in the
// background (live events do the fast updates).
import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from '../api/client';

export interface Resource<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (fn: (prev: T | undefined) => T | undefined) => void;
}

export function useResource<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  opts: { refreshMs?: number } = {},
): Resource<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const gen = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++gen.current;
    try {
      const v = await loadRef.current();
      if (mine !== gen.current) return;
      setDataState(v);
      setError(null);
    } catch (e) {
      if (mine !== gen.current) return;
      setError(messageOf(e));
    } finally {
      if (mine === gen.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoading(true);
    void reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  const refreshMs = opts.refreshMs ?? 30_000;
  useEffect(() => {
    if (!refreshMs) return;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, refreshMs);
    return () => clearInterval(t);
  }, [refreshMs, reload]);

  const setData = useCallback((fn: (prev: T | undefined) => T | undefined) => setDataState(fn), []);
  return { data, error, loading, reload, setData };
}

/** Calls fn at most once per `ms`, trailing. */
export function debounce(fn: () => void, ms: number): () => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (t) clearTimeout(t);
    t = setTimeout(fn, ms);
  };
}

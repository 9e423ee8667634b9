import type { ReactNode } from 'react';
import { dismiss, hold, toasts } from '../lib/toast';
import { useStore } from '../lib/store';

export function Toaster(): ReactNode {
  const list = useStore(toasts);
  return (
    <div className="toaster" aria-live="polite" aria-relevant="additions">
      {list.map((t) => (
        <div
          key={t.id}
          className={`toast toast-${t.kind}`}
          role={t.kind === 'error' ? 'alert' : 'status'}
          onMouseEnter={() => hold(t.id, true)}
          onMouseLeave={() => hold(t.id, false)}
        >
          <span className="toast-text">{t.text}</span>
          <button type="button" className="btn-icon" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

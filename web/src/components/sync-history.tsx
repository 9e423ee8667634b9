// The fixes sync wrote for an item, newest first, each with Undo while it
// stands. Undo puts the user's original back only while the file is still
// what the sync wrote; when the server refuses (the file was edited since),
// its reason stays under the entry.
import { useState, type ReactNode } from 'react';
import { messageOf } from '../api/client';
import { basename, formatDateTime, relativeTime } from '../lib/format';
import { toast } from '../lib/toast';
import { undoSync, type SyncRecord } from './sync-api';

export function SyncHistory(props: { itemId: number; syncs: SyncRecord[]; onChanged: () => void }): ReactNode {
  const [busy, setBusy] = useState<number | null>(null);
  const [refused, setRefused] = useState<Record<number, string>>({});

  async function undo(s: SyncRecord) {
    setBusy(s.id);
    try {
      await undoSync(props.itemId, s.id);
      setRefused(({ [s.id]: _gone, ...rest }) => rest);
      toast.success(`Undone: ${basename(s.subtitle)} is back as it was before the sync.`);
      props.onChanged();
    } catch (e) {
      setRefused((r) => ({ ...r, [s.id]: messageOf(e) }));
      toast.error(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  if (!props.syncs.length) return null;
  return (
    <>
      <h3 id="sync-history-h">Sync history</h3>
      <ul className="plain-list sync-history" aria-labelledby="sync-history-h">
        {props.syncs.map((s) => (
          <li key={s.id} data-sync-id={s.id} data-undone={s.undone_at ? 'true' : 'false'}>
            <div className="sync-row">
              <span className="sync-row-main">
                <code className="break">{basename(s.subtitle)}</code> <span>{s.summary}</span>
                <span className="muted small" title={formatDateTime(s.created_at)}>
                  {' '}
                  · {relativeTime(s.created_at)}
                  {s.undone_at && ` · undone ${relativeTime(s.undone_at)}`}
                </span>
              </span>
              {!s.undone_at && (
                <button type="button" className="btn btn-small" disabled={busy !== null} onClick={() => void undo(s)} aria-label={`Undo the sync of ${basename(s.subtitle)}`}>
                  {busy === s.id ? 'Undoing…' : 'Undo'}
                </button>
              )}
            </div>
            {refused[s.id] && !s.undone_at && (
              <p className="error-text" role="alert">
                {refused[s.id]}
              </p>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

// The item page's "Sync with the audio" card: each text subtitle file beside
// the media with what the last measure said of it ("in sync", "out of sync:
// 3.2 s late", "not checked yet") and "Sync to audio" (a preview first, see
// sync-dialog.tsx); "Check sync" measures them all now without writing; and
// the history of the fixes written, with Undo.
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { messageOf } from '../api/client';
import { plural, relativeTime } from '../lib/format';
import { toast } from '../lib/toast';
import { useResource } from '../lib/use-resource';
import { ErrorBanner, Loading } from './bits';
import type { LibraryItemDetail } from './library-bits';
import { checkItemSync, checkText, fetchItemSync, isTextSubtitle } from './sync-api';
import { SyncHistory } from './sync-history';

// The dialog and its timeline are fetched on the first "Sync to audio": the first download stays small.
const SyncDialog = lazy(() => import('./sync-dialog').then((m) => ({ default: m.SyncDialog })));

export function SubtitleSyncCard({ item, onChanged }: { item: LibraryItemDetail; onChanged: () => void }): ReactNode {
  const subs = item.external_subtitles.filter(isTextSubtitle);
  // A new or removed subtitle file (a rescan) asks again.
  const state = useResource(() => fetchItemSync(item.id), [item.id, subs.map((s) => s.path).join('\n')]);
  const [open, setOpen] = useState<number | null>(null);
  const [checking, setChecking] = useState(false);
  const syncs = state.data?.syncs ?? [];
  if (!subs.length && !syncs.length) return null;

  async function check() {
    setChecking(true);
    try {
      const r = await checkItemSync(item.id);
      toast.info(r.checked ? `Checked ${plural(r.checked, 'subtitle')}: ${r.out_of_sync ? `${r.out_of_sync} out of sync` : 'all in sync or left as they are'}.` : 'No subtitle could be measured: only text subtitles can be checked.');
      await state.reload();
    } catch (e) {
      toast.error(messageOf(e));
    } finally {
      setChecking(false);
    }
  }

  return (
    <section className="card sync-card" aria-labelledby="it-sync-h">
      <div className="card-head">
        <h2 id="it-sync-h">Sync with the audio</h2>
        {subs.length > 0 && (
          <button type="button" className="btn btn-small" disabled={checking || item.missing} onClick={() => void check()}>
            {checking ? 'Checking…' : 'Check sync'}
          </button>
        )}
      </div>
      <ErrorBanner error={state.error} onRetry={() => void state.reload()} />
      {subs.length > 0 && (
        <ul className="plain-list sync-subtitles" aria-label="Subtitle files and their sync">
          {subs.map((s) => {
            const c = state.data?.checks.find((x) => x.external_index === s.index);
            const status = state.data ? checkText(c) : { text: 'loading…', tone: 'muted' as const };
            return (
              <li key={s.index} data-subtitle-index={s.index} className="sync-row">
                <span className="sync-row-main">
                  <span className={`lang ${s.generated ? 'lang-generated' : 'lang-external'}`}>{(s.language ?? '?').toUpperCase()}</span> <code className="break">{s.file_name}</code>
                  <span className={`sync-status tone-${status.tone}`} data-testid="sync-status">
                    {status.text}
                  </span>
                  {c && <span className="muted small"> · checked {relativeTime(c.checked_at)}</span>}
                </span>
                <button type="button" className="btn btn-small" disabled={item.missing} onClick={() => setOpen(s.index)} aria-label={`Sync ${s.file_name} to audio`}>
                  Sync to audio
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <SyncHistory
        itemId={item.id}
        syncs={syncs}
        onChanged={() => {
          void state.reload();
          onChanged();
        }}
      />
      {open !== null && (
        <Suspense fallback={<Loading />}>
          <SyncDialog
            item={item}
            n={open}
            onClose={() => setOpen(null)}
            onApplied={() => {
              setOpen(null);
              void state.reload();
              onChanged();
            }}
          />
        </Suspense>
      )}
    </section>
  );
}

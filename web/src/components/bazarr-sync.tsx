// Bazarr Wanted sync, shown with the Bazarr settings: the last sync's figures,
// the state of the wanted subtitles, and "Sync now". A row of the settings
// form (its button does not submit the form).
import { useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import { href } from '../lib/router';
import { toast } from '../lib/toast';
import { useResource } from '../lib/use-resource';

type SyncResult = { trigger: string; started_at: string; finished_at: string; wanted: number; queued: number; uploaded: number; skipped_count: number; skipped: Array<{ title: string; language: string; reason: string }>; error: string | null };

const STATES: Array<[string, string]> = [['queued', 'being made'], ['uploaded', 'uploaded'], ['upload_failed', 'upload failed'], ['job_failed', 'job failed']];

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function summary(r: SyncResult): string {
  const parts = [`${r.wanted} wanted`, `${r.queued} queued`, `${r.uploaded} uploaded`];
  if (r.skipped_count) parts.push(`${r.skipped_count} not made`);
  return parts.join(', ');
}

export function BazarrSync(): ReactNode {
  const status = useResource(() => unwrap(api.GET('/api/integrations/bazarr/status', {})), [], { refreshMs: 15_000 });
  const [running, setRunning] = useState(false);
  const s = status.data;
  const last = (s?.last_sync ?? null) as SyncResult | null;

  const syncNow = async () => {
    setRunning(true);
    try {
      const r = (await unwrap(api.POST('/api/integrations/bazarr/sync', {}))) as SyncResult;
      toast.success(`Bazarr sync: ${summary(r)}`);
    } catch (e) {
      toast.error(`Bazarr sync failed: ${messageOf(e)}`);
    } finally {
      setRunning(false);
      void status.reload();
    }
  };

  const counts = STATES.map(([k, label]) => [label, s?.items?.[k] ?? 0] as const).filter(([, n]) => n > 0);
  return (
    <div className="setting bazarr-sync" data-key="bazarr-sync">
      <div className="setting-label">
        <span className="setting-title">Bazarr Wanted sync</span>
      </div>
      <div className="setting-input">
        <p className="help">
          Makes the subtitles Bazarr is still waiting for and hands them back to Bazarr.{' '}
          {s && !s.configured
            ? 'Set Bazarr’s address and its API key above and save to use it.'
            : s && s.interval_minutes > 0
              ? `Runs every ${s.interval_minutes} min.`
              : 'Runs only when you press Sync now.'}
        </p>
        <div className="bazarr-sync-row">
          <button type="button" className="btn" disabled={running || !s?.configured || s?.running} onClick={() => void syncNow()}>
            {running || s?.running ? 'Syncing…' : 'Sync now'}
          </button>
          <span className="muted bazarr-sync-status" role="status">
            {status.error
              ? `Status unavailable: ${status.error}`
              : !last
                ? 'Not synced yet.'
                : last.error
                  ? `Last sync ${when(last.started_at)} failed: ${last.error}`
                  : `Last sync ${when(last.finished_at)}: ${summary(last)}.`}
          </span>
        </div>
        {counts.length > 0 && (
          <p className="help">
            Wanted subtitles: {counts.map(([label, n]) => `${n} ${label}`).join(', ')}. <a href={href('/jobs')}>See the jobs</a>
          </p>
        )}
        {last && last.skipped.length > 0 && (
          <details className="bazarr-sync-skipped">
            <summary>Why {last.skipped_count} wanted {last.skipped_count === 1 ? 'subtitle was' : 'subtitles were'} not made</summary>
            <ul>
              {last.skipped.slice(0, 20).map((k, i) => (
                <li key={i}>
                  <strong>{k.title}</strong> ({k.language}): {k.reason}
                </li>
              ))}
            </ul>
          </details>
        )}
      </div>
    </div>
  );
}

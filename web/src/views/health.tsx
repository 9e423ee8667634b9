// System → Health: every check of GET /api/system/health (what would keep jobs
// from running), errors first, each with its fix and a link to the page that
// does it. The banner (components/health-banner.tsx) shows the errors on every page.
import { useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import type { ResponseOf } from '../api/types';
import { ErrorBanner, Loading, PageHeader } from '../components/bits';
import { toast } from '../lib/toast';
import { useResource } from '../lib/use-resource';

export type Health = ResponseOf<'/api/system/health', 'get'>;
export type HealthCheck = Health['checks'][number];

export const loadHealth = () => unwrap(api.GET('/api/system/health', {}));

const LEVEL: Record<HealthCheck['level'], string> = { error: 'Problem', warning: 'Warning', info: 'Note' };

/**
 * The one-click fix of provider_key_is_api_key: a provider key of its own
 * (POST /api/setup/provider-key), Bazarr's endpoint moved along when Bazarr
 * is connected; the new Endpoint is shown for pasting otherwise.
 */
function SeparateProviderKey({ onDone }: { onDone?: () => void }): ReactNode {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ url: string; message: string | null; updated: boolean } | null>(null);
  const make = async () => {
    setBusy(true);
    try {
      const r = await unwrap(api.POST('/api/setup/provider-key', {}));
      setDone({ url: r.provider_url, message: r.bazarr_update?.message ?? null, updated: !!r.bazarr_update?.updated });
      // With Bazarr updated the warning can go at once; otherwise the new Endpoint stays shown for pasting (Check again clears it).
      if (r.bazarr_update?.updated) {
        toast.success('A separate provider key is in use, and Bazarr has it.');
        onDone?.();
      } else toast.success('A separate provider key is in use: give Bazarr the new Endpoint.');
    } catch (e) {
      toast.error(`Could not make a provider key: ${messageOf(e)}`);
    } finally {
      setBusy(false);
    }
  };
  if (done) {
    return (
      <div className="health-action">
        {done.message && <p className={done.updated ? 'help' : 'help rule-warning'}>{done.message}</p>}
        {!done.updated && (
          <p className="help">
            Bazarr’s new Endpoint: <code className="path-abs">{done.url}</code>
          </p>
        )}
      </div>
    );
  }
  return (
    <div className="health-action">
      {/* The label wraps in the narrow text column of a phone instead of running past the card. */}
      <button type="button" className="btn btn-primary" style={{ whiteSpace: 'normal', maxWidth: '100%' }} disabled={busy} onClick={() => void make()}>
        {busy ? 'Making the key…' : 'Make a separate provider key'}
      </button>
    </div>
  );
}

export function HealthItem({ check, onChange }: { check: HealthCheck; onChange?: () => void }): ReactNode {
  return (
    <li className={`health-item health-${check.level}`}>
      <span className={`badge badge-${check.level === 'error' ? 'failed' : check.level === 'warning' ? 'warning' : 'completed'}`}>{LEVEL[check.level]}</span>
      <div className="health-text">
        <p className="health-message">{check.message}</p>
        <p className="health-fix">
          {check.fix}
          {check.link && (
            <>
              {' '}
              <a href={check.link}>Go there</a>
            </>
          )}
        </p>
        {check.id === 'provider_key_is_api_key' && <SeparateProviderKey onDone={onChange} />}
      </div>
    </li>
  );
}

export function HealthView(): ReactNode {
  const health = useResource(loadHealth, [], { refreshMs: 10_000 });
  const checks = health.data?.checks ?? [];
  return (
    <>
      <PageHeader title="Health" actions={<button type="button" className="btn" onClick={() => void health.reload()}>Check again</button>}>
        <p className="muted">What would keep subtitles from being made, checked on this server now.</p>
      </PageHeader>
      <ErrorBanner error={health.error} onRetry={() => void health.reload()} />
      {health.loading && !health.data ? (
        <Loading />
      ) : checks.length === 0 ? (
        <div className="empty card">All checks pass: a model is installed, the engine and ffmpeg work, and the library folders can be read.</div>
      ) : (
        <ul className="health-list card">
          {checks.map((c) => (
            <HealthItem key={c.id} check={c} onChange={() => void health.reload()} />
          ))}
        </ul>
      )}
    </>
  );
}

// System → Health: every check of GET /api/system/health (what would keep jobs
// from running), errors first, each with its fix and a link to the page that
// does it. The banner (components/health-banner.tsx) shows the errors on every page.
import type { ReactNode } from 'react';
import { api, unwrap } from '../api/client';
import type { ResponseOf } from '../api/types';
import { ErrorBanner, Loading, PageHeader } from '../components/bits';
import { useResource } from '../lib/use-resource';

export type Health = ResponseOf<'/api/system/health', 'get'>;
export type HealthCheck = Health['checks'][number];

export const loadHealth = () => unwrap(api.GET('/api/system/health', {}));

const LEVEL: Record<HealthCheck['level'], string> = { error: 'Problem', warning: 'Warning', info: 'Note' };

export function HealthItem({ check }: { check: HealthCheck }): ReactNode {
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
            <HealthItem key={c.id} check={c} />
          ))}
        </ul>
      )}
    </>
  );
}

// A banner on every page while an error-level health check fails (as Sonarr
// shows its health issues): what is wrong, the fix, and the page that does it.
import type { ReactNode } from 'react';
import { href } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { loadHealth } from '../views/health';

export function HealthBanner({ hideOn }: { hideOn: string }): ReactNode {
  const health = useResource(loadHealth, [hideOn], { refreshMs: 15_000 });
  const errors = (health.data?.checks ?? []).filter((c) => c.level === 'error');
  if (!errors.length || hideOn === 'health') return null;
  const [first, ...rest] = errors;
  return (
    <div className="alert alert-error health-banner" role="alert">
      <div>
        <strong>{first!.message}</strong> {first!.fix}{' '}
        {first!.link && <a href={first!.link}>Fix it</a>}
        {rest.length > 0 && (
          <>
            {' · '}
            <a href={href('/health')}>
              {rest.length} more {rest.length === 1 ? 'problem' : 'problems'}
            </a>
          </>
        )}
      </div>
    </div>
  );
}

// The shell: login gate, first-run wizard gate, sidebar navigation, live
// connection indicator, and the routed view.
import { useEffect, useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from './api/client';
import { connectLive, disconnectLive, useLive, useLiveState } from './api/live';
import type { QueueStats, SetupStatus } from './api/types';
import { Icon, type IconName } from './components/icons';
import { ErrorBanner, Loading } from './components/bits';
import { Toaster } from './components/toaster';
import { auth } from './lib/auth';
import { href, navigate, useRoute } from './lib/router';
import { useStore } from './lib/store';
import { theme, toggleTheme } from './lib/theme';
import { Dashboard } from './views/dashboard';
import { Login } from './views/login';
import { Models } from './views/models';
import { Queue } from './views/queue';
import { Rules } from './views/rules';
import { Scanner } from './views/scanner';
import { Settings } from './views/settings';
import { SetupWizard } from './views/setup-wizard';
import { Workers } from './views/workers';
import { HealthView } from './views/health';
import { LogsView } from './views/logs';
import { HealthBanner } from './components/health-banner';
import { Library } from './views/library';
import { LibraryItemView } from './views/library-item';
import { Wanted } from './views/wanted';

const NAV: { to: string; label: string; icon: IconName; key: string }[] = [
  { to: '/dashboard', label: 'Dashboard', icon: 'dashboard', key: 'dashboard' },
  { to: '/library', label: 'Library', icon: 'folder', key: 'library' },
  { to: '/wanted', label: 'Wanted', icon: 'download', key: 'wanted' },
  { to: '/queue', label: 'Queue', icon: 'queue', key: 'queue' },
  { to: '/workers', label: 'Workers', icon: 'workers', key: 'workers' },
  { to: '/rules', label: 'Rules', icon: 'rules', key: 'rules' },
  { to: '/scanner', label: 'Scanner', icon: 'scanner', key: 'scanner' },
  { to: '/models', label: 'Models', icon: 'models', key: 'models' },
  { to: '/settings', label: 'Settings', icon: 'settings', key: 'settings' },
  { to: '/health', label: 'Health', icon: 'health', key: 'health' },
  { to: '/logs', label: 'Logs', icon: 'file', key: 'logs' },
];

export function App(): ReactNode {
  const { loginRequired, key } = useStore(auth.store);
  const [setup, setSetup] = useState<SetupStatus | null>(null);
  const [bootError, setBootError] = useState<string | null>(null);
  const route = useRoute();

  async function boot() {
    try {
      setSetup(await unwrap(api.GET('/api/setup/status', {})));
      setBootError(null);
    } catch (e) {
      setBootError(messageOf(e));
    }
  }

  useEffect(() => {
    if (loginRequired) {
      disconnectLive();
      return;
    }
    void boot();
    connectLive();
    return disconnectLive;
  }, [loginRequired, key]);

  if (loginRequired) return <Login />;
  if (!setup) {
    return (
      <main className="boot">
        {bootError && !loginRequired ? <ErrorBanner error={`Cannot reach the server: ${bootError}`} onRetry={() => void boot()} /> : <Loading />}
      </main>
    );
  }
  const firstRun = setup.is_first_run && !setup.setup_completed;
  if (firstRun || route.segments[0] === 'setup') {
    return (
      <>
        <SetupWizard
          onDone={() => {
            setSetup({ ...setup, is_first_run: false, setup_completed: true });
            navigate('/dashboard', { replace: true });
          }}
        />
        <Toaster />
      </>
    );
  }
  return <Shell />;
}

function Shell(): ReactNode {
  const route = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  const [stats, setStats] = useState<QueueStats | null>(null);
  const live = useLiveState();
  const dark = useStore(theme) === 'dark';
  const { key } = useStore(auth.store);
  const section = route.segments[0] ?? 'dashboard';

  useEffect(() => {
    unwrap(api.GET('/api/jobs/stats', {})).then(setStats, () => undefined);
  }, []);
  useLive('stats', setStats);
  useEffect(() => setMenuOpen(false), [route.raw]);

  const active = (stats?.queued ?? 0) + (stats?.processing ?? 0);
  const liveLabel = live === 'open' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Offline';
  return (
    <div className={`shell ${menuOpen ? 'menu-open' : ''}`}>
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header className="topbar">
        <button type="button" className="btn-icon menu-button" aria-label="Menu" aria-expanded={menuOpen} aria-controls="sidebar" onClick={() => setMenuOpen(!menuOpen)}>
          <Icon name="menu" />
        </button>
        <a className="brand" href={href('/dashboard')}>
          <span className="brand-mark" aria-hidden="true">T</span>
          <span>
            <span>
              Transcriptor<span className="brand-accent">IO</span>
            </span>
          </span>
        </a>
        <div className="topbar-right">
          <span className={`live live-${live}`} role="status" title="Live updates">
            <span className="live-dot" aria-hidden="true" />
            <span className="live-text">{liveLabel}</span>
          </span>
          <button type="button" className="btn-icon" aria-label={dark ? 'Use light theme' : 'Use dark theme'} onClick={toggleTheme}>
            <Icon name={dark ? 'sun' : 'moon'} />
          </button>
          {key && (
            <button type="button" className="btn-icon" aria-label="Sign out" onClick={() => auth.logout()}>
              <Icon name="logout" />
            </button>
          )}
        </div>
      </header>
      <nav id="sidebar" className="sidebar" aria-label="Main">
        <ul>
          {NAV.map((n) => (
            <li key={n.key}>
              <a href={href(n.to)} className={section === n.key ? 'active' : ''} aria-current={section === n.key ? 'page' : undefined}>
                <Icon name={n.icon} />
                <span>{n.label}</span>
                {n.key === 'queue' && active > 0 && (
                  <span className="nav-badge" aria-label={`${active} active jobs`}>
                    {active}
                  </span>
                )}
              </a>
            </li>
          ))}
        </ul>
        <a className="sidebar-footer" href="/docs" target="_blank" rel="noreferrer">
          API docs
        </a>
      </nav>
      <div className="scrim" onClick={() => setMenuOpen(false)} aria-hidden="true" />
      <main id="main" className="content" tabIndex={-1}>
        <HealthBanner hideOn={section} />
        <View section={section} />
      </main>
      <Toaster />
    </div>
  );
}

function View({ section }: { section: string }): ReactNode {
  switch (section) {
    case 'dashboard':
      return <Dashboard />;
    case 'library':
      return <LibraryRoute />;
    case 'wanted':
      return <Wanted />;
    case 'queue':
      return <Queue />;
    case 'workers':
      return <Workers />;
    case 'rules':
      return <Rules />;
    case 'scanner':
      return <Scanner />;
    case 'models':
      return <Models />;
    case 'settings':
      return <Settings />;
    case 'health':
      return <HealthView />;
    case 'logs':
      return <LogsView />;
    default:
      return (
        <div className="empty">
          <h1>Not found</h1>
          <p>
            <a href={href('/dashboard')}>Back to the dashboard</a>
          </p>
        </div>
      );
  }
}

/** `#/library` lists the files, `#/library/item/<id>` shows one. */
function LibraryRoute(): ReactNode {
  const { segments } = useRoute();
  const id = segments[1] === 'item' ? Number(segments[2]) : NaN;
  return Number.isInteger(id) && id > 0 ? <LibraryItemView key={id} id={id} /> : <Library />;
}

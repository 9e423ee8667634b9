// "Configure Bazarr for me": reads Bazarr's settings through its API and shows
// what would change (POST /api/integrations/bazarr/configure, a dry run), then
// writes it on "Apply to Bazarr" (confirm) and reads it back; "Test" checks
// Bazarr's settings as they are now. Used in the wizard's Bazarr step (with
// fields for Bazarr's address and key) and in Settings → Bazarr.
import { useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import type { ResponseOf } from '../api/types';
import { toast } from '../lib/toast';
import { useResource } from '../lib/use-resource';

type Result = ResponseOf<'/api/integrations/bazarr/configure', 'post'>;
type Value = Result['changes'][number]['from'];

function shown(v: Value): string {
  if (v === null || v === undefined) return 'not set';
  if (Array.isArray(v)) return v.length ? v.join(', ') : 'none';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return String(v);
}

/** Where Bazarr's Whisper provider stands, and why it matters, in words. */
export function BazarrAdvice(): ReactNode {
  return (
    <details className="bazarr-advice">
      <summary>How Bazarr picks Whisper subtitles</summary>
      <ul>
        <li>
          <strong>Scores.</strong> Bazarr scores a Whisper subtitle on the series, season and episode alone (66 % for an episode) or the title (50 % for a movie). With its default minimum scores (90 % and 70 %) it never picks one by itself, only when you search by hand. Lower them (they apply to every provider), or let the Wanted sync here make what Bazarr still misses.
        </li>
        <li>
          <strong>Timeouts.</strong> Bazarr’s transcription timeout must be longer than this server waits for a job (provider_timeout_seconds, 3600 s by default), so this server answers first; the connection timeout can stay at 5 s.
        </li>
        <li>
          <strong>Pauses.</strong> Bazarr pauses the provider for 10 minutes after an answer it cannot read (a wrong key among them), for an hour after a read timeout and for 24 hours after a connection error. After fixing anything, reset it under System → Status in Bazarr, or wait.
        </li>
      </ul>
    </details>
  );
}

export function BazarrConfigure(props: {
  /** Bazarr is connected (bazarr_url and its API key saved) */
  connected: boolean;
  /** show fields for Bazarr's address and key (the wizard), saved before reading Bazarr */
  connect?: boolean;
  /** the address Bazarr reaches this server at, when the page knows it */
  publicUrl?: string;
}): ReactNode {
  const [url, setUrl] = useState('');
  const [key, setKey] = useState('');
  const [scores, setScores] = useState(false);
  const [plan, setPlan] = useState<Result | null>(null);
  const [done, setDone] = useState<Result | null>(null);
  const [busy, setBusy] = useState<null | 'plan' | 'apply' | 'test'>(null);
  const [error, setError] = useState<string | null>(null);
  const [connected, setConnected] = useState(props.connected);
  const body = { scores, ...(props.publicUrl?.trim() ? { public_url: props.publicUrl.trim() } : {}) };

  async function connectFirst(): Promise<void> {
    if (!props.connect || (!url.trim() && !key.trim())) return;
    await unwrap(api.POST('/api/settings/bulk-update', { body: { settings: { bazarr_url: url.trim(), bazarr_sync_api_key: key.trim() } } }));
    setConnected(true);
  }

  async function run(kind: 'plan' | 'apply' | 'test') {
    setBusy(kind);
    setError(null);
    try {
      await connectFirst();
      if (kind === 'test') {
        const r = await unwrap(api.POST('/api/integrations/bazarr/configure/test', { body }));
        setDone(r);
        setPlan(null);
        if (r.verified) toast.success('Bazarr’s Whisper provider is set up for this server.');
      } else {
        const r = await unwrap(api.POST('/api/integrations/bazarr/configure', { body: { ...body, confirm: kind === 'apply' } }));
        if (kind === 'apply') {
          setDone(r);
          setPlan(null);
          if (r.verified) toast.success('Bazarr is configured: its settings read back as written.');
        } else {
          setPlan(r);
          setDone(null);
        }
      }
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  const ready = connected || (props.connect && url.trim() && key.trim());
  const result = done ?? plan;
  return (
    <div className="bazarr-configure">
      {props.connect && !connected && (
        <>
          <div className="field">
            <label htmlFor="bz-url-in">Bazarr’s address</label>
            <input id="bz-url-in" value={url} spellCheck={false} onChange={(e) => setUrl(e.target.value)} placeholder="http://bazarr:6767" />
          </div>
          <div className="field">
            <label htmlFor="bz-key-in">Bazarr’s API key</label>
            <input id="bz-key-in" value={key} spellCheck={false} autoComplete="off" onChange={(e) => setKey(e.target.value)} placeholder="Bazarr: Settings → General → Security" />
          </div>
        </>
      )}
      <label className="inline-check">
        <input type="checkbox" checked={scores} onChange={(e) => setScores(e.target.checked)} /> Also lower Bazarr’s minimum scores so it picks Whisper subtitles by itself
      </label>
      <div className="bazarr-actions">
        <button type="button" className="btn" disabled={!ready || busy !== null} onClick={() => void run('plan')}>
          {busy === 'plan' ? 'Reading Bazarr…' : 'Show what changes'}
        </button>
        <button type="button" className="btn btn-primary" disabled={!plan || busy !== null} onClick={() => void run('apply')}>
          {busy === 'apply' ? 'Writing…' : 'Apply to Bazarr'}
        </button>
        <button type="button" className="btn" disabled={!ready || busy !== null} onClick={() => void run('test')}>
          {busy === 'test' ? 'Testing…' : 'Test'}
        </button>
      </div>
      {!ready && <p className="help">Set Bazarr’s address and its API key {props.connect ? 'here' : 'above and save'} to use it.</p>}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div className="bazarr-configure-result" role="status">
          {done ? (
            <p className={done.verified ? 'help' : 'help rule-warning'}>
              {done.applied ? (done.verified ? 'Written to Bazarr and read back: everything is in place.' : 'Written, but Bazarr reads back differently:') : done.verified ? 'Bazarr’s Whisper provider is set up for this server.' : 'Bazarr differs from what it needs:'}
            </p>
          ) : (
            <p className="help">{plan!.changes.length ? `Bazarr at ${plan!.bazarr_url} would change like this:` : 'Nothing to change: Bazarr is already set up for this server.'}</p>
          )}
          {done && done.mismatches.length > 0 && (
            <ul className="bazarr-changes">
              {done.mismatches.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
          {(!done || done.applied) && result.changes.length > 0 && (
            <ul className="bazarr-changes">
              {result.changes.map((c) => (
                <li key={c.setting}>
                  <strong>{c.label}</strong>: <span className="muted">{shown(c.from)}</span> → <code className="path-abs">{shown(c.to)}</code>
                  <br />
                  <span className="help">{c.why}</span>
                </li>
              ))}
            </ul>
          )}
          {result.notes.length > 0 && (
            <ul className="bazarr-notes help">
              {result.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

/** The Settings → Bazarr row: "Configure Bazarr for me" with the advice, once Bazarr's address and key are saved above. */
export function BazarrConfigureRow(): ReactNode {
  const status = useResource(() => unwrap(api.GET('/api/integrations/bazarr/status', {})), []);
  return (
    <div className="setting bazarr-configure-row" data-key="bazarr-configure">
      <div className="setting-label">
        <span className="setting-title">Configure Bazarr for me</span>
      </div>
      <div className="setting-input">
        <p className="help">
          Sets up Bazarr’s Whisper provider through Bazarr’s own settings: the provider turned on, its Endpoint with this server’s provider key (it opens nothing but the provider), and its timeouts. You see every change before it is written.
        </p>
        {status.data && <BazarrConfigure key={String(status.data.configured)} connected={status.data.configured} />}
        <BazarrAdvice />
      </div>
    </div>
  );
}

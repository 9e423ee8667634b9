// Shown when the API answers 401: one field for the API key, *arr style.
import { useState, type ReactNode } from 'react';
import { auth } from '../lib/auth';

export function Login(): ReactNode {
  const [key, setKey] = useState('');
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setChecking(true);
    setError(null);
    try {
      // Check the key before storing it, so a typo gets a message here.
      const r = await fetch('/api/setup/status', { headers: { 'X-Api-Key': key.trim() } });
      if (r.status === 401) {
        setError('That API key was not accepted.');
        return;
      }
      auth.setKey(key.trim());
    } catch {
      setError('Cannot reach the server.');
    } finally {
      setChecking(false);
    }
  }

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit}>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">T</span>
          <span>
            <span>
              Transcriptor<span className="brand-accent">IO</span>
            </span>
          </span>
        </div>
        <p className="muted">Authentication is on. Enter the API key (Settings → Server and security, or the key shown when setup finished).</p>
        <div className="field">
          <label htmlFor="login-key">API key</label>
          <input id="login-key" type="password" autoComplete="current-password" autoFocus value={key} onChange={(e) => setKey(e.target.value)} required />
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <button type="submit" className="btn btn-primary btn-block" disabled={checking || !key.trim()}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

/**
 * `transcriptorio server` as a person starts it: the start banner (URL, docs,
 * where the API key is, "open ... to finish setup" on a first run; the key
 * itself only on the start that generated it), readable lines with
 * LOG_FORMAT=pretty, JSON lines with LOG_FORMAT=json, a bad LOG_FORMAT
 * refused, and every line also kept in DATA_DIR/logs.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/transcriptorio.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'tio-banner-'));

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL', 'LOG_FORMAT']) delete base[k];
  return { ...base, DATA_DIR: dataDir, TRANSCRIPTORIO_FROM_SOURCE: '1', ...extra };
}

/** Starts the server, waits until `done(stdout)` holds, stops it with SIGTERM; resolves with what it printed. */
async function runServer(extra: Record<string, string>, done: (out: string) => boolean): Promise<{ out: string; err: string; code: number | null }> {
  const proc = spawn(process.execPath, [BIN, 'server', '--port', '0', '--host', '127.0.0.1'], { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const deadline = Date.now() + 60_000;
  while (!done(out) && proc.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const exited = new Promise<number | null>((r) => (proc.exitCode !== null ? r(proc.exitCode) : proc.once('exit', (c) => r(c))));
  proc.kill('SIGTERM');
  const code = await exited;
  return { out, err, code };
}

describe('server start banner and log format', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('first run, LOG_FORMAT=pretty: readable lines and a banner with the URL, the docs, the new key and "open ... to finish setup"', async () => {
    const r = await runServer({ LOG_FORMAT: 'pretty' }, (o) => /to finish setup/.test(o));
    assert.match(r.out, /TranscriptorIO is running/, r.out + r.err);
    const url = /Web UI\s+(http:\/\/localhost:\d+)/.exec(r.out)?.[1];
    assert.ok(url, `the banner names the URL: ${r.out}`);
    assert.ok(r.out.includes(`API docs  ${url}/docs`), r.out);
    assert.ok(r.out.includes(`Open ${url} to finish setup.`), r.out);
    const generated = /Generated API key: ([0-9a-f]{32})/.exec(r.out)?.[1];
    assert.ok(generated, `the first start announces the key: ${r.out}`);
    assert.match(r.out, new RegExp(`API key\\s+${generated}`), 'the banner shows the key it just generated');
    assert.ok(r.out.includes(`${url}/#/settings/api_key`), 'and where to find it later');
    // Pretty: no JSON object lines on the terminal.
    for (const line of r.out.split('\n').filter((l) => l.trim())) assert.ok(!line.trim().startsWith('{"level"'), `JSON line in pretty mode: ${line}`);
    assert.match(r.out, /INFO.*Server listening at/, 'log lines are readable: level and message');
    const file = join(dataDir, 'logs', 'transcriptorio.log');
    assert.ok(existsSync(file), 'the lines are kept under DATA_DIR/logs');
    assert.match(readFileSync(file, 'utf8'), /"msg":"Server listening at/);
  });

  it('a later start never prints the key: the banner says where it is; setup is still to finish', async () => {
    const r = await runServer({ LOG_FORMAT: 'pretty' }, (o) => /to finish setup/.test(o));
    assert.doesNotMatch(r.out, /Generated API key/);
    assert.doesNotMatch(r.out, /[0-9a-f]{32}/, `no key on a later start: ${r.out}`);
    assert.match(r.out, /API key\s+not shown here; see:/);
    assert.match(r.out, /curl -s 'http:\/\/localhost:\d+\/api\/settings\/api_key\?reveal=true'/);
    assert.match(r.out, /Open http:\/\/localhost:\d+ to finish setup\./);
  });

  it('LOG_FORMAT=json: every line on stdout is JSON; the banner is one line with its facts as fields', async () => {
    const r = await runServer({ LOG_FORMAT: 'json' }, (o) => /to finish setup/.test(o));
    const lines = r.out.split('\n').filter((l) => l.trim());
    assert.ok(lines.length > 2, r.out + r.err);
    const parsed = lines.map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON line: ${l}`);
      }
    });
    const banner = parsed.find((p) => p.setup_required === true);
    assert.ok(banner, r.out);
    assert.match(String(banner.msg), /^Open http:\/\/localhost:\d+ to finish setup$/);
    assert.match(String(banner.docs), /^http:\/\/localhost:\d+\/docs$/);
    assert.match(String(banner.key_location), /Settings → Server and security/);
    assert.doesNotMatch(r.out, /[0-9a-f]{32}/, 'no key in the lines of a later start');
  });

  it('a bad LOG_FORMAT stops the start with a message that names it', () => {
    const r = spawnSync(process.execPath, [BIN, 'server', '--port', '0'], { env: env({ LOG_FORMAT: 'fancy' }), encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /LOG_FORMAT must be json or pretty .*got "fancy"/);
  });
});

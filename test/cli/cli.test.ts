/** The CLI as a user runs it: help, database migrations on a fresh SQLite DATA_DIR, and fail-fast configuration errors. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/transcriptorio.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'tio-cli-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL']) delete base[k];
  const res = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    // From source, so the test checks this checkout and not an older build in dist/.
    env: { ...base, DATA_DIR: dataDir, TRANSCRIPTORIO_FROM_SOURCE: '1', ...env },
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

describe('transcriptorio CLI', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('--help lists the commands', () => {
    const r = cli(['--help']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Usage: transcriptorio/);
    assert.match(r.out, /server/);
    assert.match(r.out, /db/);
  });

  it('server --help lists host, port, workers and database options', () => {
    const r = cli(['server', '--help']);
    assert.equal(r.code, 0, r.err);
    for (const opt of ['--host', '--port', '--workers', '--reload', '--database-url', '--data-dir', '--log-level']) assert.ok(r.out.includes(opt), `missing ${opt}`);
  });

  it('db status on a fresh DATA_DIR shows pending migrations, db migrate applies them, then all is up to date', () => {
    const before = cli(['db', 'status']);
    assert.equal(before.code, 0, before.err);
    assert.match(before.out, /Database: sqlite/);
    assert.match(before.out, /pending\s+001-initial/);
    assert.match(before.out, /pending migration\(s\)/);

    const migrate = cli(['db', 'migrate']);
    assert.equal(migrate.code, 0, migrate.err);
    assert.match(migrate.out, /Applied: .*001-initial/);
    assert.ok(existsSync(join(dataDir, 'transcriptorio.db')), 'the SQLite file is made under DATA_DIR');

    const again = cli(['db', 'migrate']);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /Database is up to date/);

    const after = cli(['db', 'status']);
    assert.equal(after.code, 0, after.err);
    assert.match(after.out, /applied\s+001-initial/);
    assert.match(after.out, /Up to date/);
    assert.doesNotMatch(after.out, /pending/);
  });

  it('a bad PORT fails at once with a clear message and a non-zero exit', () => {
    for (const [args, env] of [[['server'], { PORT: 'eighty' }], [['server', '--port', '99999'], {}]] as const) {
      const started = Date.now();
      const r = cli([...args], env);
      assert.notEqual(r.code, 0);
      assert.match(r.err, /PORT must be an integer between 0 and 65535/);
      assert.ok(Date.now() - started < 30_000);
    }
  });

  it('a bad LOG_LEVEL fails at once with a clear message and a non-zero exit', () => {
    const r = cli(['server'], { LOG_LEVEL: 'loud' });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
    const flag = cli(['db', 'status', '--log-level', 'chatty']);
    assert.notEqual(flag.code, 0);
    assert.match(flag.err, /LOG_LEVEL must be one of/);
  });

  it('an unsupported DATABASE_URL is refused with a clear message', () => {
    const r = cli(['db', 'status'], { DATABASE_URL: 'mysql://root@localhost/db' });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /DATABASE_URL .* is not supported/);
  });

  it('an unknown command is an error that shows help', () => {
    const r = cli(['fly']);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /unknown command 'fly'/);
  });
});

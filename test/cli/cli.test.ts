/** The CLI as a user runs it: help, database migrations on a fresh SQLite DATA_DIR, and fail-fast configuration errors. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { SettingsService } from '../../src/settings/settings.service.js';
import { engineSkip, minimalModel } from '../engine/helpers.ts';
import { JFK_WAV } from '../helpers/fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/transcriptorio.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'tio-cli-'));

function cli(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL', 'LOG_FORMAT', 'TRANSCRIPTORIO_MODEL_PATH']) delete base[k];
  const res = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    cwd,
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

describe('transcriptorio transcribe inside an installed instance', { skip: engineSkip() }, () => {
  const root = mkdtempSync(join(tmpdir(), 'tio-cli-instance-'));
  // An install: <root>/data (DATA_DIR) and <root>/models (the default model_path, ./models of the server's folder).
  const instData = join(root, 'install', 'data');
  const instModels = join(root, 'install', 'models');
  const elsewhere = join(root, 'somewhere else');
  after(() => rmSync(root, { recursive: true, force: true }));

  it('uses the instance\'s model and model folder (as an absolute path), the preset resolver for --preset, and the defaults with --no-instance', async () => {
    mkdirSync(instModels, { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
    const model = await minimalModel();
    copyFileSync(model, join(instModels, 'ggml-small.bin'));
    copyFileSync(model, join(instModels, 'ggml-base.bin'));
    copyFileSync(JFK_WAV, join(elsewhere, 'Talk.wav'));
    // The instance as the server leaves it: migrated, defaults in place, then the user's choices.
    const handle = openDatabase(`sqlite:${join(instData, 'transcriptorio.db')}`);
    await migrateToLatest(handle);
    const settings = new SettingsService(handle.db);
    await settings.initDefaults();
    await settings.update('whisper_model', 'small');
    await settings.update('preset_best_model', 'base');
    await handle.close();

    const args = ['transcribe', 'Talk.wav', '--lang', 'eng', '--source', 'eng', '--threads', '2', '--no-lrc'];
    const used = cli(args, { DATA_DIR: instData }, elsewhere);
    assert.equal(used.code, 0, used.err);
    assert.ok(used.err.includes(`Settings of the instance at ${join(instData, 'transcriptorio.db')}: model small, models in ${instModels}`), used.err);
    assert.ok(existsSync(join(elsewhere, 'Talk.eng.srt')));

    const fast = cli([...args, '--preset', 'best', '--output', 'best subs/deeper'], { DATA_DIR: instData }, elsewhere);
    assert.equal(fast.code, 0, fast.err);
    assert.match(fast.err, /: model base, models in /, 'the preset\'s own model, as the server resolves it');
    assert.ok(existsSync(join(elsewhere, 'best subs', 'deeper', 'Talk.eng.srt')), '--output DIR is created when missing');

    const flags = cli([...args, '--model', model, '--output', 'by flag'], { DATA_DIR: instData }, elsewhere);
    assert.equal(flags.code, 0, flags.err);
    assert.ok(flags.err.includes(`model ${model}`), 'a flag wins over the instance');

    const none = cli([...args, '--no-instance'], { DATA_DIR: instData }, elsewhere);
    assert.equal(none.code, 1);
    assert.match(none.err, /Default settings/);
    assert.ok(none.err.includes(`Model file ${join(elsewhere, 'models', 'ggml-medium.bin')} is missing`), none.err);
    assert.ok(!existsSync(join(elsewhere, 'data')), 'looking for an instance never creates one');
  });

  it('--output naming a file is refused with a message that says so', () => {
    mkdirSync(elsewhere, { recursive: true });
    copyFileSync(JFK_WAV, join(elsewhere, 'Talk.wav'));
    const r = cli(['transcribe', 'Talk.wav', '--lang', 'eng', '--output', 'Talk.wav', '--no-instance'], {}, elsewhere);
    assert.equal(r.code, 1);
    assert.match(r.err, /--output Talk\.wav is a file, not a folder/);
  });
});

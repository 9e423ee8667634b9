import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../helpers/db.js';
import { openDatabase } from '../../src/db/database.js';
import { createTestLibrary } from './media.js';
import { slowFfprobe, writeSlowMedia } from './slow-ffprobe.js';

const root = join(import.meta.dirname, '..', '..');

function cli(args: string[], dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

test('transcriptorio scan --dry-run prints each decision and a summary; a held scan lease is reported', async () => {
  const lib = createTestLibrary();
  const db = await createTestDatabase('sqlite');
  try {
    const dry = cli(['scan', join(lib.root, 'anime'), join(lib.root, 'music'), '--dry-run'], db.dataDir);
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.out, /SKIP {2}.*Show S01E01\.mkv\n\s+no enabled scan rules/);
    assert.match(dry.out, /Dry run: 4 media files scanned/);
    // The summary accounts for every media file once, and names the other files for what they are.
    assert.match(dry.out, /\n {2}0 would get a job, 4 skipped\n/);
    assert.match(dry.out, /\n {2}\d+ other files \(subtitles, images, notes…\) are not media and were left alone/);
    assert.doesNotMatch(dry.out, /not media: /);

    const flat = cli(['scan', lib.root, '--dry-run', '--no-recursive'], db.dataDir);
    assert.match(flat.out, /Dry run: 0 media files scanned/);

    const handle = openDatabase(`sqlite:${join(db.dataDir, 'transcriptorio.db')}`);
    await handle.db.insertInto('app_state').values({ key: 'scanner.lock', value: JSON.stringify({ owner: 'server:42:aa', expires_ms: Date.now() + 60_000 }) }).execute();
    await handle.close();
    const busy = cli(['scan', lib.root], db.dataDir);
    assert.equal(busy.code, 3);
    assert.match(busy.out, /A scan is running already/);
  } finally {
    await db.drop();
  }
});

test('Ctrl-C cancels a running transcriptorio scan: ffprobe children killed, lease released, exit code 130', async () => {
  const lib = createTestLibrary();
  const db = await createTestDatabase('sqlite');
  const work = mkdtempSync(join(tmpdir(), 'tio-cli-cancel-'));
  // Never finishes for slow-* files, so the scan runs until the signal, without a timing race.
  const probe = slowFfprobe(work);
  const folder = join(work, 'library');
  mkdirSync(folder);
  for (let i = 0; i < 3; i++) writeSlowMedia(lib.english, join(folder, `slow-${i}.mkv`));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: db.dataDir, LOG_LEVEL: 'silent', FFPROBE_PATH: probe.bin };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'scan', folder], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const end = Date.now() + 60_000;
    while (probe.pids().length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.equal(probe.pids().length, 3, `the scan did not get to its probes: ${out}`);
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    assert.ok(Date.now() - t0 < 10_000, 'the CLI stops promptly');
    assert.equal(code, 130, out);
    assert.match(out, /Cancelling the scan/);
    assert.match(out, /Scan cancelled/);
    assert.deepEqual(probe.alive(), [], 'no ffprobe left behind');
    const handle = openDatabase(`sqlite:${join(db.dataDir, 'transcriptorio.db')}`);
    try {
      const lock = await handle.db.selectFrom('app_state').select('value').where('key', '=', 'scanner.lock').executeTakeFirst();
      assert.equal(lock, undefined, 'the lease is released');
    } finally {
      await handle.close();
    }
  } finally {
    await db.drop();
  }
});

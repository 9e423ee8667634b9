/**
 * Scan reasons speak about the file: a skipped episode names the subtitle
 * the user already has, untagged audio and a marker are named as such, a
 * queued file names its rule once, and a real scan lists its per-file
 * outcomes with the jobs it created (generated media, real ffprobe).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { openDatabase } from '../../src/db/database.js';
import { ScanRulesService } from '../../src/rules/rules.service.js';
import { mux, speech, srtText } from './media.js';

interface Decision { file_path: string; action: string; reason: string; rule_name?: string; job_id?: string }

function buildShow(): { root: string; ep: (n: number) => string } {
  const root = mkdtempSync(join(tmpdir(), 'tio-reasons-'));
  const ja = speech(join(root, '..', `${root.split('/').pop()}-ja.wav`), 'ja', 'こんにちは');
  const ep = (n: number) => join(root, 'Show', 'Season 01', `Show S01E0${n}.mkv`);
  mux(ep(1), { audio: [{ wav: ja, language: 'jpn', default: true }] });
  mux(ep(2), { audio: [{ wav: ja, language: 'jpn', default: true }] });
  writeFileSync(join(root, 'Show', 'Season 01', 'Show S01E02.spa.srt'), srtText('Hola'));
  mux(ep(3), { audio: [{ wav: ja, default: true }] });
  mux(ep(4), { audio: [{ wav: ja, language: 'jpn', default: true }] });
  writeFileSync(`${ep(4)}.notranscribe`, '');
  return { root, ep };
}

for (const kind of databaseKinds()) {
  describe(`scan reasons (${kind})`, () => {
    let t: TestApp;
    let lib: ReturnType<typeof buildShow>;
    before(async () => {
      lib = buildShow();
      t = await createTestApp(kind);
      await t.ctx.settings.bulkUpdate({ library_paths: lib.root });
      await t.ctx.rules.create({ name: 'Japanese to Spanish', priority: 5, conditions: { audio_language_is: 'jpn', missing_external_subtitle_lang: 'spa' }, action: { target_language: 'spa' } });
    });
    after(async () => t.close());

    const byName = (ds: Decision[]) => Object.fromEntries(ds.map((d) => [d.file_path.split('/').pop()!, d]));

    test('a dry run gives each skipped file its real cause', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } });
      assert.equal(res.statusCode, 200, res.body);
      const d = byName(res.json().decisions);
      assert.equal(d['Show S01E02.mkv'].reason, 'already has Spanish subtitles: Show S01E02.spa.srt (nearest rule: "Japanese to Spanish")');
      assert.equal(d['Show S01E03.mkv'].reason, 'audio language unknown: no track is tagged, and Japanese audio is required (nearest rule: "Japanese to Spanish")');
      assert.equal(d['Show S01E04.mkv'].reason, 'marked not to transcribe: Show S01E04.mkv.notranscribe');
      assert.equal(d['Show S01E01.mkv'].action, 'job');
      assert.equal(d['Show S01E01.mkv'].reason, 'rule "Japanese to Spanish": Japanese audio → Spanish subtitles');
    });

    test('a real scan lists its per-file outcomes with the id of each job it created, also in its run', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/scanner/scan' });
      assert.equal(res.statusCode, 200, res.body);
      const r = res.json();
      assert.equal(r.dry_run, false);
      assert.deepEqual([r.scanned_files, r.jobs_created, r.skipped_files], [4, 1, 3]);
      const d = byName(r.decisions);
      assert.equal(Object.keys(d).length, 4);
      const job = await t.ctx.jobs.get(d['Show S01E01.mkv'].job_id!);
      assert.equal(job.file_path, lib.ep(1));
      assert.equal(d['Show S01E02.mkv'].job_id, undefined);
      const run = (await t.app.inject({ url: `/api/scanner/scans/${res.headers['x-scan-id']}` })).json();
      assert.equal(run.result.decisions.find((x: Decision) => x.job_id)?.job_id, job.id);
      // The next scan says why the queued episode is skipped now.
      const again = byName((await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } })).json().decisions);
      assert.equal(again['Show S01E01.mkv'].reason, 'a job is already queued or running for this file');
    });
  });
}

test('the CLI summary accounts for the media files once and lists a real scan per file', async () => {
  const lib = buildShow();
  const dataDir = mkdtempSync(join(tmpdir(), 'tio-reasons-cli-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: join(import.meta.dirname, '..', '..'), env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  // No rules yet: every file is skipped, and the summary says so in one count.
  const out = cli(['scan', lib.root]);
  assert.equal(out.code, 0, out.out);
  assert.match(out.out, /4 media files scanned/);
  assert.match(out.out, /\n {2}0 jobs created, 4 skipped\n/);
  assert.match(out.out, /2 other files \(subtitles, images, notes…\) are not media/, 'the .srt and the marker');
  assert.match(out.out, /SKIP {2}.*Show S01E04\.mkv\n\s+marked not to transcribe: Show S01E04\.mkv\.notranscribe/);

  // With a rule, the real scan lists the queued file once, with its rule and the job it made.
  const handle = openDatabase(`sqlite:${join(dataDir, 'transcriptorio.db')}`);
  try {
    await new ScanRulesService(handle.db).create({ name: 'Japanese to Spanish', conditions: { audio_language_is: 'jpn', missing_external_subtitle_lang: 'spa' }, action: { target_language: 'spa' } });
  } finally {
    await handle.close();
  }
  const real = cli(['scan', lib.root]);
  assert.equal(real.code, 0, real.out);
  assert.match(real.out, /JOB {2}spa {2}.*Show S01E01\.mkv\n {6}rule "Japanese to Spanish": Japanese audio → Spanish subtitles \(job \w+\)\n/);
  assert.equal(real.out.split('Japanese to Spanish').length - 1, 3, 'named once per line: the job and the two near misses');
  assert.match(real.out, /\n {2}1 job created, 3 skipped\n/);
});

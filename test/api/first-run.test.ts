/**
 * From a fresh install to finished subtitles, as a new user does it, with no
 * visit to Settings: the real server started in an empty install folder with
 * a fresh data folder, a ggml model file (the generated test model) copied
 * into the model folder the wizard shows, `POST /api/setup/standalone`
 * without a model (a Japanese → English rule, one CPU worker), then a scan:
 * the jobs complete with that model and the subtitles are written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestModel } from '../../scripts/test-model.js';
import { engineSkip } from '../engine/helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/** A short MKV with Japanese speech (espeak-ng, else a tone) on an audio track tagged `jpn`. */
function japaneseMovie(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const wav = join(dir, `.${name}.wav`);
  const espeak = spawnSync('espeak-ng', ['-v', 'ja', '-s', '140', '-w', wav, text]);
  const audio = espeak.status === 0 && existsSync(wav) ? ['-i', wav] : ['-f', 'lavfi', '-i', 'sine=frequency=330:duration=4'];
  const out = join(dir, name);
  execFileSync('ffmpeg', [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'color=black:s=64x64:d=4:r=5', ...audio,
    '-map', '0:v', '-map', '1:a', '-shortest',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-ar', '16000', '-ac', '1',
    '-metadata:s:a:0', 'language=jpn',
    out,
  ]);
  rmSync(wav, { force: true });
  return out;
}

describe('first run: drop a model file, set up without Settings, scan, jobs complete', { skip: engineSkip() }, () => {
  let install: string;
  let proc: ChildProcess;
  let url: string;
  let output = '';
  const api = async <T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const r = await fetch(url + path, { method, headers: body !== undefined ? { 'content-type': 'application/json' } : {}, body: body !== undefined ? JSON.stringify(body) : undefined });
    return { status: r.status, body: (await r.json()) as T };
  };

  before(async () => {
    install = mkdtempSync(join(tmpdir(), 'tio-first-run-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(install, 'data'), LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    delete env.NODE_ENV;
    delete env.TRANSCRIPTORIO_MODEL_BASE_URL;
    // Started from the install folder, as `npm start` is: the model folder is DATA_DIR/models, whatever the working folder.
    proc = spawn(process.execPath, [join(ROOT, 'bin', 'transcriptorio.js'), 'server', '--port', String(port), '--host', '127.0.0.1'], { cwd: install, env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${output}`);
      if (await fetch(`${url}/health`).then((r) => r.status < 500, () => false)) break;
      if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    if (install) rmSync(install, { recursive: true, force: true });
  });

  it('the jobs of a Japanese → English rule complete with the model file from the model folder', { timeout: 300_000 }, async () => {
    const library = join(install, 'library');
    const movies = [
      japaneseMovie(join(library, 'Show', 'Season 01'), 'Show S01E01.mkv', 'こんにちは。今日はいい天気ですね。'),
      japaneseMovie(join(library, 'Show', 'Season 01'), 'Show S01E02.mkv', 'ありがとうございます。また明日。'),
    ];
    // The wizard shows the model folder as an absolute path; the file goes there.
    const rec = await api('GET', '/api/models/recommendation');
    assert.equal(rec.status, 200);
    assert.equal(rec.body.model_dir, join(install, 'data', 'models'));
    mkdirSync(rec.body.model_dir, { recursive: true });
    const model = join(rec.body.model_dir, 'ggml-test-model.bin');
    copyFileSync(await ensureTestModel('minimal'), model);

    const setup = await api('POST', '/api/setup/standalone', {
      library_paths: [library],
      scan_rules: [{ name: 'Japanese to English', audio_language_is: 'jpn', missing_external_subtitle_lang: 'eng', target_language: 'eng' }],
      worker_config: { count: 1, type: 'cpu' },
      scanner_config: { interval_minutes: 360 },
    });
    assert.equal(setup.status, 200, JSON.stringify(setup.body));
    assert.deepEqual(setup.body.model, { name: model, source: 'installed', installed: true });
    assert.deepEqual(setup.body.warnings, [], 'Whisper makes English itself: no translation provider needed');
    const health = await api<{ checks: Array<{ id: string; level: string }> }>('GET', '/api/system/health');
    assert.ok(!health.body.checks.some((c) => c.id.startsWith('model_missing')), `no model check fails: ${JSON.stringify(health.body.checks)}`);

    const scan = await api('POST', '/api/scanner/scan');
    assert.equal(scan.status, 200, JSON.stringify(scan.body));
    assert.equal(scan.body.jobs_created, 2, JSON.stringify(scan.body));

    const deadline = Date.now() + 240_000;
    let jobs: Array<{ status: string; file_path: string; output_path?: string | null; error?: string | null; model_used?: string | null }>;
    for (;;) {
      jobs = (await api('GET', '/api/jobs')).body.jobs;
      if (jobs.length === 2 && jobs.every((j) => ['completed', 'failed', 'cancelled'].includes(j.status))) break;
      if (Date.now() > deadline) throw new Error(`jobs did not finish: ${JSON.stringify(jobs)}\n${output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const j of jobs) {
      assert.equal(j.status, 'completed', `${j.file_path}: ${j.error}`);
      assert.ok(j.output_path && existsSync(j.output_path), `subtitle written for ${j.file_path}: ${j.output_path}`);
      assert.match(j.output_path, /\.(eng|en)\.srt$/);
    }
    assert.deepEqual(jobs.map((j) => j.file_path).sort(), movies.sort());
  });
});

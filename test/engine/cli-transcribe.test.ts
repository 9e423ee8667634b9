/** `transcriptorio transcribe` as a user runs it, on the generated minimal model. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineSkip, minimalModel, tempDir } from './helpers.js';
import { JFK } from '../fixtures-gen/engine-media.js';

const skip = engineSkip();
const BIN = fileURLToPath(new URL('../../bin/transcriptorio.js', import.meta.url));

async function transcribe(dir: string, extra: string[]) {
  const model = await minimalModel();
  const media = join(dir, 'Talk.wav');
  copyFileSync(JFK, media);
  // stderr is a pipe here, as in a log file or CI: the case that printed `{file}`.
  const r = spawnSync(process.execPath, [BIN, 'transcribe', media, '--lang', 'eng', '--source', 'eng', '--model', model, '--model-dir', dirname(model), '--threads', '2', ...extra], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, TRANSCRIPTORIO_FROM_SOURCE: '1' },
  });
  return { ...r, media };
}

test('transcribe: progress names the file (no literal {file}); audio-only input gets .lrc by default', { skip }, async (t) => {
  const dir = tempDir(t);
  const r = await transcribe(dir, []);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stderr.includes('{file}'), r.stderr);
  assert.match(r.stderr, /Talk\.wav: transcribing/);
  assert.match(r.stderr, /Talk\.wav: .*Talk\.eng\.lrc/);
  assert.ok(existsSync(join(dir, 'Talk.eng.lrc')));
});

test('transcribe --no-lrc and --format give an audio-only input .srt / the asked format', { skip }, async (t) => {
  const dir = tempDir(t);
  const noLrc = await transcribe(dir, ['--no-lrc']);
  assert.equal(noLrc.status, 0, noLrc.stderr);
  assert.ok(existsSync(join(dir, 'Talk.eng.srt')));
  assert.ok(!existsSync(join(dir, 'Talk.eng.lrc')));
  const vtt = await transcribe(dir, ['--format', 'vtt']);
  assert.equal(vtt.status, 0, vtt.stderr);
  assert.ok(existsSync(join(dir, 'Talk.eng.vtt')));
  assert.ok(!existsSync(join(dir, 'Talk.eng.lrc')));
});

/**
 * `transcriptorio sync` as Bazarr's post-processing or a user would run it,
 * as a real child process on a real MKV (real ffmpeg and Silero): a late
 * subtitle is fixed within 100 ms with the original kept; --dry-run and a
 * subtitle in sync write nothing; --reference syncs to another subtitle; a
 * bad file exits 1 with a message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { srtOf, srtTimes, syncFilm } from './sync-media.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

function cli(args: string[], dataDir: string) {
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'transcriptorio.js'), 'sync', ...args, '--data-dir', dataDir], {
    encoding: 'utf8', env: { ...process.env, TRANSCRIPTORIO_FROM_SOURCE: '1', NO_COLOR: '1' },
  });
}

test('sync fixes a late subtitle, keeps the original, and leaves good ones and dry runs alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tio-sync-cli-'));
  const data = join(dir, 'data');
  const film = syncFilm(join(dir, 'Flood (1999)'));
  const late = join(film.dir, 'Flood (1999).en.srt');
  const good = join(film.dir, 'Flood (1999).fr.srt');
  writeFileSync(late, srtOf(film.truth, 3.2));
  writeFileSync(good, srtOf(film.truth, 0));
  const original = readFileSync(late);

  const dry = cli([film.mkv, late, '--dry-run', '--json'], data);
  assert.equal(dry.status, 0, dry.stderr);
  const plan = JSON.parse(dry.stdout);
  assert.equal(plan.verdict, 'fix');
  assert.ok(Math.abs(plan.offset_seconds + 3.2) < 0.1, `offset ${plan.offset_seconds}`);
  assert.equal(plan.written, false);
  assert.deepEqual(readFileSync(late), original, '--dry-run writes nothing');

  const fixed = cli([film.mkv, late], data);
  assert.equal(fixed.status, 0, fixed.stderr);
  assert.match(fixed.stdout, /late|shift/i);
  const kept = /The original is kept at (.+)$/m.exec(fixed.stdout)?.[1];
  assert.ok(kept, fixed.stdout);
  assert.deepEqual(readFileSync(kept), original);
  srtTimes(late).forEach((c, i) => assert.ok(Math.abs(c.start - film.truth[i].start) <= 0.1, `cue ${i + 1}: ${c.start} vs ${film.truth[i].start}`));

  const goodBytes = readFileSync(good);
  // (Against the audio, in sync is the API test's; here the good subtitle against itself as the reference, no second listen.)
  const copy = join(dir, 'copy.srt');
  writeFileSync(copy, goodBytes);
  const inSync = cli([film.mkv, good, '--reference', copy], data);
  assert.equal(inSync.status, 0, inSync.stderr);
  assert.match(inSync.stdout, /in sync/i);
  assert.match(inSync.stdout, /Nothing written/);
  assert.deepEqual(readFileSync(good), goodBytes);

  writeFileSync(late, srtOf(film.truth, 12));
  const byRef = cli([film.mkv, late, '--reference', good, '--json'], data);
  assert.equal(byRef.status, 0, byRef.stderr);
  const r = JSON.parse(byRef.stdout);
  assert.equal(r.written, true);
  assert.ok(Math.abs(r.offset_seconds + 12) < 0.05, `offset ${r.offset_seconds}`);

  writeFileSync(join(dir, 'broken.srt'), 'not a subtitle\n');
  const bad = cli([film.mkv, join(dir, 'broken.srt')], data);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /no SRT cue/);
});

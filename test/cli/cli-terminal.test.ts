/**
 * The CLI in a real pseudo-terminal (util-linux `script`, with `stty cols`):
 * the progress bar of `transcribe` fits the terminal's width, a failed file
 * prints its reason on a line of its own above the bar and the command exits
 * non-zero, a written file's line is printed in full, and the server's log
 * lines are readable (not JSON) on a terminal, its workers' lines too.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineSkip, minimalModel } from '../engine/helpers.ts';
import { JFK_WAV } from '../helpers/fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/transcriptorio.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tio-pty-'));
const skip = engineSkip() || (spawnSync('script', ['--version']).status !== 0 ? 'util-linux script is not installed' : false);

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs a shell command line in a pseudo-terminal `cols` wide; the output is what the terminal received. */
function inTerminal(cols: number, line: string, env: Record<string, string> = {}, timeout = 120_000) {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL', 'LOG_FORMAT', 'COLUMNS']) delete base[k];
  const r = spawnSync('script', ['-q', '-e', '-c', `stty cols ${cols} rows 30; ${line}`, '/dev/null'], {
    encoding: 'utf8',
    timeout,
    env: { ...base, DATA_DIR: join(work, 'no-instance'), TRANSCRIPTORIO_FROM_SOURCE: '1', TERM: 'xterm', ...env },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

// eslint-disable-next-line no-control-regex -- a terminal's escape sequences start with the ESC character
const ESCAPE_SEQUENCE = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** What was drawn, piece by piece: every cursor movement or line end starts a new piece. */
function pieces(raw: string): string[] {
  return raw
    .replace(ESCAPE_SEQUENCE, '\n')
    .split(/[\r\n]+/)
    .filter((l) => l.trim());
}
/** Lines as they stay on the screen (escape sequences removed). */
function plainLines(raw: string): string[] {
  return raw
    .replace(ESCAPE_SEQUENCE, '')
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter(Boolean);
}
const barPieces = (raw: string) => pieces(raw).filter((p) => /\[[█░]+\]\s+\d+%/.test(p));

describe('CLI in a terminal', { skip }, () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  it('transcribe at 80 columns: the bar fits, a failed file says why on its own line, the written file is named in full, exit 1', async () => {
    const model = await minimalModel();
    const name = 'A very long film title that keeps going well past the width (2024) S01E02.wav';
    copyFileSync(JFK_WAV, join(work, name));
    const out = join(work, 'subtitles for the terminal test', 'nested', 'folder that does not exist yet');
    const r = inTerminal(80, `cd ${q(work)} && node ${q(BIN)} transcribe ${q(name)} missing-file.mkv --lang eng --source eng --model ${q(model)} --threads 2 --no-lrc --output ${q(out)}`);
    assert.equal(r.code, 1, r.out);
    const bars = barPieces(r.out);
    assert.ok(bars.length > 0, `a progress bar was drawn: ${r.out}`);
    for (const b of bars) assert.ok(b.length <= 79, `bar wider than the terminal (${b.length}): ${b}`);
    assert.ok(bars.some((b) => /S01E02\.wav \[/.test(b)), `the bar names the file: ${bars.join('\n')}`);
    const lines = plainLines(r.out);
    const written = join(out, name.replace(/\.wav$/, '.eng.srt'));
    assert.ok(existsSync(written), '--output DIR was made and the subtitle written there');
    assert.ok(lines.some((l) => l.startsWith('✔') && l.includes(`${written} (`)), `the success line is not cut: ${lines.join('\n')}`);
    assert.ok(lines.some((l) => /^✖ missing-file\.mkv: failed: .*(not found|No such file|does not exist)/i.test(l)), `the error has its own line: ${lines.join('\n')}`);
    assert.ok(lines.includes('1 of 2 files failed.'), lines.join('\n'));
  });

  it('transcribe at 50 columns: the bar still fits', async () => {
    const model = await minimalModel();
    copyFileSync(JFK_WAV, join(work, 'Narrow.wav'));
    const r = inTerminal(50, `cd ${q(work)} && node ${q(BIN)} transcribe Narrow.wav --lang eng --source eng --model ${q(model)} --threads 2 --no-lrc`);
    assert.equal(r.code, 0, r.out);
    const bars = barPieces(r.out);
    assert.ok(bars.length > 0, r.out);
    for (const b of bars) assert.ok(b.length <= 49, `bar wider than 50 columns (${b.length}): ${b}`);
  });

  it('transcribe with the model missing: exit 1 and the reason stays on screen', () => {
    const empty = join(work, 'empty-models');
    mkdirSync(empty, { recursive: true });
    copyFileSync(JFK_WAV, join(work, 'Talk.wav'));
    const r = inTerminal(80, `cd ${q(work)} && node ${q(BIN)} transcribe Talk.wav --lang eng --model small --model-dir ${q(empty)}`);
    assert.equal(r.code, 1, r.out);
    const lines = plainLines(r.out);
    assert.ok(lines.some((l) => l.includes(`Model file ${join(empty, 'ggml-small.bin')} is missing`)), lines.join('\n'));
  });

  it('server on a terminal: readable log lines (its workers too) and the banner, no JSON', () => {
    const dataDir = join(work, 'server-data');
    const log = join(dataDir, 'logs', 'transcriptorio.log');
    const line = [
      `node ${q(BIN)} server --port 0 --host 127.0.0.1 --workers 1 & pid=$!`,
      `for i in $(seq 1 600); do grep -q 'worker started' ${q(log)} 2>/dev/null && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done`,
      'sleep 0.5; kill -TERM $pid 2>/dev/null; wait $pid',
    ].join('; ');
    const r = inTerminal(100, line, { DATA_DIR: dataDir }, 90_000);
    const lines = plainLines(r.out);
    assert.ok(lines.some((l) => /INFO.*Server listening at http/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /INFO.*\[worker-cpu-0\] worker started/.test(l)), `the worker's lines are readable too: ${lines.join('\n')}`);
    assert.ok(lines.some((l) => /^Open http:\/\/localhost:\d+ to finish setup\.$/.test(l)), lines.join('\n'));
    assert.ok(!lines.some((l) => l.startsWith('{"level"')), `no JSON lines on a terminal: ${lines.join('\n')}`);
  });
});

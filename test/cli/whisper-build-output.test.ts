/**
 * What `npm install` shows of the whisper.cpp build (scripts/build-whisper.mjs,
 * run by postinstall.mjs): a few progress lines (configuring, compiling N/M,
 * linked, the time) and the log's path, never the compiler's warnings, which
 * stay in the log; a failed build shows the end of the log and its path.
 *
 * The real cmake and C compiler build a three-file project with whisper.cpp's
 * target names (TRANSCRIPTORIO_WHISPER_SRC), so the test takes seconds, not
 * the minutes of whisper.cpp itself.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const POSTINSTALL = fileURLToPath(new URL('../../scripts/postinstall.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tio-whisper-build-'));
after(() => rmSync(root, { recursive: true, force: true }));

const tools = ['cmake', 'cc'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status !== 0);
const skip = tools.length ? `needs ${tools.join(' and ')}` : false;

/** A source tree that builds whisper-cli, whisper-server and whisper-vad-speech-segments, one of them with a compiler warning. */
function fakeSource(name: string, extraCmake = ''): string {
  const src = join(root, name);
  mkdirSync(src, { recursive: true });
  writeFileSync(
    join(src, 'CMakeLists.txt'),
    [
      'cmake_minimum_required(VERSION 3.13)',
      'project("whisper.cpp" VERSION 0.0.1 LANGUAGES C)',
      'set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)',
      'add_compile_options(-Wall)',
      'add_executable(whisper-cli cli.c)',
      'add_executable(whisper-server server.c)',
      'add_executable(whisper-vad-speech-segments vad.c)',
      extraCmake,
    ].join('\n'),
  );
  writeFileSync(join(src, 'cli.c'), 'int main(void) { int unused_on_purpose; return 0; }\n');
  writeFileSync(join(src, 'server.c'), 'int main(void) { return 0; }\n');
  writeFileSync(join(src, 'vad.c'), 'int main(void) { return 0; }\n');
  return src;
}

function install(src: string, out: string): { code: number | null; text: string } {
  const r = spawnSync(process.execPath, [POSTINSTALL], {
    env: { ...process.env, TRANSCRIPTORIO_WHISPER_SRC: src, TRANSCRIPTORIO_WHISPER_DIR: out, TRANSCRIPTORIO_CUDA: '0', TRANSCRIPTORIO_SKIP_WHISPER_BUILD: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, text: `${r.stdout}${r.stderr}` };
}

describe('the whisper.cpp build as npm install shows it', { skip }, () => {
  it('a few progress lines and the log path on the terminal; the compiler warning only in the log', () => {
    const out = join(root, 'ok-out');
    const r = install(fakeSource('ok'), out);
    const log = join(out, 'build-cpu.log');
    assert.equal(r.code, 0, r.text);
    assert.ok(r.text.includes(`the compiler's messages go to ${log}`), r.text);
    assert.match(r.text, /\[whisper\.cpp\] configuring\.\.\./);
    assert.match(r.text, /\[whisper\.cpp\] compiling 3\/3\n/, 'the count of object files is known before compiling');
    assert.match(r.text, /\[whisper\.cpp\] linked whisper-cli, whisper-server, whisper-vad-speech-segments/);
    assert.match(r.text, /\[whisper\.cpp\] cpu engine built in \d+ s -> /);
    assert.doesNotMatch(r.text, /warning|unused_on_purpose|Building C object|-- The C compiler/i, 'no compiler or cmake chatter on the terminal');
    assert.ok(r.text.trim().split('\n').length <= 8, `a few lines, not hundreds:\n${r.text}`);
    const kept = readFileSync(log, 'utf8');
    assert.match(kept, /warning: unused variable .unused_on_purpose/, 'the warning is in the log');
    assert.match(kept, /\$ cmake -S /, 'with the commands that ran');
    assert.ok(existsSync(join(out, 'cpu', 'bin', 'whisper-cli')));
  });

  it('a failed build shows the end of its log and the log path, and the install itself still succeeds', () => {
    const out = join(root, 'bad-out');
    const r = install(fakeSource('bad', 'message(FATAL_ERROR "the toolchain is not usable here")'), out);
    assert.equal(r.code, 0, 'a failed engine build must not fail npm install');
    assert.match(r.text, /ERROR: the cpu build failed \(cmake \(configure\) exited with 1\)\. The end of its log:/);
    assert.match(r.text, /the toolchain is not usable here/);
    assert.ok(r.text.includes(`the whole log: ${join(out, 'build-cpu.log')}`), r.text);
    assert.match(r.text, /npm run build:whisper/);
  });
});

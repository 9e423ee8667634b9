/**
 * Shared pieces of the worker tests: the generated random-weight model, media
 * made with ffmpeg, settings for fast real transcriptions, and bounded waits.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureTestModel } from '../../scripts/test-model.js';
import type { AppContext } from '../../src/server/context.js';
import type { TestDatabase } from '../helpers/db.js';

import { FIXTURES_DIR, JFK_WAV } from '../helpers/fixtures.js';

export const FIXTURES = FIXTURES_DIR;
export const JFK = JFK_WAV;
export const EXTRA_HANDLERS = resolve(import.meta.dirname, 'test-handlers.ts');
const ROOT = resolve(import.meta.dirname, '..', '..');

export interface ServerProcess {
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** SIGKILL of the server and its workers (its process group); nothing when already gone */
  killAll(): void;
}

/**
 * `transcriptorio server` as a real process on `db`, listening on a free
 * port, with the test-only job types of `handlers` loaded. In its own process
 * group, so a test can kill the server with its workers.
 */
export function startServerProcess(db: TestDatabase, handlers = EXTRA_HANDLERS): ServerProcess {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'transcriptorio.js'), 'server', '--port', '0', '--host', '127.0.0.1'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: db.dataDir, LOG_LEVEL: 'warn', TRANSCRIPTORIO_FROM_SOURCE: '1', TRANSCRIPTORIO_EXTRA_HANDLERS: handlers },
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const killAll = () => {
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  return { proc, exited: new Promise((r) => proc.once('exit', (code) => r(code))), killAll };
}

/** The minimal generated model (written into .cache/ on first use). */
export function minimalModel(): Promise<string> {
  return ensureTestModel('minimal');
}

/** A video file with the jfk speech as its (English-tagged) audio track, `repeat` times over. */
export function makeVideo(dir: string, name: string, opts: { repeat?: number } = {}): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, name);
  const loops = Math.max(0, (opts.repeat ?? 1) - 1);
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=black:s=160x120:r=5', '-stream_loop', String(loops), '-i', JFK,
    '-shortest', '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-metadata:s:a:0', 'language=eng', out,
  ]);
  return out;
}

/** A file with a video extension that is not media at all. */
export function makeCorrupt(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, name);
  writeFileSync(out, Buffer.from('this is not a matroska file '.repeat(200)));
  return out;
}

/** Settings for quick real transcriptions on the generated model: whisper_model alone makes every preset use it. */
export async function useTestModel(ctx: AppContext, extra: Record<string, unknown> = {}): Promise<void> {
  const model = await minimalModel();
  await ctx.settings.bulkUpdate({
    whisper_model: model,
    vad_enabled: false,
    whisper_threads: 1,
    preset_fast_beam_size: 1,
    whisper_best_of: 1,
    whisper_temperature_fallback: false,
    worker_heartbeat_seconds: 1,
    job_retry_backoff_seconds: 0,
    ...extra,
  });
}

export { waitFor } from '../helpers/wait.js';

export function pidAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

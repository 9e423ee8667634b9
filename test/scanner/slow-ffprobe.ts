/**
 * An ffprobe that never finishes for files named slow-*: a scan of them runs
 * until it is cancelled, with no timing race. Every such ffprobe writes its
 * pid, so a test can check that a cancel killed them. Other files go to the
 * real ffprobe. Point FFPROBE_PATH at `bin` (an app's configuration, or a child process's environment).
 * Write the slow-* files with `writeSlowMedia`: MediaInfo answers for whole
 * files in process, and only hands a truncated one to ffprobe.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isProcessAlive } from '../../src/scanner/scan-lease.js';

export interface SlowFfprobe {
  bin: string;
  /** pids of the slow-* ffprobes started so far */
  pids(): number[];
  /** those still running */
  alive(): number[];
}

export function slowFfprobe(dir: string): SlowFfprobe {
  const real = existsSync('/usr/bin/ffprobe') ? '/usr/bin/ffprobe' : (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string }).path;
  const pidFile = join(dir, 'slow-pids');
  const bin = join(dir, 'ffprobe');
  writeFileSync(bin, `#!/bin/sh\ncase "$*" in *slow-*) echo $$ >> '${pidFile}'; exec sleep 120;; esac\nexec '${real}' "$@"\n`);
  chmodSync(bin, 0o755);
  const pids = () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : []);
  return { bin, pids, alive: () => pids().filter(isProcessAlive) };
}

/** The first half of the media file `from` at `to`: a truncated file, which MediaInfo leaves to ffprobe. */
export function writeSlowMedia(from: string, to: string): void {
  const whole = readFileSync(from);
  writeFileSync(to, whole.subarray(0, Math.floor(whole.length / 2)));
}

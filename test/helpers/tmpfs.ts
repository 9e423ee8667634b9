/**
 * A small tmpfs for the full-disk tests: mounted fresh, filled to the last
 * byte by a filler file, unmounted after. Mounting needs root; `mountTmpfs`
 * answers null where it is not allowed, and the tests skip with the reason.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NO_TMPFS = 'cannot mount a tmpfs here (needs root): the full-disk behaviour is not checked';

/** A fresh tmpfs of `size` (e.g. '24m'), or null when this machine does not let us mount one. */
export function mountTmpfs(size: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'tio-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

export function unmount(dir: string): void {
  execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

export const freeBytesOf = (dir: string) => Number(statfsSync(dir).bavail) * Number(statfsSync(dir).bsize);

/** Writes `dir/filler` until the disk is full (or until only `leave` bytes are free); returns its path. */
export function fill(dir: string, leave = 0): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'a');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10]) {
      const buf = Buffer.alloc(size, 1);
      while (freeBytesOf(dir) - size >= leave) {
        try {
          writeSync(fd, buf);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * Where a worker process keeps its per-job temporary files (the extracted
 * WAV of the transcription pipeline, a provider job's audio read back from
 * the database, the chunks and windows cut from it): DATA_DIR/tmp/<worker
 * id>, handed to the process as its TMPDIR, so everything in it that asks
 * `os.tmpdir()` (and the ffmpeg and whisper.cpp it runs) writes there, never
 * into the system's temp folder.
 *
 * A job removes its own files when it ends. A process killed mid-job (an
 * OOM kill, a crash, the whole node going down) cannot: its supervisor
 * removes the folder when the process is gone and before the worker of that
 * id starts again, and at its start removes every folder that belongs to no
 * live worker.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

function workerTempRoot(dataDir: string): string {
  return join(dataDir, 'tmp');
}

/** One folder per worker id (ids are `worker-cpu-0` style; anything else is made safe for a file name). */
export function workerTempDir(dataDir: string, workerId: string): string {
  return join(workerTempRoot(dataDir), workerId.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/** The environment that makes `os.tmpdir()` answer `dir` in the child (TMPDIR on POSIX, TEMP/TMP on Windows). */
export function tempEnv(dir: string): Record<string, string> {
  return { TMPDIR: dir, TMP: dir, TEMP: dir };
}

/** An empty folder at `dir`: whatever a previous process of the same worker left is removed. */
export async function freshTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

/** Removes a worker's folder and what is in it (its process is gone). */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Removes everything under DATA_DIR/tmp but the folders of the workers in
 * `live` (a worker of another supervisor sharing this data folder keeps its
 * files). Returns the names removed.
 */
export async function sweepWorkerTemp(dataDir: string, live: ReadonlySet<string>): Promise<string[]> {
  const root = workerTempRoot(dataDir);
  const keep = new Set([...live].map((id) => workerTempDir(dataDir, id)));
  const removed: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const path = join(root, name);
    if (keep.has(path)) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

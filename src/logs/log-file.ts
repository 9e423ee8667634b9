/**
 * The server's log file under DATA_DIR: every JSON line of the server and of
 * its worker processes (they forward theirs over IPC), bounded in size. When
 * the file would pass `maxBytes` it becomes `<file>.1` (replacing the older
 * one) and a new file starts, so the pair never holds more than twice that.
 */
import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LogSink } from '../logger.js';

/** 4 MiB per file: a few days of an ordinary server's lines, in at most 8 MiB on disk. */
const LOG_FILE_MAX_BYTES = 4 * 1024 * 1024;

export function logFilePath(dataDir: string): string {
  return join(dataDir, 'logs', 'transcriptorio.log');
}

/** The current file and the rotated one, oldest first. */
export function logFiles(dataDir: string): string[] {
  const path = logFilePath(dataDir);
  return [`${path}.1`, path];
}

export class RotatingLogFile implements LogSink {
  private fd: number | null = null;
  private size = 0;
  private broken = false;

  constructor(
    readonly path: string,
    private readonly maxBytes = LOG_FILE_MAX_BYTES,
  ) {}

  private open(): number {
    if (this.fd !== null) return this.fd;
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a');
    this.size = statSync(this.path).size;
    return this.fd;
  }

  private rotate(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    renameSync(this.path, `${this.path}.1`);
  }

  /** Appends one line (a full line, ending in a newline). A full disk or a removed folder never stops the process. */
  write(line: string): void {
    if (this.broken) return;
    try {
      const bytes = Buffer.byteLength(line);
      this.open();
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      const fd = this.open();
      writeSync(fd, line.endsWith('\n') ? line : `${line}\n`);
      this.size += bytes;
    } catch (e) {
      this.broken = true;
      process.stderr.write(`cannot write the log file ${this.path}: ${(e as Error).message}; the Logs page will miss lines until the server restarts\n`);
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Reads the log file (log-file.ts) for the Logs page: the newest lines first
 * from the end of the files, so a request costs what it returns and not the
 * size of the files. Keys are taken out of every line that leaves the server.
 */
import { closeSync, existsSync, openSync, readSync, readFileSync, statSync } from 'node:fs';
import { logFiles } from './log-file.js';

export const LOG_LEVEL_NAMES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];
const LEVEL_NUMBER: Record<LogLevelName, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

interface LogEntry {
  time: string;
  level: LogLevelName;
  /** `server`, or the worker's id (`worker-cpu-0`) for a line a worker process wrote */
  source: string;
  message: string;
  /** the line's other fields (component, job, err...) */
  fields: Record<string, unknown>;
}

interface LogQuery {
  /** this level and above */
  level?: LogLevelName;
  /** the newest N lines that match (returned oldest first) */
  limit: number;
  /** only lines written after this moment (epoch ms) */
  sinceMs?: number;
}

function levelName(n: unknown): LogLevelName {
  const v = Number(n);
  return ([...LOG_LEVEL_NAMES].reverse().find((l) => v >= LEVEL_NUMBER[l]) ?? 'info') as LogLevelName;
}

const HIDDEN = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'name', 'worker', 'v']);

/** A JSON log line as the page shows it; null for a line that is not one of ours. */
function parseLine(line: string): LogEntry | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!o || typeof o !== 'object' || o.level === undefined) return null;
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString() : String(o.time ?? '');
  const source = typeof o.worker === 'string' ? o.worker : o.name === 'worker' ? 'worker' : 'server';
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!HIDDEN.has(k)) fields[k] = v;
  return { time, level: levelName(o.level), source, message: typeof o.msg === 'string' ? o.msg : '', fields };
}

/**
 * Takes secrets out of a line before it leaves the server: the API key in
 * force (in a message, a provider URL) and any key that a first start printed.
 */
function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(API key:? )[0-9a-f]{16,}/gi, '$1[redacted]');
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join('[redacted]');
  return out;
}

const CHUNK = 64 * 1024;
const SINCE_SLACK_MS = 5000;

/** The lines of one file from its end to its start, without reading it all at once. */
function* linesBackwards(path: string): Generator<string> {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r');
  try {
    let pos = statSync(path).size;
    let carry = Buffer.alloc(0);
    while (pos > 0) {
      const start = Math.max(0, pos - CHUNK);
      const chunk = Buffer.alloc(pos - start);
      readSync(fd, chunk, 0, chunk.length, start);
      pos = start;
      const buf = Buffer.concat([chunk, carry]);
      // A newline byte never occurs inside a multi-byte UTF-8 character, so splitting bytes is safe.
      const parts: Buffer[] = [];
      let from = 0;
      for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, from)) {
        parts.push(buf.subarray(from, i));
        from = i + 1;
      }
      parts.push(buf.subarray(from));
      carry = pos > 0 ? Buffer.from(parts.shift()!) : Buffer.alloc(0);
      for (let i = parts.length - 1; i >= 0; i--) if (parts[i].length) yield parts[i].toString('utf8');
    }
    if (carry.length) yield carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export class LogsService {
  constructor(
    private readonly dataDir: string,
    /** the secrets in force now (the API key), taken out of every line */
    private readonly secrets: () => string[],
  ) {}

  /** The newest lines that match, oldest first. */
  recent(q: LogQuery): { lines: LogEntry[]; truncated: boolean } {
    const min = q.level ? LEVEL_NUMBER[q.level] : 0;
    const secrets = this.secrets();
    const found: LogEntry[] = [];
    let truncated = false;
    outer: for (const file of [...logFiles(this.dataDir)].reverse()) {
      for (const raw of linesBackwards(file)) {
        const e = parseLine(redactSecrets(raw, secrets));
        if (!e) continue;
        if (q.sinceMs !== undefined && Date.parse(e.time) <= q.sinceMs) {
          // A worker's line reaches the file a moment after it was written, so the file is only
          // nearly in time order: stop once the lines are clearly older than `since`.
          if (Date.parse(e.time) < q.sinceMs - SINCE_SLACK_MS) break outer;
          continue;
        }
        if (LEVEL_NUMBER[e.level] < min) continue;
        if (found.length === q.limit) {
          truncated = true;
          break outer;
        }
        found.push(e);
      }
    }
    return { lines: found.reverse(), truncated };
  }

  /** Everything kept (both files), secrets taken out: JSON lines, or one readable line each. */
  download(format: 'json' | 'text'): string {
    const secrets = this.secrets();
    const text = logFiles(this.dataDir)
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f, 'utf8'))
      .join('');
    const clean = redactSecrets(text, secrets);
    if (format === 'json') return clean;
    return clean
      .split('\n')
      .map((l) => {
        const e = parseLine(l);
        if (!e) return l;
        const extra = Object.keys(e.fields).length ? ` ${JSON.stringify(e.fields)}` : '';
        return `${e.time} ${e.level.toUpperCase().padEnd(5)} [${e.source}] ${e.message}${extra}`;
      })
      .filter(Boolean)
      .join('\n')
      .concat('\n');
  }
}

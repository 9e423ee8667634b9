import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './config.js';

/**
 * Fields that may hold a key or token are censored wherever a log line
 * carries them (security: no key in the logs after the first-start line,
 * which prints the new key in its message on purpose).
 */
const REDACT = [
  'api_key', '*.api_key', 'apiKey', '*.apiKey', 'token', '*.token', 'password', '*.password',
  'headers.authorization', 'headers["x-api-key"]', '*.headers.authorization', '*.headers["x-api-key"]',
];

/** How log lines look on standard output: JSON for machines, one readable line each for a person. */
export type LogFormat = 'json' | 'pretty';
const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/**
 * LOG_FORMAT=json|pretty forces the format; unset (or empty) means pretty when
 * standard output is a terminal and JSON otherwise (a pipe, a file, a log
 * collector). Throws on any other value, with a message that names it.
 */
export function logFormat(raw: string | undefined = process.env.LOG_FORMAT, isTTY = process.stdout.isTTY === true): LogFormat {
  const v = (raw ?? '').trim().toLowerCase();
  if (!v) return isTTY ? 'pretty' : 'json';
  if ((LOG_FORMATS as readonly string[]).includes(v)) return v as LogFormat;
  throw new Error(`LOG_FORMAT must be json or pretty (or unset: pretty on a terminal, JSON otherwise), got "${raw}"`);
}

/** Something that takes each finished JSON log line (the log file, the worker's forwarder). */
export interface LogSink {
  write(line: string): void;
}

interface LoggerOptions {
  /** Standard output's format; default from LOG_FORMAT and whether stdout is a terminal. */
  format?: LogFormat;
  /** Also receive every line as JSON, whatever the terminal shows. */
  sinks?: readonly LogSink[];
}

/**
 * A readable line per entry on a terminal: time, level, the worker's name in
 * brackets, the message, the other fields inline. Synchronous, in this
 * process (no transport thread), so it works the same in worker processes
 * and nothing is lost when a process exits right after logging.
 */
function prettyStdout(): pino.DestinationStream {
  return pretty({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,name,worker,node',
    messageFormat: '{if worker}[{worker}] {end}{msg}',
    singleLine: true,
    sync: true,
  });
}

/**
 * The process logger: every line to standard output in the format LOG_FORMAT /
 * the terminal asks for (or as JSON to `destination` instead, in tests), and
 * to every sink as JSON.
 */
export function createLogger(level: LogLevel, name = 'transcriptorio', destination?: pino.DestinationStream, opts: LoggerOptions = {}): Logger {
  const options: pino.LoggerOptions = { name, level, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: REDACT, censor: '[redacted]' } };
  const main = destination ?? ((opts.format ?? logFormat()) === 'pretty' ? prettyStdout() : pino.destination({ dest: 1, sync: true }));
  if (!opts.sinks?.length) return pino(options, main);
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: main }, ...opts.sinks.map((s) => ({ level: 'trace' as const, stream: s as pino.DestinationStream }))];
  return pino(options, pino.multistream(streams));
}

import pino, { type Logger } from 'pino';
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

export function createLogger(level: LogLevel, name = 'transcriptorio', destination?: pino.DestinationStream): Logger {
  return pino({ name, level, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}

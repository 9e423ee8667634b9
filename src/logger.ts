import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

export function createLogger(level: LogLevel, name = 'transcriptorio'): Logger {
  return pino({ name, level, timestamp: pino.stdTimeFunctions.isoTime });
}

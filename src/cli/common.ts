import type { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { logFormat } from '../logger.js';

/** Adds the options every command that opens the database shares. */
export function withDatabaseOptions(cmd: Command): Command {
  return cmd
    .option('--database-url <url>', 'database URL (env DATABASE_URL; default sqlite under DATA_DIR)')
    .option('--data-dir <dir>', 'data folder (env DATA_DIR, default ./data)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (env LOG_LEVEL)');
}

export function configFrom(opts: { databaseUrl?: string; dataDir?: string; logLevel?: string; host?: string; port?: string }): Config {
  try {
    const config = loadConfig({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, logLevel: opts.logLevel, host: opts.host, port: opts.port });
    try {
      logFormat();
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    return config;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`Configuration error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}

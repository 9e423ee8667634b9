import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import { serve } from '../server/server.js';
import { createContext } from '../server/context.js';
import { createLogger, logFormat } from '../logger.js';
import { RotatingLogFile, logFilePath } from '../logs/log-file.js';
import { projectRoot } from '../paths.js';
import { configFrom, withDatabaseOptions } from './common.js';
import { printBanner } from './server-banner.js';

interface ServerOptions {
  host?: string;
  port?: string;
  reload?: boolean;
  workers?: string;
  databaseUrl?: string;
  dataDir?: string;
  logLevel?: string;
}

export function register(program: Command): void {
  withDatabaseOptions(
    program
      .command('server')
      .description('Start the API server, the web UI and the background components (workers, scheduler, watcher)')
      .option('--host <host>', 'address to listen on (env HOST, default 0.0.0.0)')
      .option('--port <port>', 'port to listen on (env PORT, default 8000)')
      .option('--reload', 'restart when source files change (development)')
      .option(
        '--workers <n>',
        'CPU transcription workers (child processes) to start with the server, instead of the worker_cpu_count setting for this run; GPU workers come from worker_gpu_count',
      ),
  ).action(async (opts: ServerOptions) => runServer(opts));
}

async function runServer(opts: ServerOptions): Promise<void> {
  const config = configFrom(opts);
  let cpuWorkers: number | undefined;
  if (opts.workers !== undefined) {
    cpuWorkers = Number(opts.workers);
    if (!Number.isInteger(cpuWorkers) || cpuWorkers < 0 || cpuWorkers > 64) {
      console.error(`--workers must be an integer from 0 to 64, got "${opts.workers}"`);
      process.exit(2);
    }
  }
  if (opts.reload) return runWithReload();
  // Every line of the server and its workers also goes to DATA_DIR/logs (the Logs page), always as JSON.
  const logFile = new RotatingLogFile(logFilePath(config.dataDir));
  const format = logFormat();
  const log = createLogger(config.logLevel, 'transcriptorio', undefined, { format, sinks: [logFile] });
  const ctx = await createContext(config, { log, cpuWorkersAtBoot: cpuWorkers });
  ctx.workers.supervisor.on('log', (line: string) => logFile.write(line));
  const server = await serve(ctx);
  printBanner(server, { format, logFile: logFile.path, generatedKey: ctx.generatedApiKey });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.ctx.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), (server.ctx.settings.getNumber('shutdown_timeout_seconds') + 15) * 1000);
    timer.unref();
    // Background components stop in reverse start order (workers finish or hand back their jobs), then HTTP.
    await server.close();
    logFile.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** Development: node's watch mode restarts the server when src/ changes. */
function runWithReload(): void {
  const root = projectRoot();
  const args = process.argv.slice(2).filter((a) => a !== '--reload');
  const child = spawn(
    process.execPath,
    ['--watch-path', join(root, 'src'), '--import', 'tsx', join(root, 'src', 'cli.ts'), ...args],
    { stdio: 'inherit', env: { ...process.env, TRANSCRIPTORIO_FROM_SOURCE: '1' } },
  );
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGTERM', forward);
  process.on('SIGINT', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}

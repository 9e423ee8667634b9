import cluster from 'node:cluster';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startServer } from '../server/server.js';
import { projectRoot } from '../paths.js';
import { configFrom, withDatabaseOptions } from './common.js';

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
        'HTTP processes sharing the port (node:cluster); background components run in the first one only. Transcription workers are set with worker_cpu_count / worker_gpu_count',
        '1',
      ),
  ).action(async (opts: ServerOptions) => runServer(opts));
}

async function runServer(opts: ServerOptions): Promise<void> {
  const config = configFrom(opts);
  const workers = Number(opts.workers ?? 1);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    console.error(`--workers must be an integer from 1 to 64, got "${opts.workers}"`);
    process.exit(2);
  }
  if (opts.reload) return runWithReload();
  if (workers > 1 && cluster.isPrimary) return runPrimary(workers);
  const background = cluster.isPrimary || process.env.TRANSCRIPTORIO_HTTP_INDEX === '0';
  const server = await startServer(config, { background });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.ctx.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), (server.ctx.settings.getNumber('shutdown_timeout_seconds') + 15) * 1000);
    timer.unref();
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** N HTTP processes; the first also runs the worker pool, scheduler and watcher. */
function runPrimary(n: number): void {
  const spawnOne = (index: number) => {
    const w = cluster.fork({ TRANSCRIPTORIO_HTTP_INDEX: String(index) });
    w.on('exit', (code, signal) => {
      if (!shuttingDown) {
        console.error(`HTTP process ${index} exited (${signal ?? code}); restarting`);
        spawnOne(index);
      }
    });
  };
  let shuttingDown = false;
  for (let i = 0; i < n; i++) spawnOne(i);
  const stop = () => {
    shuttingDown = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
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

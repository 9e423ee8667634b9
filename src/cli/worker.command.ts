/**
 * `transcriptorio worker`: the worker pool without the HTTP server, for more
 * machines sharing one PostgreSQL database (DATABASE_URL=postgres://...).
 * It runs the same supervisor as the server: its workers register in the
 * database under this node's name, claim jobs, heart-beat, and obey stop
 * requests made through the API of any node.
 */
import type { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { createLogger } from '../logger.js';
import { RotatingLogFile, logFilePath } from '../logs/log-file.js';
import { SettingsService } from '../settings/settings.service.js';
import { modelFolderSetting } from '../transcription/models.js';
import { WorkerSupervisor } from '../workers/supervisor.js';
import { configFrom, withDatabaseOptions } from './common.js';

interface WorkerOptions {
  cpu?: string;
  gpu?: string;
  nodeName?: string;
  databaseUrl?: string;
  dataDir?: string;
  logLevel?: string;
}

function parseGpuList(text: string | undefined): number[] {
  if (!text || !text.trim()) return [];
  return text.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`--gpu takes device ids such as 0,1 (got "${text}")`);
    return n;
  });
}

export function register(program: Command): void {
  withDatabaseOptions(
    program
      .command('worker')
      .description('Run transcription workers on this machine against the shared database (no HTTP server)')
      .option('--cpu <n>', 'CPU workers', '1')
      .option('--gpu <ids>', 'GPU workers, one per device id (e.g. 0,1)')
      .option('--node-name <name>', 'name of this machine in the worker list (env TRANSCRIPTORIO_NODE_NAME, default: host name)'),
  ).action(async (opts: WorkerOptions) => runWorkers(opts));
}

async function runWorkers(opts: WorkerOptions): Promise<void> {
  const config = configFrom(opts);
  const cpu = Number(opts.cpu ?? 1);
  if (!Number.isInteger(cpu) || cpu < 0 || cpu > 64) {
    console.error(`--cpu must be an integer from 0 to 64, got "${opts.cpu}"`);
    process.exit(2);
  }
  let gpus: number[];
  try {
    gpus = parseGpuList(opts.gpu);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  if (config.databaseKind === 'sqlite') {
    console.warn('Note: with SQLite, workers on other machines cannot share the queue; use DATABASE_URL=postgres://... for several nodes.');
  }
  // --node-name wins over the configured name (TRANSCRIPTORIO_NODE_NAME, else the host name).
  const node = opts.nodeName?.trim() || config.nodeName;
  // This node's lines and its workers' go to its own DATA_DIR/logs too, bounded like the server's.
  const logFile = new RotatingLogFile(logFilePath(config.dataDir));
  const log = createLogger(config.logLevel, 'transcriptorio', undefined, { sinks: [logFile] }).child({ node });
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database);
  const settings = new SettingsService(database.db, log, modelFolderSetting(config.dataDir));
  await settings.initDefaults();
  const supervisor = new WorkerSupervisor({ database, databaseUrl: config.databaseUrl, settings, log, node, logLevel: config.logLevel, extraHandlers: config.extraHandlers, dataDir: config.dataDir, tools: config.tools });
  supervisor.on('log', (line: string) => logFile.write(line));
  await supervisor.start();
  for (let i = 0; i < cpu; i++) await supervisor.addWorker('cpu');
  for (const id of gpus) await supervisor.addWorker('gpu', id);
  // Settings (leases, heartbeats, timeouts) change on the server: read them again now and then.
  const refresh = setInterval(() => void settings.refresh().catch(() => {}), 5000);
  refresh.unref();
  log.info({ cpu, gpus, database: config.databaseKind }, `worker node ${node} running`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const timeoutS = settings.getNumber('shutdown_timeout_seconds');
    log.info({ signal, timeoutS }, 'stopping workers (running jobs finish or are handed back)');
    const hard = setTimeout(() => process.exit(1), (timeoutS + 15) * 1000);
    hard.unref();
    clearInterval(refresh);
    await supervisor.close(timeoutS * 1000);
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Keep the process alive; the supervisor's timers are unref'd.
  setInterval(() => {}, 1 << 30);
}

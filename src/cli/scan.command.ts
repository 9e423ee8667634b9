import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { closeContext, createContext } from '../server/context.js';
import { createLogger } from '../logger.js';
import { AppError } from '../errors.js';
import { ScannerService } from '../scanner/scanner.service.js';
import { configFrom, withDatabaseOptions } from './common.js';

interface ScanOptions {
  dryRun?: boolean;
  recursive?: boolean;
  databaseUrl?: string;
  dataDir?: string;
  logLevel?: string;
}

export function register(program: Command): void {
  withDatabaseOptions(
    program
      .command('scan')
      .description('Scan library folders once: probe media, apply the scan rules, queue jobs (default: the library_paths setting)')
      .argument('[paths...]', 'absolute folders or files to scan')
      .option('--dry-run', 'print what would happen to each file without creating jobs')
      .option('--no-recursive', 'do not descend into subfolders'),
  ).action(async (paths: string[], opts: ScanOptions) => {
    process.exitCode = await runScan(paths, opts);
  });
}

async function runScan(paths: string[], opts: ScanOptions): Promise<number> {
  const config = configFrom({ ...opts, logLevel: opts.logLevel ?? 'warn' });
  const ctx = await createContext(config, { log: createLogger(config.logLevel) });
  const scanner = new ScannerService({ db: ctx.database.db, settings: ctx.settings, jobs: ctx.jobs, rules: ctx.rules, events: ctx.events, log: ctx.log });
  const interactive = process.stderr.isTTY;
  const bar = new cliProgress.SingleBar(
    { format: 'Scanning [{bar}] {percentage}% | {value}/{total} files | {jobs} jobs | {file}', hideCursor: true, clearOnComplete: true, stream: process.stderr, noTTYOutput: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let cancelling = false;
  const stopBar = () => {
    if (started) bar.stop();
    started = false;
  };
  let onSigint: (() => void) | null = null;
  try {
    const run = await scanner.start({ paths: paths.length ? paths : undefined, recursive: opts.recursive, dryRun: !!opts.dryRun, trigger: 'cli' }, (p) => {
      if (!interactive || cancelling) return;
      const file = p.current_path ? shorten(p.current_path, 40) : '';
      if (!started) {
        bar.start(p.total_files, p.scanned_files, { jobs: p.jobs_created, file });
        started = true;
      } else {
        bar.setTotal(p.total_files);
        bar.update(p.scanned_files, { jobs: p.jobs_created, file });
      }
    });
    // Ctrl-C cancels the scan (ffprobe children killed, the lease released, jobs made so far kept); a second one quits at once.
    onSigint = () => {
      cancelling = true;
      stopBar();
      console.error('\nCancelling the scan… (Ctrl-C again to quit at once)');
      process.removeListener('SIGINT', onSigint!);
      process.once('SIGINT', () => process.exit(130));
      void scanner.cancel(run.scan_id);
    };
    process.once('SIGINT', onSigint);
    const result = await run.done;
    stopBar();
    if (opts.dryRun && result.decisions) {
      for (const d of result.decisions) {
        const what = d.action === 'job' ? `JOB  ${d.target_language} (rule "${d.rule_name}")` : 'SKIP';
        console.log(`${what}  ${d.file_path}\n      ${d.reason}`);
      }
    }
    for (const e of result.error_files) console.log(`ERROR ${e.path}\n      ${e.error}`);
    console.log(
      `\n${opts.dryRun ? 'Dry run: ' : ''}${result.scanned_files} media files scanned in ${result.duration_seconds.toFixed(1)} s ` +
        `(${result.probed_files} probed, the rest from the cache) in ${result.paths_scanned.join(', ')}`,
    );
    console.log(`  matched: ${result.matched_files}  jobs created: ${result.jobs_created}  skipped: ${result.skipped_files}  errors: ${result.errors}  not media: ${result.ignored_files}`);
    if (result.cancelled) {
      console.log('Scan cancelled: the files not reached are scanned next time.');
      return 130;
    }
    return 0;
  } catch (e) {
    stopBar();
    if (e instanceof AppError) {
      console.error(e.code === 'scan_running' ? `A scan is running already: ${e.message}` : e.message);
      return e.status === 409 ? 3 : 2;
    }
    throw e;
  } finally {
    if (onSigint) process.removeListener('SIGINT', onSigint);
    await closeContext(ctx);
  }
}

function shorten(path: string, max: number): string {
  return path.length <= max ? path : `…${path.slice(-(max - 1))}`;
}

import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { closeContext, createContext } from '../server/context.js';
import { createLogger } from '../logger.js';
import { AppError } from '../errors.js';
import type { ScanResult } from '../scanner/scanner.service.js';
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
  // The context's own scan service: the library index follows a CLI scan as it follows the server's.
  const scanner = ctx.scanner.service;
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
    // Per-file outcomes, in a real scan as in a dry run; the reason names the rule, so the line does not repeat it.
    for (const d of result.decisions ?? []) {
      const what = d.action === 'job' ? `JOB  ${d.target_language}` : 'SKIP';
      console.log(`${what}  ${d.file_path}\n      ${d.reason}${d.job_id ? ` (job ${d.job_id})` : ''}`);
    }
    for (const e of result.error_files) console.log(`ERROR ${e.path}\n      ${e.error}`);
    for (const line of summaryLines(result, !!opts.dryRun)) console.log(line);
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

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The closing summary: media files and what became of them, then the other files the walk passed by. */
export function summaryLines(r: ScanResult, dryRun: boolean): string[] {
  const lines = [
    `\n${dryRun ? 'Dry run: ' : ''}${count(r.scanned_files, 'media file')} scanned in ${r.duration_seconds.toFixed(1)} s ` +
      `(${r.probed_files} probed, the rest from the cache) in ${r.paths_scanned.join(', ')}`,
  ];
  const outcomes = dryRun ? [`${r.matched_files} would get a job`] : [`${count(r.jobs_created, 'job')} created`];
  outcomes.push(`${r.skipped_files} skipped`);
  if (r.errors) outcomes.push(`${count(r.errors, 'error')} (listed above)`);
  lines.push(`  ${outcomes.join(', ')}`);
  if (r.ignored_files) lines.push(`  ${count(r.ignored_files, 'other file')} (subtitles, images, notes…) ${r.ignored_files === 1 ? 'is' : 'are'} not media and ${r.ignored_files === 1 ? 'was' : 'were'} left alone`);
  return lines;
}

function shorten(path: string, max: number): string {
  return path.length <= max ? path : `…${path.slice(-(max - 1))}`;
}

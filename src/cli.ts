/**
 * `transcriptorio` — one CLI for the server, remote workers, scans, one-off
 * transcriptions, models and the database. Each command lives in src/cli/.
 */
import { Command } from 'commander';
import { packageVersion } from './paths.js';
import * as server from './cli/server.command.js';
import * as worker from './cli/worker.command.js';
import * as scan from './cli/scan.command.js';
import * as transcribe from './cli/transcribe.command.js';
import * as sync from './cli/sync.command.js';
import * as models from './cli/models.command.js';
import * as db from './cli/db.command.js';

/** Every command, in the order `--help` lists them: a command missing here is a type or import error, never a silent gap. */
const COMMANDS: ReadonlyArray<{ register(program: Command): void }> = [server, worker, scan, transcribe, sync, models, db];

export async function main(argv = process.argv): Promise<void> {
  const program = new Command('transcriptorio')
    .description('Subtitles for every video in your media library, generated locally with Whisper')
    .version(packageVersion())
    .showHelpAfterError();
  for (const c of COMMANDS) c.register(program);
  await program.parseAsync(argv);
}

main().catch((e) => {
  console.error(`transcriptorio: ${(e as Error).message}`);
  process.exit(1);
});

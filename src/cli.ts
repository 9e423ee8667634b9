/**
 * `transcriptorio` — one CLI for the server, remote workers, scans, one-off
 * transcriptions, models and the database. Each command lives in src/cli/.
 */
import { Command } from 'commander';
import { packageVersion } from './paths.js';
import * as server from './cli/server.command.js';
import * as db from './cli/db.command.js';

const COMMANDS: Array<{ register(program: Command): void }> = [server, db];

// Commands of other areas are loaded when their module exists, so a partial build still runs.
const OPTIONAL = ['./cli/worker.command.js', './cli/scan.command.js', './cli/transcribe.command.js', './cli/models.command.js'];

export async function main(argv = process.argv): Promise<void> {
  const program = new Command('transcriptorio')
    .description('Subtitles for every video in your media library, generated locally with Whisper')
    .version(packageVersion())
    .showHelpAfterError();
  for (const c of COMMANDS) c.register(program);
  for (const path of OPTIONAL) {
    try {
      const mod = (await import(path)) as { register(program: Command): void };
      mod.register(program);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String((e as Error).message).includes(path.slice(6, -3))) throw e;
    }
  }
  await program.parseAsync(argv);
}

main().catch((e) => {
  console.error(`transcriptorio: ${(e as Error).message}`);
  process.exit(1);
});

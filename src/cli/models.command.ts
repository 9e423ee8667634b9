/** `transcriptorio models list|download|remove`: the model catalogue from the command line. */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { definitionByKey } from '../settings/definitions/index.js';
import { downloadModel, listModels, removeModel } from '../transcription/models.js';
import { toolPathsFromEnv } from '../config.js';

const tools = () => toolPathsFromEnv(process.env);
const defaultDir = () => tools().modelPath ?? definitionByKey.get('model_path')?.default ?? './models';

function mib(bytes: number | null): string {
  return bytes === null ? '-' : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

export function register(program: Command): void {
  const models = program.command('models').description('List, download and remove Whisper and VAD models');
  models
    .command('list')
    .option('--dir <dir>', 'model folder', defaultDir())
    .action(async (o: { dir: string }) => {
      for (const m of await listModels(o.dir)) {
        const state = m.downloaded ? `downloaded ${mib(m.bytes)}` : m.partialBytes ? `partial ${mib(m.partialBytes)}` : '';
        console.log(`${m.name.padEnd(22)} ${m.kind.padEnd(8)} ~${String(Math.round(m.sizeMiB)).padStart(5)} MiB  ${state}`);
      }
    });
  models
    .command('download <names...>')
    .description('Download models (resumes a partial download, checks the checksum)')
    .option('--dir <dir>', 'model folder', defaultDir())
    .option('--base-url <url>', 'ggml model host (default: huggingface ggerganov/whisper.cpp, or TRANSCRIPTORIO_MODEL_BASE_URL)')
    .option('--force', 'download again even when present')
    .action(async (names: string[], o: { dir: string; baseUrl?: string; force?: boolean }) => {
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      for (const name of names) {
        const bar = new cliProgress.SingleBar({ format: `${name} [{bar}] {percentage}% | {value}/{total} MiB | {speed} MiB/s | ETA {eta_formatted}`, hideCursor: true }, cliProgress.Presets.shades_classic);
        let started = false;
        try {
          // --base-url, else TRANSCRIPTORIO_MODEL_BASE_URL, else the catalogue's host.
          const path = await downloadModel(name, o.dir, {
            baseUrl: o.baseUrl ?? tools().modelBaseUrl ?? undefined,
            force: o.force,
            signal: ac.signal,
            onProgress: (p) => {
              const total = Math.max(1, Math.round((p.total ?? p.received) / 2 ** 20));
              if (!started) bar.start(total, 0, { speed: '0' });
              started = true;
              bar.setTotal(total);
              bar.update(Math.round(p.received / 2 ** 20), { speed: (p.bytesPerSecond / 2 ** 20).toFixed(1) });
            },
          });
          if (started) bar.stop();
          console.log(`${name}: ${path}`);
        } catch (err) {
          if (started) bar.stop();
          console.error(`${name}: ${(err as Error).message}`);
          process.exitCode = 1;
        }
      }
    });
  models
    .command('remove <names...>')
    .option('--dir <dir>', 'model folder', defaultDir())
    .action(async (names: string[], o: { dir: string }) => {
      for (const n of names) console.log(`${n}: ${(await removeModel(n, o.dir)) ? 'removed' : 'not present'}`);
    });
}

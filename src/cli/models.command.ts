/** `transcriptorio models list|download|remove`: the model catalogue from the command line. */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { resolve } from 'node:path';
import { downloadModel, listModels, modelFolder, removeModel } from '../transcription/models.js';
import { toolPathsFromEnv } from '../config.js';
import { configFrom, withDatabaseOptions } from './common.js';
import { readInstanceSettings } from './instance.js';

const tools = () => toolPathsFromEnv(process.env);

interface DirFlags {
  dir?: string;
  dataDir?: string;
  databaseUrl?: string;
}

/**
 * The folder a models command works on, as an absolute path, and a line
 * that says why that one: --dir, else TRANSCRIPTORIO_MODEL_PATH, else the
 * model folder of the instance in DATA_DIR (its model_path; by default
 * DATA_DIR/models), the folder its server and workers use.
 */
async function folderOf(o: DirFlags): Promise<{ dir: string; why: string }> {
  if (o.dir) return { dir: resolve(o.dir), why: '--dir' };
  const env = tools().modelPath;
  if (env) return { dir: resolve(env), why: 'TRANSCRIPTORIO_MODEL_PATH' };
  const config = configFrom({ dataDir: o.dataDir, databaseUrl: o.databaseUrl });
  const instance = await readInstanceSettings(config);
  const byDefault = modelFolder('', config.dataDir);
  const dir = resolve(String(instance.get('model_path') ?? '') || byDefault.dir);
  if (byDefault.source === 'legacy' && byDefault.dir === dir) {
    return { dir, why: `the folder older versions used; move the files into ${byDefault.dataDefault} so the data folder keeps them` };
  }
  if (dir === byDefault.dataDefault) return { dir, why: `the default: models in the data folder ${config.dataDir}` };
  return { dir, why: instance.source ? `model_path of the instance at ${instance.source}` : "model_path's default" };
}

function mib(bytes: number | null): string {
  return bytes === null ? '-' : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

export function register(program: Command): void {
  const models = program.command('models').description('List, download and remove Whisper and VAD models');
  withDatabaseOptions(models.command('list'))
    .description('List the catalogue and what the model folder holds')
    .option('--dir <dir>', 'model folder (default: the model folder of the instance in DATA_DIR)')
    .action(async (o: DirFlags) => {
      const { dir, why } = await folderOf(o);
      console.log(`Model folder: ${dir} (${why})`);
      for (const m of await listModels(dir)) {
        const state = m.downloaded ? `downloaded ${mib(m.bytes)}` : m.partialBytes ? `partial ${mib(m.partialBytes)}` : '';
        console.log(`${m.name.padEnd(22)} ${m.kind.padEnd(8)} ~${String(Math.round(m.sizeMiB)).padStart(5)} MiB  ${state}`);
      }
    });
  withDatabaseOptions(models.command('download <names...>'))
    .description('Download models (resumes a partial download, checks the checksum)')
    .option('--dir <dir>', 'model folder (default: the model folder of the instance in DATA_DIR)')
    .option('--base-url <url>', 'ggml model host (default: huggingface ggerganov/whisper.cpp, or TRANSCRIPTORIO_MODEL_BASE_URL)')
    .option('--force', 'download again even when present')
    .action(async (names: string[], o: DirFlags & { baseUrl?: string; force?: boolean }) => {
      const { dir } = await folderOf(o);
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      for (const name of names) {
        const bar = new cliProgress.SingleBar({ format: `${name} [{bar}] {percentage}% | {value}/{total} MiB | {speed} MiB/s | ETA {eta_formatted}`, hideCursor: true }, cliProgress.Presets.shades_classic);
        let started = false;
        try {
          // --base-url, else TRANSCRIPTORIO_MODEL_BASE_URL, else the catalogue's host.
          const path = await downloadModel(name, dir, {
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
  withDatabaseOptions(models.command('remove <names...>'))
    .description('Delete model files from the model folder')
    .option('--dir <dir>', 'model folder (default: the model folder of the instance in DATA_DIR)')
    .action(async (names: string[], o: DirFlags) => {
      const { dir } = await folderOf(o);
      for (const n of names) console.log(`${n}: ${(await removeModel(n, dir)) ? `removed from ${dir}` : `not present in ${dir}`}`);
    });
}

/**
 * `transcriptorio transcribe <files...> --lang spa`: the simplest use of the
 * product, no server needed. Run inside an installed instance (its DATA_DIR
 * or DATABASE_URL, see src/config.ts) it uses that instance's settings (model,
 * preset, model folder, subtitle options); elsewhere the settings' defaults.
 * Flags win over both. One local engine serves every file (the model loads
 * once) and is closed at the end. Each file's line ends with its quality
 * score and flagged cues (src/transcription/quality/). Exit code 1 when a file
 * failed, or scored under --min-score.
 */
import { mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { definitionByKey } from '../settings/definitions/index.js';
import { normalizeLanguage } from '../languages.js';
import { pipelineOptionsFromSettings, type Preset } from '../transcription/settings-map.js';
import { transcribeMedia } from '../transcription/pipeline.js';
import { withLocalEngine } from '../transcription/engine.js';
import { SUBTITLE_FORMATS, type SubtitleFormat } from '../transcription/types.js';
import { configFrom, withDatabaseOptions } from './common.js';
import { toolPathsFromEnv } from '../config.js';
import { readInstanceSettings, type InstanceSettings } from './instance.js';
import { progressDisplay } from './progress-display.js';
import type { QualityReport } from '../transcription/quality/types.js';

interface Flags {
  lang: string;
  source?: string;
  model?: string;
  modelDir?: string;
  preset?: Preset;
  format?: SubtitleFormat;
  output?: string;
  threads?: string;
  device?: string;
  vad?: boolean;
  /** false with --no-lrc */
  lrc?: boolean;
  tag?: string;
  /** false with --no-instance */
  instance?: boolean;
  databaseUrl?: string;
  dataDir?: string;
  minScore?: string;
}

/** --min-score N: an integer 0-100, or an error that says so. */
function minScoreFlag(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new Error(`--min-score must be an integer from 0 to 100, got "${v}"`);
  return n;
}

/** " · score 42/100, 3 cues flagged (needs review)" for a file's line. */
function scoreNote(q: QualityReport | null): string {
  if (!q) return '';
  const flagged = q.flagged.length;
  return ` · score ${q.score}/100, ${flagged} cue${flagged === 1 ? '' : 's'} flagged${q.needs_review ? ' (needs review)' : ''}`;
}

/** --output DIR: made when missing (like mkdir -p); a file in its place is an error that says so. */
function outputDir(dir: string): string {
  const abs = resolve(dir);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) throw new Error(`--output ${dir} is a file, not a folder: name a folder (it is created when missing)`);
  if (!st) mkdirSync(abs, { recursive: true });
  return abs;
}

function deviceFlag(device: string | undefined): 'cpu' | 'cuda' | undefined {
  if (device === undefined) return undefined;
  if (device === 'cuda' || device === 'gpu') return 'cuda';
  if (device === 'cpu') return 'cpu';
  throw new Error(`--device must be cpu or cuda, got "${device}"`);
}

async function settingsFor(f: Flags): Promise<InstanceSettings> {
  if (f.instance === false) return { get: (key) => definitionByKey.get(key)?.default, source: null, problem: null };
  return readInstanceSettings(configFrom({ databaseUrl: f.databaseUrl, dataDir: f.dataDir }));
}

export function register(program: Command): void {
  withDatabaseOptions(
    program
      .command('transcribe <files...>')
      .description('Write subtitles for media files (Movie.mkv -> Movie.<lang>.srt), with the settings of the instance in DATA_DIR when there is one')
      .requiredOption('-l, --lang <lang>', 'target subtitle language (spa, es, Spanish...)')
      .option('-s, --source <lang>', 'audio language (default: detect)')
      .option('-m, --model <model>', "model name (tiny, small, large-v3...) or path to a ggml file (default: the instance's whisper_model / preset model)")
      .option('--model-dir <dir>', "model folder (default: the instance's model_path)")
      .option('-p, --preset <preset>', 'fast | balanced | best')
      .option('-f, --format <format>', `output format: ${SUBTITLE_FORMATS.join(', ')}`)
      .option('-o, --output <dir>', 'write subtitles here instead of beside the media (created when missing)')
      .option('-t, --threads <n>', 'CPU threads')
      .option('--device <device>', 'cpu | cuda')
      .option('--tag <tag>', 'tag before the language, e.g. ai -> Movie.ai.spa.srt')
      .option('--no-vad', 'decode all audio, not only speech')
      .option('--min-score <n>', 'exit with code 1 when a file scores under n (0-100, see docs/QUALITY.md)')
      .option('--no-lrc', 'audio-only files get the --format (default srt), not .lrc')
      .option('--no-instance', 'ignore the settings of the instance in DATA_DIR: the defaults and the flags only'),
  ).action(async (files: string[], f: Flags) => {
    const target = normalizeLanguage(f.lang);
    if (!target) throw new Error(`unknown language ${f.lang}`);
    if (f.format && !SUBTITLE_FORMATS.includes(f.format)) throw new Error(`unknown format ${f.format}`);
    const device = deviceFlag(f.device);
    const minScore = minScoreFlag(f.minScore);
    const instance = await settingsFor(f);
    if (instance.problem) process.stderr.write(`Note: ${instance.problem}; using the default settings.\n`);
    const base = pipelineOptionsFromSettings(instance.get, f.preset ?? null);
    const tools = toolPathsFromEnv(process.env);
    const modelDir = resolve(f.modelDir ?? tools.modelPath ?? base.modelDir);
    const opts = {
      ...base,
      modelDir,
      whisperDir: tools.whisperDir,
      tools,
      targetLang: target,
      sourceLang: f.source ?? null,
      audioLanguage: f.source ?? base.preferredAudioLanguages[0] ?? null,
      model: f.model ?? base.model,
      format: f.format ?? base.format,
      // Audio-only inputs get .lrc by default; --no-lrc or an explicit --format overrides it.
      lrcForAudioFiles: f.lrc === false || f.format ? false : base.lrcForAudioFiles,
      outputDir: f.output ? outputDir(f.output) : null,
      threads: f.threads ? Number(f.threads) : base.threads,
      device: device ?? base.device,
      vad: f.vad !== false && base.vad !== false,
      tag: f.tag ?? base.tag,
    };
    process.stderr.write(
      `${instance.source ? `Settings of the instance at ${instance.source}` : 'Default settings (no instance in DATA_DIR)'}: model ${opts.model}, models in ${modelDir}\n`,
    );
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    let failed = 0;
    let belowScore = 0;
    // A missing model fails here, before any file, with the model's own message.
    await withLocalEngine(opts, async (engine) => {
      const display = progressDisplay();
      try {
        for (const file of files) {
          const progress = display.start(file);
          try {
            const r = await transcribeMedia(file, opts, {
              signal: ac.signal,
              engine,
              onStage: (stage, p, eta) => progress.update(p, stage, eta),
            });
            const line = r.outputPath ? `${r.outputPath} (${r.segmentsCount} cues, ${r.language}, ${r.task})` : `no speech found (${r.language}): nothing written`;
            progress.done(`${line}${scoreNote(r.quality)}`);
            if (minScore !== null && r.quality && r.quality.score < minScore) belowScore++;
          } catch (err) {
            failed++;
            progress.failed((err as Error).message);
            if ((err as Error).name === 'AbortError') break;
          }
        }
      } finally {
        display.stop();
      }
    });
    if (failed) {
      process.stderr.write(`${failed} of ${files.length} file${files.length === 1 ? '' : 's'} failed.\n`);
      process.exitCode = 1;
    }
    if (belowScore) {
      process.stderr.write(`${belowScore} of ${files.length} file${files.length === 1 ? '' : 's'} scored under --min-score ${minScore}; docs/QUALITY.md says what each flag means and how to raise the score (a larger model, the best preset).\n`);
      process.exitCode = 1;
    }
  });
}

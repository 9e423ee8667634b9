/**
 * `transcriptorio transcribe <files...> --lang spa`: the simplest use of the
 * product, no server or database. Settings come from their defaults, which
 * the flags override. One local engine serves every file (the model loads
 * once) and is closed at the end.
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { definitionByKey } from '../settings/definitions/index.js';
import { normalizeLanguage } from '../languages.js';
import { pipelineOptionsFromSettings, type Preset } from '../transcription/settings-map.js';
import { transcribeMedia } from '../transcription/pipeline.js';
import { withLocalEngine } from '../transcription/engine.js';
import { SUBTITLE_FORMATS, type SubtitleFormat } from '../transcription/types.js';

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
}

interface FileProgress {
  update(percent: number, stage: string, eta: number | null): void;
  /** final line; `ok` fills the bar */
  done(line: string, ok: boolean): void;
}

/**
 * Progress on a terminal: one cli-progress bar per file. cli-progress renders
 * nothing live when stderr is not a terminal (and then prints a final frame
 * without the bar's payload, so `{file}` came out literally): there each file
 * gets plain lines at stage changes instead.
 */
function progressDisplay(): { start(file: string): FileProgress; stop(): void } {
  if (!process.stderr.isTTY) {
    return {
      start(file) {
        let last = '';
        return {
          update(p, stage) {
            if (stage === last) return;
            last = stage;
            process.stderr.write(`${file}: ${stage} ${Math.round(p)}%\n`);
          },
          done: (line) => process.stderr.write(`${file}: ${line}\n`),
        };
      },
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar({ format: '{file} [{bar}] {percentage}% | {stage} | ETA {etaText}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  return {
    start(file) {
      const name = file.length > 30 ? `…${file.slice(-29)}` : file.padEnd(30);
      // Every update restates the file so the slot can never render empty.
      const bar = bars.create(100, 0, { file: name, stage: 'starting', etaText: '-' });
      return {
        update: (p, stage, eta) => bar.update(p, { file: name, stage, etaText: eta === null ? '-' : `${eta}s` }),
        done: (line, ok) => (ok ? bar.update(100, { file: name, stage: line, etaText: '0s' }) : bar.update({ file: name, stage: line, etaText: '-' })),
      };
    },
    stop: () => bars.stop(),
  };
}

export function register(program: Command): void {
  program
    .command('transcribe <files...>')
    .description('Write subtitles for media files (Movie.mkv -> Movie.<lang>.srt)')
    .requiredOption('-l, --lang <lang>', 'target subtitle language (spa, es, Spanish...)')
    .option('-s, --source <lang>', 'audio language (default: detect)')
    .option('-m, --model <model>', 'model name (tiny, small, large-v3...) or path to a ggml file')
    .option('--model-dir <dir>', 'model folder')
    .option('-p, --preset <preset>', 'fast | balanced | best')
    .option('-f, --format <format>', `output format: ${SUBTITLE_FORMATS.join(', ')}`)
    .option('-o, --output <dir>', 'write subtitles here instead of beside the media')
    .option('-t, --threads <n>', 'CPU threads')
    .option('--device <device>', 'cpu | cuda')
    .option('--tag <tag>', 'tag before the language, e.g. ai -> Movie.ai.spa.srt')
    .option('--no-vad', 'decode all audio, not only speech')
    .option('--no-lrc', 'audio-only files get the --format (default srt), not .lrc')
    .action(async (files: string[], f: Flags) => {
      const target = normalizeLanguage(f.lang);
      if (!target) throw new Error(`unknown language ${f.lang}`);
      if (f.format && !SUBTITLE_FORMATS.includes(f.format)) throw new Error(`unknown format ${f.format}`);
      const get = (key: string) => definitionByKey.get(key)?.default;
      const base = pipelineOptionsFromSettings(get, f.preset ?? null);
      const modelDir = f.modelDir ?? process.env.TRANSCRIPTORIO_MODEL_PATH ?? base.modelDir;
      const opts = {
        ...base,
        modelDir,
        targetLang: target,
        sourceLang: f.source ?? null,
        audioLanguage: f.source ?? base.preferredAudioLanguages[0] ?? null,
        model: f.model ?? base.model,
        format: f.format ?? base.format,
        // Audio-only inputs get .lrc by default; --no-lrc or an explicit --format overrides it.
        lrcForAudioFiles: f.lrc === false || f.format ? false : base.lrcForAudioFiles,
        outputDir: f.output ?? null,
        threads: f.threads ? Number(f.threads) : base.threads,
        device: (f.device === 'cuda' || f.device === 'gpu' ? 'cuda' : base.device) as 'cpu' | 'cuda',
        vad: f.vad !== false,
        tag: f.tag ?? base.tag,
      };
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      let failed = 0;
      // A missing model fails here, before any file, with the model's own message.
      await withLocalEngine(opts, async (engine) => {
        const display = progressDisplay();
        for (const file of files) {
          const progress = display.start(file);
          try {
            const r = await transcribeMedia(file, opts, {
              signal: ac.signal,
              engine,
              onStage: (stage, p, eta) => progress.update(p, stage, eta),
            });
            progress.done(r.outputPath ? `${r.outputPath} (${r.segmentsCount} cues, ${r.language}, ${r.task})` : `no speech found in ${file} (${r.language}): nothing written`, true);
          } catch (err) {
            failed++;
            progress.done(`failed: ${(err as Error).message}`, false);
            if ((err as Error).name === 'AbortError') break;
          }
        }
        display.stop();
      });
      if (failed) process.exitCode = 1;
    });
}

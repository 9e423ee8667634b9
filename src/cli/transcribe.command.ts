/**
 * `transcriptorio transcribe <files...> --lang spa`: the simplest use of the
 * product, no server or database. Settings come from their defaults, which
 * the flags override.
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { definitionByKey } from '../settings/definitions/index.js';
import { normalizeLanguage } from '../languages.js';
import { pipelineOptionsFromSettings, type Preset } from '../transcription/settings-map.js';
import { transcribeMedia } from '../transcription/pipeline.js';
import { WhisperEngine } from '../transcription/engine.js';
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
  tag?: string;
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
        outputDir: f.output ?? null,
        threads: f.threads ? Number(f.threads) : base.threads,
        device: (f.device === 'cuda' || f.device === 'gpu' ? 'cuda' : base.device) as 'cpu' | 'cuda',
        vad: f.vad !== false,
        tag: f.tag ?? base.tag,
      };
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      const bars = new cliProgress.MultiBar({ format: '{file} [{bar}] {percentage}% | {stage} | ETA {etaText}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
      let engine: WhisperEngine | undefined;
      let failed = 0;
      for (const file of files) {
        const name = file.length > 30 ? `…${file.slice(-29)}` : file.padEnd(30);
        const bar = bars.create(100, 0, { file: name, stage: 'starting', etaText: '-' });
        try {
          const r = await transcribeMedia(file, opts, {
            signal: ac.signal,
            engine,
            onStage: (stage, p, eta) => bar.update(p, { stage, etaText: eta === null ? '-' : `${eta}s` }),
          });
          bar.update(100, { stage: `${r.outputPath} (${r.segmentsCount} cues, ${r.language}, ${r.task})`, etaText: '0s' });
        } catch (err) {
          failed++;
          bar.update({ stage: `failed: ${(err as Error).message}` });
          if ((err as Error).name === 'AbortError') break;
        }
      }
      bars.stop();
      await engine?.close();
      if (failed) process.exitCode = 1;
    });
}
